/**
 * The remote tier, run inside the daemon: fetches what the local store lacks
 * into it, and uploads what go put, in the background. Remote trouble is a
 * miss or an unsent upload, counted, never an error for go.
 *
 * Any remote (remote/remote.ts): the tier checks what it returns (IDs, sizes,
 * the object's sha256 = Go's OutputID, cmd/go/internal/cache/prog.go), and
 * uploads the object before the entry that names it: bazel-remote answers an
 * AC GET with 404 while a blob it names is missing (docs/remote-cache.md).
 */
import { createHash } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import type { LocalStore } from './local-store.ts'
import type { Remote, RemoteEntry } from '../remote/remote.ts'
import type { BreakerState, CircuitBreaker } from '../remote/breaker.ts'
import { scopedKey } from '../remote/scope.ts'
import type { RemoteScopes } from '../policy/write-policy.ts'
import { MAX_GO_OBJECT_BYTES } from '../go/object-size.ts'
import { checkObjectForAction } from './build-id.ts'
import { readHashed } from './file-chunks.ts'

const HEX_ID = /^[0-9a-f]{64}$/
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

export interface RemoteStats {
  /** Local misses asked of the remote (on demand). */
  gets: number
  /** Entries go used that came from the remote: fetched on demand, or prefetched and then hit. */
  hits: number
  /** Of `hits`, fetched on demand. */
  demandHits: number
  misses: number
  /** Entries the job's manifest named, and how many of them were prefetched (used or not). */
  manifestEntries: number
  prefetched: number
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
  /** Requests sent, and body bytes on the wire (compressed when zstd is on). */
  wireRequests: number
  wireReceived: number
  wireSent: number
  /** Reads and writes, each with its own circuit and budget: a remote that fails one direction is left alone in it, whatever the other does. */
  health: { read: DirectionHealth; write: DirectionHealth }
  /** The scopes this job read, in order, and wrote (policy/write-policy.ts). */
  scopes: RemoteScopes
  /** The first few error messages, for the log and summary. */
  firstErrors: string[]
}

export interface DirectionHealth {
  breaker: BreakerState
  opened: number
  /** Wall time of the requests that failed (summed over concurrent ones). */
  lostMs: number
  /** The job budget: past it, the direction is off for the rest of the job. */
  budgetMs: number
  /** Switched off for the rest of the job: `lostMs` passed the job budget. */
  off: boolean
}

/** The circuits, one per direction, and the job-wide budget of time lost to failed requests, past which a direction is off. */
export interface RemoteHealthOptions {
  read: CircuitBreaker
  write: CircuitBreaker
  budgetMs: { read: number; write: number }
  now: () => number
}

export interface RemoteTierOptions {
  /** Read in order; uploads go to `write` only, and none without it. */
  scopes: RemoteScopes
  uploadConcurrency: number
  log: (message: string) => void
  /**
   * This job's manifest (64 hex, keyed into each scope like an action ID):
   * the action IDs the last run of the same job used or added. Read at start
   * (the first scope that has one) to prefetch them; written at flush to the
   * write scope. Undefined: no manifest.
   */
  manifestKey?: string
}

/**
 * Objects up to this size are fetched into memory, larger ones into a file as
 * they arrive: with PREFETCH_CONCURRENCY reads at once, bodies in memory stay
 * under 16 × 2 MiB, whatever the objects' sizes (docs/decisions.md#d32).
 */
const IN_MEMORY_BLOB_BYTES = 2 * 1024 ** 2

/** Prefetch requests in flight at once: enough to hide round trips, few enough to leave the build its CPU. */
export const PREFETCH_CONCURRENCY = 16
/** A manifest larger than this is ignored (64 hex + newline per entry: ~150,000 entries). */
const MAX_MANIFEST_BYTES = 10 * 1024 ** 2

export class RemoteTier {
  private readonly remote: Remote
  private readonly store: LocalStore
  private readonly health: RemoteHealthOptions
  private readonly lost = { read: 0, write: 0 }
  private readonly options: RemoteTierOptions
  private readonly counts = {
    gets: 0,
    misses: 0,
    errors: 0,
    rejected: 0,
    skipped: 0,
    uploads: 0,
    uploadErrors: 0,
    bytesDown: 0,
    bytesUp: 0,
    manifestEntries: 0,
  }
  /** Served to a shim on demand. */
  private readonly demandHits = new Set<string>()
  /** Written into the local store by the prefetch. */
  private readonly prefetched = new Set<string>()
  /** Loads in flight, so a shim asking for an entry the prefetch is fetching waits for that one. */
  private readonly inflight = new Map<string, Promise<boolean>>()
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
  private largeFetches: Promise<unknown> = Promise.resolve()

