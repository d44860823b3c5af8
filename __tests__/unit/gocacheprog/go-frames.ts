/**
 * Requests framed exactly as cmd/go writes them (writeToChild in
 * cmd/go/internal/cache/prog.go): json.Encoder output (object + "\n"), one more
 * "\n", then, only when BodySize > 0, the body as `"<padded std base64>"\n`.
 * Shared by the unit tests, the CLI protocol test and bench/protocol.ts.
 */
import { createHash } from 'node:crypto'

/** A deterministic 32-byte ID (hex) for a label: stands in for Go's SHA-256 action and output IDs. */
export function hexId(label: string | number): string {
  return createHash('sha256').update(`id:${label}`).digest('hex')
}

export function b64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64')
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

/** `get` as Go frames it. */
export function getFrame(id: number, actionIdHex: string): string {
  return `${JSON.stringify({ ID: id, Command: 'get', ActionID: b64(actionIdHex) })}\n\n`
}

/**
 * `put` as Go frames it; the OutputID is the body's SHA-256 unless given.
 * `field: 'ObjectID'` is what Go 1.21–1.23 sent instead of OutputID.
 */
export function putFrame(id: number, actionIdHex: string, body: Buffer, options: { outputIdHex?: string; field?: 'OutputID' | 'ObjectID' } = {}): string {
  const outputId = b64(options.outputIdHex ?? sha256Hex(body))
  const request: Record<string, unknown> = { ID: id, Command: 'put', ActionID: b64(actionIdHex) }
  request[options.field ?? 'OutputID'] = outputId
  if (body.length > 0) request.BodySize = body.length
  const head = `${JSON.stringify(request)}\n\n`
  return body.length > 0 ? `${head}"${body.toString('base64')}"\n` : head
}

export function closeFrame(id: number): string {
  return `${JSON.stringify({ ID: id, Command: 'close' })}\n\n`
}

/** Splits `data` into chunks at the given cut points (sorted, deduplicated, within range). */
export function chunkAt(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < data.length))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let start = 0
  for (const p of [...points, data.length]) {
    chunks.push(data.subarray(start, p))
    start = p
  }
  return chunks
}

/** A small seeded PRNG (mulberry32), so "random" chunkings are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
