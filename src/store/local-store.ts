/**
 * The local store: content-addressed objects plus small action entries, on
 * disk, shared by every go process of the job (each through its own shim).
 *
 *   <root>/o/<xx>/<outputID hex>   the body; returned as DiskPath (absolute, no extension:
 *                                  tools filter on extensions, golang/go#74451)
 *   <root>/a/<xx>/<actionID hex>   "v1 <outputID hex> <size> <put time ms> <object mtime ms>\n"
 *   <root>/tmp/                    writes land here first, then rename(2) into place
 *   <root>/imported                the entries a bundle import brought, appended as their
 *                                  objects land: "<actionID hex> v1 …" as above, one line each
 *
 * Imported entries share one file because a file per entry was most of an
 * import's cost: 1,900 entry files took 0.75 s of a 1.7 s import on 2 cores,
 * where appending their lines costs a write per object (docs/decisions.md#d23).
 * An entry file, written by a later put, wins over an imported line.
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
 *
 * Owner-only whatever the umask: directories 0700, files 0600, so no other
 * local user can plant an entry. A symlink where a store directory belongs is
 * refused, not followed: each directory is lstat'ed once per process before
 * it is read or written (docs/security.md).
 */
import { randomBytes } from 'node:crypto'
import {
  accessSync,
  chmodSync,
  closeSync,
  constants as fsConstants,
  type Dirent,
  fstatSync,
  lstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs'
import path from 'node:path'
import type { Hit } from '../gocacheprog/protocol.ts'
import { fileChunks } from './file-chunks.ts'

const HEX_ID = /^[0-9a-f]{64}$/
/** Entry and object reads never follow a symlink (O_NOFOLLOW is 0 on Windows, where the shim is the Node one and lstat still guards). */
const READ_NO_FOLLOW = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0)
/** 9999-12-31T23:59:59.999Z, the last instant Go's time.Time JSON takes. */
const MAX_TIME_MS = 253_402_300_799_999

export interface PutResult {
  diskPath: string
  /** False when an identical object was already there. */
  wroteObject: boolean
}

export class LocalStore {
  readonly root: string
  private readonly tmp: string
  private readonly tempBase = randomBytes(6).readUIntBE(0, 6)
  private tempCount = 0
  // Paths are built by concatenation: path.join cost more than the stat (bench/protocol.ts).
  private readonly objectPrefix: string
  private readonly actionPrefix: string
  /** Entry files are one short line; one read into this buffer takes them whole. */
  private readonly entryBuffer = Buffer.allocUnsafe(256)
  /** The imported entries read so far, and how far into the file (only whole lines are taken). */
  private readonly imported = new Map<string, Entry>()
  private importedRead = { ino: -1, offset: 0 }
  /** Open for appending while this instance imports a bundle. */
  private importFd: number | undefined
  /** Fan-out directories seen to be real directories, not symlinks (checked once per process). */
  private readonly checkedDirs = new Set<string>()
  /**
   * False when this user cannot write the store (a store another user keeps,
   * a read-only mount): hits are still served, and the shim tells go the cache
   * is read-only so that it sends no puts.
   */
  readonly writable: boolean

  constructor(root: string) {
    this.root = path.resolve(root)
    this.tmp = path.join(this.root, 'tmp')
    this.objectPrefix = path.join(this.root, 'o') + path.sep
    this.actionPrefix = path.join(this.root, 'a') + path.sep
    this.writable = makeWritableDir(this.tmp)
    for (const dir of [this.root, this.tmp, path.join(this.root, 'o'), path.join(this.root, 'a')]) {
      if (lstatSync(dir, { throwIfNoEntry: false })?.isSymbolicLink()) throw new Error(`${dir} is a symlink; the store refuses to follow it`)
    }
  }

  /** Whether `dir` may be used: a real directory (true), absent (false), or a symlink (throws, so a put fails and a get misses). */
  private checkDir(dir: string): boolean {
    if (this.checkedDirs.has(dir)) return true
    const info = lstatSync(dir, { throwIfNoEntry: false })
    if (info === undefined) return false
    if (!info.isDirectory()) throw new Error(`${dir} is not a directory (a symlink?); the store refuses to follow it`)
    this.checkedDirs.add(dir)
    return true
  }

