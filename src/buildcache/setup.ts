/**
 * Main step, build cache: decide how Go's build cache is served this job, and
 * wire it. Five ways, in this order:
 *   off        build-cache: false
 *   custom     the user's own GOCACHEPROG (gocacheprog input), exported as given
 *   directory  Go < 1.24 ignores GOCACHEPROG, so GOCACHE is cached as a directory
 *   client     ours: install, start the daemon, export GOCACHEPROG; always with a
 *              remote, or on a kit runner whose daemon answers
 *   native     no remote: go's own GOCACHE, the bundle imported into it before go
 *              runs, nothing in go's request path (docs/decisions.md#d27)
 */
import path from 'node:path'
import type { GoEnv } from '../go/go-env.ts'
import { supportsCacheProg } from '../go/go-version.ts'
import type { Logger } from '../common/logger.ts'
import { controlRequest } from '../daemon/control.ts'
import type { SpawnDetached } from '../daemon/launch.ts'
import type { RemoteSettings } from '../remote/config.ts'
import { describeScopes, type RemoteScopes } from '../policy/write-policy.ts'
import { type ClientDaemonOptions, startClientDaemon } from './client-daemon.ts'
import { installClient, type ToolCache } from './client-install.ts'
import { prepareNative } from './native.ts'
import type { DirectoryRestore } from './directory.ts'

export type BuildCacheState =
  | { mode: 'off' }
  | { mode: 'custom'; command: string }
  | { mode: 'directory'; restore: DirectoryRestore }
  /** `startedAtMs`: wall clock at setup; post counts what has an mtime from then on (native.ts). */
  | { mode: 'native'; dir: string; startedAtMs: number }
  | {
      mode: 'client'
      store: string
      socket: string
      command: string
      daemonStarted: boolean
      logFile: string
      /** 'kit': the runner's job hooks started the daemon and finish it; the post step only reads its figures. */
      owner?: 'kit'
      remote?: RemoteSummary
    }

/** What post and the summary may know of the remote: never its headers. */
export interface RemoteSummary {
  url: string
  /** A REAPI server's instance name, when there is one. */
  instance?: string
  scopes: RemoteScopes
}

/** What the summary says of a remote: where it is, and this job's scopes in it. */
export function remoteSummary({ config, scopes }: RemoteSettings): RemoteSummary {
  return { url: config.url, ...(config.kind === 'grpc' && config.instance !== '' && { instance: config.instance }), scopes }
}

export interface BuildCacheSettings {
  enabled: boolean
  /** The gocacheprog input; empty for ours. */
  customCommand: string
  /** Empty for the default under RUNNER_TEMP. */
  storePath: string
  storeMaxBytes: number
  /** The remote cache (cache-url); only the daemon ever sees it, through its environment. */
  remote?: RemoteSettings
  /** A bundle may come (no cache-url, the cache service readable): the daemon imports it while go runs, and misses wait for it (bundle/). */
  bundle?: boolean
  /** Native mode (no remote; build-cache-mode auto or native): go uses GOCACHE itself. */
  native?: boolean
  /** 'node' (GO_CACHE_SETUP_SHIM=node): the Node shim even where the compiled one is shipped. */
  shim?: ClientDaemonOptions['shim']
}

export interface BuildCacheIO {
  log: Logger
  notice(message: string): void
  tools: ToolCache
  /** Starts a process that outlives this step (the runner ends it with the job); secrets go in its env, never in args. */
  spawnDetached: SpawnDetached
  /** The Node that runs this action (the runner's node24): it runs the client too. */
  nodePath: string
  /** dist/client, shipped with the action. */
  clientSourceDir: string
  clientVersion: string
  /** This job's directory for our files: the socket, the daemon's log, the default store (RunFacts.stateDir). */
  stateDir: string
  /** The daemon the bootstrap kit's job-started hook started, from the env it exported; absent elsewhere. */
  kitDaemon?: { socket: string; command: string }
  /** Go < 1.24: restores GOCACHE through the archive cache. */
  restoreDirectory(dir: string): Promise<DirectoryRestore>
  /** Wall-clock time, ms since the epoch (native mode compares it with mtimes). */
  wallClock(): number
}