  constructor(remote: Remote, store: LocalStore, health: RemoteHealthOptions, options: RemoteTierOptions) {
    this.remote = remote
    this.store = store
    this.health = health
    this.options = options
  }

  /** A shim's local miss: looks the action up remotely and, on a verified hit, writes it into the local store. True on a hit. */
  async fetch(actionId: string): Promise<boolean> {
    if (!HEX_ID.test(actionId)) throw new Error(`invalid action ID ${JSON.stringify(actionId)}`)
    this.counts.gets++
    // The prefetch may have stored it since the shim looked.
    const hit = this.store.get(actionId) !== undefined || (await this.load(actionId))
    if (hit) this.demandHits.add(actionId)
    else this.counts.misses++
    return hit
  }

  /**
   * Reads this job's manifest and fetches every entry the local store lacks,
   * PREFETCH_CONCURRENCY at a time, while go starts building. Errors are
   * counted like any other; the build never waits for this.
   */
  async prefetch(): Promise<void> {
    const key = this.options.manifestKey
    if (key === undefined) return
    const ids = await this.readManifest(key)
    this.counts.manifestEntries = ids.length
    const todo = ids.filter((id) => this.store.get(id) === undefined)
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < todo.length && !this.stopped) {
        const id = todo[next++]!
        if (await this.load(id)) this.prefetched.add(id)
      }
    }
    await Promise.all(Array.from({ length: PREFETCH_CONCURRENCY }, worker))
    this.options.log(`prefetch: ${this.prefetched.size} of ${ids.length} manifest entries fetched (${ids.length - todo.length} were local)`)
  }

  /** Fetches an entry into the local store once, however many ask at the same time. */
  private load(actionId: string): Promise<boolean> {
    let promise = this.inflight.get(actionId)
    if (promise === undefined) {
      promise = this.download(actionId).finally(() => this.inflight.delete(actionId))
      this.inflight.set(actionId, promise)
    }
    return promise
  }

  /**
   * The entry from the first scope that has a valid one, asked of every read
   * scope at once (a round trip, not one per scope). An object whose Go build
   * ID names another action is refused, and the next scope tried.
   */
  private async download(actionId: string): Promise<boolean> {
    // An entry found proves nothing until its object verifies (a server may serve good entries and bomb objects).
    const entries = await Promise.all(
      this.options.scopes.read.map((scope) =>
        this.call(
          () => this.remote.getEntry(scopedKey(scope, actionId), IN_MEMORY_BLOB_BYTES),
          false,
          (entry) => entry === undefined,
        ),
      ),
    )
    try {
      for (const [index, entry] of entries.entries()) {
        if (entry === FAILED || entry === undefined) continue
        const where = `${this.options.scopes.read[index]}: action entry ${actionId}`
        if (entry instanceof Error) {
          this.reject(`${where}: ${entry.message}`)
          continue
        }
        if (entry.size > MAX_GO_OBJECT_BYTES) continue
        // A large object goes to a file in the store's tmp/ as it arrives, not
        // into memory, and one at a time: the disk holds at most one in flight.
        const staged = entry.size > IN_MEMORY_BLOB_BYTES ? this.store.stagePath() : undefined
        try {
          const blob = await (staged === undefined
            ? this.getVerifiedBlob(entry.outputId, entry.size, undefined, entry.body)
            : this.oneLarge(() => this.getVerifiedBlob(entry.outputId, entry.size, staged)))
          if (blob === undefined) continue
          const check = checkObjectForAction(actionId, blob.head)
          if (!check.ok) {
            this.reject(`${where}: ${check.reason}`)
            continue
          }
          if (staged === undefined) this.store.put(actionId, entry.outputId, [blob.body!], entry.size, entry.timeMs)
          else this.store.putStaged(actionId, entry.outputId, staged, entry.size, entry.timeMs)
        } finally {
          if (staged !== undefined) await rm(staged, { force: true })
        }
        this.counts.bytesDown += entry.size
        return true
      }
      return false
    } finally {
      // Bodies that came with entries not taken (another scope's, or one refused before its read).
      for (const entry of entries) if (typeof entry === 'object' && !(entry instanceof Error)) entry.body?.destroy()
    }
  }

  /** Runs `task` after every large fetch before it: one at a time, whatever the prefetch's concurrency. */
  private oneLarge<T>(task: () => Promise<T>): Promise<T> {
    const run = this.largeFetches.then(task)
    this.largeFetches = run.catch(() => undefined)
    return run
  }

  /**
   * The blob, only if its bytes are what the digest names: the server is not
   * trusted with content, or Go would be handed someone else's object. In
   * memory (`body`), or written to `staged` as it arrives; with its first
   * bytes (`head`) for the build-ID check either way. A failed or refused
   * read may leave a partial `staged`: the caller removes it. `inline`: the
   * body that came with the entry (FoundEntry), read instead of asked for.
   */
  private async getVerifiedBlob(hash: string, size: number, staged?: string, inline?: Readable): Promise<{ head: Buffer; body?: Buffer } | undefined> {
    if (size === 0 && hash === EMPTY_SHA256) return { head: Buffer.alloc(0), body: Buffer.alloc(0) }
    // Inside `call`: a read that stalls or fails halfway, or sends bytes that
    // are not the digest's (a bomb), costs the read circuit and budget like one
    // that fails at once: a server sending only those is soon left alone.
    const got = await this.call(async () => {
      const stream = inline ?? (await this.remote.getBlob(hash, size))
      if (stream === undefined) return undefined
      const blob = await readBlob(stream, staged)
      if (blob.length !== size) throw new Rejected(`blob ${hash}: ${blob.length} bytes, the entry says ${size}`)
      if (blob.digest !== hash) throw new Rejected(`blob ${hash}: its sha256 is ${blob.digest}`)
      return blob
    })
    return got === FAILED ? undefined : got
  }

  /** The manifest's action IDs from the first read scope that has one; empty when none has, or it is not valid. */
  private async readManifest(key: string): Promise<string[]> {
    let entry: RemoteEntry | undefined
    for (const scope of this.options.scopes.read) {
      const found = await this.call(() => this.remote.getEntry(scopedKey(scope, key)))
      if (found === FAILED || found === undefined) continue
      if (found instanceof Error) {
        this.reject(`manifest entry: ${found.message}`)
        return []
      }
      entry = found
      break
    }
    if (entry === undefined) return []
    if (entry.size > MAX_MANIFEST_BYTES) return []
    const body = (await this.getVerifiedBlob(entry.outputId, entry.size))?.body
    if (body === undefined) return []
    const lines = body
      .toString('latin1')
      .split('\n')
      .filter((line) => line !== '')
    if (!lines.every((line) => HEX_ID.test(line))) {
      this.reject('manifest: not a list of action IDs')
      return []
    }
    return lines
  }

  /** Stores the job's manifest: what it used or uploaded, for the next run of the job to prefetch. */
  private async writeManifest(ids: Iterable<string>): Promise<void> {
    const key = this.options.manifestKey
    const scope = this.options.scopes.write
    if (key === undefined || scope === undefined) return
    // In the order go used or put them (sets keep insertion order), not sorted:
    // the next run prefetches in about the order its go will ask.
    const ordered = [...new Set(ids)].filter((id) => HEX_ID.test(id))
    if (ordered.length === 0) return
    const body = Buffer.from(`${ordered.join('\n')}\n`, 'latin1')
    if (body.length > MAX_MANIFEST_BYTES) return
    const hash = createHash('sha256').update(body).digest('hex')
    if ((await this.call(() => this.remote.putBlob(hash, body), true)) === FAILED) return
    await this.call(() => this.remote.putEntry(scopedKey(scope, key), { outputId: hash, size: body.length, timeMs: Date.now() }), true)
  }

  /** Queues uploads of entries go put; returns at once. Ignored when this job may not write. */
  enqueue(actionIds: Iterable<string>): void {
    if (this.options.scopes.write === undefined || this.stopped) return
    for (const id of actionIds) {
      if (!HEX_ID.test(id) || this.queued.has(id)) continue
      this.queued.add(id)
      this.pending.push(id)
    }
    this.pump()
  }

  /**
   * Waits for queued uploads until `deadlineMs` from now; then stops
   * uploading, writes the manifest (`used`: the entries go hit this job, to
   * count prefetch hits and name in the manifest with what was added) and
   * returns the stats, `unsent` counting what never made it.
   */
  async flush(deadlineMs: number, used: ReadonlySet<string> = new Set()): Promise<RemoteStats> {
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
    // Only when the queue drained: then every queued entry was sent (used ones came from the server or were there).
    else await this.writeManifest([...used, ...this.queued])
    return this.stats(used)
  }

  /** Stops starting uploads (the daemon is going away). */
  stop(): void {
    this.stopped = true
    this.pending.length = 0
  }

  /** `used`: the entries go hit this job (the daemon's account), to tell prefetched entries that were used. */
  stats(used: ReadonlySet<string> = new Set()): RemoteStats {
    let prefetchHits = 0
    for (const id of this.prefetched) if (used.has(id) && !this.demandHits.has(id)) prefetchHits++
    return {
      ...this.counts,
      hits: this.demandHits.size + prefetchHits,
      demandHits: this.demandHits.size,
      prefetched: this.prefetched.size,
      unsent: this.unsentAtFlush + this.failedUploads + this.pending.length,
      wireRequests: this.remote.wire.requests,
      wireReceived: this.remote.wire.received,
      wireSent: this.remote.wire.sent,
      health: { read: this.directionHealth('read'), write: this.directionHealth('write') },
      scopes: this.options.scopes,
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
    const scope = this.options.scopes.write
    const hit = this.store.get(actionId)
    if (scope === undefined) return false
    if (hit === undefined) return false // trimmed or replaced since the put
    if (hit.size > MAX_GO_OBJECT_BYTES) return false
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
      if ((await this.call(() => this.remote.putBlob(hit.outputId, body), true)) === FAILED) return false
    }
    const entry = { outputId: hit.outputId, size: hit.size, timeMs: Math.trunc(hit.timeMs) }
    if ((await this.call(() => this.remote.putEntry(scopedKey(scope, actionId), entry), true)) === FAILED) return false
    this.counts.bytesUp += body.length
    return true
  }

  private directionHealth(direction: 'read' | 'write'): DirectionHealth {
    const breaker = this.health[direction]
    const lostMs = Math.round(this.lost[direction])
    const budgetMs = this.health.budgetMs[direction]
    return { breaker: breaker.current, opened: breaker.opened, lostMs, budgetMs, off: this.lost[direction] >= budgetMs }
  }

  /**
   * Runs one request through its direction's breaker and budget; FAILED when
   * refused or failed (counted). A value that `proves` nothing leaves the
   * breaker as it was (breaker.neutral). Reads and writes keep apart: uploads
   * that succeed must not hold the circuit closed for reads that stall.
   */
  private async call<T>(request: () => Promise<T>, upload = false, proves: (value: T) => boolean = () => true): Promise<T | typeof FAILED> {
    const direction = upload ? 'write' : 'read'
    const breaker = this.health[direction]
    if (this.lost[direction] >= this.health.budgetMs[direction] || !breaker.allow()) {
      if (!upload) this.counts.skipped++
      return FAILED
    }
    const started = this.health.now()
    try {
      const value = await request()
      if (proves(value)) breaker.success()
      else breaker.neutral()
      return value
    } catch (error) {
      breaker.failure()
      const budget = this.health.budgetMs[direction]
      const before = this.lost[direction]
      this.lost[direction] += this.health.now() - started
      if (before < budget && this.lost[direction] >= budget) {
        this.options.log(
          `remote: ${direction}s off for the rest of the job: ${Math.round(this.lost[direction])} ms lost to failed requests (budget ${budget} ms)`,
        )
      }
      if (error instanceof Rejected) {
        this.reject(error.message)
        return FAILED
      }
      if (upload) this.counts.uploadErrors++
      else this.counts.errors++
      this.noteError(error)
      return FAILED
    }
  }

  private reject(message: string): false {
    this.counts.rejected++
    this.noteError(new Error(`rejected ${message}`))
    return false
  }

  private noteError(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    if (this.firstErrors.length < 3) this.firstErrors.push(message)
    this.options.log(`remote: ${message}`)
  }
}

const FAILED = Symbol('failed')

/** What the server sent, refused: counted as rejected, and as a failed read. */
class Rejected extends Error {}

/** A blob read to its end (store/file-chunks.ts readHashed); the stream is dropped either way. */
async function readBlob(stream: Readable, file?: string): ReturnType<typeof readHashed> {
  try {
    return await readHashed(stream as AsyncIterable<Buffer>, file)
  } finally {
    stream.destroy()
  }
}
