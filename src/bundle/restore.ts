/**
 * Main step: download the newest matching bundle before go runs, and have it
 * imported into the local store: by the daemon, while go starts (D22), or
 * here when there is no daemon. Every cache problem is a warning and a miss;
 * the build goes on. Objects enter the store only after their sha256 matched
 * their OutputID (import.ts), so a go process that looks early either waits
 * for an entry the bundle's index announced or misses.
 */
import { mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../logger.ts'
import type { ArchiveCache } from '../storage/archive-cache.ts'
import { LocalStore } from '../store/local-store.ts'
import { errorMessage } from '../action/errors.ts'
import { importBundle, type ImportReport } from './import.ts'
import type { BundleKeys } from './key.ts'

/** The restore's reason when the service failed; post then does not try to save (a hung service would cost another deadline). */
export const SERVICE_FAILED = 'the cache service failed'

/** When to save a new bundle: a share of the bundle's entries, or a count, that must be new. */
export type SaveThreshold = { kind: 'percent'; value: number } | { kind: 'count'; value: number }

export interface BundleSettings {
  /** Off when another tier holds the build cache (a cache-url) or the client is not ours. */
  enabled: boolean
  /** Bodies in a saved bundle add up to at most this (the bundle-max-size input). */
  maxBytes: number
  threshold: SaveThreshold
}

export interface BundleRestoreReport {
  key: string
  restoreKeys: string[]
  /** The file archived; post must pass the identical string (it is part of the cache version). */
  path: string
  /** Whether the cache service exists on this runner; post saves only if so. */
  available: boolean
  outcome: 'skipped' | 'miss' | 'hit' | 'corrupt'
  /** Why skipped, or what was wrong with the bundle. */
  reason?: string
  matchedKey?: string
  entries: number
  objects: number
  /** Object bytes put into the store. */
  bytes: number
  /** The compressed bundle as downloaded. */
  archiveBytes: number
  /** From the start of the restore to the bundle on disk. */
  restoreMs: number
  downloadMs?: number
  /** 'daemon': imported in the background while go ran; post fills in the figures. */
  importing?: 'daemon'
  importMs?: number
  /** go lookups that waited for an entry still on its way, and their summed wait. */
  waits?: number
  waitMs?: number
  /** Carried to post, where inputs are not read. */
  save: { maxBytes: number; threshold: SaveThreshold }
}

export interface BundleRestoreParams {
  cache: ArchiveCache
  log: Logger
  /** The local store's root. */
  store: string
  keys: BundleKeys
  /** Where the bundle file lives while it travels (under RUNNER_TEMP). */
  file: string
  /** False when ACTIONS_CACHE_MODE forbids reads. */
  canRead: boolean
  readSkipReason?: string
  /** Stop importing past this many object bytes (the store's own budget). */
  maxImportBytes: number
  settings: BundleSettings
  now: () => number
  /** Hands the downloaded file to the daemon to import while go runs; true when it took it. */
  importInBackground?: (file: string) => Promise<boolean>
}

export async function restoreBundle(p: BundleRestoreParams): Promise<BundleRestoreReport> {
  const started = p.now()
  const available = p.cache.isAvailable()
  const report: BundleRestoreReport = {
    key: p.keys.primary,
    restoreKeys: p.keys.restore,
    path: p.file,
    available,
    outcome: 'skipped',
    entries: 0,
    objects: 0,
    bytes: 0,
    archiveBytes: 0,
    restoreMs: 0,
    save: { maxBytes: p.settings.maxBytes, threshold: p.settings.threshold },
  }
  const finish = (outcome: BundleRestoreReport['outcome'], reason?: string): BundleRestoreReport => {
    if (outcome === 'skipped') p.log.info(`Build cache bundle restore skipped: ${reason}`)
    return { ...report, outcome, reason, restoreMs: p.now() - started }
  }
  if (!p.settings.enabled) return { ...finish('skipped', "the build cache persists elsewhere: a remote cache (cache-url), or the self-hosted runner's own disk (bootstrap kit)"), available: false }
  if (!p.canRead) return finish('skipped', p.readSkipReason ?? 'cache reads are off')
  if (!available) return finish('skipped', 'the GitHub Actions cache service is not available on this runner')

  await mkdir(path.dirname(p.file), { recursive: true })
  await rm(p.file, { force: true })
  try {
    report.matchedKey = await p.cache.restore([p.file], p.keys.primary, p.keys.restore)
  } catch (error) {
    p.log.warning(`Build cache bundle restore failed; the build starts cold: ${errorMessage(error)}`)
    await rm(p.file, { force: true })
    return finish('miss', SERVICE_FAILED)
  }
  if (report.matchedKey === undefined) {
    p.log.info(`Build cache bundle: no entry for ${p.keys.restore[0]}… yet`)
    return finish('miss')
  }
  report.archiveBytes = await stat(p.file).then((info) => info.size, () => 0)
  report.downloadMs = p.now() - started
  // The daemon imports while go starts (D22): go's lookups wait for entries
  // the bundle's index says are coming. Without a daemon, import here.
  if (p.importInBackground !== undefined && (await p.importInBackground(p.file).catch(() => false))) {
    p.log.info(`Build cache bundle ${report.matchedKey} (${report.archiveBytes} bytes) is being imported in the background while go runs`)
    return { ...finish('hit'), importing: 'daemon' }
  }
  const imported = await importBundle(p.file, new LocalStore(p.store), { maxBytes: p.maxImportBytes, now: p.now })
  return withImport(finish('hit'), imported, p.log)
}

/**
 * The restore report with an import's figures (the main step's, or the
 * daemon's as post learns them): an unreadable bundle turns a hit into
 * `corrupt`, a warning, and still keeps what was imported before the damage.
 */
export function withImport(restore: BundleRestoreReport, imported: ImportReport, log: Logger): BundleRestoreReport {
  const report: BundleRestoreReport = {
    ...restore,
    entries: imported.entries,
    objects: imported.objects,
    bytes: imported.bytes,
    importMs: imported.importMs,
    waits: imported.waits,
    waitMs: imported.waitMs,
  }
  if (imported.rejected > 0) {
    log.warning(`Build cache bundle ${restore.matchedKey}: ${imported.rejected} objects did not match their digest and were skipped`)
  }
  if (imported.error !== undefined) {
    const reason = `the bundle ${restore.matchedKey} is unreadable (${imported.error}); treated as a miss`
    log.warning(`Build cache bundle: ${reason}`)
    return { ...report, outcome: 'corrupt', reason }
  }
  log.info(`Build cache bundle restored from ${restore.matchedKey}: ${report.entries} entries, ${report.bytes} bytes`)
  return report
}
