/**
 * Starts the client's daemon for a job and builds the GOCACHEPROG command
 * that reaches it: one way for the action's main step (setup.ts) and the
 * kit's job-started hook (bootstrap/job-hooks.ts).
 */
import { chmod, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { createEndpoint, launchDaemon, type SpawnDetached } from '../daemon/launch.ts'
import { encodeRemoteSettings, type RemoteConfig, type RemoteSettings } from '../remote/config.ts'
import { cacheProgCommand, findShim } from './client-install.ts'
import { REMOTE_ENV } from '../common/env.ts'

/**
 * How long a go lookup may wait for an entry the daemon's bundle import is
 * bringing. The import of a bundle at the 2 GiB default store size takes
 * seconds; a lookup that gives up recompiles, which is correct, only slower.
 */
export const BUNDLE_WAIT_MS = 60_000

/** How long a shim waits for the daemon's answer to a fetch: an AC and a CAS request, plus slack. */
export function fetchWaitMs(config: Pick<RemoteConfig, 'timeoutMs'>): number {
  return 2 * config.timeoutMs + 2_000
}

export interface ClientDaemonOptions {
  /** The Node that runs the client, and the installed client bundle. */
  node: string
  client: string
  /** Holds the socket and the daemon's log. */
  stateDir: string
  store: string
  /** A store served read-only behind `store` (the kit's shared store, for a job that may not write it). */
  readStore?: string
  /** The store is trimmed to this at the flush. */
  maxBytes: number
  /** Reaches the daemon through its environment only, never argv: the Authorization header is in it. */
  remote?: RemoteSettings
  /** A bundle may come while go runs: lookups then wait for entries on their way (BUNDLE_WAIT_MS). */
  bundle?: boolean
  /** 'node': GOCACHEPROG runs the Node shim even where a compiled one is shipped (SHIM_ENV). */
  shim?: 'compiled' | 'node'
  startTimeoutMs: number
  /** The platform whose endpoint rules apply (endpoint.ts); process.platform unless a test forces another's limit. */
  platform?: string
  /** The socket path limit in bytes; defaults to the platform's (endpoint.ts socketPathLimit). */
  socketPathLimit?: number
}

export interface ClientDaemon {
  socket: string
  logFile: string
  /** The GOCACHEPROG value. */
  command: string
  /** False when it did not answer in time: go then uses the store without it (the shims journal). */
  daemonStarted: boolean
}

export async function startClientDaemon(spawnDetached: SpawnDetached, o: ClientDaemonOptions): Promise<ClientDaemon> {
  // Owner-only whatever the umask: the socket, the log and the store live here (docs/security.md).
  await mkdir(o.stateDir, { recursive: true, mode: 0o700 })
  await chmod(o.stateDir, 0o700)
  await mkdir(o.store, { recursive: true, mode: 0o700 })
  const platform = o.platform ?? process.platform
  const socket = createEndpoint(o.stateDir, platform, o.socketPathLimit)
  const logFile = path.join(o.stateDir, 'daemon.log')
  // The daemon's temporary files (a bundle's large objects while they are
  // verified) go beside the store, not to the system's temp directory: on
  // Windows that is the profile's drive, slow on hosted runners, and on Linux
  // it may be a tmpfs in memory. Node's os.tmpdir() reads TMPDIR, or TEMP/TMP on Windows.
  const tempDir = path.join(o.stateDir, 'tmp')
  await mkdir(tempDir, { recursive: true, mode: 0o700 })
  const env = { ...(o.remote && { [REMOTE_ENV]: encodeRemoteSettings(o.remote) }), ...tempEnv(platform, tempDir) }
  const launch = { node: o.node, client: o.client, store: o.store, socket, maxBytes: o.maxBytes, logFile, env }
  const daemonStarted = await launchDaemon(spawnDetached, launch, o.startTimeoutMs)
  const shim = o.shim === 'node' ? undefined : findShim(o.client, platform)
  const command = cacheProgCommand({
    node: o.node,
    client: o.client,
    ...(shim !== undefined && { shim }),
    store: o.store,
    socket,
    ...(o.readStore !== undefined && { readStore: o.readStore }),
    ...(o.remote && { remoteWaitMs: fetchWaitMs(o.remote.config) }),
    ...(o.bundle && daemonStarted && { bundleWaitMs: BUNDLE_WAIT_MS }),
  })
  return { socket, logFile, command, daemonStarted }
}

/** The variables that make `dir` a process' temporary directory (os.tmpdir()), per platform. */
export function tempEnv(platform: string, dir: string): Record<string, string> {
  return platform === 'win32' ? { TEMP: dir, TMP: dir } : { TMPDIR: dir }
}
