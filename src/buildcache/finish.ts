/**
 * Post step, build cache (our client): flush and stop the daemon, and return
 * the job's figures. If the daemon is gone, the shims journaled their reports
 * in the store, and the figures come from there.
 */
import { controlRequest, type TrimResult } from '../daemon/control.ts'
import { drainJournals, JobAccount, type JobIds, type JobStats } from '../daemon/reports.ts'

export interface ClientReport {
  stats: JobStats
  trim?: TrimResult
  /** What the job's go processes hit and put, for the bundle; absent when the daemon did not say. */
  ids?: JobIds
  /** Said when the daemon could not be reached. */
  problem?: string
}

/** Flush includes the LRU trim of the store; generous, since the post step may not hang the job. */
const FLUSH_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 5_000

export async function finishClient(socket: string, store: string): Promise<ClientReport> {
  try {
    const reply = await controlRequest(socket, { op: 'flush', ids: true }, FLUSH_TIMEOUT_MS)
    if (!reply.ok) throw new Error(reply.error)
    await controlRequest(socket, { op: 'stop' }, STOP_TIMEOUT_MS).catch(() => undefined)
    return { stats: reply.stats!, trim: reply.trim, ids: reply.ids }
  } catch (error) {
    const account = new JobAccount()
    await drainJournals(store, account)
    return {
      stats: account.summary(),
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
