/**
 * The bundle: the local store's useful part as one file, so the whole store
 * travels as ONE cache entry (the GitHub Actions cache takes 200 uploads a
 * minute per repository; an entry per object would never fit).
 *
 * Before compression (all integers big-endian):
 *
 *   "go-cache-setup bundle 3\n"
 *   base frame, at most once, first (a layer: this bundle holds only what
 *   its base bundle, restored alongside it, lacks; docs/decisions.md#d24):
 *     'B'  n u16  n bytes of the base's cache key (latin1)
 *   index frame, exactly once, after the header and base frame:
 *     'I'  n u32  n × actionID[32]
 *   object frame, once per object:
 *     'O'  outputID[32]  size u64  n u32  n × (actionID[32]  putTime ms u64)  body[size]
 *   end frame, exactly once, last:
 *     'E'  objects u64  entries u64
 *
 * An object carries the entries that point at it, so the reader can verify the
 * body (its sha256 is the OutputID: cmd/go/internal/cache computes it so) and
 * then publish it with its entries; nothing is held back for later. IDs are
 * raw bytes, so no name from a bundle ever becomes a path: the reader turns
 * them into 64 hex characters itself. The index says up front which entries
 * are coming, so a go process that asks for one before it arrives can wait for
 * it instead of recompiling (the daemon imports while go runs: docs/decisions.md#d22); an entry
 * it names that never arrives is a miss. The end frame makes a truncated
 * bundle detectable. The stream is zstd with checksums (Node 24's zlib): level 3 with
 * long-distance matching, chosen by measurement (docs/decisions.md#d13).
 */
import { createHash } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import zlib from 'node:zlib'
import { MAX_GO_OBJECT_BYTES } from '../go/object-size.ts'
import { BUILD_ID_HEAD_BYTES } from '../store/build-id.ts'
import { fileChunks, readHashed } from '../store/file-chunks.ts'

export const BUNDLE_MAGIC = Buffer.from('go-cache-setup bundle 3\n', 'latin1')
const BASE = 0x42 // 'B'
const INDEX = 0x49 // 'I'
const OBJECT = 0x4f // 'O'
const END = 0x45 // 'E'
const ID_BYTES = 32
/**
 * An object up to this size is verified in memory; a larger one streams to a
 * file in `stageDir` while it is hashed, so memory stays flat whatever an
 * object's size (docs/decisions.md#d32).
 */
export const IN_MEMORY_OBJECT_BYTES = 8 * 1024 ** 2
const MAX_ENTRIES_PER_OBJECT = 1 << 20
/** 4 Mi entries is 128 MiB of IDs, far beyond any build's cache. */
const MAX_INDEX_ENTRIES = 1 << 22
/** @actions/cache refuses keys over 512 characters. */
const MAX_BASE_KEY_BYTES = 512

export interface BundleEntry {
  actionId: string
  timeMs: number
}

export interface BundleObject {
  outputId: string
  size: number
  entries: BundleEntry[]
}

/** Frames for one object: the header, then the body as given. */
export function objectHeader(object: BundleObject): Buffer {
  const header = Buffer.alloc(1 + ID_BYTES + 8 + 4 + object.entries.length * (ID_BYTES + 8))
  let at = 0
  header[at++] = OBJECT
  at += idBytes(object.outputId).copy(header, at)
  header.writeBigUInt64BE(BigInt(object.size), at)
  at += 8
  header.writeUInt32BE(object.entries.length, at)
  at += 4
  for (const entry of object.entries) {
    at += idBytes(entry.actionId).copy(header, at)
    header.writeBigUInt64BE(BigInt(Math.max(0, Math.trunc(entry.timeMs))), at)
    at += 8
  }
  return header
}

/** The index frame: every action ID the object frames will carry, in their order. */
export function indexFrame(objects: readonly BundleObject[]): Buffer {
  const count = objects.reduce((n, o) => n + o.entries.length, 0)
  const frame = Buffer.alloc(1 + 4 + count * ID_BYTES)
  frame[0] = INDEX
  frame.writeUInt32BE(count, 1)
  let at = 5
  for (const object of objects) for (const entry of object.entries) at += idBytes(entry.actionId).copy(frame, at)
  return frame
}

/** The base frame: the cache key of the bundle this one is a layer on. */
export function baseFrame(baseKey: string): Buffer {
  const key = Buffer.from(baseKey, 'latin1')
  if (key.length === 0 || key.length > MAX_BASE_KEY_BYTES || key.toString('latin1') !== baseKey) throw new Error(`invalid base key ${JSON.stringify(baseKey)}`)
  const frame = Buffer.alloc(3 + key.length)
  frame[0] = BASE
  frame.writeUInt16BE(key.length, 1)
  key.copy(frame, 3)
  return frame
}