  /**
   * Closes a store that an older version, or a looser umask, left open to
   * other users: the root, tmp/, o/, a/ and every fan-out directory become
   * 0700, and a symlink where a fan-out directory belongs is removed (what it
   * points at is left alone). Once per job, by the daemon; returns what it changed.
   */
  tighten(): string[] {
    const changed: string[] = []
    const dirs = [this.root, this.tmp]
    for (const top of ['o', 'a'].map((d) => path.join(this.root, d))) {
      if (!lstatSync(top, { throwIfNoEntry: false })?.isDirectory()) continue
      dirs.push(top)
      let entries: Dirent[] = []
      try {
        entries = readdirSync(top, { withFileTypes: true })
      } catch {
        continue
      }
      for (const entry of entries) {
        const dir = path.join(top, entry.name)
        if (entry.isDirectory()) dirs.push(dir)
        else if (entry.isSymbolicLink()) {
          unlinkSync(dir)
          changed.push(`removed the symlink ${dir}`)
        }
      }
    }
    for (const dir of dirs) {
      const info = lstatSync(dir, { throwIfNoEntry: false })
      if (info === undefined || !info.isDirectory() || (info.mode & 0o077) === 0) continue
      try {
        chmodSync(dir, 0o700)
        changed.push(`${dir} ${(info.mode & 0o777).toString(8)} → 700`)
      } catch {
        // Not ours (a store another user provides read-only): left as it is.
      }
    }
    return changed
  }

  /** Creates a fan-out directory owner-only, or checks the one there. */
  private ensureDir(dir: string): void {
    if (this.checkDir(dir)) return
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    if (!this.checkDir(dir)) throw new Error(`${dir} could not be created`)
  }

  objectPath(outputId: string): string {
    return this.objectPrefix + outputId.slice(0, 2) + path.sep + outputId
  }

  actionPath(actionId: string): string {
    return this.actionPrefix + actionId.slice(0, 2) + path.sep + actionId
  }

  get importedPath(): string {
    return importedPath(this.root)
  }

  /**
   * Synchronous on purpose: a few small syscalls (open, read, close the
   * entry; stat the object), cheaper than round trips through libuv's thread
   * pool on the hottest path.
   */
  get(actionId: string): Hit | undefined {
    assertId(actionId)
    const entryPath = this.actionPath(actionId)
    let entry: Entry | undefined
    try {
      entry = (this.checkDir(fanOutDir(entryPath)) ? readEntry(entryPath, this.entryBuffer) : undefined) ?? this.importedEntry(actionId)
    } catch {
      return undefined
    }
    if (entry === undefined) return undefined
    const diskPath = this.objectPath(entry.outputId)
    try {
      if (!this.checkDir(fanOutDir(diskPath))) return undefined
      // lstat: an object that is a symlink is not served (docs/security.md).
      const info = lstatSync(diskPath, { throwIfNoEntry: false })
      if (info === undefined || !info.isFile() || info.size !== entry.size || Math.trunc(info.mtimeMs) !== entry.objectMtimeMs) return undefined
    } catch {
      return undefined
    }
    return { outputId: entry.outputId, size: entry.size, timeMs: entry.timeMs, diskPath }
  }

  /**
   * Synchronous too, measured: a cold build makes hundreds of puts while go
   * waits on each one, and plain syscalls beat ~10 thread-pool round trips per
   * put (docs/decisions.md#d9). The object is whole on disk before we answer.
   */
  put(actionId: string, outputId: string, body: Iterable<Buffer>, size: number, timeMs = Date.now()): PutResult {
    return this.putShared(outputId, body, size, [{ actionId, timeMs }])
  }

  /**
   * One object and every entry that points at it (a bundle's object frame):
   * the object is written or compared once, not once per entry.
   */
  putShared(outputId: string, body: Iterable<Buffer>, size: number, entries: readonly { actionId: string; timeMs: number }[]): PutResult {
    return this.putEntries(this.publish(outputId, body, size, entries), outputId, size, entries)
  }

  /** A fresh path in tmp/ for a body too large for memory (a remote's object), written by the caller and then given to putStaged. */
  stagePath(): string {
    return this.tempName()
  }

  /**
   * "<pid>-<12 hex>", as the Go shim names its temp files: a random 48-bit
   * start and a counter, not random bytes per file (randomFillSync took
   * 0.1 s of a warm build's daemon). Opened with wx, so a clash fails safe.
   */
  private tempName(): string {
    return path.join(this.tmp, `${process.pid}-${((this.tempBase + this.tempCount++) % 2 ** 48).toString(16).padStart(12, '0')}`)
  }

