/**
 * Go's own build cache directory (GOCACHE) as the place a bundle lands and a
 * save reads from: native mode, with nothing between go and its cache
 * (docs/decisions.md#d27). The layout is cmd/go/internal/cache's:
 *
 *   <dir>/<xx>/<actionID hex>-a   "v1 <actionID> <outputID> <size %20d> <put time ns %20d>\n"
 *   <dir>/<xx>/<outputID hex>-d   the body
 *
 * What a job used is read back from mtimes. Go bumps an entry's mtime when it
 * finds it and the mtime is an hour old or more (cache.go markUsed,
 * mtimeInterval), and deletes entries unused for 5 days and an hour
 * (trimLimit + mtimeInterval) when it trims, at most once a day (trim.txt).
 * So imported entries get an mtime IMPORT_AGE_MS before the job: old enough
 * that the first use bumps it, young enough that Go's trim keeps it. After
 * the job, an entry with an mtime from the job was used or added; its put
 * time (the entry's own field) says which.
 */
import fs, { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Hit } from '../gocacheprog/protocol.ts'
import { type FileJob, WriterThread, type WriterState, writeFiles, writerState } from './writer-thread.ts'

/** cmd/go/internal/cache mtimeInterval: a use within this of the mtime is not recorded. */
export const GO_MTIME_INTERVAL_MS = 60 * 60 * 1000
/** cmd/go/internal/cache trimLimit + mtimeInterval: Go's trim deletes entries unused for longer. */
export const GO_TRIM_AGE_MS = 5 * 24 * 60 * 60 * 1000 + GO_MTIME_INTERVAL_MS
/** How far before the job imported entries are dated: past the mtime interval, far inside the trim age. */
export const IMPORT_AGE_MS = 2 * GO_MTIME_INTERVAL_MS

const HEX_ID = /^[0-9a-f]{64}$/
/** "v1 " + 64 + " " + 64 + " " + 20 + " " + 20 + "\n" (cache.go entrySize). */
const ENTRY_BYTES = 2 + 1 + 64 + 1 + 64 + 1 + 20 + 1 + 20 + 1
const ENTRY = /^v1 ([0-9a-f]{64}) ([0-9a-f]{64}) ([ \d]{20}) ([ \d]{20})\n$/
/** Objects up to this size are copied to the writer thread; a larger one is written on the main thread from its chunks (memory stays flat: docs/decisions.md#d32). */
const THREAD_OBJECT_BYTES = 8 * 1024 ** 2
/** A %20d field: spaces, then digits. */
const FIELD = /^ *\d+$/

/** An entry as Go wrote it, with the mtime that says when the job last touched it. */
export interface DirEntry {
  actionId: string
  outputId: string
  size: number
  /** The put time from the entry, ms since the epoch (go test compares it with `go clean -testcache`). */
  timeMs: number
  mtimeMs: number
}

/** Pure: Go's entry line for an action. */
export function entryText(actionId: string, outputId: string, size: number, timeMs: number): string {
  const ns = BigInt(Math.max(0, Math.trunc(timeMs))) * 1_000_000n
  return `v1 ${actionId} ${outputId} ${String(size).padStart(20)} ${String(ns).padStart(20)}\n`
}

/** Pure: an entry file's content, or undefined for anything Go would not accept either (cache.go get). */
export function parseEntryText(text: string, actionId: string): Omit<DirEntry, 'mtimeMs'> | undefined {
  if (text.length !== ENTRY_BYTES) return undefined
  const m = ENTRY.exec(text)
  if (m === null || m[1] !== actionId || !FIELD.test(m[3]!) || !FIELD.test(m[4]!)) return undefined
  const size = Number(m[3])
  const timeMs = Number(BigInt(m[4]!.trim()) / 1_000_000n)
  if (!Number.isSafeInteger(size)) return undefined
  return { actionId, outputId: m[2]!, size, timeMs }
}

export class GoCacheDir {
  readonly root: string
  private readonly importMtimeMs: number
  /** The main thread's own writes: objects too large to copy to the writer thread. */
  private readonly state: WriterState
  private writer: WriterThread | undefined

  /** `importMtimeMs`: the mtime imported entries get (the job's start minus IMPORT_AGE_MS: buildcache/native.ts). */
  constructor(root: string, importMtimeMs: number) {
    this.root = path.resolve(root)
    this.importMtimeMs = importMtimeMs
    this.state = writerState(importMtimeMs)
  }

