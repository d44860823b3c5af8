import { closeSync, openSync, readSync } from 'node:fs'

/**
 * `size` bytes of `file`, read 1 MiB at a time, synchronously (the stores
 * write synchronously): an object too large for memory, as an iterable a
 * store can compare and copy like a body held in memory. One buffer serves
 * every read, so a chunk is valid only until the next one is taken: a fresh
 * buffer each time left up to the whole object as garbage in one synchronous
 * loop (decisions.md#d32).
 */
export function* fileChunks(file: string, size: number): Generator<Buffer> {
  const fd = openSync(file, 'r')
  try {
    const buffer = Buffer.allocUnsafe(Math.min(size, 1 << 20))
    for (let at = 0; at < size; ) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, size - at), at)
      if (n === 0) throw new Error(`${file} ends at ${at} of ${size} bytes`)
      at += n
      yield buffer.subarray(0, n)
    }
  } finally {
    closeSync(fd)
  }
}
