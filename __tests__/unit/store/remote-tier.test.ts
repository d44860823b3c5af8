/**
 * The daemon's remote tier with a real local store (a temp dir) and a small
 * in-memory transport standing in for the server: what it validates, what it
 * counts, the upload order and the flush deadline. The real server is in
 * __tests__/integration/remote.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { decodeActionResult, encodeActionResult } from '../../../src/remote/action-result.ts'
import { CircuitBreaker } from '../../../src/remote/breaker.ts'
import type { Remote, RemoteEntry } from '../../../src/remote/remote.ts'
import { RemoteTier } from '../../../src/store/remote-tier.ts'
import { LocalStore } from '../../../src/store/local-store.ts'
import type { RemoteScopes } from '../../../src/policy/write-policy.ts'
import { scopedKey } from '../../../src/remote/scope.ts'
import { hashToString } from '../../../src/store/build-id.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const actionId = (n: number) => createHash('sha256').update(`action ${n}`).digest('hex')

/** A bazel-remote in memory: ActionResult bytes under ac/, blobs under cas/, as BazelHttpClient reads and writes them. */
class MemoryServer implements Remote {
  readonly ac = new Map<string, Buffer>()
  readonly cas = new Map<string, Buffer>()
  readonly calls: string[] = []
  readonly wire = { requests: 0, sent: 0, received: 0 }
  fail: Error | undefined
  /** Uploads wait on this when set (a slow server). */
  gate: Promise<void> | undefined

  private async check(call: string): Promise<void> {
    this.calls.push(call)
    if (this.gate) await this.gate
    if (this.fail) throw this.fail
  }
  async getAction(id: string) {
    await this.check(`GET ac/${id.slice(0, 6)}`)
    return this.ac.get(id)
  }
  async getBlob(hash: string) {
    await this.check(`GET cas/${hash.slice(0, 6)}`)
    const body = this.cas.get(hash)
    return body === undefined ? undefined : Readable.from([body])
  }
  async putBlob(hash: string, body: Buffer) {
    await this.check(`PUT cas/${hash.slice(0, 6)}`)
    this.cas.set(hash, body)
  }
  async putAction(id: string, bytes: Buffer) {
    await this.check(`PUT ac/${id.slice(0, 6)}`)
    this.ac.set(id, bytes)
  }
  /** Set: getEntry brings bodies up to the size asked for with the entry, as S3Remote does; each kept here to see it was consumed or destroyed. */
  inline: Readable[] | undefined
  async getEntry(id: string, inlineMaxBytes?: number) {
    const bytes = await this.getAction(id)
    const entry = bytes === undefined ? undefined : decodeActionResult(bytes)
    const body = entry instanceof Error ? undefined : entry && this.cas.get(entry.outputId)
    if (
      this.inline === undefined ||
      inlineMaxBytes === undefined ||
      entry === undefined ||
      entry instanceof Error ||
      body === undefined ||
      entry.size > inlineMaxBytes
    )
      return entry
    const stream = Readable.from([body])
    this.inline.push(stream)
    return { ...entry, body: stream }
  }
  async putEntry(id: string, entry: RemoteEntry) {
    await this.putAction(id, encodeActionResult(entry))
  }
  close() {}
  store(id: string, body: Buffer, timeMs = 1_700_000_000_000, outputId = sha(body)) {
    this.cas.set(outputId, body)
    this.ac.set(id, encodeActionResult({ outputId, size: body.length, timeMs }))
  }
}

let dir: string
let store: LocalStore
let clock: { now: number }
let logs: string[]
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'remote-cache-'))
  store = new LocalStore(dir)
  clock = { now: 0 }
  logs = []
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function remote(
  server: MemoryServer,
  write = true,
  uploadConcurrency = 2,
  manifestKey?: string,
  into = store,
  scopes: RemoteScopes = write ? { read: ['trusted'], write: 'trusted' } : { read: ['trusted'] },
  budget = { read: 10_000, write: 30_000 },
) {
  const now = () => clock.now
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1000, maxOpenMs: 4000, now })
  const health = { read: breaker(), write: breaker(), budgetMs: budget, now }
  return new RemoteTier(server, into, health, { scopes, uploadConcurrency, log: (m) => logs.push(m), ...(manifestKey && { manifestKey }) })
}

