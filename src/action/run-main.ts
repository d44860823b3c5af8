/**
 * The main step: read inputs, find Go, work out the plan (plan.ts), then
 * carry it out one step at a time and hand post what it needs through state.
 * Only misconfiguration fails the step; cache trouble is a warning and the
 * build goes on, slower.
 */
import { readFile, stat } from 'node:fs/promises'
import { readKitConfig } from '../bootstrap/kit-config.ts'
import { restoreBundle, type BundleRestoreReport } from '../buildcache/bundle-restore.ts'
import { restoreGoCacheDir } from '../buildcache/directory.ts'
import { nativeCacheDir } from '../buildcache/native.ts'
import { setupBuildCache, type BuildCacheState } from '../buildcache/setup.ts'
import { AUTO_CONFIGURE_ENV, GOCACHEPROG } from '../common/env.ts'
import { ConfigError, errorMessage } from '../common/errors.ts'
import { controlRequest } from '../daemon/control.ts'
import { GoNotFoundError, readGoEnv, type GoEnv } from '../go/go-env.ts'
import { goEnvFileNames, goEnvFilePath, planGoDirs } from '../go/work-drive.ts'
import { restoreModCache, type ModCacheRestoreReport } from '../modcache/restore.ts'
import { unpackModules } from '../modcache/unpack.ts'
import { setupPants } from '../pants/setup.ts'
import { describeAutoConfigure, resolveAutoConfigure, type AutoConfigure, type WiringReport } from '../policy/auto-configure.ts'
import { readEvent } from '../policy/event-file.ts'
import { LocalStore } from '../store/local-store.ts'
import { canonicalizeMtimes, type MtimeReport } from '../testcache/canonicalize.ts'
import { Input, Output } from './constants.ts'
import type { ActionContext } from './context.ts'
import { readInputs, type Inputs } from './inputs.ts'
import { planMain, type MainPlan } from './plan.ts'
import { daemonRemote, maskRemoteSecrets } from './remote-setup.ts'
import { saveState, type SavedState } from './state.ts'

/** The daemon answers an import at once; it only registers the file. */
const DAEMON_REPLY_MS = 5_000

export async function runMain(ctx: ActionContext): Promise<void> {
  const workspace = ctx.env.GITHUB_WORKSPACE || process.cwd()
  let inputs: Inputs
  let goEnv: GoEnv
  let auto: AutoConfigure
  try {
    inputs = readInputs(ctx.getInput, workspace)
    // Before anything is logged.
    maskRemoteSecrets(inputs.cacheToken, inputs.remote, ctx.setSecret)
    await requireDirectory(inputs.workingDirectory)
    auto = resolveAutoConfigure({ input: inputs.autoConfigure, env: ctx.env[AUTO_CONFIGURE_ENV], kit: await readKitConfig(ctx.env) })
    // Before go is asked where its caches are.
    if (auto.value) await workDriveStep(ctx)
    goEnv = await readGoEnv(ctx.run, inputs.workingDirectory)
  } catch (error) {
    if (error instanceof ConfigError || error instanceof GoNotFoundError) {
      ctx.setFailed(error.message)
      return
    }
    throw error
  }
  ctx.setOutput(Output.GoVersion, goEnv.goVersion)
  ctx.log.info(`Go ${goEnv.goVersion} (${goEnv.hostOS}/${goEnv.hostArch}), GOMODCACHE=${goEnv.modCache}`)

  const plan = planMain({
    inputs,
    goEnv,
    workspace,
    env: ctx.env,
    event: await readEvent(ctx.env),
    auto,
    cacheAvailable: ctx.cache.isAvailable(),
  })
  const { writes } = plan
  ctx.log.info(`Trust: ${writes.trust.level} (${writes.trust.reason})`)
  if (!writes.actionsCache.allowed) ctx.log.info(`Cache writes are off for this job: ${writes.actionsCache.reason}`)
  for (const warning of auto.warnings) ctx.log.warning(warning)
  ctx.log.info(`${describeAutoConfigure(auto)}${auto.value ? '' : ': GOCACHEPROG and the Pants config are outputs only, not set for later steps'}`)
  ctx.setOutput(Output.AutoConfigure, String(auto.value))

  const wiring: WiringReport = { autoConfigure: auto.value, source: auto.source }
  const state: SavedState = { version: 1, goVersion: goEnv.goVersion, write: writes.actionsCache, wiring }
  const build = await buildCacheStep(ctx, plan, goEnv)
  if (build === 'failed') return
  if (build !== undefined) state.buildCache = build
  const pants = await pantsStep(ctx, plan)
  if (pants !== undefined) wiring.pants = pants
  // The bundle downloads and unpacks while the mtimes are set and the module cache restores: all before go runs.
  const bundle = build?.mode === 'client' || build?.mode === 'native' ? bundleStep(ctx, plan, build) : undefined
  state.testCache = await testCacheStep(ctx, plan)
  const modCache = await modCacheStep(ctx, plan, goEnv, workspace)
  if (modCache !== undefined) state.modCache = modCache
  // Native mode waits for the bundle's import before go runs: go unpacks the restored modules meanwhile (modcache/unpack.ts).
  const unpacked = build?.mode === 'native' && modCache?.matchedKey !== undefined ? unpackStep(ctx, goEnv, workspace, modCache) : undefined
  const restored = await bundle
  await unpacked
  if (restored !== undefined) state.bundle = restored
  saveState(ctx, state)
}

