/**
 * Files written whole, on a worker thread, while the main thread reads and
 * verifies what comes next: the native import's file creation (an open, a
 * write, a close and a rename per object and per entry, about 100 µs each on
 * ext4 here) took as long as decompressing and hashing together, on one
 * thread. With the writes on a second thread, importing a 640 MiB bundle
 * (8,045 files) into GOCACHE took 2.32 s against 2.94 s, medians
 * (docs/decisions.md#d27).
 *
 * `writeFiles` is the only code that runs in the thread: its source is the
 * worker's, so it uses nothing but its arguments. The main thread calls it
 * too, for what it writes itself (an object too large to copy, or when the
 * thread is gone), so both write files the same way.
 */
import type fs from 'node:fs'
import { randomBytes } from 'node:crypto'
import { Worker } from 'node:worker_threads'

/**
 * One file to write: `skip` says when what is there already stands (`size`: a
 * file of `size` bytes; `any`: any file). Chunks (an object streamed from a
 * staged file) are written on the main thread only: they do not cross to the
 * worker.
 */
export interface FileJob {
  file: string
  size: number
  data: Uint8Array | string | Iterable<Uint8Array>
  skip: 'size' | 'any'
}

/** What a writer keeps between calls: the directories it made, and its temporary names. */
export interface WriterState {
  made: Set<string>
  prefix: string
  count: number
  mtime: Date
}

export function writerState(mtimeMs: number): WriterState {
  return { made: new Set(), prefix: randomBytes(6).toString('hex'), count: 0, mtime: new Date(mtimeMs) }
}

/**
 * Writes each group's files in order, each by rename, whole, with
 * `state.mtime`; leaves a file that `skip` says stands. A file that fails
 * ends its group (an entry is not written when its object could not be) and
 * leaves nothing behind; the other groups are still tried, and the first
 * failure is returned, not thrown. Go's trim looks only at names ending in -a
 * and -d, so a leftover temporary is never taken for an entry.
 */
export function writeFiles(io: typeof fs, groups: readonly (readonly FileJob[])[], state: WriterState): string | undefined {
  let failure: string | undefined
  for (const group of groups) {
    for (const { file, size, data, skip } of group) {
      const dir = file.slice(0, file.lastIndexOf('/'))
      const tmp = `${dir}/.${state.prefix}-${state.count++}.tmp`
      try {
        const there = io.statSync(file, { throwIfNoEntry: false })
        if (there !== undefined && (skip === 'any' || there.size === size)) continue
        if (!state.made.has(dir)) {
          io.mkdirSync(dir, { recursive: true })
          state.made.add(dir)
        }
        const fd = io.openSync(tmp, 'w', 0o666)
        try {
          const chunks = typeof data === 'string' ? [Buffer.from(data, 'latin1')] : ArrayBuffer.isView(data) ? [data] : data
          for (const chunk of chunks) for (let at = 0; at < chunk.byteLength; ) at += io.writeSync(fd, chunk, at)
          io.futimesSync(fd, state.mtime, state.mtime)
        } finally {
          io.closeSync(fd)
        }
        io.renameSync(tmp, file)
      } catch (error) {
        try {
          io.rmSync(tmp, { force: true })
        } catch {
          // Its directory could not be made, so no temporary is there.
        }
        failure ??= `${file}: ${error instanceof Error ? error.message : String(error)}`
        break
      }
    }
  }
  return failure
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const fs = require('node:fs')
const writeFiles = ${writeFiles.toString()}
const state = { made: new Set(), prefix: workerData.prefix, count: 0, mtime: new Date(workerData.mtimeMs) }
parentPort.on('message', (groups) => {
  let failure
  try {
    failure = writeFiles(fs, groups, state)
  } catch (error) {
    failure = String(error)
  }
  parentPort.postMessage(failure)
})
`

/** Bytes handed to the thread and not yet written before `write` makes its caller wait. */
export const WRITE_BEHIND_BYTES = 32 * 1024 ** 2
/** Groups are sent in batches of about this many bytes, or groups: a message costs more than a small file's write. */
const BATCH_BYTES = 1024 ** 2
const BATCH_GROUPS = 128

/**
 * The main thread's side: batches jobs to the worker, holds at most
 * WRITE_BEHIND_BYTES in flight, and reports the first failure. Never throws
 * from `write` for a failure of the thread; `finish` says what failed.
 */
export class WriterThread {
  private readonly worker: Worker
  private batch: FileJob[][] = []
  private batchBytes = 0
  /** Bytes of each batch sent and not yet acknowledged, oldest first. */
  private readonly sent: number[] = []
  private inFlight = 0
  private wakers: (() => void)[] = []
  private failure: string | undefined
  private dead = false

  constructor(mtimeMs: number) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mtimeMs, prefix: randomBytes(6).toString('hex') } })
    this.worker.on('message', (failure: string | undefined) => {
      this.failure ??= failure
      this.inFlight -= this.sent.shift() ?? 0
      this.wake()
    })
    this.worker.on('error', (error) => this.stop(`the writer thread failed: ${error.message}`))
    this.worker.on('exit', () => this.stop('the writer thread exited'))
  }

  /** The first failure so far (a file that could not be written, or the thread gone). */
  get failed(): string | undefined {
    return this.failure
  }

  /**
   * Queues a group (writeFiles) of strings and Uint8Arrays; resolves once the
   * bytes in flight are under the bound. `data` must not change afterwards: a
   * Uint8Array that is its whole buffer is moved to the thread, not copied.
   */
  async write(group: FileJob[]): Promise<void> {
    this.batch.push(group)
    for (const job of group) this.batchBytes += job.size
    if (this.batchBytes >= BATCH_BYTES || this.batch.length >= BATCH_GROUPS) this.send()
    while (!this.dead && this.inFlight > WRITE_BEHIND_BYTES) await new Promise<void>((resolve) => this.wakers.push(resolve))
  }

  /** Waits for every write, stops the thread; the first failure, if any. */
  async finish(): Promise<string | undefined> {
    this.send()
    while (!this.dead && this.sent.length > 0) await new Promise<void>((resolve) => this.wakers.push(resolve))
    if (!this.dead) {
      this.dead = true
      await this.worker.terminate()
    }
    return this.failure
  }

  private send(): void {
    if (this.batch.length === 0 || this.dead) return
    const groups = this.batch
    const transfer = groups
      .flat()
      .flatMap(({ data }) => (data instanceof Uint8Array && data.byteLength === data.buffer.byteLength ? [data.buffer as ArrayBuffer] : []))
    this.sent.push(this.batchBytes)
    this.inFlight += this.batchBytes
    this.batch = []
    this.batchBytes = 0
    this.worker.postMessage(groups, transfer)
  }

  private stop(reason: string): void {
    if (this.dead) return
    this.dead = true
    this.failure ??= reason
    this.wake()
  }

  private wake(): void {
    const wakers = this.wakers
    this.wakers = []
    for (const wake of wakers) wake()
  }
}
