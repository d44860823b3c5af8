/**
 * GOCACHEPROG wire format, pure: an incremental request parser and response
 * encoding. No I/O here, so the framing is tested byte for byte.
 *
 * From cmd/go/internal/cache/prog.go (writeToChild) and
 * cmd/go/internal/cacheprog/cacheprog.go:
 * - each request is one JSON object on a line, followed by a blank line;
 * - when BodySize > 0, the body follows as a JSON string of padded standard
 *   base64 on its own line; with BodySize 0 there is no body line at all;
 * - []byte fields (ActionID, OutputID) are padded standard base64;
 * - responses may be sent in any order, matched by ID.
 */

export type Command = 'get' | 'put' | 'close'
export const KNOWN_COMMANDS: readonly Command[] = ['get', 'put', 'close']

/** Go's cache IDs are SHA-256 sized (cmd/go/internal/cache HashSize). */
export const ID_SIZE = 32

export interface Request {
  id: number
  command: Command
  /** Hex of the 32-byte ActionID (get, put). */
  actionId?: string
  /** Hex of the 32-byte OutputID (put). */
  outputId?: string
  bodySize: number
  /** The decoded body (put with bodySize > 0), as the chunks it arrived in. */
  body?: Buffer[]
}

export interface Hit {
  outputId: string
  size: number
  /** When the entry was put, in ms since the epoch: `go clean -testcache` compares it. */
  timeMs: number
  diskPath: string
}

export type Response =
  | { id: number; kind: 'hello'; readOnly: boolean }
  | { id: number; kind: 'miss' }
  | { id: number; kind: 'hit'; hit: Hit }
  | { id: number; kind: 'put'; diskPath: string }
  | { id: number; kind: 'ok' }
  | { id: number; kind: 'error'; message: string }

/** A stream that is not the protocol: the program must stop (stderr, non-zero exit). */
export class ProtocolError extends Error {
  override name = 'ProtocolError'
}

const NEWLINE = 0x0a
const QUOTE = 0x22
const EQUALS = 0x3d
/** cmd/go's request lines are ~200 bytes; anything this long is not the protocol. */
export const MAX_LINE_BYTES = 1 << 20

/**
 * Feed bytes in any chunking; complete requests come out in order. Bodies are
 * decoded as they stream in (4-character aligned), never held as base64.
 */
export class RequestParser {
  private buffer: Buffer = Buffer.alloc(0)
  private pending?: { request: Request; opened: boolean; decoded: number; carry: string }

  push(chunk: Buffer): Request[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const out: Request[] = []
    for (;;) {
      if (this.pending) {
        if (!this.readBody()) break
        out.push(this.pending.request)
        this.pending = undefined
        continue
      }
      this.skipWhitespace()
      if (this.buffer.length === 0) break
      const end = this.buffer.indexOf(NEWLINE)
      // Checked whether or not the newline has arrived, so the verdict does not depend on the chunking.
      if ((end === -1 ? this.buffer.length : end) > MAX_LINE_BYTES) throw new ProtocolError('request line longer than 1 MiB')
      if (end === -1) break
      const line = this.buffer.subarray(0, end).toString('utf8')
      this.buffer = this.buffer.subarray(end + 1)
      const request = parseRequestLine(line)
      if (request.bodySize > 0) {
        this.pending = { request: { ...request, body: [] }, opened: false, decoded: 0, carry: '' }
      } else {
        out.push(request)
      }
    }
    return out
  }

  /** True when the stream ended between requests. */
  get idle(): boolean {
    return this.pending === undefined && this.buffer.every((b) => isSpace(b))
  }

  private skipWhitespace(): void {
    let i = 0
    while (i < this.buffer.length && isSpace(this.buffer[i]!)) i++
    if (i > 0) this.buffer = this.buffer.subarray(i)
  }

