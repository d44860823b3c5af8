/**
 * HTTP for every remote (bazel-remote's HTTP protocol, S3): one request with a
 * deadline covering connect, headers and the whole body, and a cap on the
 * bytes taken from the answer, so a server can neither hang us nor fill
 * memory. Bodies arrive as streams; errors reach the consumer through them.
 */
import { readFileSync } from 'node:fs'
import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import { pipeline, Readable, Transform } from 'node:stream'
import { RemoteError, type WireCounters } from './remote.ts'

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

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'PUT'
  url: URL
  /** How errors name the request: `GET /cas/0123…`. */
  what: string
  headers: Record<string, string>
  body?: Buffer
  /** The most body bytes taken on the wire from a 2xx answer. */
  maxResponseBytes: number
  /** Covers connect, headers and the whole body. */
  deadlineMs: number
}

export interface HttpResponse {
  headers: IncomingHttpHeaders
  body: Readable
}

export interface TlsFiles {
  caFile?: string
  certFile?: string
  keyFile?: string
}

export class HttpTransport {
  readonly wire: WireCounters = { requests: 0, sent: 0, received: 0 }
  private readonly agent: http.Agent
  private readonly authHint: string

  /** `authHint`: what a 401 or 403 tells the user to check, in this remote's terms. */
  constructor(https_: boolean, tls: TlsFiles, maxSockets: number, authHint: string) {
    this.authHint = authHint
    const options = { keepAlive: true, maxSockets }
    this.agent = https_
      ? new https.Agent({
          ...options,
          ca: tls.caFile ? readFileSync(tls.caFile) : undefined,
          cert: tls.certFile ? readFileSync(tls.certFile) : undefined,
          key: tls.keyFile ? readFileSync(tls.keyFile) : undefined,
        })
      : new http.Agent(options)
  }

  close(): void {
    this.agent.destroy()
  }

  /** The whole body of a 2xx answer (at most `maxResponseBytes`), undefined for a GET's or HEAD's 404; rejects on anything else. */
  async request(request: HttpRequest): Promise<{ headers: IncomingHttpHeaders; body: Buffer } | undefined> {
    const response = await this.open(request)
    if (response === undefined) return undefined
    const chunks: Buffer[] = []
    for await (const chunk of response.body) chunks.push(chunk as Buffer)
    return { headers: response.headers, body: Buffer.concat(chunks) }
  }

  /**
   * Sends the request; resolves at a 2xx answer's headers with its body as a
   * stream, undefined for a GET's or HEAD's 404; rejects on anything else.
   * Past the deadline, or past `maxResponseBytes` on the wire, the body
   * stream fails.
   */
  open({ method, url, what, headers, body, maxResponseBytes, deadlineMs }: HttpRequest): Promise<HttpResponse | undefined> {
    return new Promise((resolve, reject) => {
      let answered = false
      let timer: NodeJS.Timeout | undefined
      /** Before the headers: reject. After: fail the body stream. */
      const fail = (error: Error): void => {
        clearTimeout(timer)
        request.destroy(error)
        if (!answered) {
          answered = true
          reject(error)
        }
      }
      const transport = url.protocol === 'https:' ? https : http
      const request = transport.request(url, {
        method,
        agent: this.agent,
        headers: { ...headers, ...(body !== undefined && { 'Content-Length': String(body.length) }) },
      })
      timer = setTimeout(() => fail(new RemoteError(`${what}: no answer within ${deadlineMs} ms`)), deadlineMs)
      request.on('error', (error) => fail(error instanceof RemoteError ? error : new RemoteError(`${what}: ${error.message}`)))
      request.on('response', (response) => {
        const status = response.statusCode ?? 0
        if (status === 404 && method !== 'PUT') {
          clearTimeout(timer)
          answered = true
          response.resume()
          return resolve(undefined)
        }
        if (status < 200 || status >= 300) {
          // The reason, from the first 200 bytes of the body; never more is kept.
          let text = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => {
            this.wire.received += Buffer.byteLength(chunk)
            if (text.length < 200) text += chunk.slice(0, 200 - text.length)
          })
          const hint = status === 401 || status === 403 ? `; ${this.authHint}` : ''
          response.on('end', () => fail(new RemoteError(`${what}: HTTP ${status}${text.trim() ? ` (${text.trim()})` : ''}${hint}`, status)))
          response.on('error', (error) => fail(new RemoteError(`${what}: ${error.message}`)))
          return
        }
        answered = true
        let taken = 0
        const counted = quiet(
          new Transform({
            transform: (chunk: Buffer, _encoding, done) => {
              this.wire.received += chunk.length
              taken += chunk.length
              if (taken > maxResponseBytes) return done(new RemoteError(`${what}: the answer is larger than the ${maxResponseBytes} bytes expected`))
              done(null, chunk)
            },
            flush: (done) => {
              clearTimeout(timer)
              done()
            },
          }),
        )
        response.on('error', (error) => counted.destroy(new RemoteError(`${what}: ${error.message}`)))
        // A deadline or a request error after the headers ends up here.
        request.on('close', () => {
          if (!response.complete) counted.destroy(new RemoteError(`${what}: the answer ended early`))
        })
        counted.on('close', () => {
          clearTimeout(timer)
          if (!response.complete) request.destroy()
        })
        response.pipe(counted)
        resolve({ headers: response.headers, body: counted })
      })
      this.wire.requests++
      if (body !== undefined) this.wire.sent += body.length
      request.end(body)
    })
  }
}

/** The stages piped into one stream that fails once it goes past `size` bytes; an error anywhere destroys them all (the socket goes). */
export function capped(stages: Readable[], size: number, what: string): Readable {
  let seen = 0
  const out = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length
      if (seen > size) return done(new RemoteError(`${what}: more than the ${size} bytes its entry says`))
      done(null, chunk)
    },
  })
  pipeline([...stages, out], (error) => {
    if (error) out.destroy(error instanceof RemoteError ? error : new RemoteError(`${what}: ${error.message}`))
  })
  return quiet(out)
}

/** A stream that fails with `error` at once, and `source` dropped. */
export function failed(source: Readable, error: Error): Readable {
  source.destroy()
  const out = quiet(new Readable({ read() {} }))
  out.destroy(error)
  return out
}

/** The consumer sees an error through the stream itself (for await, pipeline); one that comes before it starts reading must not be an unhandled 'error' event meanwhile. */
function quiet<T extends Readable>(stream: T): T {
  stream.on('error', () => undefined)
  return stream
}