/**
 * Windows: GOCACHE and GOMODCACHE on the runner's fast work drive when the
 * profile's is another (go/work-drive.ts), for this step's go and later ones.
 */
async function workDriveStep(ctx: ActionContext): Promise<void> {
  const envFile = goEnvFilePath(ctx.env)
  const text = envFile === undefined ? '' : await readFile(envFile, 'utf8').catch(() => '')
  const dirs = planGoDirs(ctx.platform, ctx.env, goEnvFileNames(text))
  for (const [name, value] of Object.entries(dirs.set)) ctx.exportVariable(name, value)
  if (Object.keys(dirs.set).length > 0) ctx.log.info(`Work drive: ${dirs.reason}`)
}

/** Starts what serves Go's build cache and exports GOCACHEPROG; 'failed' when a misconfiguration failed the step. */
async function buildCacheStep(ctx: ActionContext, plan: MainPlan, goEnv: GoEnv): Promise<BuildCacheState | 'failed' | undefined> {
  try {
    const remote = plan.remote && (await daemonRemote(plan.remote.config, plan.writes.remote, plan.remote.manifest))
    const build = await setupBuildCache({ ...plan.buildCache, ...(remote && { remote }) }, goEnv, {
      log: ctx.log,
      notice: ctx.notice,
      tools: ctx.tools,
      spawnDetached: ctx.spawnDetached,
      nodePath: ctx.nodePath,
      clientSourceDir: ctx.clientSourceDir,
      clientVersion: ctx.clientVersion,
      stateDir: plan.run.stateDir,
      ...(plan.kitDaemon && { kitDaemon: plan.kitDaemon }),
      restoreDirectory: (dir) => restoreGoCacheDir(ctx.cache, ctx.log, dir, plan.directoryKeys, plan.cacheMode.read),
      wallClock: () => Date.now(),
    })
    const command = build.mode === 'client' || build.mode === 'custom' ? build.command : ''
    // GOCACHEPROG goes to later steps through GITHUB_ENV unless auto-configure
    // is off; always an output, so a workflow can wire it by hand (a Docker build, say).
    if (command !== '' && plan.auto.value) ctx.exportVariable(GOCACHEPROG, command)
    ctx.setOutput(Output.GoCacheProg, command)
    ctx.setOutput(Output.BuildCacheMode, build.mode)
    if (plan.remote !== undefined && build.mode !== 'client') {
      ctx.log.warning(`${Input.CacheUrl} is not used: the remote cache works through our GOCACHEPROG client, and the build cache is ${build.mode} here.`)
    }
    return build
  } catch (error) {
    if (error instanceof ConfigError) {
      ctx.setFailed(error.message)
      return 'failed'
    }
    ctx.log.warning(`Build cache setup failed; go builds without it: ${errorMessage(error)}`)
    ctx.setOutput(Output.BuildCacheMode, 'off')
    return undefined
  }
}

/** Writes the Pants config (and registers it when auto-configure is on); what the summary says of it. */
async function pantsStep(ctx: ActionContext, plan: MainPlan): Promise<WiringReport['pants']> {
  try {
    const pants = await setupPants(plan.pants, { log: ctx.log, env: ctx.env, exportVariable: ctx.exportVariable })
    ctx.setOutput(Output.PantsConfig, pants.status === 'configured' ? pants.file : '')
    return pants.status === 'configured'
      ? {
          address: pants.address,
          ...(plan.pants.instanceName !== '' && { instance: plan.pants.instanceName }),
          write: plan.pants.write,
          file: pants.file,
          registered: pants.registered,
        }
      : undefined
  } catch (error) {
    ctx.log.warning(`Pants remote cache setup failed; Pants runs without it: ${errorMessage(error)}`)
    ctx.setOutput(Output.PantsConfig, '')
    return undefined
  }
}

/**
 * Restores this job's newest bundle (and its base): into GOCACHE here, before
 * go runs, in native mode; for our client, the daemon imports it while go
 * runs. A kit runner's store persists on its own disk, and the kit's daemon
 * answers: no bundle there.
 */