  objectPath(outputId: string): string {
    return `${this.root}/${outputId.slice(0, 2)}/${outputId}-d`
  }

  actionPath(actionId: string): string {
    return `${this.root}/${actionId.slice(0, 2)}/${actionId}-a`
  }

  /** The entry and its object as Go would serve them (size checked, as cache.GetFile does), without marking a use. */
  get(actionId: string): Hit | undefined {
    if (!HEX_ID.test(actionId)) return undefined
    let entry: Omit<DirEntry, 'mtimeMs'> | undefined
    try {
      entry = parseEntryText(readFileSync(this.actionPath(actionId), 'latin1'), actionId)
    } catch {
      return undefined
    }
    if (entry === undefined) return undefined
    const diskPath = this.objectPath(entry.outputId)
    const info = statSync(diskPath, { throwIfNoEntry: false })
    if (!info?.isFile() || info.size !== entry.size) return undefined
    return { outputId: entry.outputId, size: entry.size, timeMs: entry.timeMs, diskPath }
  }

  /**
   * A verified object and its entries from a bundle (bundle/import.ts), dated
   * IMPORT_AGE_MS back. What is already there stays: an object of the same
   * size is the same object (its name is its sha256), and an existing entry
   * is Go's own. Written on a writer thread, behind the import (store/writer-thread.ts);
   * resolves when the import may go on, and rejects once a write failed.
   */
  importShared(outputId: string, body: Iterable<Buffer>, size: number, entries: readonly { actionId: string; timeMs: number }[]): Promise<void> | void {
    const entryJobs = entries.map(
      ({ actionId, timeMs }): FileJob => ({
        file: this.actionPath(actionId),
        size: ENTRY_BYTES,
        data: entryText(actionId, outputId, size, timeMs),
        skip: 'any',
      }),
    )
    if (size > THREAD_OBJECT_BYTES) {
      // Too large to copy: written here, from its chunks (a staged object's are read from disk).
      const failed = writeFiles(fs, [[{ file: this.objectPath(outputId), size, data: body, skip: 'size' }, ...entryJobs]], this.state)
      if (failed !== undefined) throw new Error(failed)
      return
    }
    this.writer ??= new WriterThread(this.importMtimeMs)
    if (this.writer.failed !== undefined) throw new Error(this.writer.failed)
    // A copy of its own, moved to the thread: a chunk is valid only until the next is taken.
    const data = new Uint8Array(size)
    let at = 0
    for (const chunk of body) {
      data.set(chunk, at)
      at += chunk.length
    }
    return this.writer.write([{ file: this.objectPath(outputId), size, data, skip: 'size' }, ...entryJobs])
  }

  /** Every write done; rejects with the first that failed. */
  async endImport(): Promise<void> {
    const writer = this.writer
    this.writer = undefined
    const failed = await writer?.finish()
    if (failed !== undefined) throw new Error(failed)
  }

  /**
   * Keeps Go from trimming during the job when this directory has never been
   * trimmed (a fresh runner): the first go command would otherwise walk every
   * entry at exit. An existing trim.txt is Go's, and left alone, so a
   * long-lived GOCACHE is still trimmed by Go once a day.
   */
  markTrimmed(nowMs: number): void {
    const file = path.join(this.root, 'trim.txt')
    if (statSync(file, { throwIfNoEntry: false }) !== undefined) return
    writeFileSync(file, String(Math.floor(nowMs / 1000)))
  }

  /** Every entry whose mtime is at or after `sinceMs`: what the job used or added. */
  touchedSince(sinceMs: number): DirEntry[] {
    const found: DirEntry[] = []
    for (let i = 0; i < 256; i++) {
      const sub = `${this.root}/${i.toString(16).padStart(2, '0')}`
      let names: string[]
      try {
        names = readdirSync(sub)
      } catch {
        continue
      }
      for (const name of names) {
        if (name.length !== 66 || !name.endsWith('-a')) continue
        const file = `${sub}/${name}`
        const info = statSync(file, { throwIfNoEntry: false })
        if (info === undefined || !info.isFile() || info.mtimeMs < sinceMs) continue
        let entry: Omit<DirEntry, 'mtimeMs'> | undefined
        try {
          entry = parseEntryText(readFileSync(file, 'latin1'), name.slice(0, 64))
        } catch {
          continue
        }
        if (entry !== undefined) found.push({ ...entry, mtimeMs: info.mtimeMs })
      }
    }
    return found
  }
}
