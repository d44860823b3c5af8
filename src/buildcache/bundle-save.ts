/**
 * Post step: save a new bundle when the job produced enough new entries to be
 * worth an upload. What the next run restores holds only what this job used
 * plus what it produced, within bundle-max-size, so it cannot grow from run to
 * run the way a re-saved GOCACHE does (Go's own trim never fires on a restored
 * cache: margince#2846). It is saved one of two ways (docs/decisions.md#d24): a whole bundle, or,
 * while the base this job restored is still mostly used, a layer holding only
 * what that base lacks, which costs a fraction of the compression and upload.
 */
import { createWriteStream, readFileSync } from 'node:fs'
import { mkdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { JobIds } from '../daemon/reports.ts'
import type { Logger } from '../common/logger.ts'
import type { WriteDecision } from '../policy/write-policy.ts'
import type { ArchiveCache } from '../actions-cache/archive-cache.ts'
import type { BundleStore } from '../store/bundle-store.ts'
import { readBaseManifest, type BaseManifest } from '../bundle/import.ts'
import { baseFrame, BUNDLE_MAGIC, compressor, endFrame, indexFrame, objectHeader, STREAM_CHUNK_BYTES, type BundleObject } from '../bundle/format.ts'
import { MAX_GO_OBJECT_BYTES } from '../go/object-size.ts'
import { SERVICE_FAILED, type BundleRestoreReport } from './bundle-restore.ts'

export interface BundleSaveReport {
  saved: boolean
  reason?: string
  /** Saved as a layer on this key (docs/decisions.md#d24); absent for a whole bundle. */
  baseKey?: string
  /** The base's object bytes, which the next restore downloads with the layer. */
  baseBytes?: number
  /** What the bundle holds (or would have held). */
  entries: number
  objects: number
  /** Object bytes before compression. */
  rawBytes: number
  /** The compressed bundle uploaded. */
  bytes: number
  saveMs: number
}

/** Pure: why not to save, or undefined to save. `newEntries` counts added IDs that are not also used. */
export function skipReason(p: { restore: BundleRestoreReport; write: WriteDecision; ids: JobIds | undefined }): string | undefined {
  if (!p.restore.available) return 'the GitHub Actions cache service is not available on this runner'
  if (p.restore.reason === SERVICE_FAILED) return 'the cache service failed in the main step'
  if (!p.write.allowed) return p.write.reason ?? 'cache writes are not allowed'
  if (p.ids === undefined) return 'the cache daemon did not say which entries the job used'
  const { added, total } = counts(p.ids)
  if (added === 0) return 'the job produced no new entries'
  const t = p.restore.save.threshold
  const worth = t.kind === 'count' ? added >= t.value : added * 100 >= t.value * total
  if (!worth) {
    const rule = t.kind === 'count' ? `${t.value} new entries` : `${t.value}% of the bundle's ${total} entries new`
    return `only ${added} new entries, below bundle-save-threshold (${rule})`
  }
  return undefined
}

function counts(ids: JobIds): { added: number; total: number } {
  const used = new Set(ids.used)
  const added = new Set(ids.added.filter((id) => !used.has(id)))
  return { added: added.size, total: used.size + added.size }
}

export interface Candidate {
  actionId: string
  outputId: string
  size: number
  timeMs: number
}

/**
 * Pure: the bundle's objects, in the order given (the order the job first
 * asked for the entries, which the next run repeats: the daemon imports in
 * this order while go runs: docs/decisions.md#d22, #d23), each object once, until the bodies reach
 * `maxBytes`, so what a build needs first is kept first. Entries that share an
 * object travel with it; an object over MAX_GO_OBJECT_BYTES stays out.
 */
export function planBundle(candidates: readonly Candidate[], maxBytes: number): BundleObject[] {
  const objects = new Map<string, BundleObject>()
  const seen = new Set<string>()
  let bytes = 0
  for (const c of candidates) {
    if (seen.has(c.actionId)) continue
    seen.add(c.actionId)
    const existing = objects.get(c.outputId)
    if (existing !== undefined) {
      existing.entries.push({ actionId: c.actionId, timeMs: c.timeMs })
      continue
    }
    // An import refuses such an object and everything after it (bundle/format.ts).
    if (bytes + c.size > maxBytes || c.size > MAX_GO_OBJECT_BYTES) continue
    bytes += c.size
    objects.set(c.outputId, { outputId: c.outputId, size: c.size, entries: [{ actionId: c.actionId, timeMs: c.timeMs }] })
  }
  return [...objects.values()]
}

/**
 * How much of what a layered restore brings may be objects this job did not
 * use before the next save is a whole bundle again (docs/decisions.md#d24): the bound on the
 * bloat that layers trade for cheaper saves.
 */
export const LAYER_SLACK = 0.2
/** A layer grows with every edit since its base; past half the base's bytes, a whole bundle is saved instead. */
export const LAYER_MAX_SHARE = 0.5

export interface SavePlan {
  objects: BundleObject[]
  /** Set when the plan is a layer on the restored base. */
  base?: { key: string; bytes: number }
}

/**
 * Pure: a layer on `base` (what the restored bottom bundle held) when the
 * restore it makes, base plus layer, stays within `maxBytes`, holds at most
 * LAYER_SLACK objects the job did not use, and the layer is at most
 * LAYER_MAX_SHARE of the base; else a whole bundle (planBundle).
 */
export function planSave(candidates: readonly Candidate[], maxBytes: number, base?: BaseManifest): SavePlan {
  const whole = (): SavePlan => ({ objects: planBundle(candidates, maxBytes) })
  if (base === undefined) return whole()
  const wanted = new Set(candidates.map((c) => c.actionId))
  const inBase = new Set<string>()
  let baseBytes = 0
  let unusedBytes = 0
  for (const [, size, actionIds] of base.objects) {
    baseBytes += size
    if (!actionIds.some((a) => wanted.has(a))) unusedBytes += size
    for (const a of actionIds) inBase.add(a)
  }
  const objects = planBundle(
    candidates.filter((c) => !inBase.has(c.actionId)),
    Number.POSITIVE_INFINITY,
  )
  const layerBytes = objects.reduce((n, o) => n + o.size, 0)
  const layered = baseBytes + layerBytes <= maxBytes && unusedBytes <= LAYER_SLACK * (baseBytes + layerBytes) && layerBytes <= LAYER_MAX_SHARE * baseBytes
  return layered ? { objects, base: { key: base.key, bytes: baseBytes } } : whole()
}

export interface BundleSaveParams {
  cache: ArchiveCache
  log: Logger
  /** Our store, or GOCACHE in native mode. */
  store: BundleStore
  restore: BundleRestoreReport
  write: WriteDecision
  ids: JobIds | undefined
  now: () => number
}

export async function saveBundle(p: BundleSaveParams): Promise<BundleSaveReport> {
  const started = p.now()
  const report: BundleSaveReport = { saved: false, entries: 0, objects: 0, rawBytes: 0, bytes: 0, saveMs: 0 }
  const skip = (reason: string): BundleSaveReport => {
    p.log.info(`Build cache bundle not saved: ${reason}`)
    return { ...report, reason, saveMs: p.now() - started }
  }
  const reason = skipReason(p)
  if (reason !== undefined) return skip(reason)
  // The key is unique to the run, attempt, job and matrix cell; a reusable
  // workflow called twice in one run can still repeat it. Look before building.
  if (await p.cache.exists([p.restore.path], p.restore.key)) return skip('another job already saved this key')

  const { store } = p
  const candidates: Candidate[] = []
  for (const actionId of p.ids!.order) {
    const hit = store.get(actionId) // verified size and mtime; undefined when trimmed or damaged
    if (hit !== undefined) candidates.push({ actionId, outputId: hit.outputId, size: hit.size, timeMs: hit.timeMs })
  }
  const plan = planSave(candidates, p.restore.save.maxBytes, await restoredBase(p.restore))
  if (plan.base !== undefined) Object.assign(report, { baseKey: plan.base.key, baseBytes: plan.base.bytes })
  if (plan.base !== undefined && plan.objects.length === 0) return skip(`everything the job used or produced is in its base bundle ${plan.base.key} already`)
  await mkdir(path.dirname(p.restore.path), { recursive: true })
  try {
    const written = await writeBundle(store, plan.objects, p.restore.path, plan.base?.key)
    Object.assign(report, written, { bytes: (await stat(p.restore.path)).size })
    if (report.objects === 0) return skip('none of the entries the job used or produced are left in the store')
    const saved = await p.cache.save([p.restore.path], p.restore.key)
    if (!saved) return skip('the cache service did not accept the entry (see the log above)')
    const what = plan.base === undefined ? '' : ` as a layer on ${plan.base.key}`
    p.log.info(`Build cache bundle saved as ${p.restore.key}${what}: ${report.entries} entries, ${report.bytes} bytes`)
    return { ...report, saved: true, saveMs: p.now() - started }
  } finally {
    await rm(p.restore.path, { force: true })
  }
}

/**
 * What the restore's bottom layer held, when this job may save a layer on it:
 * the import recorded it only if every object arrived verified, and a restore
 * that turned out corrupt gets a whole bundle.
 */
async function restoredBase(restore: BundleRestoreReport): Promise<BaseManifest | undefined> {
  if (restore.outcome !== 'hit' || restore.baseManifest === undefined) return undefined
  const manifest = await readBaseManifest(restore.baseManifest)
  return manifest?.key === (restore.baseKey ?? restore.matchedKey) ? manifest : undefined
}

/** Streams the plan through zstd into `file`; objects whose size changed on disk are left out. */
export async function writeBundle(
  store: Pick<BundleStore, 'objectPath'>,
  plan: readonly BundleObject[],
  file: string,
  baseKey?: string,
): Promise<{ entries: number; objects: number; rawBytes: number }> {
  const totals = { entries: 0, objects: 0, rawBytes: 0 }
  function* frames(): Generator<Buffer> {
    yield BUNDLE_MAGIC
    if (baseKey !== undefined) yield baseFrame(baseKey)
    yield indexFrame(plan)
    for (const object of plan) {
      // Synchronous: the compressor works in the thread pool meanwhile, and a
      // read there too would only queue behind it.
      let body: Buffer
      try {
        body = readFileSync(store.objectPath(object.outputId))
      } catch {
        continue
      }
      if (body.length !== object.size) continue
      yield objectHeader(object)
      yield body
      totals.objects++
      totals.entries += object.entries.length
      totals.rawBytes += object.size
    }
    yield endFrame(totals.objects, totals.entries)
  }
  await pipeline(coalesce(frames(), STREAM_CHUNK_BYTES), compressor(), createWriteStream(file))
  return totals
}

/** Joins small buffers into pieces of at least `min` bytes: each write to the compressor is a thread-pool trip. */
function* coalesce(buffers: Iterable<Buffer>, min: number): Generator<Buffer> {
  let pending: Buffer[] = []
  let size = 0
  for (const buffer of buffers) {
    pending.push(buffer)
    size += buffer.length
    if (size >= min) {
      yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, size)
      pending = []
      size = 0
    }
  }
  if (size > 0) yield Buffer.concat(pending, size)
}
