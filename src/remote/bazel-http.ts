/**
 * A client for the Bazel HTTP cache protocol as bazel-remote serves it
 * (bazel-remote server/http.go):
 *   GET/PUT <base>/ac/<64 hex>    ActionResult protobuf
 *   GET/PUT <base>/cas/<sha256>   the blob
 * zstd: GET with `Accept-Encoding: zstd` may answer `Content-Encoding: zstd`;
 * PUT with `Content-Encoding: zstd` must say the raw size in X-Digest-SizeBytes.
 *
 * Every request has a deadline covering connect, headers and body (reads a
 * shorter one, readDeadlineMs); responses are capped in size, so a server can
 * neither hang us nor fill memory.
 */
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { decodeActionResult, encodeActionResult } from './action-result.ts'
import type { RemoteConfig } from './config.ts'
import { RemoteError, type Remote, type RemoteEntry, type WireCounters } from './remote.ts'

type Kind = 'ac' | 'cas'

/**
 * bazel-remote's zstd blobs start with a skippable frame (magic 0x184D2A5?)
 * holding its chunk table (cache/disk/casblob); Node's zstd decoder returns
 * nothing for a stream that starts with one, so they are skipped here. The
 * caller checks the decoded bytes against the digest anyway.
 */
export function skipSkippableFrames(data: Buffer): Buffer {
  let pos = 0
  while (pos + 8 <= data.length && (data.readUInt32LE(pos) & 0xfffffff0) === 0x184d2a50) {
    pos += 8 + data.readUInt32LE(pos + 4)
  }
  return data.subarray(Math.min(pos, data.length))
}

/**
 * A read's deadline: READ_BASE_MS, plus the time the expected bytes take at
 * READ_MIN_BYTES_PER_MS (2 MiB/s), and never more than cache-timeout. go waits
 * on every read, and a hit that takes longer than this is worth less than
 * compiling; a server that stalls reads (headers, then a byte a second) costs
 * a lookup about 2 s, not the whole timeout (docs/decisions.md#d31).
 */
export const READ_BASE_MS = 2_000
const READ_MIN_BYTES_PER_MS = (2 * 1024 * 1024) / 1000

export function readDeadlineMs(timeoutMs: number, expectedBytes: number): number {
  return Math.min(timeoutMs, READ_BASE_MS + Math.ceil(expectedBytes / READ_MIN_BYTES_PER_MS))
}

/** Node gained zstd in zlib in 22.15/23.8; the runner's node24 has it. */
const HAS_ZSTD = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function'
const zstdDecompress = HAS_ZSTD ? promisify(zlib.zstdDecompress) : undefined

export class BazelHttpClient implements Remote {
  readonly wire: WireCounters = { sent: 0, received: 0 }
  private readonly base: URL
  private readonly headers: Record<string, string>
  private readonly timeoutMs: number
  private readonly zstd: boolean
  private readonly agent: http.Agent

  constructor(settings: RemoteConfig, maxSockets: number) {
    this.base = new URL(settings.url)
    this.headers = settings.headers
    this.timeoutMs = settings.timeoutMs
    this.zstd = settings.compression === 'zstd' && HAS_ZSTD
    const options = { keepAlive: true, maxSockets }
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({
            ...options,
            ca: settings.caFile ? readFileSync(settings.caFile) : undefined,
            cert: settings.certFile ? readFileSync(settings.certFile) : undefined,
            key: settings.keyFile ? readFileSync(settings.keyFile) : undefined,
          })
        : new http.Agent(options)
  }

  /** Our entry from the ActionResult under /ac/<key> (action-result.ts). */
  async getEntry(key: string): Promise<RemoteEntry | Error | undefined> {
    const bytes = await this.getAction(key)
    return bytes === undefined ? undefined : decodeActionResult(bytes)
  }

  async putEntry(key: string, entry: RemoteEntry): Promise<void> {
    await this.putAction(key, encodeActionResult(entry))
  }

  /** The ActionResult bytes, or undefined for a 404. */
  getAction(actionId: string, maxBytes = 64 * 1024): Promise<Buffer | undefined> {
    return this.get('ac', actionId, maxBytes, false)
  }

  /** The blob, or undefined for a 404; at most `size` bytes once decoded. */
  getBlob(hash: string, size: number): Promise<Buffer | undefined> {
    return this.get('cas', hash, size, this.zstd)
  }