describe('RemoteTier.fetch', () => {
  it('writes a verified hit into the local store, with the time the entry recorded', async () => {
    const server = new MemoryServer()
    const body = Buffer.from('object bytes')
    server.store(actionId(1), body, 1_700_000_000_123)
    const cache = remote(server)
    expect(await cache.fetch(actionId(1))).toBe(true)
    const hit = store.get(actionId(1))!
    expect(hit).toMatchObject({ outputId: sha(body), size: body.length, timeMs: 1_700_000_000_123 })
    expect(server.calls).toEqual([`GET ac/${actionId(1).slice(0, 6)}`, `GET cas/${sha(body).slice(0, 6)}`])
    expect(cache.stats()).toMatchObject({ gets: 1, hits: 1, misses: 0, errors: 0, rejected: 0, bytesDown: body.length })
  })

  it('a missing entry or blob is a plain miss', async () => {
    const server = new MemoryServer()
    server.store(actionId(2), Buffer.from('x'))
    server.cas.clear()
    const cache = remote(server)
    expect(await cache.fetch(actionId(1))).toBe(false)
    expect(await cache.fetch(actionId(2))).toBe(false)
    expect(cache.stats()).toMatchObject({ gets: 2, hits: 0, misses: 2, errors: 0, rejected: 0 })
    expect(store.get(actionId(2))).toBeUndefined()
  })

  it('rejects a blob whose bytes are not what the digest names, and a malformed entry', async () => {
    const server = new MemoryServer()
    const body = Buffer.from('the real object')
    server.store(actionId(1), body)
    server.store(actionId(2), body)
    server.cas.set(sha(body), Buffer.from('the real objecT')) // same size, other bytes
    server.ac.set(actionId(2), encodeActionResult({ outputId: sha(body), size: body.length + 1, timeMs: 0 })) // size lies
    server.ac.set(actionId(3), Buffer.from('not protobuf \x0b'))
    const cache = remote(server)
    for (const n of [1, 2, 3]) expect(await cache.fetch(actionId(n))).toBe(false)
    for (const n of [1, 2, 3]) expect(store.get(actionId(n))).toBeUndefined()
    const stats = cache.stats()
    expect(stats).toMatchObject({ gets: 3, hits: 0, misses: 3, rejected: 3, errors: 0 })
    expect(stats.firstErrors[0]).toBe(`rejected blob ${sha(body)}: its sha256 is ${sha(Buffer.from('the real objecT'))}`)
    expect(stats.firstErrors[1]).toBe(`rejected blob ${sha(body)}: 15 bytes, the entry says 16`)
    // A rejection is the data's fault, not the server's health: the breaker stays closed.
    expect(stats.health.read).toMatchObject({ breaker: 'closed', opened: 0, lostMs: 0, off: false })
  })

  it('streams a large object into the store through a staged file, and leaves nothing in tmp/, hit or rejected', async () => {
    const server = new MemoryServer()
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 9)
    server.store(actionId(1), big)
    const tampered = Buffer.from(big)
    tampered[big.length - 1] = 8
    // Named as another object of the same size: its bytes are not what the name says.
    server.store(actionId(2), tampered, 1, sha(Buffer.alloc(big.length, 7)))
    const cache = remote(server)
    expect(await cache.fetch(actionId(1))).toBe(true)
    expect(readFileSync(store.get(actionId(1))!.diskPath).equals(big)).toBe(true)
    expect(await cache.fetch(actionId(2))).toBe(false)
    expect(cache.stats()).toMatchObject({ hits: 1, rejected: 1, bytesDown: big.length })
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([])
  })

  it('takes a body that came with its entry, asking for no blob; a wrong one is rejected like a fetched one', async () => {
    const server = new MemoryServer()
    server.inline = []
    const body = Buffer.from('inline object')
    server.store(actionId(1), body)
    server.store(actionId(2), Buffer.from('not what the entry names'), 1_700_000_000_000, sha(Buffer.from('something else')))
    const cache = remote(server)
    expect(await cache.fetch(actionId(1))).toBe(true)
    expect(store.get(actionId(1))?.outputId).toBe(sha(body))
    expect(await cache.fetch(actionId(2))).toBe(false)
    expect(server.calls).toEqual([`GET ac/${actionId(1).slice(0, 6)}`, `GET ac/${actionId(2).slice(0, 6)}`])
    expect(cache.stats()).toMatchObject({ hits: 1, rejected: 1 })
    expect(server.inline.map((stream) => stream.destroyed)).toEqual([true, true])
  })

  it('the empty object needs no blob request', async () => {
    const server = new MemoryServer()
    server.store(actionId(1), Buffer.alloc(0))
    server.cas.clear()
    const cache = remote(server)
    expect(await cache.fetch(actionId(1))).toBe(true)
    expect(server.calls).toHaveLength(1)
  })

  it('failures count as errors and misses; after three the breaker skips the server', async () => {
    const server = new MemoryServer()
    server.fail = new Error('connect ECONNREFUSED')
    const cache = remote(server)
    for (let n = 0; n < 5; n++) expect(await cache.fetch(actionId(n))).toBe(false)
    expect(server.calls).toHaveLength(3)
    expect(cache.stats()).toMatchObject({ gets: 5, misses: 5, errors: 3, skipped: 2, health: { read: { breaker: 'open', opened: 1 } } })
    // Time passes, the server is back: the probe goes through and closes it.
    server.fail = undefined
    server.store(actionId(9), Buffer.from('back'))
    clock.now = 1000
    expect(await cache.fetch(actionId(9))).toBe(true)
    expect(cache.stats().health.read.breaker).toBe('closed')
  })

  it('refuses IDs that are not 64 lowercase hex characters', async () => {
    await expect(remote(new MemoryServer()).fetch('../etc')).rejects.toThrow('invalid action ID')
  })
})

