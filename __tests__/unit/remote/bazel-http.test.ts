import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { SkipSkippableFrames } from '../../../src/remote/zstd.ts'
import { READ_BASE_MS, readDeadlineMs } from '../../../src/remote/http.ts'

describe('readDeadlineMs', () => {
  it('gives a read 2 s plus its bytes at 2 MiB/s, never more than cache-timeout', () => {
    expect(READ_BASE_MS).toBe(2000)
    // An action entry (at most 64 KiB expected): about 2 s, not the 10 s default timeout.
    expect(readDeadlineMs(10_000, 64 * 1024)).toBe(2032)
    // A 10 MiB object: 2 s + 5 s.
    expect(readDeadlineMs(10_000, 10 * 1024 * 1024)).toBe(7000)
    // A 100 MiB object: capped by cache-timeout.
    expect(readDeadlineMs(10_000, 100 * 1024 * 1024)).toBe(10_000)
    expect(readDeadlineMs(1000, 0)).toBe(1000)
  })
})

describe('SkipSkippableFrames', () => {
  /** A skippable frame (magic 0x184D2A50–5F) holding `n` bytes, as bazel-remote writes its chunk table. */
  const skippable = (magic: number, n: number) => {
    const frame = Buffer.alloc(8 + n, 0xaa)
    frame.writeUInt32LE(magic, 0)
    frame.writeUInt32LE(n, 4)
    return frame
  }
  const payload = zlib.zstdCompressSync(Buffer.from('the blob itself'))
  const through = async (bytes: Buffer, piece: number) =>
    Buffer.concat(
      (await Readable.from(Array.from({ length: Math.ceil(bytes.length / piece) }, (_, i) => bytes.subarray(i * piece, (i + 1) * piece)))
        .pipe(new SkipSkippableFrames())
        .toArray()) as Buffer[],
    )

  it.each([1, 3, 7, 8, 1000])('drops leading skippable frames, however the stream is cut (%i-byte pieces), and keeps the rest whole', async (piece) => {
    const stream = Buffer.concat([skippable(0x184d2a50, 20), skippable(0x184d2a5f, 0), payload])
    expect((await through(stream, piece)).equals(payload)).toBe(true)
    expect((await through(payload, piece)).equals(payload)).toBe(true)
  })

  it('passes a stream shorter than a frame header as it is', async () => {
    expect((await through(Buffer.from([1, 2, 3]), 1)).equals(Buffer.from([1, 2, 3]))).toBe(true)
  })
})
