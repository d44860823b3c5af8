/**
 * How many test results go took from the cache: among the entries the job
 * used, those whose object is a test's output. go test stores the output of a
 * passing run under a key of the test and its inputs (cmd/go/internal/test
 * testAndInputKey), and looks that key up only to serve `(cached)`; the
 * output ends with the `ok  \t<package>\t<time>s` line go prints
 * (builderRunTest). Compiled objects are archives (`!<arch>`), never text
 * ending so.
 */
import { closeSync, openSync, readSync } from 'node:fs'
import type { BundleStore } from './bundle-store.ts'

/** Test outputs are a few lines; larger objects are compiled code and are not read. */
const MAX_OUTPUT_BYTES = 1 << 20
const TAIL_BYTES = 512
const OK_LINE = /(?:^|\n)ok {2}\t\S+\t[^\n]*\n$/

export function countTestResults(store: Pick<BundleStore, 'get'>, used: Iterable<string>): number {
  let count = 0
  const tail = Buffer.alloc(TAIL_BYTES)
  for (const id of used) {
    const hit = store.get(id)
    if (hit === undefined || hit.size === 0 || hit.size > MAX_OUTPUT_BYTES) continue
    let fd: number | undefined
    try {
      fd = openSync(hit.diskPath, 'r')
      const length = Math.min(TAIL_BYTES, hit.size)
      const read = readSync(fd, tail, 0, length, hit.size - length)
      if (OK_LINE.test(tail.toString('latin1', 0, read))) count++
    } catch {
      // Trimmed or replaced since: not counted.
    } finally {
      if (fd !== undefined) closeSync(fd)
    }
  }
  return count
}
