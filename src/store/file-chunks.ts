import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { BUILD_ID_HEAD_BYTES } from './build-id.ts'

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

/**
 * Reads `chunks` to the end, hashing them: into memory (`body`), or into
 * `file` (created owner-only) as they arrive. With the sha256, the length,
 * and the first BUILD_ID_HEAD_BYTES for the build-ID check. A bundle's large
 * objects and a remote's both come through here.
 */
export async function readHashed(chunks: AsyncIterable<Buffer>, file?: string): Promise<{ digest: string; length: number; head: Buffer; body?: Buffer }> {
  const hash = createHash('sha256')
  const kept: Buffer[] = []
  let head = Buffer.alloc(0)
  let length = 0
  const handle = file === undefined ? undefined : await open(file, 'wx', 0o600)
  try {
    for await (const chunk of chunks) {
      hash.update(chunk)
      length += chunk.length
      if (head.length < BUILD_ID_HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, BUILD_ID_HEAD_BYTES - head.length)])
      if (handle === undefined) kept.push(chunk)
      else await handle.write(chunk)
    }
  } finally {
    await handle?.close()
  }
  return { digest: hash.digest('hex'), length, head, ...(handle === undefined && { body: Buffer.concat(kept, length) }) }
}
