/**
 * zstd for blobs on the wire, shared by the remotes that offer it (bazel-remote
 * over HTTP and REAPI). Node gained zstd in zlib in 22.15/23.8; the runner's
 * node24 has it.
 */
import { Transform, type TransformCallback } from 'node:stream'
import zlib from 'node:zlib'

export const HAS_ZSTD = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function'

/** The blob at level 1 (fast; Go objects shrink 2–3×), or undefined when that is no smaller: incompressible data goes plain. */
export function zstdCompress(body: Uint8Array): Buffer | undefined {
  const compressed = zlib.zstdCompressSync(body, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } })
  return compressed.length < body.length ? compressed : undefined
}

/**
 * The stages that decode a zstd stream of a `size`-byte blob; the caller caps
 * their output at `size` (http.ts capped), so a bomb stops there.
 *
 * On libuv's thread pool, at most 1 MiB at a time: a bomb costs a thread, never
 * the event loop. The output buffer is sized to the blob: zlib allocates a whole
 * chunk per stream, and 1 MiB for each of thousands of small Go objects made
 * decompressing them 1.4–1.6× slower (3,000 objects, 411 MiB: 1.8–2.3 s against
 * 2.5–3.7 s), most of it garbage.
 */
export function zstdDecoding(size: number): [Transform, Transform] {
  const chunkSize = Math.min(1 << 20, Math.max(size + 1, 16 * 1024))
  return [new SkipSkippableFrames(), zlib.createZstdDecompress({ chunkSize, params: { [zlib.constants.ZSTD_d_windowLogMax]: 27 } })]
}

/**
 * bazel-remote's zstd blobs start with a skippable frame (magic 0x184D2A5?)
 * holding its chunk table (cache/disk/casblob); Node's zstd decoder returns
 * nothing for a stream that starts with one, so they are dropped here. A
 * frame's 8-byte header may arrive split across chunks. The caller checks the
 * decoded bytes against the digest anyway.
 */
export class SkipSkippableFrames extends Transform {
  private pending: Buffer = Buffer.alloc(0)
  private done = false
  private skip = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.done ? chunk : this.strip(this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk))
  }

  /** What follows the skippable frames in `data`, or undefined while more is needed to tell. */
  private strip(data: Buffer): Buffer | undefined {
    this.pending = Buffer.alloc(0)
    for (;;) {
      const n = Math.min(this.skip, data.length)
      this.skip -= n
      data = data.subarray(n)
      if (this.skip > 0) return undefined
      if (data.length < 8) {
        this.pending = data
        return undefined
      }
      if ((data.readUInt32LE(0) & 0xfffffff0) !== 0x184d2a50) {
        this.done = true
        return data
      }
      this.skip = 8 + data.readUInt32LE(4)
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.pending.length > 0 ? this.pending : undefined)
  }
}