describe('RemoteTier uploads', () => {
  const put = (n: number, text: string) => {
    const body = Buffer.from(text)
    store.put(actionId(n), sha(body), [body], body.length, 1_700_000_000_000 + n)
    return body
  }

  it('uploads the blob, then the entry, and flush waits for them', async () => {
    const server = new MemoryServer()
    const cache = remote(server, true, 1)
    const body = put(1, 'compiled')
    cache.enqueue([actionId(1), actionId(1)])
    const stats = await cache.flush(10_000)
    expect(server.calls).toEqual([`PUT cas/${sha(body).slice(0, 6)}`, `PUT ac/${actionId(1).slice(0, 6)}`])
    expect(decodeActionResult(server.ac.get(actionId(1))!)).toEqual({ outputId: sha(body), size: body.length, timeMs: 1_700_000_000_001 })
    expect(stats).toMatchObject({ uploads: 1, unsent: 0, uploadErrors: 0, bytesUp: body.length })
  })

  it('uploads each entry once per job, and nothing when the job may not write', async () => {
    const server = new MemoryServer()
    put(1, 'a')
    const readOnly = remote(server, false)
    readOnly.enqueue([actionId(1)])
    expect(await readOnly.flush(1000)).toMatchObject({ uploads: 0, unsent: 0, scopes: { read: ['trusted'] } })
    expect(server.calls).toEqual([])
  })

  it('does not upload a local object that does not match its OutputID', async () => {
    const server = new MemoryServer()
    const body = Buffer.from('honest')
    store.put(actionId(1), sha(Buffer.from('other')), [body], body.length)
    const cache = remote(server)
    cache.enqueue([actionId(1)])
    expect(await cache.flush(1000)).toMatchObject({ uploads: 0, unsent: 1 })
    expect(server.calls).toEqual([])
    expect(logs.some((l) => l.includes('does not match its OutputID'))).toBe(true)
  })

  it('counts failed uploads and what the deadline left as unsent', async () => {
    const server = new MemoryServer()
    let open!: () => void
    server.gate = new Promise((resolve) => (open = resolve))
    for (let n = 1; n <= 5; n++) put(n, `object ${n}`)
    const cache = remote(server, true, 2)
    cache.enqueue([1, 2, 3, 4, 5].map(actionId))
    const stats = await cache.flush(50)
    // Two in flight, three queued: none made it before the deadline.
    expect(stats).toMatchObject({ uploads: 0, unsent: 5 })
    open()
    await new Promise((resolve) => setTimeout(resolve, 20))
    // The two in flight finished after the flush; nothing new started.
    expect(server.calls.filter((c) => c.startsWith('PUT cas'))).toHaveLength(2)
    expect(logs).toContain('flush: deadline of 50 ms passed with 5 uploads left')
  })

  it('a failing server: uploads fail, the breaker opens, every entry is unsent', async () => {
    const server = new MemoryServer()
    server.fail = new Error('HTTP 500')
    for (let n = 1; n <= 6; n++) put(n, `object ${n}`)
    const cache = remote(server, true, 1)
    cache.enqueue([1, 2, 3, 4, 5, 6].map(actionId))
    const stats = await cache.flush(5000)
    expect(stats).toMatchObject({ uploads: 0, unsent: 6, uploadErrors: 3, health: { write: { breaker: 'open' }, read: { breaker: 'closed' } } })
    expect(server.calls).toHaveLength(3)
  })
})