function bundleStep(
  ctx: ActionContext,
  plan: MainPlan,
  build: Extract<BuildCacheState, { mode: 'client' | 'native' }>,
): Promise<BundleRestoreReport | undefined> {
  const { bundle } = plan
  const ours = build.mode === 'native' || build.owner !== 'kit'
  return restoreBundle({
    cache: ctx.cache,
    log: ctx.log,
    store: build.mode === 'native' ? nativeCacheDir(build.dir, build.startedAtMs) : new LocalStore(build.store),
    keys: bundle.keys,
    file: bundle.file,
    canRead: bundle.canRead,
    readSkipReason: bundle.readSkipReason,
    maxImportBytes: bundle.maxImportBytes,
    settings: { ...bundle.settings, enabled: bundle.settings.enabled && ours },
    now: ctx.now,
    ...(build.mode === 'client' &&
      build.daemonStarted &&
      ours && {
        importInBackground: (files: string[], baseManifest?: { file: string; key: string }) =>
          importInDaemon(build.socket, files, bundle.maxImportBytes, baseManifest),
      }),
  }).catch((error: unknown) => {
    ctx.log.warning(`Build cache bundle restore failed; the build starts cold: ${errorMessage(error)}`)
    return undefined
  })
}

/** Canonical mtimes for the work tree's tracked files, so that go test results carry across checkouts. */
async function testCacheStep(ctx: ActionContext, plan: MainPlan): Promise<MtimeReport> {
  if (plan.testCache === undefined) {
    ctx.log.info(`Test results: workspace mtimes left as they are (${Input.TestCache}: false)`)
    return { status: 'off', files: 0, dirs: 0, skipped: 0, failed: 0, ms: 0 }
  }
  const report = await canonicalizeMtimes(plan.testCache.dir, ctx.run, ctx.now).catch(
    (error: unknown): MtimeReport => ({ status: 'not-git', files: 0, dirs: 0, skipped: 0, failed: 0, ms: 0, reason: errorMessage(error) }),
  )
  if (report.status === 'done') {
    ctx.log.info(
      `Test results: canonical mtimes for ${report.files} files and ${report.dirs} directories in ${report.ms} ms` +
        `${report.skipped > 0 ? `; ${report.skipped} changed or special files keep theirs` : ''}${report.failed > 0 ? `; ${report.failed} could not be set` : ''}`,
    )
  } else {
    ctx.log.info(`Test results: mtimes left as they are: ${report.reason}`)
  }
  return report
}

async function modCacheStep(ctx: ActionContext, plan: MainPlan, goEnv: GoEnv, workspace: string): Promise<ModCacheRestoreReport | undefined> {
  if (plan.modCache === undefined) {
    ctx.log.info(`Module cache off (${Input.ModuleCache}: false)`)
    return undefined
  }
  try {
    const report = await restoreModCache({ cache: ctx.cache, log: ctx.log, goEnv, workspace, ...plan.modCache, cacheMode: plan.cacheMode, now: ctx.now })
    ctx.setOutput(Output.ModuleCacheKey, report.key)
    ctx.setOutput(Output.ModuleCacheHit, String(report.matchedKey === report.key))
    ctx.setOutput(Output.ModuleCacheMatchedKey, report.matchedKey ?? '')
    return report
  } catch (error) {
    ctx.log.warning(`Module cache restore failed; the build goes on without it: ${errorMessage(error)}`)
    ctx.setOutput(Output.ModuleCacheHit, 'false')
    return undefined
  }
}

async function unpackStep(ctx: ActionContext, goEnv: GoEnv, workspace: string, modCache: ModCacheRestoreReport): Promise<void> {
  const report = await unpackModules({ modCache: goEnv.modCache, workspace, dependencyFiles: modCache.dependencyFiles, env: ctx.env, now: ctx.now })
  ctx.log.info(
    `Modules unpacked before the build: ${report.unpacked} module version(s) in ${report.roots} module root(s), in ${Math.round(report.ms)} ms` +
      (report.error === undefined ? '' : `; the listing failed, so the build unpacks the rest: ${report.error}`),
  )
}

/** Hands the downloaded bundle (and its base) to the daemon, which imports it while go runs; false if it did not take them, and the main step imports them. */
async function importInDaemon(socket: string, files: string[], maxBytes: number, baseManifest?: { file: string; key: string }): Promise<boolean> {
  const reply = await controlRequest(socket, { op: 'import', files, maxBytes, ...(baseManifest && { baseManifest }) }, DAEMON_REPLY_MS)
  return reply.ok
}

async function requireDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined)
  if (!info?.isDirectory()) {
    throw new ConfigError(`${Input.WorkingDirectory}: ${dir} is not a directory in this job; check the path and that the repository is checked out.`)
  }
}
