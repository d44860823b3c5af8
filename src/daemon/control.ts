/**
 * The daemon's socket protocol: one JSON line per request, one per reply.
 * Shims send their session report; the action's steps ping, ask for stats,
 * flush and stop.
 */
import net from 'node:net'
import type { ImportReport } from '../bundle/import.ts'
import type { SessionReport } from '../gocacheprog/session.ts'
import type { RemoteStats } from '../store/remote-tier.ts'
import type { JobIds, JobStats } from './reports.ts'

export type ControlRequest =
  | { op: 'ping' }
  | { op: 'report'; id: string; report: SessionReport }
  | { op: 'stats' }
  /** Entries a shim's go process just put: upload them in the background (put-notifier.ts). */
  | { op: 'queue'; actionIds: string[] }
  /** A shim's local miss: wait for it if the bundle being imported brings it, else look it up remotely, into the local store. */
  | { op: 'fetch'; actionId: string }
  /** The main step's downloaded bundle, newest layer first: import it while go runs, then delete the files (bundle/import.ts). */
  | { op: 'import'; files: string[]; maxBytes: number; baseManifest?: { file: string; key: string } }
  /**
   * `uploadDeadlineMs`: how long to wait for background uploads; `ids`: also return
   * the action IDs the job used and added (the bundle is built from them).
   */
  | { op: 'flush'; uploadDeadlineMs?: number; ids?: boolean }
  | { op: 'stop' }

export interface TrimResult {
  entriesRemoved: number
  bytesRemoved: number
  storeBytes: number
}

export type ControlReply =
  | {
      ok: true
      pid?: number
      store?: string
      stats?: JobStats
      trim?: TrimResult
      hit?: boolean
      /** With a miss: nothing this daemon does can bring an entry any more (no import running, no remote); stop asking. */
      final?: boolean
      remote?: RemoteStats
      ids?: JobIds
      /** At flush: the bundle import's figures, once it has ended. */
      import?: ImportReport
      /** At stats and flush: the daemon's peak resident memory so far (getrusage's maxrss): bounded whatever a bundle or remote sends. */
      peakRssBytes?: number
    }
  | { ok: false; error: string }

/** One request, one reply, within `timeoutMs`; any failure rejects. */
export function controlRequest(socketPath: string, request: ControlRequest, timeoutMs: number): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath)
    let buffer = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`the daemon did not answer ${request.op} within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.setEncoding('utf8')
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`))
    socket.on('data', (chunk: string) => {
      buffer += chunk
      const end = buffer.indexOf('\n')
      if (end === -1) return
      clearTimeout(timer)
      socket.end()
      try {
        resolve(JSON.parse(buffer.slice(0, end)) as ControlReply)
      } catch (error) {
        reject(error)
      }
    })
    socket.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** Polls `ping` until a just-started daemon answers; false after `timeoutMs`. */
export async function waitForDaemon(socketPath: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const reply = await controlRequest(socketPath, { op: 'ping' }, 1000).catch(() => undefined)
    if (reply?.ok) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return false
}
