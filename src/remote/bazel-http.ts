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
import type { Readable } from 'node:stream'
import { decodeActionResult, encodeActionResult } from './action-result.ts'
import type { HttpRemoteConfig } from './config.ts'
import { capped, failed, type HttpRequest, HttpTransport, readDeadlineMs } from './http.ts'
import { RemoteError, type Remote, type RemoteEntry, type WireCounters } from './remote.ts'
import { HAS_ZSTD, zstdCompress, zstdDecoding } from './zstd.ts'

type Kind = 'ac' | 'cas'

/** One request to the cache: what is sent, and the bounds on what comes back. */
interface Exchange {
  method: 'GET' | 'PUT'
  kind: Kind
  hash: string
  body?: Buffer
  headers?: Record<string, string>
  /** The most body bytes taken on the wire from a 2xx answer. */
  maxResponseBytes: number
  /** Covers connect, headers and the whole body. */
  deadlineMs: number
}

export class BazelHttpClient implements Remote {
  private readonly base: URL
  private readonly headers: Record<string, string>
  private readonly timeoutMs: number
  private readonly zstd: boolean
  private readonly transport: HttpTransport

  constructor(settings: HttpRemoteConfig, maxSockets: number) {
    this.base = new URL(settings.url)
    this.headers = settings.headers
    this.timeoutMs = settings.timeoutMs
    this.zstd = settings.compression === 'zstd' && HAS_ZSTD
    this.transport = new HttpTransport(this.base.protocol === 'https:', settings, maxSockets, 'check cache-token')
  }

  get wire(): WireCounters {
    return this.transport.wire
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
  async getAction(actionId: string, maxBytes = 64 * 1024): Promise<Buffer | undefined> {
    return this.request({ method: 'GET', kind: 'ac', hash: actionId, maxResponseBytes: maxBytes, deadlineMs: readDeadlineMs(this.timeoutMs, maxBytes) })
  }

  /**
   * The blob's bytes as they arrive, decoded; undefined for a 404. The stream
   * fails past `size` decoded bytes (a bomb stops there) or past the read
   * deadline; the caller reads it to the end or destroys it.
   */
  async getBlob(hash: string, size: number): Promise<Readable | undefined> {
    // Compressed data can exceed its raw size a little (frame overhead).
    const limit = size + 1024 + Math.ceil(size / 100)
    const response = await this.open({
      method: 'GET',
      kind: 'cas',
      hash,
      headers: this.zstd ? { 'Accept-Encoding': 'zstd' } : {},
      maxResponseBytes: limit,
      deadlineMs: readDeadlineMs(this.timeoutMs, limit),
    })
    if (response === undefined) return undefined
    const what = `cas/${hash.slice(0, 12)}…`
    if (response.encoding === 'zstd') {
      if (!this.zstd) return failed(response.body, new RemoteError(`${what}: the server sent zstd without being asked`))
      return capped([response.body, ...zstdDecoding(size)], size, what)
    }
    if (response.encoding !== '' && response.encoding !== 'identity')
      return failed(response.body, new RemoteError(`${what}: unsupported Content-Encoding ${response.encoding}`))
    return capped([response.body], size, what)
  }

  async putBlob(hash: string, body: Buffer): Promise<void> {
    if (this.zstd) {
      const compressed = zstdCompress(body)
      if (compressed !== undefined) {
        await this.request({ ...this.put('cas', hash, compressed), headers: { 'Content-Encoding': 'zstd', 'X-Digest-SizeBytes': String(body.length) } })
        return
      }
    }
    await this.request(this.put('cas', hash, body))
  }

  async putAction(actionId: string, actionResult: Buffer): Promise<void> {
    await this.request({ ...this.put('ac', actionId, actionResult), headers: { 'Content-Type': 'application/octet-stream' } })
  }

  close(): void {
    this.transport.close()
  }

  /** An upload: the whole `cache-timeout`, and whatever short answer the server gives. */
  private put(kind: Kind, hash: string, body: Buffer): Exchange {
    return { method: 'PUT', kind, hash, body, maxResponseBytes: 64 * 1024, deadlineMs: this.timeoutMs }
  }

  /** The whole body for 2xx (at most `maxResponseBytes`), undefined for a GET's 404; rejects on anything else. */
  private async request(exchange: Exchange): Promise<Buffer | undefined> {
    return (await this.transport.request(this.toHttp(exchange)))?.body
  }

  private async open(exchange: Exchange): Promise<{ body: Readable; encoding: string } | undefined> {
    const response = await this.transport.open(this.toHttp(exchange))
    return response && { body: response.body, encoding: String(response.headers['content-encoding'] ?? '').toLowerCase() }
  }

  /** The request on the wire: this cache's URL for the key, its headers. */
  private toHttp({ method, kind, hash, body, headers = {}, maxResponseBytes, deadlineMs }: Exchange): HttpRequest {
    if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`invalid hash ${JSON.stringify(hash)}`)
    return {
      method,
      url: new URL(`${this.base.pathname.replace(/\/$/, '')}/${kind}/${hash}`, this.base),
      what: `${method} /${kind}/${hash.slice(0, 12)}…`,
      headers: { ...this.headers, ...headers },
      ...(body !== undefined && { body }),
      maxResponseBytes,
      deadlineMs,
    }
  }
}
