/**
 * The main step's plan: every path, key and decision worked out once, from
 * the inputs, the toolchain, the runner's variables and the event. Pure, and
 * tested as a table; the steps in run-main.ts carry it out.
 */
import path from 'node:path'
import { bundleKeys, type BundleKeys } from '../buildcache/bundle-key.ts'
import type { BundleSettings } from '../buildcache/bundle-restore.ts'
import { gocacheDirKeys } from '../buildcache/directory.ts'
import type { BuildCacheSettings } from '../buildcache/setup.ts'
import { runFacts, type Env, type RunFacts } from '../common/run.ts'
import type { GoEnv } from '../go/go-env.ts'
import type { PantsSetupOptions } from '../pants/setup.ts'
import type { AutoConfigure } from '../policy/auto-configure.ts'
import { classifyJob, decideWrites, parseCacheMode, type CacheMode, type EventFacts, TRUSTED_SCOPE, type WritePlan } from '../policy/write-policy.ts'
import type { ManifestScope, RemoteConfig } from '../remote/config.ts'
import type { Inputs } from './inputs.ts'
import { KIT_DAEMON_SOCKET_ENV, KIT_PANTS_CONFIG_ENV, SHIM_ENV } from '../common/env.ts'

export interface MainFacts {
  inputs: Inputs
  goEnv: GoEnv
  /** GITHUB_WORKSPACE, or the current directory outside a runner. */
  workspace: string
  env: Env
  event: EventFacts
  /** Whether this step wires later steps, resolved before go is first run (run-main.ts): the work drive's GOCACHE and GOMODCACHE need it. */
  auto: AutoConfigure
  /** Whether a cache service is there at all (ArchiveCache.isAvailable). */
  cacheAvailable: boolean
}

export interface MainPlan {
  run: RunFacts
  cacheMode: CacheMode
  /** The job's trust, what it may write to the Actions cache, and its remote scopes. */
  writes: WritePlan
  /** Whether this step wires later steps (GOCACHEPROG, PANTS_CONFIG_FILES), and which level said so. */
  auto: AutoConfigure
  /** The daemon the kit's job-started hook started for this job, from what it exported. */
  kitDaemon?: { socket: string; command: string }
  buildCache: Omit<BuildCacheSettings, 'remote'>
  /** The remote cache and whose manifest the daemon prefetches; TLS files are checked when it starts. */
  remote?: { config: RemoteConfig; manifest: ManifestScope }
  /** Go < 1.24: GOCACHE cached as a directory under these keys. */
  directoryKeys: { primary: string; restore: string[] }
  bundle: BundleStep
  pants: PantsSetupOptions
  /** Absent when module-cache is off. */
  modCache?: { dependencyPatterns: string[]; keySuffix: string }
  /** Where canonical mtimes are given (the git work tree around it), or absent when test-cache is off. */
  testCache?: { dir: string }
}

export interface BundleStep {
  keys: BundleKeys
  /** Where the bundle file lives while it travels. */
  file: string
  /** False when ACTIONS_CACHE_MODE forbids reads. */
  canRead: boolean
  readSkipReason: string
  /** The store's own budget: an import stops past it. */
  maxImportBytes: number
  /** `enabled`: no remote holds the build cache (a kit runner's daemon is found later, when it answers). */
  settings: BundleSettings
}

/** The bundle file's name in the state directory; its path is part of the cache version (@actions/cache), so it never moves. */
export const BUNDLE_FILE_NAME = 'build-cache.bundle'

export function planMain(f: MainFacts): MainPlan {
  const { inputs, goEnv, env } = f
  const run = runFacts(env, f.event.payload)
  const cacheMode = parseCacheMode(env.ACTIONS_CACHE_MODE)
  const trust = classifyJob({ event: f.event, ref: run.ref, repository: run.repository, defaultBranch: run.defaultBranch, trustedRefs: inputs.trustedRefs })
  const writes = decideWrites(inputs.cacheWrite, trust, cacheMode)
  const { auto } = f
  // The bundle carries the build cache between runs unless a remote holds it.
  const bundleEnabled = inputs.remote === undefined
  const kitSocket = env[KIT_DAEMON_SOCKET_ENV]
  const kitCommand = env.GOCACHEPROG
  const kitPantsConfig = env[KIT_PANTS_CONFIG_ENV]
  // Native unless a remote needs our client, the user asks for it, or a kit
  // runner's daemon holds a store that outlives the job (docs/decisions.md#d27).
  const kit = Boolean(kitSocket && kitCommand)
  const native = inputs.buildCacheMode === 'native' || (inputs.buildCacheMode === 'auto' && inputs.remote === undefined && !kit)
  return {
    run,
    cacheMode,
    writes,
    auto,
    ...(kitSocket && kitCommand && { kitDaemon: { socket: kitSocket, command: kitCommand } }),
    buildCache: {
      enabled: inputs.buildCache,
      customCommand: inputs.goCacheProg,
      storePath: inputs.storePath,
      storeMaxBytes: inputs.storeMaxBytes,
      // Only when a bundle can arrive do go's misses ask the daemon for it.
      bundle: bundleEnabled && cacheMode.read && f.cacheAvailable,
      native,
      ...(env[SHIM_ENV] === 'node' && { shim: 'node' as const }),
    },
    ...(inputs.remote && {
      remote: {
        config: inputs.remote,
        manifest: {
          repository: run.repository,
          workflow: run.workflow,
          job: run.job,
          hostOS: goEnv.hostOS,
          hostArch: goEnv.hostArch,
          goVersion: goEnv.goVersion,
        },
      },
    }),
    directoryKeys: gocacheDirKeys({ ...goEnv, ...run }),
    bundle: {
      keys: bundleKeys({ ...goEnv, ...run, matrix: inputs.matrix }),
      file: path.join(run.stateDir, BUNDLE_FILE_NAME),
      canRead: cacheMode.read,
      readSkipReason: `ACTIONS_CACHE_MODE=${cacheMode.raw} forbids cache reads`,
      maxImportBytes: inputs.storeMaxBytes,
      settings: { enabled: bundleEnabled, maxBytes: inputs.bundleMaxBytes, threshold: inputs.bundleSaveThreshold },
    },
    pants: {
      ...inputs.pants,
      enabled: inputs.pants.remoteCache,
      workingDirectory: inputs.workingDirectory,
      workspace: f.workspace,
      cacheUrl: inputs.remote?.url ?? '',
      // A REAPI cache-url is Pants' store too, with its instance and CA, unless the pants-remote-* inputs say otherwise.
      ...(inputs.remote?.kind === 'grpc' &&
        inputs.pants.storeAddress === '' && {
          instanceName: inputs.pants.instanceName || inputs.remote.instance,
          ...(inputs.remote.caFile !== undefined && { caCertsPath: inputs.remote.caFile }),
        }),
      // Pants keys its own actions, so it cannot be scoped: it writes only where the trusted scope is written.
      write: writes.remote.write === TRUSTED_SCOPE,
      register: auto.value,
      // On a kit runner, the file its job-started hook registered: rewritten for this
      // repository's Pants version instead of registering a second one.
      configDir: kitPantsConfig ? path.dirname(kitPantsConfig) : run.stateDir,
    },
    ...(inputs.moduleCache && { modCache: { dependencyPatterns: inputs.dependencyPatterns, keySuffix: inputs.keySuffix } }),
    ...(inputs.testCache && { testCache: { dir: inputs.workingDirectory } }),
  }
}
