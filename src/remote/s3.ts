/**
 * An S3 bucket (AWS, MinIO, R2, Ceph RGW, SeaweedFS, GCS interoperability)
 * as the remote, in tailscale/go-cache-plugin's layout, byte for byte, so a
 * bucket either one filled serves the other (lib/gobuild/gobuild.go, v0.1.1):
 *
 *   <prefix>/action/<aa>/<ActionID hex>   "<OutputID hex> <unix nanoseconds>", no newline
 *   <prefix>/output/<oo>/<OutputID hex>   the object, raw
 *
 * (`aa`, `oo`: the ID's first two hex digits; the prefix joined as Go's
 * path.Join does). The output is written before the action that names it.
 * The action says no size: a lookup GETs the output at once and reads its
 * Content-Length (an object larger than the caller takes inline is dropped
 * and fetched on its own), or HEADs it; a missing output is a miss. Requests
 * are signed with SigV4 (sigv4.ts).
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import { capped, HttpTransport, readDeadlineMs } from './http.ts'
import { type FoundEntry, RemoteError, type Remote, type RemoteEntry, type WireCounters } from './remote.ts'
import { type AwsCredentials, amzDate, EMPTY_PAYLOAD_HASH, signV4, uriEncode } from './sigv4.ts'

export interface S3Config {
  bucket: string
  /** Joined before every key, as go-cache-plugin's --prefix. */
  prefix: string
  region: string
  /** `https://s3.<region>.amazonaws.com` unless given (MinIO and the like). */
  endpoint?: string
  /** `<endpoint>/<bucket>/<key>` rather than `<bucket>.<host>/<key>`: what MinIO-likes need. */
  pathStyle: boolean
  timeoutMs: number
}

/** An action object is 64 hex, a space and a decimal int64: far under this. */
const MAX_ACTION_BYTES = 1024
const HEX_ID = /^[0-9a-f]{64}$/
/** Unix nanoseconds of a time JavaScript can hold (year 275760): bigger is not a time. */
const MAX_TIME_MS = 8.64e15

/** The bytes of an action object (go-cache-plugin gobuild.go: `fmt.Sprintf("%s %d", outputID, mtime.UnixNano())`). */
export function encodeAction(entry: Omit<RemoteEntry, 'size'>): Buffer {
  return Buffer.from(`${entry.outputId} ${BigInt(Math.trunc(entry.timeMs)) * 1_000_000n}`, 'latin1')
}

/** An action object's OutputID and time; an Error when it is not one. go-cache-plugin reads it with strings.Fields, so whitespace around is fine. */
export function decodeAction(bytes: Buffer): { outputId: string; timeMs: number } | Error {
  const fields = bytes.toString('latin1').trim().split(/\s+/)
  if (fields.length !== 2 || !HEX_ID.test(fields[0]!) || !/^-?\d{1,19}$/.test(fields[1]!))
    return new Error('not an action entry (expected "<64 hex> <nanoseconds>")')
  const timeMs = Number(BigInt(fields[1]!) / 1_000_000n)
  if (timeMs < 0 || timeMs > MAX_TIME_MS) return new Error(`invalid time ${fields[1]}`)
  return { outputId: fields[0]!, timeMs }
}

/** The object key, as go-cache-plugin makes it: path.Join(prefix, kind, id[:2], id). */
export function objectKey(prefix: string, kind: 'action' | 'output', id: string): string {
  if (!HEX_ID.test(id)) throw new Error(`invalid cache ID ${JSON.stringify(id)}`)
  // Go's path.Join and Node's path.posix.join clean alike ('' dropped, '//' and '..' resolved).
  return path.posix.join(prefix, kind, id.slice(0, 2), id)
}

export class S3Remote implements Remote {
  private readonly config: S3Config
  private readonly credentials: AwsCredentials
  private readonly transport: HttpTransport
  private readonly base: URL
  private bucketCheck: Promise<void> | undefined

  constructor(config: S3Config, credentials: AwsCredentials, maxSockets: number) {
    this.config = config
    this.credentials = credentials
    const endpoint = new URL(config.endpoint ?? `https://s3.${config.region}.amazonaws.com`)
    this.base = config.pathStyle ? endpoint : new URL(`${endpoint.protocol}//${config.bucket}.${endpoint.host}`)
    // 403 on a missing key too: S3 says so when the credentials lack s3:ListBucket.
    this.transport = new HttpTransport(
      this.base.protocol === 'https:',
      {},
      maxSockets,
      'check the AWS credentials (and s3:ListBucket, without which a missing key is 403)',
    )
  }

  get wire(): WireCounters {
    return this.transport.wire
  }

