/**
 * The main step: read inputs, find Go, restore the module cache, and hand
 * post what it needs through state. Only misconfiguration fails the step;
 * cache trouble is a warning and the build goes on, slower.
 */
import { stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { KIT_DAEMON_SOCKET_ENV, KIT_PANTS_CONFIG_ENV } from '../bootstrap/job-hooks.ts'
import { readKitConfig } from '../bootstrap/kit-config.ts'
import { bundleKeys, runFacts } from '../bundle/key.ts'
import { restoreBundle } from '../bundle/restore.ts'
import { gocacheDirKeys, restoreGoCacheDir } from '../buildcache/directory.ts'
import { setupBuildCache } from '../buildcache/setup.ts'
import { controlRequest } from '../daemon/control.ts'
import { GoNotFoundError, readGoEnv, type GoEnv } from '../go/go-env.ts'
import { restoreModCache } from '../modcache/restore.ts'
import { setupPants } from '../pants/setup.ts'
import { readEvent } from '../policy/event-file.ts'
import { decideWrite, parseCacheMode } from '../policy/write-policy.ts'
import { maskRemoteSecrets, remoteFromInputs } from '../remote/action-setup.ts'
import { AUTO_CONFIGURE_ENV, describeAutoConfigure, resolveAutoConfigure } from './auto-configure.ts'
import { Input, Output } from './constants.ts'
import type { ActionContext } from './context.ts'
import { ConfigError, errorMessage } from './errors.ts'
import { readInputs, type Inputs } from './inputs.ts'
import { saveState, type SavedState } from './state.ts'

/** The daemon answers an import at once; it only registers the file. */
const DAEMON_REPLY_MS = 5_000

export async function runMain(ctx: ActionContext): Promise<void> {
  const workspace = ctx.env.GITHUB_WORKSPACE || process.cwd()
  let inputs: Inputs
  let goEnv: GoEnv
  try {
    inputs = readInputs(ctx.getInput, workspace)
    // Before anything is logged.
    maskRemoteSecrets(inputs, ctx.setSecret)
    await requireDirectory(inputs.workingDirectory)
    goEnv = await readGoEnv(ctx.run, inputs.workingDirectory)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof GoNotFoundError) {
      ctx.setFailed(error.message)
      return
    }
    throw error
  }
  ctx.setOutput(Output.GoVersion, goEnv.version)
  ctx.log.info(`Go ${goEnv.version} (${goEnv.hostOS}/${goEnv.hostArch}), GOMODCACHE=${goEnv.modCache}`)

  const cacheMode = parseCacheMode(ctx.env.ACTIONS_CACHE_MODE)
  const event = await readEvent(ctx.env)
  const write = decideWrite(inputs.cacheWrite, event, cacheMode)
  if (!write.allowed) ctx.log.info(`Cache writes are off for this job: ${write.reason}`)
  const state: SavedState = { version: 1, goVersion: goEnv.version, write }

  // The bundle carries the build cache between runs unless a remote (cache-url)
  // holds it, or a kit runner's store persists on its disk (the kit's daemon
  // answers: owner 'kit' below, bootstrap/job-hooks.ts).
  const bundleEnabled = inputs.cacheUrl === ''
  // Whether a bundle can arrive at all: only then do go's misses ask the daemon for it.
  const bundleReadable = bundleEnabled && cacheMode.read && ctx.cache.isAvailable()

  // Off: everything is still set up, but later steps are wired by hand from the outputs.
  const auto = resolveAutoConfigure({ input: inputs.autoConfigure, env: ctx.env[AUTO_CONFIGURE_ENV], kit: await readKitConfig(ctx.env) })
  for (const warning of auto.warnings) ctx.log.warning(warning)
  ctx.log.info(`${describeAutoConfigure(auto)}${auto.value ? '' : ': GOCACHEPROG and the Pants config are outputs only, not set for later steps'}`)
  ctx.setOutput(Output.AutoConfigure, String(auto.value))
  state.wiring = { autoConfigure: auto.value, source: auto.source }

  try {
    state.buildCache = await setupBuildCache(
      {
        enabled: inputs.buildCache,
        customCommand: inputs.goCacheProg,
        storePath: inputs.storePath,
        storeMaxBytes: inputs.storeMaxBytes,
        bundle: bundleReadable,
        remote: await remoteFromInputs(inputs, write, {
          repository: ctx.env.GITHUB_REPOSITORY ?? '',
          workflow: ctx.env.GITHUB_WORKFLOW ?? '',
          job: ctx.env.GITHUB_JOB ?? '',
          os: goEnv.hostOS,
          arch: goEnv.hostArch,
          goVersion: goEnv.version,
        }),
      },
      goEnv,
      {
        log: ctx.log,
        notice: ctx.notice,
        tools: ctx.tools,
        spawnDetached: ctx.spawnDetached,
        nodePath: ctx.nodePath,
        clientSourceDir: ctx.clientSourceDir,
        clientVersion: ctx.clientVersion,
        runnerTemp: ctx.env.RUNNER_TEMP || os.tmpdir(),
        kitDaemon: kitDaemon(ctx.env),
        restoreDirectory: (dir) =>
          restoreGoCacheDir(
            ctx.cache,
            ctx.log,
            dir,
            gocacheDirKeys({
              hostOS: goEnv.hostOS,
              hostArch: goEnv.hostArch,
              goVersion: goEnv.version,
              runId: ctx.env.GITHUB_RUN_ID ?? '0',
              runAttempt: ctx.env.GITHUB_RUN_ATTEMPT ?? '1',
              job: ctx.env.GITHUB_JOB ?? 'job',
            }),
            cacheMode.read,
          ),
      },
    )
    const command = state.buildCache.mode === 'client' || state.buildCache.mode === 'custom' ? state.buildCache.command : ''
    // GOCACHEPROG goes to later steps through GITHUB_ENV unless auto-configure
    // is off; always an output, so a workflow can wire it by hand (a Docker build, say).
    if (command !== '' && auto.value) ctx.exportVariable('GOCACHEPROG', command)
    ctx.setOutput(Output.GoCacheProg, command)
    if (inputs.cacheUrl !== '' && state.buildCache.mode !== 'client') {
      ctx.log.warning(`${Input.CacheUrl} is not used: the remote cache works through our GOCACHEPROG client, and the build cache is ${state.buildCache.mode} here.`)
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      ctx.setFailed(error.message)
      return
    }
    ctx.log.warning(`Build cache setup failed; go builds without it: ${errorMessage(error)}`)
  }

  try {
    const pants = await setupPants(
      {
        ...inputs.pants,
        enabled: inputs.pants.remoteCache,
        workingDirectory: inputs.workingDirectory,
        workspace,
        cacheUrl: inputs.cacheUrl,
        write: write.allowed,
        register: auto.value,
        // On a kit runner, the file the job-started hook registered: rewritten for this
        // repository's Pants version instead of registering a second one.
        configDir: ctx.env[KIT_PANTS_CONFIG_ENV] ? path.dirname(ctx.env[KIT_PANTS_CONFIG_ENV]) : path.join(ctx.env.RUNNER_TEMP || os.tmpdir(), 'go-cache-setup'),
      },
      { log: ctx.log, env: ctx.env, exportVariable: ctx.exportVariable },
    )
    ctx.setOutput(Output.PantsConfig, pants.status === 'configured' ? pants.file : '')
    if (pants.status === 'configured') {
      state.wiring.pants = { address: pants.address, write: write.allowed, file: pants.file, registered: pants.registered }
    }
  } catch (error) {
    ctx.log.warning(`Pants remote cache setup failed; Pants runs without it: ${errorMessage(error)}`)
    ctx.setOutput(Output.PantsConfig, '')
  }
  // The bundle downloads and unpacks while the module cache restores: both before go runs.
  const build = state.buildCache
  const bundle =
    build?.mode === 'client'
      ? restoreBundle({
          cache: ctx.cache,
          log: ctx.log,
          store: build.store,
          keys: bundleKeys({ hostOS: goEnv.hostOS, hostArch: goEnv.hostArch, goVersion: goEnv.version, matrix: inputs.matrix, ...runFacts(ctx.env, event.payload) }),
          file: path.join(ctx.env.RUNNER_TEMP || os.tmpdir(), 'go-cache-setup', 'build-cache.bundle'),
          canRead: cacheMode.read,
          readSkipReason: `ACTIONS_CACHE_MODE=${cacheMode.raw} forbids cache reads`,
          maxImportBytes: inputs.storeMaxBytes,
          settings: { enabled: bundleEnabled && build.owner !== 'kit', maxBytes: inputs.bundleMaxBytes, threshold: inputs.bundleSaveThreshold },
          now: ctx.now,
          ...(build.daemonStarted && build.owner !== 'kit' && { importInBackground: (files: string[], baseManifest?: { file: string; key: string }) => importInDaemon(build.socket, files, inputs.storeMaxBytes, baseManifest) }),
        }).catch((error: unknown) => {
          ctx.log.warning(`Build cache bundle restore failed; the build starts cold: ${errorMessage(error)}`)
          return undefined
        })
      : undefined

  if (inputs.moduleCache) {
    try {
      const report = await restoreModCache({
        cache: ctx.cache,
        log: ctx.log,
        goEnv,
        workspace,
        dependencyPatterns: inputs.dependencyPatterns,
        keySuffix: inputs.keySuffix,
        cacheMode,
        now: ctx.now,
      })
      state.modCache = report
      ctx.setOutput(Output.ModuleCacheKey, report.key)
      ctx.setOutput(Output.ModuleCacheHit, String(report.matchedKey === report.key))
      ctx.setOutput(Output.ModuleCacheMatchedKey, report.matchedKey ?? '')
    } catch (error) {
      ctx.log.warning(`Module cache restore failed; the build goes on without it: ${errorMessage(error)}`)
      ctx.setOutput(Output.ModuleCacheHit, 'false')
    }
  } else {
    ctx.log.info(`Module cache off (${Input.ModuleCache}: false)`)
  }
  if (bundle !== undefined) state.bundle = await bundle
  saveState(ctx, state)
}

/** Hands the downloaded bundle (and its base) to the daemon (D22); false if it did not take them, and the main step imports them. */
async function importInDaemon(socket: string, files: string[], maxBytes: number, baseManifest?: { file: string; key: string }): Promise<boolean> {
  const reply = await controlRequest(socket, { op: 'import', files, maxBytes, ...(baseManifest && { baseManifest }) }, DAEMON_REPLY_MS)
  return reply.ok
}

/** What the bootstrap kit's job-started hook exported (bootstrap/job-hooks.ts), if it ran. */
function kitDaemon(env: ActionContext['env']): { socket: string; command: string } | undefined {
  const socket = env[KIT_DAEMON_SOCKET_ENV]
  const command = env.GOCACHEPROG
  return socket && command ? { socket, command } : undefined
}

async function requireDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined)
  if (!info?.isDirectory()) {
    throw new ConfigError(`${Input.WorkingDirectory}: ${dir} is not a directory in this job; check the path and that the repository is checked out.`)
  }
}
