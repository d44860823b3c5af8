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

export function actionsCache(): ArchiveCache {
  return {
    isAvailable: () => cache.isFeatureAvailable(),
    restore: (paths, primaryKey, restoreKeys) => cache.restoreCache(paths, primaryKey, restoreKeys),
    exists: async (paths, key) => (await cache.restoreCache(paths, key, [], { lookupOnly: true })) === key,
    save: async (paths, key) => (await cache.saveCache(paths, key)) !== -1,
  }
}
