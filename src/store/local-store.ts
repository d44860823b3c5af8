/**
 * The local store: content-addressed objects plus small action entries, on
 * disk, shared by every go process of the job (each through its own shim).
 *
 *   <root>/o/<xx>/<outputID hex>   the body; returned as DiskPath (absolute, no extension:
 *                                  tools filter on extensions, golang/go#74451)
 *   <root>/a/<xx>/<actionID hex>   "v1 <outputID hex> <size> <put time ms> <object mtime ms>\n"
 *   <root>/tmp/                    writes land here first, then rename(2) into place
 *
 * Safe with many writers: every file appears whole or not at all (rename is
 * atomic on one filesystem), and identical content under one name makes the
 * races harmless. A hit is served only when the object's size and mtime are
 * what the entry recorded at put time, so a truncated file (a crash before the
 * data reached disk) or one modified since is a miss, and Go recompiles. Go
 * itself stats the DiskPath and refuses a size mismatch too (cache.GetFile).
 *
 * Objects stay after the go command exits: `go list -export` prints DiskPaths
 * that tools open later. Eviction happens only in trim(), run by the post step.
 */
import { randomBytes } from 'node:crypto'
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync, type Stats } from 'node:fs'
import { utimes } from 'node:fs/promises'
import path from 'node:path'
import type { Hit } from '../gocacheprog/protocol.ts'

const HEX_ID = /^[0-9a-f]{64}$/

export interface PutResult {
  diskPath: string
  /** False when an identical object was already there. */
  wroteObject: boolean
}

export class LocalStore {
  readonly root: string
  private readonly tmp: string

  constructor(root: string) {
    this.root = path.resolve(root)
    this.tmp = path.join(this.root, 'tmp')
    mkdirSync(this.tmp, { recursive: true })
  }

  objectPath(outputId: string): string {
    return path.join(this.root, 'o', outputId.slice(0, 2), outputId)
  }

  actionPath(actionId: string): string {
    return path.join(this.root, 'a', actionId.slice(0, 2), actionId)
  }

  /**
   * Synchronous on purpose: two small syscalls, cheaper than a round trip
   * through libuv's thread pool on the hottest path.
   */
  get(actionId: string): Hit | undefined {
    assertId(actionId)
    let text: string
    try {
      text = readFileSync(this.actionPath(actionId), 'latin1')
    } catch {
      return undefined
    }
    const entry = parseEntry(text)
    if (entry === undefined) return undefined
    const diskPath = this.objectPath(entry.outputId)
    try {
      const info = statSync(diskPath)
      if (!info.isFile() || info.size !== entry.size || Math.trunc(info.mtimeMs) !== entry.objectMtimeMs) return undefined
    } catch {
      return undefined
    }
    return { outputId: entry.outputId, size: entry.size, timeMs: entry.timeMs, diskPath }
  }

  /**
   * Synchronous too, measured: a cold build makes hundreds of puts while go
   * waits on each one, and plain syscalls beat ~10 thread-pool round trips per
   * put (docs/decisions.md, D9). The object is whole on disk before we answer.
   */
  put(actionId: string, outputId: string, body: readonly Buffer[], size: number, timeMs = Date.now()): PutResult {
    assertId(actionId)
    assertId(outputId)
    const diskPath = this.objectPath(outputId)
    let wroteObject = false
    let mtimeMs: number
    const existing = statOrUndefined(diskPath)
    if (existing !== undefined && existing.isFile() && existing.size === size) {
      mtimeMs = existing.mtimeMs // content-addressed: same name and size, same bytes
    } else {
      mtimeMs = this.writeAtomic(diskPath, body)
      wroteObject = true
    }
    const entry = Buffer.from(`v1 ${outputId} ${size} ${timeMs} ${Math.trunc(mtimeMs)}\n`, 'latin1')
    this.writeAtomic(this.actionPath(actionId), [entry])
    return { diskPath, wroteObject }
  }

  /** Marks entries as used now, so trim() keeps what jobs actually read. */
  async touch(actionIds: Iterable<string>, when = new Date()): Promise<void> {
    for (const id of actionIds) {
      if (!HEX_ID.test(id)) continue
      await utimes(this.actionPath(id), when, when).catch(() => undefined)
    }
  }

  /** Writes to a temp file and renames it into place; returns the file's mtime (rename keeps it). */
  private writeAtomic(target: string, chunks: readonly Buffer[]): number {
    const temp = path.join(this.tmp, `${process.pid}-${randomBytes(6).toString('hex')}`)
    const fd = openSync(temp, 'w', 0o644)
    let mtimeMs: number
    try {
      for (const chunk of chunks) writeAll(fd, chunk)
      mtimeMs = fstatSync(fd).mtimeMs
    } finally {
      closeSync(fd)
    }
    try {
      renameSync(temp, target)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      mkdirSync(path.dirname(target), { recursive: true })
      renameSync(temp, target)
    }
    return mtimeMs
  }
}

function writeAll(fd: number, buffer: Buffer): void {
  let offset = 0
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset)
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file)
  } catch {
    return undefined
  }
}

export interface Entry {
  outputId: string
  size: number
  timeMs: number
  objectMtimeMs: number
}

export function parseEntry(text: string): Entry | undefined {
  const m = /^v1 ([0-9a-f]{64}) (\d+) (\d+) (\d+)\n$/.exec(text)
  if (m === null) return undefined
  return { outputId: m[1]!, size: Number(m[2]), timeMs: Number(m[3]), objectMtimeMs: Number(m[4]) }
}

function assertId(id: string): void {
  // Every ID becomes a file name: only 64 lowercase hex characters may.
  if (!HEX_ID.test(id)) throw new Error(`invalid cache ID ${JSON.stringify(id)}`)
}

