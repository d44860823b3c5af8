/**
 * Importing a downloaded bundle into the local store: in the daemon while go
 * runs (docs/decisions.md#d22), or in the main step when there is no daemon;
 * or into Go's own GOCACHE before go runs (native mode, docs/decisions.md#d27). Objects are
 * published one by one, each after its digest matched, so a go process that
 * looks early sees either nothing or a verified entry. The bundle's index says
 * which entries are still coming; `Arrivals` lets a lookup wait for one of
 * those instead of recompiling it.
 */
import { createReadStream } from 'node:fs'
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { errorMessage } from '../common/errors.ts'
import type { BundleStore } from '../store/bundle-store.ts'
import { checkObjectForAction } from '../store/build-id.ts'
import type { Readable } from 'node:stream'
import { BundleReader, decompressor, STREAM_CHUNK_BYTES, type BundleHead, type ReadLimits } from './format.ts'

export interface ImportReport {
  objects: number
  entries: number
  /** Object bytes put into the store. */
  bytes: number
  /** Objects whose body did not hash to their OutputID (skipped with their entries), and entries whose package archive carries another action's build ID (store/build-id.ts). */
  rejected: number
  importMs: number
  /** Why the bundle stopped being readable partway; what came before it stays (each object was verified). */
  error?: string
  /** go lookups that waited for an entry still on its way, and their summed wait (counted by the daemon, 0 here). */
  waits: number
  waitMs: number
}

/** Which indexed entries have not arrived yet, and who waits for them. */
export class Arrivals {
  /** Undefined until the index is read. */
  private pending: Set<string> | undefined
  private ended = false
  private readonly waiters = new Map<string, ((arrived: boolean) => void)[]>()
  private indexWaiters: (() => void)[] = []

  indexRead(actionIds: readonly string[]): void {
    this.pending = new Set(actionIds)
    const waiting = this.indexWaiters
    this.indexWaiters = []
    for (const wake of waiting) wake()
  }

  arrived(actionIds: readonly string[]): void {
    for (const id of actionIds) {
      this.pending?.delete(id)
      const waiting = this.waiters.get(id)
      if (waiting === undefined) continue
      this.waiters.delete(id)
      for (const wake of waiting) wake(true)
    }
  }

  /** Nothing more will arrive: every waiter wakes, and misses if its entry never came. */
  end(): void {
    this.ended = true
    this.pending = new Set()
    for (const wake of this.indexWaiters) wake()
    this.indexWaiters = []
    for (const waiting of this.waiters.values()) for (const wake of waiting) wake(false)
    this.waiters.clear()
  }

  get active(): boolean {
    return !this.ended
  }

  /**
   * Undefined when there is nothing to wait for (not announced, already here,
   * or the import is over); else resolves to whether the entry arrived.
   */
  settled(actionId: string): Promise<boolean> | undefined {
    if (this.ended) return undefined
    if (this.pending === undefined) {
      return new Promise<void>((resolve) => this.indexWaiters.push(resolve)).then(() => this.settled(actionId) ?? false)
    }
    if (!this.pending.has(actionId)) return undefined
    return new Promise<boolean>((resolve) => {
      const waiting = this.waiters.get(actionId)
      if (waiting === undefined) this.waiters.set(actionId, [resolve])
      else waiting.push(resolve)
    })
  }
}

export interface ImportOptions {
  /** Stop importing past this many object bytes (the store's own budget). */
  maxBytes: number
  arrivals?: Arrivals
  now?: () => number
  /**
   * Where to write what the bottom layer held, and under which key it was
   * restored: a later save can then be a layer on it (buildcache/bundle-save.ts; docs/decisions.md#d24). Written
   * only when that layer imported whole, every object verified.
   */
  baseManifest?: { file: string; key: string }
}

/**
 * Imports a restored bundle into `store`: `files[0]` is the newest, each next
 * one the base of the one before (a layer and its base: docs/decisions.md#d24). Every layer's
 * index is read before any object, so a lookup can wait for an entry from
 * either. Deletes the files. Never throws: an unreadable layer is reported in
 * `error`, and the others are still imported.
 */
