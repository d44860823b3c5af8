/**
 * Native mode (docs/decisions.md#d27): with no remote, go uses its own GOCACHE
 * directory, with nothing in the request path. The main step imports the
 * restored bundle into it before go runs; the post step reads back from
 * mtimes what the job used and added (store/go-cache-dir.ts), and saves the
 * next bundle from that, as it does for our client's store.
 */
import { mkdir } from 'node:fs/promises'
import type { JobIds, JobStats } from '../daemon/reports.ts'
import { type DirEntry, GoCacheDir, IMPORT_AGE_MS } from '../store/go-cache-dir.ts'

/**
 * How far before the job's start an mtime still counts as the job's:
 * filesystems with coarse timestamps round down (HFS+ to the second).
 * Imported entries are dated IMPORT_AGE_MS back, far below it. Put times are
 * Go's clock in the entry, in ns: they are compared exactly, since a bundle
 * saved by a job that ended a moment ago holds entries from just before this
 * one started.
 */
export const CLOCK_SLACK_MS = 2_000

/** The directory go will use, ready for the import; `startedAtMs` is wall-clock time. */
export async function prepareNative(dir: string, startedAtMs: number): Promise<GoCacheDir> {
  await mkdir(dir, { recursive: true })
  const cache = nativeCacheDir(dir, startedAtMs)
  cache.markTrimmed(startedAtMs)
  return cache
}

/** GOCACHE as the job that started at `startedAtMs` sees it: imports are dated IMPORT_AGE_MS before that. */
export function nativeCacheDir(dir: string, startedAtMs: number): GoCacheDir {
  return new GoCacheDir(dir, startedAtMs - IMPORT_AGE_MS)
}

export interface NativeUsage {
  ids: JobIds
  /**
   * Counted per entry, not per lookup (Go keeps no count): hits are the
   * entries the job took from the cache, misses and puts the entries it
   * added. There are no go processes to count, and no time inside a client.
   */
  stats: JobStats
}

/**
 * Pure: what the job used and added, from the entries touched since it
 * started. An entry whose put time is from the job was added; any other was
 * there before (imported, or Go's own) and used. Ordered by mtime: a used
 * entry's is its first use, an added one's its put, so the next bundle is
 * laid out about as go will ask (docs/decisions.md#d23).
 */
export function nativeUsage(touched: readonly DirEntry[], startedAtMs: number): NativeUsage {
  const sorted = [...touched].filter((e) => e.mtimeMs >= startedAtMs - CLOCK_SLACK_MS).sort((a, b) => a.mtimeMs - b.mtimeMs)
  const used: string[] = []
  const added: string[] = []
  let bytesOut = 0
  let bytesIn = 0
  for (const e of sorted) {
    if (e.timeMs >= startedAtMs) {
      added.push(e.actionId)
      bytesIn += e.size
    } else {
      used.push(e.actionId)
      bytesOut += e.size
    }
  }
  return {
    ids: { used, added, order: sorted.map((e) => e.actionId) },
    stats: {
      gets: used.length + added.length,
      hits: used.length,
      misses: added.length,
      puts: added.length,
      bytesIn,
      bytesOut,
      putErrors: 0,
      readOnly: 0,
      busyMs: 0,
      sessions: 0,
      usedEntries: used.length,
      addedEntries: added.length,
    },
  }
}

/** Post: what the job did with GOCACHE. */
export function finishNative(dir: string, startedAtMs: number): NativeUsage & { cache: GoCacheDir } {
  const cache = nativeCacheDir(dir, startedAtMs)
  return { ...nativeUsage(cache.touchedSince(startedAtMs - CLOCK_SLACK_MS), startedAtMs), cache }
}