describe('RemoteTier health: reads and writes apart, and the job budget', () => {
  /** A server whose reads fail (after `readMs` of the clock) while its writes succeed: uploads must not keep reads going. */
  class StallingReads extends MemoryServer {
    readMs = 0
    override async getAction(id: string): Promise<Buffer | undefined> {
      this.calls.push(`GET ac/${id.slice(0, 6)}`)
      clock.now += this.readMs
      throw new Error('no answer within 2000 ms')
    }
  }

  it('opens the read circuit after three failed reads, however many uploads succeed in between', async () => {
    const server = new StallingReads()
    const cache = remote(server)
    for (let n = 0; n < 6; n++) {
      const body = Buffer.from(`put ${n}`)
      store.put(actionId(100 + n), sha(body), [body], body.length)
      cache.enqueue([actionId(100 + n)])
      expect(await cache.fetch(actionId(n))).toBe(false)
    }
    const stats = await cache.flush(1000)
    expect(stats.uploads).toBe(6)
    expect(server.calls.filter((c) => c.startsWith('GET'))).toHaveLength(3)
    expect(stats).toMatchObject({ errors: 3, skipped: 3, health: { read: { breaker: 'open', opened: 1 }, write: { breaker: 'closed', opened: 0 } } })
  })

  it('opens the read circuit after three objects that are not their digest, though every entry was found', async () => {
    const server = new MemoryServer()
    for (let n = 1; n <= 5; n++) {
      const body = Buffer.from(`object ${n}`)
      server.store(actionId(n), Buffer.from(`bomb!! ${n}`), 1, sha(body)) // same size, other bytes
    }
    const cache = remote(server)
    for (let n = 1; n <= 5; n++) expect(await cache.fetch(actionId(n))).toBe(false)
    expect(cache.stats()).toMatchObject({ rejected: 3, skipped: 2 })
    expect(cache.stats().health.read).toMatchObject({ breaker: 'open', opened: 1 })
  })

  it('switches reads off for the rest of the job once failed reads have cost the budget, even with the circuit closed again', async () => {
    const server = new StallingReads()
    server.readMs = 2000
    // A budget of 5 s: three 2 s failures open the circuit with 6 s lost.
    const cache = remote(server, false, 2, undefined, store, { read: ['trusted'] }, { read: 5000, write: 30_000 })
    for (let n = 0; n < 3; n++) expect(await cache.fetch(actionId(n))).toBe(false)
    expect(logs.some((m) => /reads off for the rest of the job: 6000 ms lost/.test(m))).toBe(true)
    // Long after the circuit would let a probe through, nothing is asked.
    clock.now += 3_600_000
    expect(await cache.fetch(actionId(9))).toBe(false)
    expect(server.calls).toHaveLength(3)
    expect(cache.stats().health.read).toMatchObject({ off: true, lostMs: 6000, budgetMs: 5000 })
  })
})

