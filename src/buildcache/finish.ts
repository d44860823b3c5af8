/**
 * Post step, build cache (our client): flush and stop the daemon, and return
 * the job's figures. If the daemon is gone, the shims journaled their reports
 * in the store, and the figures come from there.
 */
import type { ImportReport } from '../bundle/import.ts'
import { controlRequest, type TrimResult } from '../daemon/control.ts'
import { drainJournals, JobAccount, type JobIds, type JobStats } from '../daemon/reports.ts'
import type { RemoteStats } from '../store/remote-tier.ts'
import type { RemoteSummary } from './setup.ts'

export interface ClientReport {
  stats: JobStats
  trim?: TrimResult
  /** With a remote cache: what the daemon did with it. */
  remote?: { settings: RemoteSummary; stats?: RemoteStats }
  /** What the job's go processes hit and put, for the bundle; absent when the daemon did not say. */
  ids?: JobIds
  /** The bundle the daemon imported while go ran (bundle/import.ts). */
  import?: ImportReport
  /** The daemon's peak resident memory (docs/decisions.md#d32). */
  daemonPeakRssBytes?: number
  /** Said when the daemon could not be reached. */
  problem?: string
}

/** How long the post step lets background uploads run before it counts the rest as unsent. */
export const UPLOAD_FLUSH_DEADLINE_MS = 60_000
/** Flush includes the uploads and the LRU trim of the store; generous, since the post step may not hang the job. */
const FLUSH_TIMEOUT_MS = UPLOAD_FLUSH_DEADLINE_MS + 120_000
const STOP_TIMEOUT_MS = 5_000

export interface FinishOptions {
  /**
   * 'kit': the bootstrap kit's job-completed hook flushes and stops the daemon
   * after every post step, so the post step only reads the figures so far.
   */
  owner?: 'action' | 'kit'
  remote?: RemoteSummary
}

export async function finishClient(socket: string, store: string, { owner = 'action', remote }: FinishOptions = {}): Promise<ClientReport> {
  try {
    if (owner === 'kit') {
      const reply = await controlRequest(socket, { op: 'stats' }, STOP_TIMEOUT_MS)
      if (!reply.ok) throw new Error(reply.error)
      return {
        stats: reply.stats!,
        ...(reply.peakRssBytes !== undefined && { daemonPeakRssBytes: reply.peakRssBytes }),
        ...(remote && { remote: { settings: remote, stats: reply.remote } }),
      }
    }
    const reply = await controlRequest(socket, { op: 'flush', uploadDeadlineMs: UPLOAD_FLUSH_DEADLINE_MS, ids: true }, FLUSH_TIMEOUT_MS)
    if (!reply.ok) throw new Error(reply.error)
    await controlRequest(socket, { op: 'stop' }, STOP_TIMEOUT_MS).catch(() => undefined)
    return {
      stats: reply.stats!,
      trim: reply.trim,
      ids: reply.ids,
      ...(reply.import && { import: reply.import }),
      ...(reply.peakRssBytes !== undefined && { daemonPeakRssBytes: reply.peakRssBytes }),
      ...(remote && { remote: { settings: remote, stats: reply.remote } }),
    }
  } catch (error) {
    const account = new JobAccount()
    await drainJournals(store, account)
    return {
      stats: account.summary(),
      // The daemon held the remote's figures and the upload queue: both are gone with it.
      ...(remote && { remote: { settings: remote } }),
      // The daemon drains journals only at stats and flush, so a dead daemon leaves them all here.
      ids: account.ids(),
      problem: `the cache daemon could not be reached (${String(error)}); figures come from the go processes' journals`,
    }
  }
}

export interface BuildCacheFigures {
  gets: string
  hits: string
  misses: string
  puts: string
  bytesIn: string
  bytesOut: string
  /** hits / gets, 4 decimals; 0 with no gets. */
  hitRatio: string
  timeMs: string
}

/** The figures the post step sets as outputs, as strings. */
export function buildCacheFigures(stats: JobStats): BuildCacheFigures {
  return {
    gets: String(stats.gets),
    hits: String(stats.hits),
    misses: String(stats.misses),
    puts: String(stats.puts),
    bytesIn: String(stats.bytesIn),
    bytesOut: String(stats.bytesOut),
    hitRatio: stats.gets === 0 ? '0' : (stats.hits / stats.gets).toFixed(4),
    timeMs: String(Math.round(stats.busyMs)),
  }
}

/**
 * One warning per kind of store trouble the job's go processes met (pure):
 * a store they could not write, and puts it did not take. Each made the
 * build slower, not broken: a put the store cannot take is answered from a
 * temporary copy (store/spill.ts), since go fails some commands without one.
 */
export function storeWarnings(stats: Pick<JobStats, 'sessions' | 'readOnly' | 'putErrors'>): string[] {
  const warnings: string[] = []
  if (stats.readOnly > 0) {
    warnings.push(
      `${stats.readOnly} of ${stats.sessions} go processes found the local store read-only to this user: they were served its hits and stored nothing (go sends no puts to a read-only GOCACHEPROG).`,
    )
  }
  if (stats.putErrors > 0) {
    warnings.push(
      `${stats.putErrors} puts were not stored (the store was full or not writable, or a body was not its OutputID; set GO_CACHE_SETUP_DEBUG=1 to see each): where the store had no room, go was handed a temporary copy and went on; the next go process misses them.`,
    )
  }
  return warnings
}

/**
 * The remote's trouble as one warning (pure), or undefined when it had none:
 * failed requests and refused answers cost the job time, never its result,
 * and a remote that fails every request (a missing bucket, wrong credentials)
 * should not pass unnoticed behind a green build.
 */
export function remoteWarning(stats: Pick<RemoteStats, 'errors' | 'uploadErrors' | 'rejected' | 'firstErrors'>): string | undefined {
  const parts = [
    stats.errors > 0 && `${stats.errors} lookups failed`,
    stats.uploadErrors > 0 && `${stats.uploadErrors} upload requests failed`,
    stats.rejected > 0 && `${stats.rejected} rejected answers (digest or format)`,
  ].filter((part) => part !== false)
  if (parts.length === 0) return undefined
  const first = stats.firstErrors[0] === undefined ? '' : ` First: ${stats.firstErrors[0]}`
  return `Remote cache: ${parts.join(', ')}; go built what it could not get (see the job summary).${first}`
}
