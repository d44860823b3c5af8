/**
 * Importing a downloaded bundle into the local store: in the daemon while go
 * runs (D22), or in the main step when there is no daemon. Objects are
 * published one by one, each after its digest matched, so a go process that
 * looks early sees either nothing or a verified entry. The bundle's index says
 * which entries are still coming; `Arrivals` lets a lookup wait for one of
 * those instead of recompiling it.
 */
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { errorMessage } from '../action/errors.ts'
import type { LocalStore } from '../store/local-store.ts'
import { decompressor, readBundle, STREAM_CHUNK_BYTES } from './format.ts'

export interface ImportReport {
  objects: number
  entries: number
  /** Object bytes put into the store. */
  bytes: number
  /** Objects whose body did not hash to their OutputID; skipped with their entries. */
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
}

/** Imports `file` into `store`, then deletes it. Never throws: an unreadable bundle is reported in `error`. */
export async function importBundle(file: string, store: LocalStore, options: ImportOptions): Promise<ImportReport> {
  const now = options.now ?? (() => performance.now())
  const started = now()
  const report: ImportReport = { objects: 0, entries: 0, bytes: 0, rejected: 0, importMs: 0, waits: 0, waitMs: 0 }
  try {
    const result = await readBundle(
      createReadStream(file, { highWaterMark: STREAM_CHUNK_BYTES }).pipe(decompressor()),
      { maxTotalBytes: options.maxBytes },
      ({ outputId, size, entries, body }) => {
        store.importShared(outputId, [body], size, entries)
        report.objects++
        report.entries += entries.length
        report.bytes += size
        options.arrivals?.arrived(entries.map((e) => e.actionId))
      },
      (actionIds) => options.arrivals?.indexRead(actionIds),
    )
    report.rejected = result.rejected
  } catch (error) {
    report.error = errorMessage(error)
  } finally {
    store.endImport()
    options.arrivals?.end()
    await rm(file, { force: true }).catch(() => undefined)
  }
  return { ...report, importMs: now() - started }
}
