/**
 * The GitHub Actions cache as a store of whole archives. The module cache uses
 * it now; the build-cache bundle will too. Orchestration only sees this
 * interface, so its tests use an in-memory fake instead of module mocks.
 */
import * as cache from '@actions/cache'

export interface ArchiveCache {
  /** False when the runner offers no cache service (no ACTIONS_RESULTS_URL / ACTIONS_CACHE_URL). */
  isAvailable(): boolean
  /** Returns the matched key, or undefined on a miss. Service trouble is a miss (the toolkit warns). */
  restore(paths: string[], primaryKey: string, restoreKeys: string[]): Promise<string | undefined>
  /** A lookup without download, so post can skip building an archive some other job already saved. */
  exists(paths: string[], key: string): Promise<boolean>
  /** True when the entry was written; false when the service refused or failed (the toolkit logs why). */
  save(paths: string[], key: string): Promise<boolean>
}

export interface Deadlines {
  /** For a lookup: one small twirp call when the service is healthy. */
  lookupMs: number
  /** For a whole restore or save, transfer included. */
  transferMs: number
}

/**
 * A service that accepts connections but never answers would hold a step for
 * about 15 minutes: http-client's 3-minute socket timeout is retried 5 times
 * (@actions/http-client lib/index.js; cacheTwirpClient.js retries timeouts).
 * So every call has a deadline, and a restore first looks up with a short one:
 * a hung service costs `lookupMs`, not the transfer deadline.
 */
export const DEFAULT_DEADLINES: Deadlines = { lookupMs: 30_000, transferMs: 10 * 60_000 }

export class DeadlineError extends Error {
  override name = 'DeadlineError'
}

export function actionsCache(deadlines: Deadlines = DEFAULT_DEADLINES): ArchiveCache {
  const lookup = (paths: string[], key: string, restoreKeys: string[]) =>
    withDeadline(cache.restoreCache(paths, key, restoreKeys, { lookupOnly: true }), deadlines.lookupMs, 'cache lookup')
  return {
    isAvailable: () => cache.isFeatureAvailable(),
    restore: async (paths, primaryKey, restoreKeys) => {
      if ((await lookup(paths, primaryKey, restoreKeys)) === undefined) return undefined
      return withDeadline(cache.restoreCache(paths, primaryKey, restoreKeys), deadlines.transferMs, 'cache restore')
    },
    exists: async (paths, key) => (await lookup(paths, key, [])) === key,
    save: async (paths, key) => (await withDeadline(cache.saveCache(paths, key), deadlines.transferMs, 'cache save')) !== -1,
  }
}

/**
 * Rejects after `ms`. The abandoned call keeps running; the entry files exit
 * the process explicitly when the step is done, so it cannot hold the job.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}
