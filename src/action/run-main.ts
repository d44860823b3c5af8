/**
 * The main step: read inputs, find Go, restore the module cache, and hand
 * post what it needs through state. Only misconfiguration fails the step;
 * cache trouble is a warning and the build goes on, slower.
 */
import { stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { bundleKeys, runFacts } from '../bundle/key.ts'
import { restoreBundle } from '../bundle/restore.ts'
import { gocacheDirKeys, restoreGoCacheDir } from '../buildcache/directory.ts'
import { setupBuildCache } from '../buildcache/setup.ts'
import { GoNotFoundError, readGoEnv, type GoEnv } from '../go/go-env.ts'
import { restoreModCache } from '../modcache/restore.ts'
import { decideWrite, parseCacheMode } from '../policy/write-policy.ts'
import { Input, Output } from './constants.ts'
import { readEvent, type ActionContext } from './context.ts'
import { ConfigError, errorMessage } from './errors.ts'
import { readInputs, type Inputs } from './inputs.ts'
import { saveState, type SavedState } from './state.ts'

export async function runMain(ctx: ActionContext): Promise<void> {
  const workspace = ctx.env.GITHUB_WORKSPACE || process.cwd()
  let inputs: Inputs
  let goEnv: GoEnv
  try {
    inputs = readInputs(ctx.getInput, workspace)
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

  try {
    state.buildCache = await setupBuildCache(
      { enabled: inputs.buildCache, customCommand: inputs.goCacheProg, storePath: inputs.storePath, storeMaxBytes: inputs.storeMaxBytes },
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
    // GOCACHEPROG goes to later steps through GITHUB_ENV; always an output, so
    // a workflow can wire it by hand (a Docker build, say).
    if (command !== '') ctx.exportVariable('GOCACHEPROG', command)
    ctx.setOutput(Output.GoCacheProg, command)
  } catch (error) {
    ctx.log.warning(`Build cache setup failed; go builds without it: ${errorMessage(error)}`)
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
          // Issue 5: off when a remote (cache-url) holds the build cache.
          settings: { enabled: true, maxBytes: inputs.bundleMaxBytes, threshold: inputs.bundleSaveThreshold },
          now: ctx.now,
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

async function requireDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined)
  if (!info?.isDirectory()) {
    throw new ConfigError(`${Input.WorkingDirectory}: ${dir} is not a directory in this job; check the path and that the repository is checked out.`)
  }
}