  async putBlob(hash: string, body: Buffer): Promise<void> {
    if (this.zstd) {
      const compressed = zlib.zstdCompressSync(body, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } })
      // Incompressible data goes plain: zstd would only add its frame.
      if (compressed.length < body.length) {
        await this.request('PUT', 'cas', hash, compressed, { 'Content-Encoding': 'zstd', 'X-Digest-SizeBytes': String(body.length) }, 0, this.timeoutMs)
        return
      }
    }
    await this.request('PUT', 'cas', hash, body, {}, 0, this.timeoutMs)
  }

  async putAction(actionId: string, actionResult: Buffer): Promise<void> {
    await this.request('PUT', 'ac', actionId, actionResult, { 'Content-Type': 'application/octet-stream' }, 0, this.timeoutMs)
  }

  close(): void {
    this.agent.destroy()
  }

  private async get(kind: Kind, hash: string, maxBytes: number, zstd: boolean): Promise<Buffer | undefined> {
    const headers: Record<string, string> = zstd ? { 'Accept-Encoding': 'zstd' } : {}
    // Compressed data can exceed its raw size a little (frame overhead).
    const limit = maxBytes + 1024 + Math.ceil(maxBytes / 100)
    const response = await this.request('GET', kind, hash, undefined, headers, limit, readDeadlineMs(this.timeoutMs, limit))
    if (response === undefined) return undefined
    if (response.encoding === 'zstd') {
      if (!zstd) throw new RemoteError('the server sent zstd without being asked')
      // On libuv's thread pool, not the event loop: a bomb costs a thread, not every other request's latency.
      // Past maxOutputLength it fails (RangeError), and the read is a failed request.
      return await zstdDecompress!(skipSkippableFrames(response.body), { maxOutputLength: Math.max(maxBytes, 1) }).catch((error: unknown) => {
        throw new RemoteError(`${kind}/${hash.slice(0, 12)}…: ${(error as Error).message}`)
      })
    }
    if (response.encoding !== '' && response.encoding !== 'identity') throw new RemoteError(`unsupported Content-Encoding ${response.encoding}`)
    return response.body
  }

  /** Resolves the body for 2xx, undefined for a GET's 404; rejects on anything else. */
  private request(
    method: 'GET' | 'PUT',
    kind: Kind,
    hash: string,
    body: Buffer | undefined,
    extraHeaders: Record<string, string>,
    maxResponseBytes: number,
    deadlineMs: number,
  ): Promise<{ body: Buffer; encoding: string } | undefined> {
    if (!/^[0-9a-f]{64}$/.test(hash)) return Promise.reject(new Error(`invalid hash ${JSON.stringify(hash)}`))
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}/${kind}/${hash}`, this.base)
    const what = `${method} /${kind}/${hash.slice(0, 12)}…`
    return new Promise((resolve, reject) => {
      let settled = false
      const finish = (error: Error | undefined, value?: { body: Buffer; encoding: string }): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (error) {
          request.destroy()
          reject(error)
        } else resolve(value)
      }
      const transport = url.protocol === 'https:' ? https : http
      const request = transport.request(url, {
        method,
        agent: this.agent,
        headers: { ...this.headers, ...extraHeaders, ...(body !== undefined && { 'Content-Length': String(body.length) }) },
      })
      const timer = setTimeout(() => finish(new RemoteError(`${what}: no answer within ${deadlineMs} ms`)), deadlineMs)
      request.on('error', (error) => finish(new RemoteError(`${what}: ${error.message}`)))
      request.on('response', (response) => {
        const status = response.statusCode ?? 0
        const chunks: Buffer[] = []
        let length = 0
        response.on('data', (chunk: Buffer) => {
          length += chunk.length
          this.wire.received += chunk.length
          if (status >= 200 && status < 300 && method === 'GET' && length > maxResponseBytes) {
            finish(new RemoteError(`${what}: the answer is larger than the ${maxResponseBytes} bytes expected`))
            return
          }
          if (length <= 64 * 1024 || (status >= 200 && status < 300)) chunks.push(chunk)
        })
        response.on('error', (error) => finish(new RemoteError(`${what}: ${error.message}`)))
        response.on('end', () => {
          if (status === 404 && method === 'GET') return finish(undefined, undefined)
          if (status < 200 || status >= 300) {
            const text = Buffer.concat(chunks).toString('utf8', 0, Math.min(length, 200)).trim()
            return finish(new RemoteError(`${what}: HTTP ${status}${text ? ` (${text})` : ''}`, status))
          }
          finish(undefined, { body: Buffer.concat(chunks, length), encoding: String(response.headers['content-encoding'] ?? '').toLowerCase() })
        })
      })
      if (body !== undefined) this.wire.sent += body.length
      request.end(body)
    })
  }
}
