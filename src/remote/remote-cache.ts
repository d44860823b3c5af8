/**
 * The remote tier, run inside the daemon: fetches what the local store lacks
 * into it, and uploads what go put, in the background. Remote trouble is a
 * miss or an unsent upload, counted, never an error for go.
 *
 * Layout (docs/remote-cache.md): the object under /cas/<OutputID> (Go's
 * OutputID is the sha256 of the body, cmd/go/internal/cache/prog.go), then the
 * entry under /ac/<ActionID> as an ActionResult naming it. The blob goes first:
 * bazel-remote answers an AC GET with 404 while a blob it names is missing.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type { LocalStore } from '../store/local-store.ts'
import { decodeActionResult, encodeActionResult } from './action-result.ts'
import { RemoteHttpError } from './bazel-http.ts'
import type { BreakerState, CircuitBreaker } from './breaker.ts'

const HEX_ID = /^[0-9a-f]{64}$/
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** Go objects larger than this are not fetched (nor uploaded): a bound on memory per request. */
export const MAX_OBJECT_BYTES = 1024 ** 3

/** What the daemon needs from the HTTP client (BazelHttpClient); tests may pass a fake server's client. */
export interface RemoteTransport {
  getAction(actionId: string): Promise<Buffer | undefined>
  getBlob(hash: string, size: number): Promise<Buffer | undefined>
  putBlob(hash: string, body: Buffer): Promise<void>
  putAction(actionId: string, actionResult: Buffer): Promise<void>
  readonly wire: { sent: number; received: number }
}

export interface RemoteStats {
  /** Local misses asked of the remote. */
  gets: number
  hits: number
  misses: number
  /** Requests that failed (timeouts, refused connections, HTTP errors). */
  errors: number
  /** Entries or blobs the server sent that failed validation (wrong digest, size, malformed); each a miss. */
  rejected: number
  /** Lookups not sent because the circuit was open; each a miss. */
  skipped: number
  /** Entries uploaded (blob and action entry). */
  uploads: number
  uploadErrors: number
  /** Left unsent when the last flush's deadline passed (or writes failed, or the circuit was open). */
  unsent: number
  /** Object bytes fetched into / uploaded from the local store. */
  bytesDown: number
  bytesUp: number
  /** Body bytes on the wire (compressed when zstd is on). */
  wireReceived: number
  wireSent: number
  breaker: BreakerState
  breakerOpened: number
  /** Whether this job uploads at all (the write policy). */
  write: boolean
  /** The first few error messages, for the log and summary. */
  firstErrors: string[]
}

export interface RemoteCacheOptions {
  write: boolean
  uploadConcurrency: number
  log: (message: string) => void
}

export class RemoteCache {
  private readonly transport: RemoteTransport
  private readonly store: LocalStore
  private readonly breaker: CircuitBreaker
  private readonly options: RemoteCacheOptions
  private readonly counts = { gets: 0, hits: 0, misses: 0, errors: 0, rejected: 0, skipped: 0, uploads: 0, uploadErrors: 0, bytesDown: 0, bytesUp: 0 }
  private readonly firstErrors: string[] = []
  /** Every action ID ever queued: each is uploaded at most once per job. */
  private readonly queued = new Set<string>()
  private readonly pending: string[] = []
  private active = 0
  private failedUploads = 0
  private unsentAtFlush = 0
  private stopped = false
  private flushed = false
  private idleWaiters: (() => void)[] = []

  constructor(transport: RemoteTransport, store: LocalStore, breaker: CircuitBreaker, options: RemoteCacheOptions) {
    this.transport = transport
    this.store = store
    this.breaker = breaker
    this.options = options
  }

  /** Looks the action up remotely and, on a verified hit, writes it into the local store. True on a hit. */
  async fetch(actionId: string): Promise<boolean> {
    if (!HEX_ID.test(actionId)) throw new Error(`invalid action ID ${JSON.stringify(actionId)}`)
    this.counts.gets++
    const miss = (): false => {
      this.counts.misses++
      return false
    }
    const entryBytes = await this.call(() => this.transport.getAction(actionId))
    if (entryBytes === FAILED || entryBytes === undefined) return miss()
    const entry = decodeActionResult(entryBytes)
    if (entry instanceof Error) return this.reject(`action entry ${actionId}: ${entry.message}`, miss)
    if (entry.size > MAX_OBJECT_BYTES) return miss()
    const body = entry.size === 0 && entry.outputId === EMPTY_SHA256 ? Buffer.alloc(0) : await this.call(() => this.transport.getBlob(entry.outputId, entry.size))
    if (body === FAILED || body === undefined) return miss()
    // The server is not trusted with content: the bytes must be what the
    // entry's digest names, or Go would be handed someone else's object.
    if (body.length !== entry.size) return this.reject(`blob ${entry.outputId}: ${body.length} bytes, the entry says ${entry.size}`, miss)
    const digest = createHash('sha256').update(body).digest('hex')
    if (digest !== entry.outputId) return this.reject(`blob ${entry.outputId}: its sha256 is ${digest}`, miss)
    this.store.put(actionId, entry.outputId, [body], body.length, entry.timeMs)
    this.counts.hits++
    this.counts.bytesDown += body.length
    return true
  }