const KIT_PING_TIMEOUT_MS = 2_000
/** How long the main step waits for a new daemon to answer. */
const DAEMON_START_TIMEOUT_MS = 10_000

export async function setupBuildCache(settings: BuildCacheSettings, goEnv: GoEnv, io: BuildCacheIO): Promise<BuildCacheState> {
  if (!settings.enabled) return { mode: 'off' }
  // The inputs reader has checked that Go can split it.
  if (settings.customCommand !== '') return { mode: 'custom', command: settings.customCommand }
  if (!supportsCacheProg(goEnv.goVersion)) {
    io.notice(
      `${goEnv.goVersion} ignores GOCACHEPROG (it is on by default from Go 1.24), so the build cache is cached as a directory (GOCACHE=${goEnv.buildCache}) instead. Use Go 1.24 or newer for the cache client.`,
    )
    return { mode: 'directory', restore: await io.restoreDirectory(goEnv.buildCache) }
  }

  if (io.kitDaemon !== undefined) {
    const reply = await controlRequest(io.kitDaemon.socket, { op: 'ping' }, KIT_PING_TIMEOUT_MS).catch(() => undefined)
    if (reply?.ok && reply.store !== undefined) {
      io.log.info(`Using the cache daemon the runner's bootstrap kit started (store ${reply.store}); its job hooks finish it.`)
      // The kit's daemon was started with the kit's remote (or none) before this step ran.
      if (settings.remote !== undefined) {
        io.log.warning(
          `cache-url (${settings.remote.config.url}) is not used for Go here: the bootstrap kit's daemon serves the build cache with the kit's own remote settings. Set cacheUrl in the kit's config (bootstrap install --cache-url), or drop cache-url from this workflow on kit runners.`,
        )
      }
      return { mode: 'client', store: reply.store, socket: io.kitDaemon.socket, command: io.kitDaemon.command, daemonStarted: true, logFile: '', owner: 'kit' }
    }
    io.log.warning(`The bootstrap kit's cache daemon does not answer at ${io.kitDaemon.socket}; starting one for this job.`)
  }

  if (settings.native) {
    const dir = goEnv.buildCache
    if (dir === '' || dir === 'off') {
      io.notice(`GOCACHE is ${JSON.stringify(dir)}: go builds without a build cache, so there is nothing to cache. Unset GOCACHE, or set build-cache: false.`)
      return { mode: 'off' }
    }
    const startedAtMs = io.wallClock()
    await prepareNative(dir, startedAtMs)
    io.log.info(`Build cache: go's own GOCACHE (${dir}), no GOCACHEPROG; the bundle is imported into it before go runs`)
    if (settings.storePath !== '') io.log.info(`store-path (${settings.storePath}) is not used: it is our client's store, and go uses GOCACHE here.`)
    return { mode: 'native', dir, startedAtMs }
  }

  const store = path.resolve(settings.storePath || path.join(io.stateDir, 'store'))
  const client = await installClient(io.tools, io.clientSourceDir, io.clientVersion)
  const daemon = await startClientDaemon(io.spawnDetached, {
    node: io.nodePath,
    client,
    stateDir: io.stateDir,
    store,
    maxBytes: settings.storeMaxBytes,
    ...(settings.remote && { remote: settings.remote }),
    ...(settings.bundle && { bundle: true }),
    ...(settings.shim && { shim: settings.shim }),
    startTimeoutMs: DAEMON_START_TIMEOUT_MS,
  })
  if (!daemon.daemonStarted) {
    io.log.warning(`The cache daemon did not start (see ${daemon.logFile}); go commands will use the local store on their own.`)
  }
  io.log.info(`GOCACHEPROG=${daemon.command}`)
  const remote = settings.remote && remoteSummary(settings.remote)
  if (remote) io.log.info(`Remote cache: ${remote.url} (${describeScopes(remote.scopes)})`)
  return {
    mode: 'client',
    store,
    socket: daemon.socket,
    command: daemon.command,
    daemonStarted: daemon.daemonStarted,
    logFile: daemon.logFile,
    ...(remote && { remote }),
  }
}