  /** Consumes body bytes; true once the closing quote and the body are complete. */
  private readBody(): boolean {
    const p = this.pending!
    if (!p.opened) {
      this.skipWhitespace()
      if (this.buffer.length === 0) return false
      if (this.buffer[0] !== QUOTE) throw new ProtocolError(`request ${p.request.id}: expected the base64 body of ${p.request.bodySize} bytes`)
      this.buffer = this.buffer.subarray(1)
      p.opened = true
    }
    const close = this.buffer.indexOf(QUOTE)
    const text = (close === -1 ? this.buffer : this.buffer.subarray(0, close)).toString('latin1')
    this.buffer = close === -1 ? Buffer.alloc(0) : this.buffer.subarray(close + 1)
    // Node's decoder also takes the URL-safe alphabet; Go only writes the standard one.
    if (text.includes('-') || text.includes('_')) throw new ProtocolError(`request ${p.request.id}: body is not standard base64`)
    const all = p.carry + text
    let usable = close === -1 ? all.length - (all.length % 4) : all.length
    // A padded group can only be the last one: hold it back until the closing
    // quote arrives (it may be in the next chunk), or it would be checked as a
    // full 3-byte group.
    if (close === -1 && usable > 0 && all.charCodeAt(usable - 1) === EQUALS) usable -= 4
    if (usable > 0) {
      const bytes = Buffer.from(all.slice(0, usable), 'base64')
      // Node's decoder skips characters outside the alphabet, so anything but
      // clean base64 comes out short; a full-alphabet regex cost a quarter of
      // the client's CPU in a cold build.
      if (close === -1 ? bytes.length !== (usable / 4) * 3 : bytes.length !== decodedLength(all)) {
        throw new ProtocolError(`request ${p.request.id}: body is not standard base64`)
      }
      p.request.body!.push(bytes)
      p.decoded += bytes.length
    }
    p.carry = all.slice(usable)
    if (close === -1) return false
    if (p.decoded !== p.request.bodySize) {
      throw new ProtocolError(`request ${p.request.id}: body has ${p.decoded} bytes, BodySize says ${p.request.bodySize}`)
    }
    return true
  }
}

/** Bytes that a complete, padded base64 text decodes to. */
function decodedLength(text: string): number {
  if (text.length % 4 !== 0) return -1
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  return (text.length / 4) * 3 - padding
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09
}

export function parseRequestLine(line: string): Request {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    throw new ProtocolError(`not a JSON request: ${truncate(line)}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ProtocolError(`not a JSON object: ${truncate(line)}`)
  const r = raw as Record<string, unknown>
  if (typeof r.ID !== 'number' || !Number.isSafeInteger(r.ID) || r.ID < 0) throw new ProtocolError(`request without a valid ID: ${truncate(line)}`)
  const id = r.ID
  const command = r.Command
  if (command !== 'get' && command !== 'put' && command !== 'close') {
    throw new ProtocolError(`request ${id}: unknown command ${JSON.stringify(command)}`)
  }
  const bodySize = r.BodySize === undefined ? 0 : r.BodySize
  if (typeof bodySize !== 'number' || !Number.isSafeInteger(bodySize) || bodySize < 0) {
    throw new ProtocolError(`request ${id}: invalid BodySize`)
  }
  const request: Request = { id, command, bodySize }
  if (command === 'get' || command === 'put') request.actionId = decodeId(r.ActionID, 'ActionID', id)
  // Go 1.21–1.23 sent the output ID as ObjectID (cache/prog.go before 1.24).
  if (command === 'put') request.outputId = decodeId(r.OutputID ?? r.ObjectID, 'OutputID', id)
  if (command !== 'put' && bodySize !== 0) throw new ProtocolError(`request ${id}: ${command} with a body`)
  return request
}

function decodeId(value: unknown, field: string, id: number): string {
  if (typeof value !== 'string') throw new ProtocolError(`request ${id}: missing ${field}`)
  const bytes = Buffer.from(value, 'base64')
  if (bytes.length !== ID_SIZE || bytes.toString('base64') !== value) {
    throw new ProtocolError(`request ${id}: ${field} is not ${ID_SIZE} bytes of standard base64`)
  }
  return bytes.toString('hex')
}

/** One response line. Field names and encodings are Go's (cacheprog.Response). */
export function encodeResponse(response: Response): string {
  switch (response.kind) {
    case 'hello':
      return `{"ID":${response.id},"KnownCommands":${JSON.stringify(response.readOnly ? KNOWN_COMMANDS.filter((c) => c !== 'put') : KNOWN_COMMANDS)}}\n`
    case 'miss':
      return `{"ID":${response.id},"Miss":true}\n`
    case 'hit': {
      const { hit } = response
      return (
        `{"ID":${response.id},"OutputID":"${Buffer.from(hit.outputId, 'hex').toString('base64')}",` +
        `"Size":${hit.size},"Time":"${new Date(hit.timeMs).toISOString()}","DiskPath":${JSON.stringify(hit.diskPath)}}\n`
      )
    }
    case 'put':
      return `{"ID":${response.id},"DiskPath":${JSON.stringify(response.diskPath)}}\n`
    case 'ok':
      return `{"ID":${response.id}}\n`
    case 'error':
      return `{"ID":${response.id},"Err":${JSON.stringify(response.message)}}\n`
  }
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 120)}…` : text
}
