/**
 * The one REAPI message we store in bazel-remote's action cache, hand-encoded:
 * a few fields of build.bazel.remote.execution.v2.ActionResult
 * (remote_execution.proto), enough for bazel-remote to accept it and for any
 * REAPI tool to read what we stored (docs/remote-cache.md).
 *
 *   ActionResult            output_files = 2 (repeated), execution_metadata = 9
 *   OutputFile              path = 1, digest = 2
 *   Digest                  hash = 1 (lowercase hex), size_bytes = 2 (int64)
 *   ExecutedActionMetadata  worker = 1, worker_completed_timestamp = 4
 *   google.protobuf.Timestamp  seconds = 1 (int64), nanos = 2 (int32)
 *
 * bazel-remote re-marshals what it accepts, adding worker metadata unless
 * `worker` is set (server/http.go addWorkerMetadataHTTP): we set it, so the
 * stored bytes are ours. Decoding skips fields it does not know, as protobuf
 * readers must, and rejects anything malformed.
 */

import type { RemoteEntry } from './remote.ts'

/** The OutputFile path Go's object is stored under. */
export const GO_OUTPUT_PATH = 'go-output'
/** ExecutedActionMetadata.worker: says who wrote the entry. */
export const WORKER = 'go-cache-setup'

/** The entry an ActionResult carries (remote.ts). */
export type GoActionResult = RemoteEntry

const HEX_ID = /^[0-9a-f]{64}$/
/** 9999-12-31T23:59:59.999Z, the last instant Go's time.Time JSON takes. */
const MAX_TIME_MS = 253_402_300_799_999

export function encodeActionResult(result: GoActionResult): Buffer {
  if (!HEX_ID.test(result.outputId)) throw new Error(`invalid output ID ${JSON.stringify(result.outputId)}`)
  if (!Number.isSafeInteger(result.size) || result.size < 0) throw new Error(`invalid size ${result.size}`)
  if (!Number.isSafeInteger(result.timeMs) || result.timeMs < 0 || result.timeMs > MAX_TIME_MS) throw new Error(`invalid time ${result.timeMs}`)
  // proto3 leaves zero values out; Go's marshaller does too, so bazel-remote stores our bytes unchanged.
  const digest = Buffer.concat([stringField(1, result.outputId), result.size === 0 ? Buffer.alloc(0) : varintField(2, result.size)])
  const outputFile = Buffer.concat([stringField(1, GO_OUTPUT_PATH), bytesField(2, digest)])
  const seconds = Math.floor(result.timeMs / 1000)
  const nanos = (result.timeMs - seconds * 1000) * 1_000_000
  const timestamp = Buffer.concat([seconds === 0 ? Buffer.alloc(0) : varintField(1, seconds), nanos === 0 ? Buffer.alloc(0) : varintField(2, nanos)])
  const metadata = Buffer.concat([stringField(1, WORKER), bytesField(4, timestamp)])
  return Buffer.concat([bytesField(2, outputFile), bytesField(9, metadata)])
}

/**
 * Our entry from an ActionResult, or an Error saying why it is not one. Every
 * value that came from the server is checked: the hash must be an ID we would
 * write (it becomes a file name), the size and time in range.
 */
export function decodeActionResult(bytes: Uint8Array): GoActionResult | Error {
  try {
    let output: { hash?: string; size?: number } | undefined
    let timeMs = 0
    for (const field of readFields(bytes)) {
      if (field.number === 2 && field.bytes !== undefined) {
        let path: string | undefined
        let digest: Uint8Array | undefined
        for (const f of readFields(field.bytes)) {
          if (f.number === 1 && f.bytes !== undefined) path = utf8(f.bytes)
          if (f.number === 2 && f.bytes !== undefined) digest = f.bytes
        }
        if (path !== GO_OUTPUT_PATH || digest === undefined) continue
        const d: { hash?: string; size?: number } = { size: 0 }
        for (const f of readFields(digest)) {
          if (f.number === 1 && f.bytes !== undefined) d.hash = utf8(f.bytes)
          if (f.number === 2 && f.varint !== undefined) d.size = f.varint
        }
        output = d
      } else if (field.number === 9 && field.bytes !== undefined) {
        for (const f of readFields(field.bytes)) {
          if (f.number !== 4 || f.bytes === undefined) continue
          let seconds = 0
          let nanos = 0
          for (const t of readFields(f.bytes)) {
            if (t.number === 1 && t.varint !== undefined) seconds = t.varint
            if (t.number === 2 && t.varint !== undefined) nanos = t.varint
          }
          if (nanos < 0 || nanos >= 1e9) return new Error(`invalid timestamp nanos ${nanos}`)
          timeMs = seconds * 1000 + Math.floor(nanos / 1e6)
        }
      }
    }
    if (output === undefined) return new Error(`no ${GO_OUTPUT_PATH} output file`)
    if (output.hash === undefined || !HEX_ID.test(output.hash)) return new Error(`invalid output digest hash ${JSON.stringify(output.hash)}`)
    if (!Number.isSafeInteger(output.size) || output.size! < 0) return new Error(`invalid output size ${output.size}`)
    if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs > MAX_TIME_MS) return new Error(`invalid time ${timeMs}`)
    return { outputId: output.hash, size: output.size!, timeMs }
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

// --- protobuf wire format (protobuf.dev/programming-guides/encoding) ---

function key(number: number, wireType: number): Buffer {
  return varint(number * 8 + wireType)
}

/** Non-negative integers up to 2^53, as base-128 varints. */
function varint(value: number): Buffer {
  const out: number[] = []
  let v = value
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80)
    v = Math.floor(v / 0x80)
  }
  out.push(v)
  return Buffer.from(out)
}

function varintField(number: number, value: number): Buffer {
  return Buffer.concat([key(number, 0), varint(value)])
}

function bytesField(number: number, value: Uint8Array): Buffer {
  return Buffer.concat([key(number, 2), varint(value.length), value])
}

function stringField(number: number, value: string): Buffer {
  return bytesField(number, Buffer.from(value, 'utf8'))
}

interface Field {
  number: number
  /** Wire type 0, when it fits in a safe integer (negative int64s do not: they are rejected). */
  varint?: number
  /** Wire type 2. */
  bytes?: Uint8Array
}

function* readFields(buf: Uint8Array): Generator<Field> {
  let pos = 0
  const readVarint = (): number => {
    let result = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new Error('truncated varint')
      const b = buf[pos++]!
      result += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new Error('varint out of range')
        return result
      }
      scale *= 0x80
    }
    throw new Error('varint too long')
  }
  while (pos < buf.length) {
    const k = readVarint()
    const number = Math.floor(k / 8)
    const wireType = k % 8
    if (number === 0) throw new Error('field number 0')
    switch (wireType) {
      case 0:
        yield { number, varint: readVarint() }
        break
      case 1:
        if (pos + 8 > buf.length) throw new Error('truncated fixed64')
        pos += 8
        break
      case 2: {
        const length = readVarint()
        if (pos + length > buf.length) throw new Error('truncated length-delimited field')
        yield { number, bytes: buf.subarray(pos, pos + length) }
        pos += length
        break
      }
      case 5:
        if (pos + 4 > buf.length) throw new Error('truncated fixed32')
        pos += 4
        break
      default:
        throw new Error(`unsupported wire type ${wireType}`)
    }
  }
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
}