export function endFrame(objects: number, entries: number): Buffer {
  const frame = Buffer.alloc(17)
  frame[0] = END
  frame.writeBigUInt64BE(BigInt(objects), 1)
  frame.writeBigUInt64BE(BigInt(entries), 9)
  return frame
}

/**
 * Reads and zstd chunks of 1 MiB, not Node's 16 KiB defaults: each chunk is a
 * trip through libuv's thread pool, and at 16 KiB decompressing a 154 MiB
 * bundle took 0.9–1.5 s against 0.27–0.36 s (docs/decisions.md#d22).
 */
export const STREAM_CHUNK_BYTES = 1 << 20

/** zstd level 3, long-distance matching over a 128 MiB window, frame checksums (docs/decisions.md#d13). */
export function compressor(): zlib.ZstdCompress {
  const C = zlib.constants
  return zlib.createZstdCompress({
    chunkSize: STREAM_CHUNK_BYTES,
    params: {
      [C.ZSTD_c_compressionLevel]: 3,
      [C.ZSTD_c_enableLongDistanceMatching]: 1,
      [C.ZSTD_c_windowLog]: 27,
      [C.ZSTD_c_checksumFlag]: 1,
    },
  })
}

export function decompressor(): zlib.ZstdDecompress {
  // 27 is zstd's default window limit; say it, so a hostile frame cannot ask for more memory.
  return zlib.createZstdDecompress({ chunkSize: STREAM_CHUNK_BYTES, params: { [zlib.constants.ZSTD_d_windowLogMax]: 27 } })
}

export class BundleFormatError extends Error {
  override name = 'BundleFormatError'
}

export interface ReadLimits {
  /** Stop with an error once the bodies add up to more than this. */
  maxTotalBytes: number
  /**
   * A private directory where an object over IN_MEMORY_OBJECT_BYTES is
   * written while it is verified; its file is gone once `accept` returns.
   * Without one, every object is held in memory (tests, small bundles).
   */
  stageDir?: string
}

export interface VerifiedObject extends BundleObject {
  /** The first bytes of the body (up to 1 KiB: enough for Go's build ID, store/build-id.ts). */
  head: Buffer
  /** The body, verified: in memory, or read from its staged file 1 MiB at a time, afresh on each iteration (a chunk is valid until the next). Iterable during `accept` only. */
  body: Iterable<Buffer>
}

export interface ReadResult {
  objects: number
  entries: number
  bytes: number
  /** Objects whose body did not hash to their OutputID; skipped with their entries. */
  rejected: number
}

/** What a bundle says before its objects: the base it is a layer on, and every entry it carries. */
export interface BundleHead {
  /** Unvalidated bytes from the bundle: the caller checks it before using it as a key. */
  baseKey?: string
  actionIds: string[]
}

/**
 * Reads a decompressed bundle: `head()` first, then `objects()`, which hands
 * each object whose body hashes to its OutputID to `accept`, in order. Both
 * throw BundleFormatError on anything not in the format (bad magic, bad
 * frame, over the limits, truncated, trailing bytes, counts that do not
 * match); what was accepted before stays accepted: each of those objects was
 * verified on its own. Head and objects are apart so that an import of a
 * layer and its base can announce both indexes before either's objects.
 */
export class BundleReader {
  private readonly input: ByteReader
  private readonly limits: ReadLimits

  constructor(chunks: AsyncIterable<Buffer>, limits: ReadLimits) {
    this.input = new ByteReader(chunks)
    this.limits = limits
  }

  async head(): Promise<BundleHead> {
    const input = this.input
    const magic = await input.take(BUNDLE_MAGIC.length)
    if (!magic.equals(BUNDLE_MAGIC)) throw new BundleFormatError('not a go-cache-setup bundle (bad header)')
    let kind = (await input.take(1))[0]
    let baseKey: string | undefined
    if (kind === BASE) {
      const length = (await input.take(2)).readUInt16BE(0)
      if (length === 0 || length > MAX_BASE_KEY_BYTES) throw new BundleFormatError(`a base key of ${length} bytes`)
      baseKey = (await input.take(length)).toString('latin1')
      kind = (await input.take(1))[0]
    }
    if (kind !== INDEX) throw new BundleFormatError('no index frame after the header')
    const indexCount = (await input.take(4)).readUInt32BE(0)
    if (indexCount > MAX_INDEX_ENTRIES) throw new BundleFormatError(`an index of ${indexCount} entries`)
    const index = await input.take(indexCount * ID_BYTES)
    const actionIds: string[] = []
    for (let at = 0; at < index.length; at += ID_BYTES) actionIds.push(index.subarray(at, at + ID_BYTES).toString('hex'))
    return { ...(baseKey !== undefined && { baseKey }), actionIds }
  }