  /**
   * put, for a body the caller wrote whole to `staged` (from stagePath) and
   * verified: linked into place, not copied. `staged` is gone after, either way.
   */
  putStaged(actionId: string, outputId: string, staged: string, size: number, timeMs: number): PutResult {
    try {
      const entries = [{ actionId, timeMs }]
      const body = { [Symbol.iterator]: () => fileChunks(staged, size) }
      return this.putEntries(this.publish(outputId, body, size, entries, staged), outputId, size, entries)
    } finally {
      unlinkQuietly(staged)
    }
  }

  private putEntries(
    { diskPath, wroteObject, mtimeMs }: PutResult & { mtimeMs: number },
    outputId: string,
    size: number,
    entries: readonly { actionId: string; timeMs: number }[],
  ): PutResult {
    for (const { actionId, timeMs } of entries) {
      this.writeAtomic(this.actionPath(actionId), [Buffer.from(entryLine(outputId, size, timeMs, mtimeMs), 'latin1')])
    }
    return { diskPath, wroteObject }
  }

  /** The object of a put, in place and verified; its mtime goes into the entries. `staged`: a file in tmp/ holding `body` already. */
  private publish(
    outputId: string,
    body: Iterable<Buffer>,
    size: number,
    entries: readonly { actionId: string }[],
    staged?: string,
  ): PutResult & { mtimeMs: number } {
    for (const entry of entries) assertId(entry.actionId)
    assertId(outputId)
    const diskPath = this.objectPath(outputId)
    // Content-addressed, so an object already there is reused, but only after
    // comparing its bytes: go puts again precisely after a get missed because
    // the object was modified, and the new entry must not vouch for those bytes.
    const existingMtimeMs = sameContentMtime(diskPath, body, size)
    if (existingMtimeMs !== undefined) return { diskPath, wroteObject: false, mtimeMs: existingMtimeMs }
    const { mtimeMs, wrote } =
      staged === undefined ? this.writeObject(diskPath, body, size) : this.place(staged, statSync(staged).mtimeMs, diskPath, body, size)
    return { diskPath, wroteObject: wrote, mtimeMs }
  }

  /**
   * A bundle's object and its entries, while the bundle is imported: the
   * object as in putShared, the entries as lines appended to `imported` (one
   * write), not a file each. A reader sees a line only once it is whole.
   */
  importShared(outputId: string, body: Iterable<Buffer>, size: number, entries: readonly { actionId: string; timeMs: number }[]): PutResult {
    const { diskPath, wroteObject, mtimeMs } = this.publish(outputId, body, size, entries)
    const lines = entries.map(({ actionId, timeMs }) => `${actionId} ${entryLine(outputId, size, timeMs, mtimeMs)}`).join('')
    this.importFd ??= openSync(this.importedPath, 'a', 0o600)
    writeAll(this.importFd, Buffer.from(lines, 'latin1'))
    return { diskPath, wroteObject }
  }

  /** Ends this instance's import (closes the file it appends to). */
  endImport(): void {
    if (this.importFd === undefined) return
    closeSync(this.importFd)
    this.importFd = undefined
  }

  /** An imported entry: from what was read already, else from the lines appended since (the import may still run). */
  private importedEntry(actionId: string): Entry | undefined {
    const known = this.imported.get(actionId)
    if (known !== undefined) return known
    // A miss costs one stat when nothing was appended since (the hot path: go's misses).
    let fd: number
    try {
      const info = statSync(this.importedPath, { throwIfNoEntry: false })
      if (info === undefined || (info.ino === this.importedRead.ino && info.size === this.importedRead.offset)) return undefined
      fd = openSync(this.importedPath, 'r')
    } catch {
      return undefined
    }
    try {
      const { ino, size } = fstatSync(fd)
      // Rewritten by a trim: start over.
      if (ino !== this.importedRead.ino || size < this.importedRead.offset) {
        this.imported.clear()
        this.importedRead = { ino, offset: 0 }
      }
      if (size === this.importedRead.offset) return undefined
      const fresh = Buffer.allocUnsafe(size - this.importedRead.offset)
      const length = readSync(fd, fresh, 0, fresh.length, this.importedRead.offset)
      // lastIndexOf would read a negative start as counted from the end.
      if (length === 0) return undefined
      const whole = fresh.lastIndexOf(0x0a, length - 1) + 1
      this.importedRead.offset += whole
      for (const [id, entry] of parseImported(fresh.toString('latin1', 0, whole))) this.imported.set(id, entry)
    } catch {
      return undefined
    } finally {
      closeSync(fd)
    }
    return this.imported.get(actionId)
  }