export async function importBundle(files: readonly string[], store: BundleStore, options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? (() => performance.now())
  const started = now()
  const report: ImportReport = { objects: 0, entries: 0, bytes: 0, rejected: 0, importMs: 0, waits: 0, waitMs: 0 }
  // Owner-only (mkdtemp's 0700): objects too large for memory wait here while they are verified; without it, in memory.
  const stageDir = await mkdtemp(path.join(os.tmpdir(), 'go-cache-setup-import-')).catch(() => undefined)
  const limits = { maxTotalBytes: options.maxBytes, ...(stageDir !== undefined && { stageDir }) }
  const failed = (error: unknown) => (report.error ??= errorMessage(error))
  try {
    // Every index first, then each layer's objects; one layer's stream open at
    // a time, so memory holds one zstd window (128 MiB), not one per layer
    // (docs/decisions.md#d32). A layer's head is read twice: its index is small.
    const heads: (BundleHead | undefined)[] = []
    for (const file of files) heads.push(await withBundle(file, limits, (reader) => reader.head()).catch((error: unknown) => void failed(error)))
    options.arrivals?.indexRead(heads.flatMap((head) => head?.actionIds ?? []))
    for (const [i, file] of files.entries()) {
      const head = heads[i]
      if (head === undefined) continue
      const bottom = i === files.length - 1 && head.baseKey === undefined
      const manifest: ManifestObject[] = []
      let mismatched = 0
      try {
        const result = await withBundle(file, limits, async (reader) => {
          await reader.head()
          return reader.objects(async ({ outputId, size, entries: all, head, body }) => {
            // A package archive under another action's ID is dropped: go would take it and fail (store/build-id.ts).
            const entries = all.filter((e) => checkObjectForAction(e.actionId, head).ok)
            mismatched += all.length - entries.length
            if (entries.length === 0) return
            await store.importShared(outputId, body, size, entries)
            report.objects++
            report.entries += entries.length
            report.bytes += size
            options.arrivals?.arrived(entries.map((e) => e.actionId))
            if (bottom) manifest.push([outputId, size, entries.map((e) => e.actionId)])
          })
        })
        report.rejected += result.rejected + mismatched
        if (bottom && result.rejected + mismatched === 0 && options.baseManifest !== undefined) {
          // Without it the next save is a whole bundle: slower, not wrong, and not a damaged bundle.
          await writeBaseManifest(options.baseManifest.file, { key: options.baseManifest.key, objects: manifest }).catch(() => undefined)
        }
      } catch (error) {
        failed(error)
      }
    }
  } finally {
    // Native mode's writes run behind the import (store/writer-thread.ts): one that failed ends it like a read that failed.
    await (async () => store.endImport())().catch(failed)
    options.arrivals?.end()
    await Promise.all([...files, stageDir ?? []].flat().map((file) => rm(file, { recursive: true, force: true }).catch(() => undefined)))
  }
  return { ...report, importMs: now() - started }
}

/** `use` with a reader over a compressed bundle file, which is closed after. */
async function withBundle<T>(file: string, limits: ReadLimits, use: (reader: BundleReader) => Promise<T>): Promise<T> {
  const { output, reader } = openBundle(file, limits)
  try {
    return await use(reader)
  } finally {
    output.destroy()
  }
}

/** A reader over a compressed bundle file; `output.destroy()` closes it. */
export function openBundle(file: string, limits: ReadLimits): { output: Readable; reader: BundleReader } {
  const input = createReadStream(file, { highWaterMark: STREAM_CHUNK_BYTES })
  const output = input.pipe(decompressor())
  input.on('error', (error) => output.destroy(error))
  output.on('close', () => input.destroy())
  return { output, reader: new BundleReader(output, limits) }
}

/** One object of a base layer: its OutputID, size and the action IDs that point at it. */
export type ManifestObject = [outputId: string, size: number, actionIds: string[]]

/** What a restored bottom layer held, for the post step's choice between a layer and a whole bundle. */
export interface BaseManifest {
  key: string
  objects: ManifestObject[]
}

async function writeBaseManifest(file: string, manifest: BaseManifest): Promise<void> {
  await writeFile(`${file}.tmp`, JSON.stringify(manifest))
  await rename(`${file}.tmp`, file)
}

/** The manifest an import wrote, checked; undefined when there is none or it is not one. */
export async function readBaseManifest(file: string): Promise<BaseManifest | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  const hex = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
  const { key, objects } = (value ?? {}) as Partial<BaseManifest>
  if (typeof key !== 'string' || !Array.isArray(objects)) return undefined
  const ok = objects.every(
    (o: unknown) =>
      Array.isArray(o) &&
      o.length === 3 &&
      hex(o[0]) &&
      Number.isSafeInteger(o[1]) &&
      (o[1] as number) >= 0 &&
      Array.isArray(o[2]) &&
      (o[2] as unknown[]).every(hex),
  )
  return ok ? { key, objects } : undefined
}
