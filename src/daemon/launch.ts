/**
 * Starting the daemon as a process that outlives its starter: the action's
 * main step or the kit's job-started hook. Both then wait until it answers.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { openSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { waitForDaemon } from './control.ts'

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
  spawn(command, args, { detached: true, stdio: ['ignore', log, log], env: { ...inherited, ...env } }).unref()
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

/** A new socket path in `stateDir`. Unix socket paths are limited to about 104 bytes; fall back to a short temp path. */
export function socketPath(stateDir: string): string {
  const name = `d-${randomBytes(4).toString('hex')}.sock`
  const preferred = path.join(stateDir, name)
  return Buffer.byteLength(preferred) <= 100 ? preferred : path.join(os.tmpdir(), `gcs-${name}`)
}