  /** Marks entries as used now, so trim() keeps what jobs actually read. Synchronous: thousands of utimes(2), each far cheaper than a thread-pool trip. */
  async touch(actionIds: Iterable<string>, when = new Date()): Promise<void> {
    for (const id of actionIds) {
      if (!HEX_ID.test(id)) continue
      try {
        utimesSync(this.actionPath(id), when, when)
      } catch {
        // gone since: trimmed, or never written
      }
    }
  }

  /**
   * Publishes an object under its content name. A hard link creates the name
   * only if it is free, so when shims race on one object the first copy stays
   * and every entry records that copy's mtime; a rename would swap in a later
   * copy with another mtime under entries already written (a miss each).
   * Replaces the name only when it holds other bytes.
   */
  private writeObject(target: string, body: Iterable<Buffer>, size: number): { mtimeMs: number; wrote: boolean } {
    const { temp, mtimeMs } = this.writeTemp(body)
    try {
      return this.place(temp, mtimeMs, target, body, size)
    } finally {
      unlinkQuietly(temp)
    }
  }

  /** writeObject's publishing, of a temp file holding `body` (written at `mtimeMs`); the caller removes `temp` after. */
  private place(temp: string, mtimeMs: number, target: string, body: Iterable<Buffer>, size: number): { mtimeMs: number; wrote: boolean } {
    this.ensureDir(fanOutDir(target))
    const error = tryLink(temp, target)
    if (error === undefined) return { mtimeMs, wrote: true }
    if (error.code === 'EEXIST') {
      const existing = sameContentMtime(target, body, size)
      if (existing !== undefined) return { mtimeMs: existing, wrote: false }
    } else if (!NO_HARD_LINKS.has(error.code ?? '')) {
      throw error
    }
    renameSync(temp, target)
    return { mtimeMs, wrote: true }
  }

  /** Writes to a temp file and renames it into place, replacing what was there; returns the file's mtime (rename keeps it). */
  private writeAtomic(target: string, chunks: Iterable<Buffer>): number {
    const { temp, mtimeMs } = this.writeTemp(chunks)
    try {
      this.ensureDir(fanOutDir(target))
      renameSync(temp, target)
      return mtimeMs
    } catch (error) {
      unlinkQuietly(temp)
      throw error
    }
  }

  /** A complete temp file in tmp/, and its mtime. On failure nothing is left behind (a full disk must not fill further). */
  private writeTemp(chunks: Iterable<Buffer>): { temp: string; mtimeMs: number } {
    const temp = this.tempName()
    // wx: never through a file or symlink already under the name.
    const fd = openSync(temp, 'wx', 0o600)
    let written = false
    try {
      for (const chunk of chunks) writeAll(fd, chunk)
      const { mtimeMs } = fstatSync(fd)
      written = true
      return { temp, mtimeMs }
    } finally {
      closeSync(fd)
      if (!written) unlinkQuietly(temp)
    }
  }
}

/** The o/xx or a/xx directory of an object or entry path (its name is always 64 hex digits): a slice, not path.dirname, on the hot path. */
function fanOutDir(file: string): string {
  return file.slice(0, file.length - 65)
}

/** Creates `dir` owner-only if needed; false when this user may not write there (the store is read-only to it). */
function makeWritableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    accessSync(dir, fsConstants.W_OK)
    return true
  } catch (error) {
    if (NOT_WRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) return false
    throw error
  }
}
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS'])

/** link(2), returning its error instead of throwing it. */
function tryLink(existing: string, target: string): NodeJS.ErrnoException | undefined {
  try {
    linkSync(existing, target)
    return undefined
  } catch (error) {
    return error as NodeJS.ErrnoException
  }
}