  /** Queues uploads of entries go put; returns at once. Ignored when this job may not write. */
  enqueue(actionIds: Iterable<string>): void {
    if (!this.options.write || this.stopped) return
    for (const id of actionIds) {
      if (!HEX_ID.test(id) || this.queued.has(id)) continue
      this.queued.add(id)
      this.pending.push(id)
    }
    this.pump()
  }

  /**
   * Waits for queued uploads until `deadlineMs` from now; then stops
   * uploading and returns the stats, `unsent` counting what never made it.
   */
  async flush(deadlineMs: number): Promise<RemoteStats> {
    if (this.pending.length > 0 || this.active > 0) {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs))),
      ])
      clearTimeout(timer)
    }
    // One flush per job (the post step's): what is still queued or in flight now is unsent.
    this.unsentAtFlush = this.pending.length + this.active
    this.flushed = true
    this.stop()
    if (this.unsentAtFlush > 0) this.options.log(`flush: deadline of ${deadlineMs} ms passed with ${this.unsentAtFlush} uploads left`)
    return this.stats()
  }

  /** Stops starting uploads (the daemon is going away). */
  stop(): void {
    this.stopped = true
    this.pending.length = 0
  }

  stats(): RemoteStats {
    return {
      ...this.counts,
      unsent: this.unsentAtFlush + this.failedUploads + this.pending.length,
      wireReceived: this.transport.wire.received,
      wireSent: this.transport.wire.sent,
      breaker: this.breaker.current,
      breakerOpened: this.breaker.opened,
      write: this.options.write,
      firstErrors: [...this.firstErrors],
    }
  }

  private pump(): void {
    while (!this.stopped && this.active < this.options.uploadConcurrency && this.pending.length > 0) {
      const id = this.pending.shift()!
      this.active++
      void this.upload(id).then((ok) => {
        this.active--
        if (ok) this.counts.uploads++
        else if (!this.flushed) this.failedUploads++ // after a flush, already counted as unsent
        this.pump()
        if (this.active === 0 && this.pending.length === 0) {
          for (const wake of this.idleWaiters.splice(0)) wake()
        }
      })
    }
  }

  private async upload(actionId: string): Promise<boolean> {
    const hit = this.store.get(actionId)
    if (hit === undefined) return false // trimmed or replaced since the put
    if (hit.size > MAX_OBJECT_BYTES) return false
    let body: Buffer
    try {
      body = await readFile(hit.diskPath)
    } catch {
      return false
    }
    // Only content that is what its name says goes to a shared cache.
    if (body.length !== hit.size || createHash('sha256').update(body).digest('hex') !== hit.outputId) {
      this.options.log(`upload ${actionId}: the local object does not match its OutputID; not uploaded`)
      return false
    }
    if (hit.size > 0 || hit.outputId !== EMPTY_SHA256) {
      if ((await this.call(() => this.transport.putBlob(hit.outputId, body), true)) === FAILED) return false
    }
    const entry = encodeActionResult({ outputId: hit.outputId, size: hit.size, timeMs: Math.trunc(hit.timeMs) })
    if ((await this.call(() => this.transport.putAction(actionId, entry), true)) === FAILED) return false
    this.counts.bytesUp += body.length
    return true
  }

  /** Runs one request through the breaker; FAILED when refused or failed (counted). */
  private async call<T>(request: () => Promise<T>, upload = false): Promise<T | typeof FAILED> {
    if (!this.breaker.allow()) {
      if (!upload) this.counts.skipped++
      return FAILED
    }
    try {
      const value = await request()
      this.breaker.success()
      return value
    } catch (error) {
      this.breaker.failure()
      if (upload) this.counts.uploadErrors++
      else this.counts.errors++
      this.noteError(error)
      return FAILED
    }
  }

  private reject(message: string, miss: () => false): false {
    this.counts.rejected++
    this.noteError(new Error(`rejected ${message}`))
    return miss()
  }

  private noteError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    if (this.firstErrors.length < 3) this.firstErrors.push(message)
    this.options.log(`remote: ${message}${error instanceof RemoteHttpError && (error.status === 401 || error.status === 403) ? ' (check cache-token)' : ''}`)
  }
}

const FAILED = Symbol('failed')