  async objects(accept: (object: VerifiedObject) => void | Promise<void>): Promise<ReadResult> {
    const input = this.input
    const result: ReadResult = { objects: 0, entries: 0, bytes: 0, rejected: 0 }
    for (;;) {
      const kind = (await input.take(1))[0]
      if (kind === END) {
        const end = await input.take(16)
        const objects = Number(end.readBigUInt64BE(0))
        const entries = Number(end.readBigUInt64BE(8))
        if (objects !== result.objects + result.rejected || entries < result.entries) {
          throw new BundleFormatError(`the end frame counts ${objects} objects and ${entries} entries; the bundle held others`)
        }
        if (!(await input.atEnd())) throw new BundleFormatError('bytes after the end frame')
        return result
      }
      if (kind !== OBJECT) throw new BundleFormatError(`unknown frame 0x${kind?.toString(16)}`)
      const head = await input.take(ID_BYTES + 12)
      const outputId = head.subarray(0, ID_BYTES).toString('hex')
      const size = Number(head.readBigUInt64BE(ID_BYTES))
      const count = head.readUInt32BE(ID_BYTES + 8)
      // Refused before a byte of it is read: we never write such an object (buildcache/bundle-save.ts).
      if (size > MAX_GO_OBJECT_BYTES || result.bytes + size > this.limits.maxTotalBytes) {
        throw new BundleFormatError(`an object of ${size} bytes goes over the limit of ${Math.min(MAX_GO_OBJECT_BYTES, this.limits.maxTotalBytes)} bytes`)
      }
      if (count === 0 || count > MAX_ENTRIES_PER_OBJECT) throw new BundleFormatError(`an object with ${count} entries`)
      const table = await input.take(count * (ID_BYTES + 8))
      const entries: BundleEntry[] = []
      for (let at = 0; at < table.length; at += ID_BYTES + 8) {
        entries.push({ actionId: table.subarray(at, at + ID_BYTES).toString('hex'), timeMs: Number(table.readBigUInt64BE(at + ID_BYTES)) })
      }
      const stageDir = this.limits.stageDir
      if (size <= IN_MEMORY_OBJECT_BYTES || stageDir === undefined) {
        const body = await input.take(size)
        if (createHash('sha256').update(body).digest('hex') !== outputId) {
          result.rejected++
          continue
        }
        await accept({ outputId, size, entries, head: body.subarray(0, BUILD_ID_HEAD_BYTES), body: [body] })
      } else {
        const staged = path.join(stageDir, outputId)
        try {
          const { digest, head } = await readHashed(input.stream(size), staged)
          if (digest !== outputId) {
            result.rejected++
            continue
          }
          await accept({ outputId, size, entries, head, body: { [Symbol.iterator]: () => fileChunks(staged, size) } })
        } finally {
          await rm(staged, { force: true })
        }
      }
      result.objects++
      result.entries += entries.length
      result.bytes += size
    }
  }
}

/** The whole bundle in one call: head, then objects. */
export async function readBundle(
  chunks: AsyncIterable<Buffer>,
  limits: ReadLimits,
  accept: (object: VerifiedObject) => void | Promise<void>,
  onHead?: (head: BundleHead) => void,
): Promise<ReadResult> {
  const reader = new BundleReader(chunks, limits)
  const head = await reader.head()
  onHead?.(head)
  return reader.objects(accept)
}

function idBytes(hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`invalid cache ID ${JSON.stringify(hex)}`)
  return Buffer.from(hex, 'hex')
}

/** Exact-length reads over a stream of chunks. */
class ByteReader {
  private readonly iterator: AsyncIterator<Buffer>
  private pending: Buffer[] = []
  private buffered = 0

  constructor(chunks: AsyncIterable<Buffer>) {
    this.iterator = chunks[Symbol.asyncIterator]()
  }

  async take(n: number): Promise<Buffer> {
    while (this.buffered < n) {
      if (!(await this.pull())) throw new BundleFormatError('the bundle ends early (truncated)')
    }
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.buffered)
    const out = all.subarray(0, n)
    const rest = all.subarray(n)
    this.pending = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
    return out
  }

  /** The next `n` bytes as they arrive, never joined: memory stays at a chunk or two. */
  async *stream(n: number): AsyncGenerator<Buffer> {
    let left = n
    while (left > 0) {
      if (this.buffered === 0 && !(await this.pull())) throw new BundleFormatError('the bundle ends early (truncated)')
      const first = this.pending.shift()!
      const piece = first.length <= left ? first : first.subarray(0, left)
      if (piece !== first) this.pending.unshift(first.subarray(left))
      this.buffered -= piece.length
      left -= piece.length
      yield piece
    }
  }

  async atEnd(): Promise<boolean> {
    while (this.buffered === 0) if (!(await this.pull())) return true
    return false
  }

  private async pull(): Promise<boolean> {
    const next = await this.iterator.next()
    if (next.done) return false
    if (next.value.length > 0) {
      this.pending.push(next.value)
      this.buffered += next.value.length
    }
    return true
  }
}
