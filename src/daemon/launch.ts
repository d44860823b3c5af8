/**
 * Starting the daemon as a process that outlives its starter: the action's
 * main step or the kit's job-started hook. Both then wait until it answers.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, openSync } from 'node:fs'
import path from 'node:path'
import { waitForDaemon } from './control.ts'
import { planEndpoint, socketPathLimit } from './endpoint.ts'

export interface DaemonLaunch {
  /** The Node that runs the client. */
  node: string
  client: string
  store: string
  socket: string
  maxBytes: number
  logFile: string
  /** Added to the daemon's environment: where secrets go (never argv, which `ps` and logs show). */
  env?: Record<string, string>
}

/** Starts a process that outlives the caller, with `env` added to its environment; nothing to wait on. */
export type SpawnDetached = (command: string, args: string[], logFile: string, env?: Record<string, string>) => void

/** The real one: its own process group, so the runner's step cleanup does not take it; output to `logFile`. */
export const spawnDetachedProcess: SpawnDetached = (command, args, logFile, env) => {
  const log = openSync(logFile, 'a')
  // The runner passes inputs as INPUT_* variables, secrets among them
  // (cache-token): a process that lives on gets none of them.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INPUT_')))
  // windowsHide: a detached child on Windows gets a console window of its own otherwise.
  spawn(command, args, { detached: true, windowsHide: true, stdio: ['ignore', log, log], env: { ...inherited, ...env } }).unref()
}

/** The daemon's command line (cli.ts `daemon`). */
export function daemonArgs(l: DaemonLaunch): string[] {
  return [l.client, 'daemon', '--store', l.store, '--socket', l.socket, '--max-bytes', String(l.maxBytes), '--log', l.logFile]
}

/** True once the new daemon answers a ping; false after `timeoutMs` (go then works without it: the shims journal). */
export async function launchDaemon(spawnDetached: SpawnDetached, l: DaemonLaunch, timeoutMs: number): Promise<boolean> {
  spawnDetached(l.node, daemonArgs(l), l.logFile, l.env)
  return waitForDaemon(l.socket, timeoutMs)
}

/**
 * A new endpoint for a daemon (endpoint.ts planEndpoint): a pipe name on
 * Windows; a socket in `stateDir`, or in a fresh owner-only directory under
 * /tmp when that path is over the platform's limit.
 */
export function createEndpoint(stateDir: string, platform: string = process.platform, limit: number = socketPathLimit(platform)): string {
  const plan = planEndpoint({ platform, stateDir, id: randomBytes(8).toString('hex'), limit })
  if (plan.kind !== 'short-socket') return plan.path
  // mkdtemp: a new name, mode 0700, so the socket is never in a directory another user can enter.
  return path.join(mkdtempSync(plan.dirPrefix), plan.name)
}
