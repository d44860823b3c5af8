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
import { type Readable, Transform, type TransformCallback } from 'node:stream'
import zlib from 'node:zlib'
import { decodeActionResult, encodeActionResult } from './action-result.ts'
import type { HttpRemoteConfig } from './config.ts'
import { capped, failed, type HttpRequest, HttpTransport, readDeadlineMs } from './http.ts'
import { RemoteError, type Remote, type RemoteEntry, type WireCounters } from './remote.ts'

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

/** Node gained zstd in zlib in 22.15/23.8; the runner's node24 has it. */
const HAS_ZSTD = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function'

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
      // On libuv's thread pool, at most 1 MiB at a time: a bomb costs a thread and stops at `size`, never
      // the event loop. The output buffer is sized to the blob: zlib allocates a whole chunk per stream,
      // and 1 MiB for each of thousands of small Go objects made decompressing them 1.4–1.6× slower
      // (3,000 objects, 411 MiB: 1.8–2.3 s against 2.5–3.7 s), most of it garbage.
      const chunkSize = Math.min(1 << 20, Math.max(size + 1, 16 * 1024))
      const decoder = zlib.createZstdDecompress({ chunkSize, params: { [zlib.constants.ZSTD_d_windowLogMax]: 27 } })
      return capped([response.body, new SkipSkippableFrames(), decoder], size, what)
    }
    if (response.encoding !== '' && response.encoding !== 'identity')
      return failed(response.body, new RemoteError(`${what}: unsupported Content-Encoding ${response.encoding}`))
    return capped([response.body], size, what)
  }

  async putBlob(hash: string, body: Buffer): Promise<void> {
    if (this.zstd) {
      const compressed = zlib.zstdCompressSync(body, { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } })
      // Incompressible data goes plain: zstd would only add its frame.
      if (compressed.length < body.length) {
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

/**
 * bazel-remote's zstd blobs start with a skippable frame (magic 0x184D2A5?)
 * holding its chunk table (cache/disk/casblob); Node's zstd decoder returns
 * nothing for a stream that starts with one, so they are dropped here. A
 * frame's 8-byte header may arrive split across chunks. The caller checks the
 * decoded bytes against the digest anyway.
 */
export class SkipSkippableFrames extends Transform {
  private pending: Buffer = Buffer.alloc(0)
  private done = false
  private skip = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.done ? chunk : this.strip(this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk))
  }

  /** What follows the skippable frames in `data`, or undefined while more is needed to tell. */
  private strip(data: Buffer): Buffer | undefined {
    this.pending = Buffer.alloc(0)
    for (;;) {
      const n = Math.min(this.skip, data.length)
      this.skip -= n
      data = data.subarray(n)
      if (this.skip > 0) return undefined
      if (data.length < 8) {
        this.pending = data
        return undefined
      }
      if ((data.readUInt32LE(0) & 0xfffffff0) !== 0x184d2a50) {
        this.done = true
        return data
      }
      this.skip = 8 + data.readUInt32LE(4)
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(null, this.pending.length > 0 ? this.pending : undefined)
  }
}
