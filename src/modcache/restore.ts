/** Main step: compute the module cache key and restore GOMODCACHE's download cache. */
import type { GoEnv } from '../go/go-env.ts'
import type { Logger } from '../common/logger.ts'
import type { CacheMode } from '../policy/write-policy.ts'
import type { ArchiveCache } from '../actions-cache/archive-cache.ts'
import { findDependencyFiles } from './dependency-files.ts'
import { modCacheKeys, settingsHash } from './key.ts'
import { downloadCacheDir, snapshotModuleSet } from './module-set.ts'

export interface ModCacheRestoreReport {
  key: string
  restoreKeys: string[]
  /** The directory archived; post must pass the identical string (it is part of the cache version). */
  path: string
  /** Workspace-relative dependency files that went into the key. */
  dependencyFiles: string[]
  matchedKey?: string
  /** False when reads were skipped (cache mode, no service); post then skips writes too. */
  restoreAllowed: boolean
  skipReason?: string
  /** Module files on disk after the restore. */
  files: number
  bytes: number
  fingerprint: string
  restoreMs: number
}

export interface RestoreParams {
  cache: ArchiveCache
  log: Logger
  goEnv: GoEnv
  workspace: string
  dependencyPatterns: string[]
  keySuffix: string
  cacheMode: CacheMode
  now: () => number
}

export async function restoreModCache(p: RestoreParams): Promise<ModCacheRestoreReport> {
  const deps = await findDependencyFiles(p.workspace, p.dependencyPatterns)
  if (deps.files.length === 0) {
    p.log.warning(
      `No dependency file matched ${p.dependencyPatterns.join(', ')}; the module cache uses a separate "nosum" key. ` +
        'Set cache-dependency-path to your go.sum files.',
    )
  } else {
    p.log.info(`Module cache key from ${deps.files.length} file(s): ${deps.files.join(', ')}`)
  }
  const keys = modCacheKeys({
    hostOS: p.goEnv.hostOS,
    hostArch: p.goEnv.hostArch,
    goVersion: p.goEnv.goVersion,
    settings: settingsHash(p.goEnv.fetch),
    dependencies: deps.hash,
    suffix: p.keySuffix || undefined,
  })
  const dir = downloadCacheDir(p.goEnv.modCache)
  const base = { key: keys.primary, restoreKeys: keys.restore, path: dir, dependencyFiles: deps.files }

  let skipReason: string | undefined
  if (!p.cacheMode.read) skipReason = `ACTIONS_CACHE_MODE=${p.cacheMode.raw} forbids cache reads`
  else if (!p.cache.isAvailable()) skipReason = 'the GitHub Actions cache service is not available on this runner'

  const started = p.now()
  let matchedKey: string | undefined
  if (skipReason === undefined) {
    // The download cache holds plain files in writable directories, so tar can
    // extract over a populated GOMODCACHE (a self-hosted runner's), unlike the
    // read-only extracted module trees that break setup-go (setup-go#314).
    matchedKey = await p.cache.restore([dir], keys.primary, keys.restore)
    if (matchedKey === undefined) p.log.info(`Module cache miss for ${keys.primary}`)
    else p.log.info(`Module cache restored from ${matchedKey}${matchedKey === keys.primary ? ' (exact hit)' : ''}`)
  } else {
    p.log.info(`Module cache restore skipped: ${skipReason}`)
  }
  const restoreMs = p.now() - started
  const set = await snapshotModuleSet(dir)
  return {
    ...base,
    matchedKey,
    restoreAllowed: skipReason === undefined,
    skipReason,
    files: set.files,
    bytes: set.bytes,
    fingerprint: set.fingerprint,
    restoreMs,
  }
}
