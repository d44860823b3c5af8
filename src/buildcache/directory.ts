/**
 * Go < 1.24: GOCACHEPROG is ignored, so GOCACHE itself is cached as one
 * archive. Each run saves under its own key (GitHub cache keys are immutable)
 * and restores the newest earlier one through the restore key. Go trims
 * GOCACHE itself (entries unused for 5 days).
 */
import type { Logger } from '../common/logger.ts'
import type { RunFacts } from '../common/run.ts'
import type { Toolchain } from '../go/go-env.ts'
import type { WriteDecision } from '../policy/write-policy.ts'
import type { ArchiveCache } from '../actions-cache/archive-cache.ts'
import { keyPart } from '../actions-cache/key-part.ts'

export const GOCACHE_KEY_PREFIX = 'go-cache-setup-gocache-v1'

export type DirectoryKeyParts = Toolchain & Pick<RunFacts, 'runId' | 'runAttempt' | 'job'>

export function gocacheDirKeys(p: DirectoryKeyParts): { primary: string; restore: string[] } {
  const stem = `${GOCACHE_KEY_PREFIX}-${keyPart(p.hostOS)}-${keyPart(p.hostArch)}-${keyPart(p.goVersion)}-`
  return { primary: `${stem}${keyPart(p.runId)}-${keyPart(p.runAttempt)}-${keyPart(p.job)}`, restore: [stem] }
}

export interface DirectoryRestore {
  key: string
  path: string
  matchedKey?: string
  restoreAllowed: boolean
}

export async function restoreGoCacheDir(
  cache: ArchiveCache,
  log: Logger,
  dir: string,
  keys: { primary: string; restore: string[] },
  canRead: boolean,
): Promise<DirectoryRestore> {
  const restoreAllowed = canRead && cache.isAvailable()
  let matchedKey: string | undefined
  if (restoreAllowed) {
    matchedKey = await cache.restore([dir], keys.primary, keys.restore)
    log.info(matchedKey ? `GOCACHE restored from ${matchedKey}` : 'GOCACHE: no earlier entry')
  }
  return { key: keys.primary, path: dir, matchedKey, restoreAllowed }
}

export async function saveGoCacheDir(
  cache: ArchiveCache,
  log: Logger,
  restored: DirectoryRestore,
  write: WriteDecision,
): Promise<{ saved: boolean; reason?: string }> {
  if (!restored.restoreAllowed) return { saved: false, reason: 'the cache service was not available' }
  if (!write.allowed) return { saved: false, reason: write.reason }
  const saved = await cache.save([restored.path], restored.key)
  if (saved) log.info(`GOCACHE saved as ${restored.key}`)
  return saved ? { saved: true } : { saved: false, reason: 'the cache service did not accept the entry' }
}
