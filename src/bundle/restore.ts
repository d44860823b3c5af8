/**
 * Main step: restore the newest matching bundle into the local store before
 * go runs. Every cache problem is a warning and a miss; the build goes on.
 * Objects enter the store only after their sha256 matched their OutputID, and
 * through LocalStore.put (atomic publish, entries named by hex IDs the reader
 * built itself), so a go process that looks early just misses.
 */
import { createReadStream } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../logger.ts'
import type { ArchiveCache } from '../storage/archive-cache.ts'
import { LocalStore } from '../store/local-store.ts'
import { errorMessage } from '../action/errors.ts'
import { decompressor, readBundle, STREAM_CHUNK_BYTES } from './format.ts'
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
  restoreMs: number
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
    return finish('miss', SERVICE_FAILED)
  }
  if (report.matchedKey === undefined) {
    p.log.info(`Build cache bundle: no entry for ${p.keys.restore[0]}… yet`)
    return finish('miss')
  }
  try {
    report.archiveBytes = (await stat(p.file)).size
    const store = new LocalStore(p.store)
    const result = await readBundle(
      createReadStream(p.file, { highWaterMark: STREAM_CHUNK_BYTES }).pipe(decompressor()),
      { maxTotalBytes: p.maxImportBytes },
      ({ outputId, size, entries, body }) => {
        store.putShared(outputId, [body], size, entries)
        report.objects++
        report.entries += entries.length
        report.bytes += size
      },
    )
    if (result.rejected > 0) {
      p.log.warning(`Build cache bundle ${report.matchedKey}: ${result.rejected} objects did not match their digest and were skipped`)
    }
    p.log.info(`Build cache bundle restored from ${report.matchedKey}: ${report.entries} entries, ${report.bytes} bytes`)
    return finish('hit')
  } catch (error) {
    // Objects put so far were each verified, so they stay; the bundle counts as a miss.
    const reason = `the bundle ${report.matchedKey} is unreadable (${errorMessage(error)}); treated as a miss`
    p.log.warning(`Build cache bundle: ${reason}`)
    return finish('corrupt', reason)
  } finally {
    await rm(p.file, { force: true })
  }
}
