/** Post step: save the download cache, only when it is worth an upload. */
import type { WriteDecision } from '../policy/write-policy.ts'
import type { ArchiveCache } from '../actions-cache/archive-cache.ts'
import { snapshotModuleSet } from './module-set.ts'
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
}

export interface SaveParams {
  cache: ArchiveCache
  log: Logger
  restored: ModCacheRestoreReport
  write: WriteDecision
  now: () => number
}

export async function saveModCache(p: SaveParams): Promise<ModCacheSaveReport> {
  const started = p.now()
  const { restored } = p
  // Walked even when nothing will be saved: the summary reports what the job ended with.
  const now = await snapshotModuleSet(restored.path)
  const skip = (reason: string): ModCacheSaveReport => {
    p.log.info(`Module cache not saved: ${reason}`)
    return { saved: false, reason, files: now.files, bytes: now.bytes, saveMs: p.now() - started }
  }

  if (!restored.restoreAllowed) return skip(restored.skipReason ?? 'the cache was not available in the main step')
  if (restored.matchedKey === restored.key) return skip('exact hit on the primary key; entries are immutable')
  if (!p.write.allowed) return skip(p.write.reason ?? 'writes are not allowed')
  if (now.files === 0) return skip('the module download cache is empty')
  if (now.fingerprint === restored.fingerprint) return skip('the set of modules did not change since the restore')

  // @actions/cache builds the whole archive before it asks the service to
  // reserve the key, so a parallel matrix job that lost the race would tar for
  // nothing and then get a 409 (setup-go#558, #672). Ask first.
  if (await p.cache.exists([restored.path], restored.key)) return skip('another job already saved this key')
  const saved = await p.cache.save([restored.path], restored.key)
  if (!saved) return skip('the cache service did not accept the entry (see the log above)')
  p.log.info(`Module cache saved as ${restored.key}: ${now.files} files, ${now.bytes} bytes`)
  return { saved: true, files: now.files, bytes: now.bytes, saveMs: p.now() - started }
}
