/** Post step: save the download cache, only when it is worth an upload. */
import type { WriteDecision } from '../policy/write-policy.ts'
import type { ArchiveCache } from '../actions-cache/archive-cache.ts'
import path from 'node:path'
import { snapshotModuleSet } from './module-set.ts'
import { pruneModCache, type GoLister, type PruneReport } from './prune.ts'
import { errorMessage } from '../common/errors.ts'
import type { Logger } from '../common/logger.ts'
import type { ModCacheRestoreReport } from './restore.ts'

export interface ModCacheSaveReport {
  saved: boolean
  /** Why nothing was saved. */
  reason?: string
  /** Module files and bytes in the download cache at post time. */
  files: number
  bytes: number
  saveMs: number
  /** Absent when pruning was not asked for or not reached. */
  prune?: PruneReport
}

export interface SaveParams {
  cache: ArchiveCache
  log: Logger
  restored: ModCacheRestoreReport
  write: WriteDecision
  now: () => number
  /** Prune the download cache to the build list before saving (prune.ts); omitted, the cache is saved whole. */
  prune?: {
    /** GITHUB_WORKSPACE: restored.dependencyFiles are relative to it. */
    workspace: string
    /** The post step's environment, for go. */
    env: Readonly<Record<string, string | undefined>>
    go?: GoLister
  }
}

export async function saveModCache(p: SaveParams): Promise<ModCacheSaveReport> {
  const started = p.now()
  const { restored } = p
  // Walked even when nothing will be saved: the summary reports what the job ended with.
  let now = await snapshotModuleSet(restored.path)
  let prune: PruneReport | undefined
  const skip = (reason: string): ModCacheSaveReport => {
    p.log.info(`Module cache not saved: ${reason}`)
    return { saved: false, reason, files: now.files, bytes: now.bytes, saveMs: p.now() - started, ...(prune && { prune }) }
  }

  if (!restored.restoreAllowed) return skip(restored.skipReason ?? 'the cache was not available in the main step')
  if (restored.matchedKey === restored.key) return skip('exact hit on the primary key; entries are immutable')
  if (!p.write.allowed) return skip(p.write.reason ?? 'writes are not allowed')
  if (now.files === 0) return skip('the module download cache is empty')
  if (p.prune !== undefined) {
    // Only once a save is possible: pruning is for the entry, and the job's own disk is left alone otherwise.
    try {
      prune = await pruneModCache({
        log: p.log,
        // restored.path is $GOMODCACHE/cache/download (module-set.ts downloadCacheDir).
        modCache: path.dirname(path.dirname(restored.path)),
        workspace: p.prune.workspace,
        dependencyFiles: restored.dependencyFiles,
        env: p.prune.env,
        ...(p.prune.go && { go: p.prune.go }),
      })
    } catch (error) {
      // A failed walk or delete: what is left is still a cache Go can use (only zips of unneeded versions go), so save it.
      const reason = `pruning failed: ${errorMessage(error)}`
      p.log.warning(`Module cache ${reason}; saving it as it is`)
      prune = { pruned: false, reason, roots: [], versions: 0, files: 0, bytes: 0, fetched: 0 }
    }
    // Even an unpruned listing may have fetched go.mod files.
    now = await snapshotModuleSet(restored.path)
  }
  if (now.fingerprint === restored.fingerprint) return skip('the set of modules did not change since the restore')

  // @actions/cache builds the whole archive before it asks the service to
  // reserve the key, so a parallel matrix job that lost the race would tar for
  // nothing and then get a 409 (setup-go#558, #672). Ask first.
  if (await p.cache.exists([restored.path], restored.key)) return skip('another job already saved this key')
  const saved = await p.cache.save([restored.path], restored.key)
  if (!saved) return skip('the cache service did not accept the entry (see the log above)')
  p.log.info(`Module cache saved as ${restored.key}: ${now.files} files, ${now.bytes} bytes`)
  return { saved: true, files: now.files, bytes: now.bytes, saveMs: p.now() - started, ...(prune && { prune }) }
}
