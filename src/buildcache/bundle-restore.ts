/**
 * Main step: download the newest matching bundle before go runs, and have it
 * imported into the local store: by the daemon, while go starts (docs/decisions.md#d22), or
 * here when there is no daemon. Every cache problem is a warning and a miss;
 * the build goes on. Objects enter the store only after their sha256 matched
 * their OutputID (import.ts), so a go process that looks early either waits
 * for an entry the bundle's index announced or misses.
 */
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../common/logger.ts'
import type { ArchiveCache } from '../actions-cache/archive-cache.ts'
import type { BundleStore } from '../store/bundle-store.ts'
import { errorMessage } from '../common/errors.ts'
import type { BundleHead } from '../bundle/format.ts'
import { importBundle, openBundle, type ImportReport } from '../bundle/import.ts'
import { isBaseKey, type BundleKeys } from './bundle-key.ts'

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
  /** When the restored bundle is a layer (docs/decisions.md#d24): the key of its base, restored with it. */
  baseKey?: string
  /**
   * Where the import records what the restored bottom layer held (a whole
   * bundle, or a layer's base), so post can save a layer on it.
   */
  baseManifest?: string
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
  /** Where the bundle is imported when this step imports it: our store, or GOCACHE in native mode. */
  store: BundleStore
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
  /** Hands the downloaded files to the daemon to import while go runs; true when it took them. */
  importInBackground?: (files: string[], baseManifest?: { file: string; key: string }) => Promise<boolean>
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
  if (!p.settings.enabled)
    return {
      ...finish('skipped', "the build cache persists elsewhere: a remote cache (cache-url), or the self-hosted runner's own disk (bootstrap kit)"),
      available: false,
    }
  if (!p.canRead) return finish('skipped', p.readSkipReason ?? 'cache reads are off')
  if (!available) return finish('skipped', 'the GitHub Actions cache service is not available on this runner')

  await mkdir(path.dirname(p.file), { recursive: true })
  await Promise.all([p.file, `${p.file}.base.json`].map((file) => rm(file, { force: true })))
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
  const files = [p.file]
  const head = await readHead(p.file)
  if (head instanceof Error) {
    const reason = `the bundle ${report.matchedKey} is unreadable (${errorMessage(head)}); treated as a miss`
    p.log.warning(`Build cache bundle: ${reason}`)
    await rm(p.file, { force: true })
    return finish('corrupt', reason)
  }
  // A layer holds only what its base lacked (docs/decisions.md#d24): restore the base too, under
  // the exact key the layer names, once the name is checked to be one of ours.
  let bottomKey: string | undefined = report.matchedKey
  if (head.baseKey !== undefined) {
    bottomKey = undefined
    if (!isBaseKey(head.baseKey, p.keys) || head.baseKey === report.matchedKey) {
      p.log.warning(
        `Build cache bundle ${report.matchedKey} names a base that is not a bundle key of this toolchain (${JSON.stringify(head.baseKey.slice(0, 80))}); only the layer is restored`,
      )
    } else {
      const layer = p.file.replace(/\.bundle$/, '.layer.bundle')
      await rename(p.file, layer)
      files[0] = layer
      const base = await p.cache.restore([p.file], head.baseKey, []).catch((error: unknown) => error as Error)
      if (base === head.baseKey) {
        report.baseKey = bottomKey = base
        files.push(p.file)
      } else {
        await rm(p.file, { force: true })
        if (base instanceof Error)
          p.log.warning(`Build cache bundle: restoring the base ${head.baseKey} failed; only the layer is restored: ${errorMessage(base)}`)
        else
          p.log.info(
            `Build cache bundle: the base ${head.baseKey} of ${report.matchedKey} is gone (evicted?); only the layer is restored, and this job saves a whole bundle`,
          )
      }
    }
  }
  for (const file of files)
    report.archiveBytes += await stat(file).then(
      (info) => info.size,
      () => 0,
    )
  report.downloadMs = p.now() - started
  const baseManifest = bottomKey === undefined ? undefined : { file: `${p.file}.base.json`, key: bottomKey }
  if (baseManifest !== undefined) report.baseManifest = baseManifest.file
  // The daemon imports while go starts (docs/decisions.md#d22): go's lookups wait for entries
  // the bundle's index says are coming. Without a daemon, import here.
  if (p.importInBackground !== undefined && (await p.importInBackground(files, baseManifest).catch(() => false))) {
    p.log.info(`Build cache bundle ${describe(report)} (${report.archiveBytes} bytes) is being imported in the background while go runs`)
    return { ...finish('hit'), importing: 'daemon' }
  }
  const imported = await importBundle(files, p.store, { maxBytes: p.maxImportBytes, now: p.now, ...(baseManifest && { baseManifest }) })
  return withImport(finish('hit'), imported, p.log)
}

function describe(report: BundleRestoreReport): string {
  return report.baseKey === undefined ? `${report.matchedKey}` : `${report.matchedKey} (a layer on ${report.baseKey})`
}

/** The bundle's head (the base it names, its index), or the error that kept it from being read. */
async function readHead(file: string): Promise<BundleHead | Error> {
  const { output, reader } = openBundle(file, { maxTotalBytes: 0 })
  try {
    return await reader.head()
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  } finally {
    output.destroy()
  }
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
    log.warning(`Build cache bundle ${restore.matchedKey}: ${imported.rejected} objects or entries did not match their digest or their action and were skipped`)
  }
  if (imported.error !== undefined) {
    const reason = `the bundle ${restore.matchedKey} is unreadable (${imported.error}); treated as a miss`
    log.warning(`Build cache bundle: ${reason}`)
    return { ...report, outcome: 'corrupt', reason }
  }
  log.info(`Build cache bundle restored from ${describe(restore)}: ${report.entries} entries, ${report.bytes} bytes`)
  return report
}