describe('the job manifest and prefetch', () => {
  const KEY = 'f'.repeat(64)

  it('job 1 writes what it used and uploaded; job 2 prefetches it into an empty store', async () => {
    const server = new MemoryServer()
    const fromServer = Buffer.from('was already on the server')
    server.store(actionId(1), fromServer)
    const job1 = remote(server, true, 2, KEY)
    expect(await job1.fetch(actionId(1))).toBe(true)
    const added = Buffer.from('built by job 1')
    store.put(actionId(2), sha(added), [added], added.length)
    job1.enqueue([actionId(2)])
    await job1.flush(5000, new Set([actionId(1)]))
    const manifest = decodeActionResult(server.ac.get(KEY)!)
    if (manifest instanceof Error) throw manifest
    // Used first, then uploaded, each in the order it happened.
    expect(server.cas.get(manifest.outputId)!.toString()).toBe(`${actionId(1)}\n${actionId(2)}\n`)

    // Job 2: another store, the same job.
    const store2 = new LocalStore(path.join(dir, 'store2'))
    const job2 = remote(server, true, 2, KEY, store2)
    await job2.prefetch()
    expect(store2.get(actionId(1))?.outputId).toBe(sha(fromServer))
    expect(store2.get(actionId(2))?.outputId).toBe(sha(added))
    // go hit one of them locally; the other was fetched for nothing.
    expect(job2.stats(new Set([actionId(2)]))).toMatchObject({ manifestEntries: 2, prefetched: 2, hits: 1, demandHits: 0, gets: 0 })
    expect(logs).toContain('prefetch: 2 of 2 manifest entries fetched (0 were local)')
  })

  it('a shim asking for an entry the prefetch is fetching waits for that download', async () => {
    const server = new MemoryServer()
    const body = Buffer.from('one download')
    server.store(actionId(1), body)
    const list = Buffer.from(`${actionId(1)}\n`)
    server.cas.set(sha(list), list)
    server.ac.set(KEY, encodeActionResult({ outputId: sha(list), size: list.length, timeMs: 1 }))
    const cache = remote(server, false, 2, KEY)
    const prefetching = cache.prefetch()
    await new Promise((resolve) => setImmediate(resolve)) // the manifest is read, the entry's download has started
    await new Promise((resolve) => setImmediate(resolve))
    expect(await cache.fetch(actionId(1))).toBe(true)
    await prefetching
    expect(server.calls.filter((c) => c === `GET cas/${sha(body).slice(0, 6)}`)).toHaveLength(1)
    expect(cache.stats(new Set([actionId(1)]))).toMatchObject({ hits: 1, demandHits: 1, gets: 1, misses: 0 })
  })

  it('ignores a manifest that is not a list of IDs, and writes none when the job may not write', async () => {
    const server = new MemoryServer()
    const list = Buffer.from('../../etc/passwd\n')
    server.cas.set(sha(list), list)
    server.ac.set(KEY, encodeActionResult({ outputId: sha(list), size: list.length, timeMs: 1 }))
    const cache = remote(server, false, 2, KEY)
    await cache.prefetch()
    expect(cache.stats()).toMatchObject({ manifestEntries: 0, prefetched: 0, rejected: 1 })
    await cache.flush(1000, new Set([actionId(1)]))
    expect(server.calls.filter((c) => c.startsWith('PUT'))).toEqual([])
  })
})