/** link(2) errors of filesystems without hard links (FAT, some network mounts): fall back to rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EACCES'])

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file)
  } catch {
    // already renamed into place, or gone
  }
}

function writeAll(fd: number, buffer: Buffer): void {
  let offset = 0
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset)
}

/** The mtime of `file` when it holds exactly `body` (`size` bytes), else undefined. */
function sameContentMtime(file: string, body: Iterable<Buffer>, size: number): number | undefined {
  let fd: number
  try {
    fd = openSync(file, READ_NO_FOLLOW)
  } catch {
    return undefined
  }
  try {
    const info = fstatSync(fd)
    if (!info.isFile() || info.size !== size) return undefined
    const scratch = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 1 << 20))
    for (const chunk of body) {
      for (let offset = 0; offset < chunk.length; ) {
        const n = readSync(fd, scratch, 0, Math.min(scratch.length, chunk.length - offset), null)
        if (n === 0 || scratch.compare(chunk, offset, offset + n, 0, n) !== 0) return undefined
        offset += n
      }
    }
    return info.mtimeMs
  } catch {
    return undefined
  } finally {
    closeSync(fd)
  }
}

export interface Entry {
  outputId: string
  size: number
  timeMs: number
  objectMtimeMs: number
}

/**
 * An entry file, read whole in one read into `buffer` (256 bytes: entries are
 * one short line); undefined when it is missing, longer than any entry we
 * write, or does not parse.
 */
export function readEntry(file: string, buffer: Buffer): Entry | undefined {
  let length: number
  try {
    const fd = openSync(file, READ_NO_FOLLOW)
    try {
      length = readSync(fd, buffer, 0, buffer.length, 0)
    } finally {
      closeSync(fd)
    }
  } catch {
    return undefined
  }
  if (length === buffer.length) return undefined
  return parseEntry(buffer.toString('latin1', 0, length))
}

export function importedPath(root: string): string {
  return path.join(root, 'imported')
}

/** The whole lines of an imported-entries file; lines that do not parse are skipped (a later line for an ID wins). */
export function parseImported(text: string): Map<string, Entry> {
  const entries = new Map<string, Entry>()
  for (const line of text.split('\n')) {
    if (line.length < 66 || line[64] !== ' ') continue
    const actionId = line.slice(0, 64)
    if (!HEX_ID.test(actionId)) continue
    const entry = parseEntry(`${line.slice(65)}\n`)
    if (entry !== undefined) entries.set(actionId, entry)
  }
  return entries
}

/** Every entry of the imported-entries file; none when it is missing or unreadable. */
export function readImported(root: string): Map<string, Entry> {
  try {
    return parseImported(readFileSync(importedPath(root), 'latin1'))
  } catch {
    return new Map()
  }
}

/** Rewrites the imported-entries file without `remove` (a trim), if it holds any of them; atomic, so a reader sees the old file or the new one. */
export function rewriteImported(root: string, remove: ReadonlySet<string>): void {
  const lines = [...readImported(root)]
  const kept = lines.filter(([id]) => !remove.has(id))
  if (kept.length === lines.length) return
  const temp = path.join(root, 'tmp', `imported-${process.pid}-${randomBytes(6).toString('hex')}`)
  writeFileSync(temp, kept.map(([id, e]) => `${id} ${entryLine(e.outputId, e.size, e.timeMs, e.objectMtimeMs)}`).join(''), { encoding: 'latin1', mode: 0o600 })
  renameSync(temp, importedPath(root))
}

function entryLine(outputId: string, size: number, timeMs: number, objectMtimeMs: number): string {
  return `v1 ${outputId} ${size} ${timeMs} ${Math.trunc(objectMtimeMs)}\n`
}

export function parseEntry(text: string): Entry | undefined {
  const m = /^v1 ([0-9a-f]{64}) (\d+) (\d+) (\d+)\n$/.exec(text)
  if (m === null) return undefined
  const entry = { outputId: m[1]!, size: Number(m[2]), timeMs: Number(m[3]), objectMtimeMs: Number(m[4]) }
  // The time goes back to go as RFC 3339, which it reads only up to year 9999;
  // out of range, the hit line would be unreadable and go would stop.
  if (!Number.isSafeInteger(entry.size) || !Number.isSafeInteger(entry.objectMtimeMs) || !(entry.timeMs <= MAX_TIME_MS)) return undefined
  return entry
}

function assertId(id: string): void {
  // Every ID becomes a file name: only 64 lowercase hex characters may.
  if (!HEX_ID.test(id)) throw new Error(`invalid cache ID ${JSON.stringify(id)}`)
}
