import { closeSync, openSync, readSync } from 'node:fs'

/**
 * `size` bytes of `file`, read 1 MiB at a time, synchronously (the stores
 * write synchronously): an object too large for memory, as an iterable a
 * store can compare and copy like a body held in memory.
 */
export function* fileChunks(file: string, size: number): Generator<Buffer> {
  const fd = openSync(file, 'r')
  try {
    for (let at = 0; at < size; ) {
      // A fresh buffer each time: a consumer may keep a chunk after the next one.
      const buffer = Buffer.allocUnsafe(Math.min(size - at, 1 << 20))
      const n = readSync(fd, buffer, 0, buffer.length, at)
      if (n === 0) throw new Error(`${file} ends at ${at} of ${size} bytes`)
      at += n
      yield buffer.subarray(0, n)
    }
  } finally {
    closeSync(fd)
  }
}