describe('RemoteTier scopes', () => {
  const own = 'pr:acme/app#7'
  const both: RemoteScopes = { read: [own, 'trusted'], write: own }
  /** A Go package archive's first lines, with the build ID cmd/go gives the archive of `id` (store/build-id.ts). */
  const archive = (buildIdAction: string) =>
    Buffer.from(
      `!<arch>\n__.PKGDEF       0           0     0     644     100       \`\ngo object linux amd64 go1.26.8 X:none\nbuild id "${buildIdAction}/contentid"\n`,
    )

  it('reads its own scope first, then the trusted one, and takes the first that has the entry', async () => {
    const server = new MemoryServer()
    server.store(scopedKey(own, actionId(1)), Buffer.from('own'))
    server.store(actionId(1), Buffer.from('trusted'))
    server.store(actionId(2), Buffer.from('trusted only'))
    const tier = remote(server, true, 2, undefined, store, both)
    expect(await tier.fetch(actionId(1))).toBe(true)
    expect(await tier.fetch(actionId(2))).toBe(true)
    expect(store.get(actionId(1))?.outputId).toBe(sha(Buffer.from('own')))
    expect(store.get(actionId(2))?.outputId).toBe(sha(Buffer.from('trusted only')))
  })

  it('uploads into its own scope only, never under the trusted key', async () => {
    const server = new MemoryServer()
    const tier = remote(server, true, 2, undefined, store, both)
    store.put(actionId(3), sha(Buffer.from('mine')), [Buffer.from('mine')], 4)
    tier.enqueue([actionId(3)])
    expect(await tier.flush(1000)).toMatchObject({ uploads: 1, scopes: both })
    expect(server.ac.has(scopedKey(own, actionId(3)))).toBe(true)
    expect(server.ac.has(actionId(3))).toBe(false)
  })

  it('keys every other scope apart from the trusted one and from each other', () => {
    const id = actionId(4)
    expect(scopedKey('trusted', id)).toBe(id)
    const keys = new Set([id, scopedKey(own, id), scopedKey('pr:acme/app#8', id), scopedKey('ref:acme/app:refs/heads/x', id)])
    expect(keys.size).toBe(4)
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{64}$/)
  })

  it('drops the body that came with an entry it did not take', async () => {
    const server = new MemoryServer()
    server.inline = []
    server.store(scopedKey(own, actionId(1)), Buffer.from('own'))
    server.store(actionId(1), Buffer.from('trusted'))
    const tier = remote(server, true, 2, undefined, store, both)
    expect(await tier.fetch(actionId(1))).toBe(true)
    expect(store.get(actionId(1))?.outputId).toBe(sha(Buffer.from('own')))
    expect(server.inline).toHaveLength(2)
    expect(server.inline.every((stream) => stream.destroyed)).toBe(true)
    expect(server.calls.filter((call) => call.startsWith('GET cas/'))).toEqual([])
  })

  it('refuses an archive whose build ID names another action, and tries the next scope', async () => {
    const server = new MemoryServer()
    const id = actionId(5)
    // Well formed and what its digest says, but another package's archive: go would take it (buildid.go useCache).
    server.store(scopedKey(own, id), archive(hashToString(actionId(6))))
    server.store(id, archive(hashToString(id)))
    const tier = remote(server, false, 2, undefined, store, { read: [own, 'trusted'] })
    expect(await tier.fetch(id)).toBe(true)
    expect(store.get(id)?.outputId).toBe(sha(archive(hashToString(id))))
    const stats = tier.stats()
    expect(stats.rejected).toBe(1)
    expect(stats.firstErrors[0]).toMatch(/^rejected pr:acme\/app#7: action entry [0-9a-f]{64}: /)
  })

  it('misses when the only entry is a mismatched archive', async () => {
    const server = new MemoryServer()
    server.store(actionId(7), archive(hashToString(actionId(8))))
    const tier = remote(server, false)
    expect(await tier.fetch(actionId(7))).toBe(false)
    expect(store.get(actionId(7))).toBeUndefined()
  })
})