  async getEntry(key: string, inlineMaxBytes?: number): Promise<FoundEntry | Error | undefined> {
    await this.bucketReady()
    const action = await this.send('GET', objectKey(this.config.prefix, 'action', key), undefined, MAX_ACTION_BYTES)
    if (action === undefined) return undefined
    const decoded = decodeAction(action.body)
    if (decoded instanceof Error) return decoded
    const outputKey = objectKey(this.config.prefix, 'output', decoded.outputId)
    if (inlineMaxBytes === undefined) {
      const head = await this.send('HEAD', outputKey, undefined, 0)
      // An action whose output expired (a lifecycle rule on output/) is a miss, not an error.
      if (head === undefined) return undefined
      const size = contentLength(head.headers)
      return size instanceof Error ? size : { ...decoded, size }
    }
    // The output's GET at once: two requests a hit, as go-cache-plugin makes.
    // Its Content-Length says the size before the body is taken; a larger
    // object is dropped here, and fetched by getBlob with its own bounds.
    const response = await this.transport.open({
      ...this.signed('GET', this.url(outputKey), outputKey, undefined),
      maxResponseBytes: inlineMaxBytes,
      deadlineMs: readDeadlineMs(this.config.timeoutMs, inlineMaxBytes),
    })
    if (response === undefined) return undefined
    const size = contentLength(response.headers)
    if (size instanceof Error || size > inlineMaxBytes) response.body.destroy()
    if (size instanceof Error) return size
    return size > inlineMaxBytes ? { ...decoded, size } : { ...decoded, size, body: capped([response.body], size, `output ${decoded.outputId.slice(0, 12)}…`) }
  }

  async putEntry(key: string, entry: RemoteEntry): Promise<void> {
    await this.bucketReady()
    await this.send('PUT', objectKey(this.config.prefix, 'action', key), encodeAction(entry), MAX_ACTION_BYTES)
  }

  async getBlob(hash: string, size: number): Promise<Readable | undefined> {
    await this.bucketReady()
    const key = objectKey(this.config.prefix, 'output', hash)
    const response = await this.transport.open({
      ...this.signed('GET', this.url(key), key, undefined),
      maxResponseBytes: size,
      deadlineMs: readDeadlineMs(this.config.timeoutMs, size),
    })
    return response && capped([response.body], size, `output ${hash.slice(0, 12)}…`)
  }

  async putBlob(hash: string, body: Buffer): Promise<void> {
    await this.bucketReady()
    // The key is the body's sha256, which SigV4 wants as the payload hash: nothing to hash again.
    await this.send('PUT', objectKey(this.config.prefix, 'output', hash), body, MAX_ACTION_BYTES, hash)
  }

  /**
   * One HEAD of the bucket before the first request. A missing bucket answers
   * every GET 404, which would read as a job of misses; a bucket in another
   * region answers 301. Either is remembered, and fails every request: the
   * summary counts errors and names the cause. A 403 proves nothing
   * (HeadBucket needs s3:ListBucket, which a cache's credentials may lack), so
   * the requests go ahead and say for themselves. Any other failure is not
   * remembered: the next request asks again, through the breaker.
   */
  private bucketReady(): Promise<void> {
    this.bucketCheck ??= this.headBucket().catch((error: unknown) => {
      if (!(error instanceof BucketError)) this.bucketCheck = undefined
      throw error
    })
    return this.bucketCheck
  }

  private async headBucket(): Promise<void> {
    const what = `bucket ${this.config.bucket} at ${this.base.host}`
    const deadlineMs = readDeadlineMs(this.config.timeoutMs, 0)
    try {
      const found = await this.transport.request({ ...this.signed('HEAD', this.url(undefined), what, undefined), maxResponseBytes: 0, deadlineMs })
      if (found === undefined) throw new BucketError(`${what} does not exist (HTTP 404): create it, or fix cache-url (and cache-endpoint)`)
    } catch (error) {
      if (error instanceof RemoteError && error.status === 403) return
      if (error instanceof RemoteError && error.status === 301)
        throw new BucketError(`${what} is in another region than ${this.config.region} (HTTP 301): set cache-region to the bucket's`)
      throw error
    }
  }

  close(): void {
    this.transport.close()
  }

  private send(method: 'GET' | 'HEAD' | 'PUT', key: string, body: Buffer | undefined, maxResponseBytes: number, payloadHash?: string) {
    const deadlineMs = method === 'PUT' ? this.config.timeoutMs : readDeadlineMs(this.config.timeoutMs, maxResponseBytes)
    return this.transport.request({ ...this.signed(method, this.url(key), key, body, payloadHash), maxResponseBytes, deadlineMs })
  }

  /** An object's URL, or the bucket's for `undefined`. */
  private url(key: string | undefined): URL {
    const bucket = this.config.pathStyle ? `/${uriEncode(this.config.bucket)}` : ''
    const object = key === undefined ? '' : `/${key.split('/').map(uriEncode).join('/')}`
    return new URL(`${this.base.pathname.replace(/\/$/, '')}${bucket}${object}` || '/', this.base)
  }

  private signed(method: 'GET' | 'HEAD' | 'PUT', url: URL, what: string, body: Buffer | undefined, payloadHash?: string) {
    const hash = body === undefined ? EMPTY_PAYLOAD_HASH : (payloadHash ?? createHash('sha256').update(body).digest('hex'))
    const headers = signV4(
      { method, host: url.host, path: url.pathname, payloadHash: hash, region: this.config.region, amzDate: amzDate(new Date()) },
      this.credentials,
    )
    return { method, url, what: `${method} ${what}`, headers, ...(body !== undefined && { body }) }
  }
}

/** An object's size from its answer's Content-Length; an Error when there is none. */
function contentLength(headers: IncomingHttpHeaders): number | Error {
  const size = Number(headers['content-length'])
  return Number.isSafeInteger(size) && size >= 0 ? size : new Error(`no Content-Length (${JSON.stringify(headers['content-length'] ?? null)})`)
}

/** The bucket is not there, or not where the configuration says: true for the whole job. */
class BucketError extends RemoteError {}
