/**
 * The daemon's remote operations over its real socket: `queue` (fed by the
 * shim's PutNotifier), `report`, `fetch` and `flush` with a remote tier whose
 * transport is an in-memory server (the real one: __tests__/integration/remote).
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { controlRequest } from '../../../src/daemon/control.ts'
import { startDaemon, type RunningDaemon } from '../../../src/daemon/daemon.ts'
import { PutNotifier } from '../../../src/daemon/put-notifier.ts'
import { emptyStats } from '../../../src/gocacheprog/session.ts'
import { decodeActionResult, encodeActionResult } from '../../../src/remote/action-result.ts'
import { CircuitBreaker } from '../../../src/remote/breaker.ts'
import type { Remote } from '../../../src/remote/remote.ts'
import { RemoteTier } from '../../../src/store/remote-tier.ts'
import type { LocalStore } from '../../../src/store/local-store.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const id = (n: number) => sha(Buffer.from(`action ${n}`))

let root: string
let daemon: RunningDaemon | undefined
let socket: string
let store: LocalStore
const uploaded: string[] = []
const remoteEntries = new Map<string, Buffer>()
const blobs = new Map<string, Buffer>()
const transport: Remote = {
  wire: { requests: 0, sent: 0, received: 0 },
  getEntry: async (actionId) => {
    const bytes = remoteEntries.get(actionId)
    return bytes === undefined ? undefined : decodeActionResult(bytes)
  },
  getBlob: async (hash) => (blobs.has(hash) ? Readable.from([blobs.get(hash)!]) : undefined),
  putBlob: async (hash, body) => void blobs.set(hash, body),
  putEntry: async (actionId, entry) => {
    uploaded.push(actionId)
    remoteEntries.set(actionId, encodeActionResult(entry))
  },
  close: () => undefined,
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'daemon-remote-'))
  socket = path.join(root, 'd.sock')
  uploaded.length = 0
  remoteEntries.clear()
  blobs.clear()
  daemon = await startDaemon({
    store: path.join(root, 'store'),
    socket,
    maxBytes: 1 << 30,
    idleTimeoutMs: 60_000,
    log: () => undefined,
    remote: (s) => {
      store = s
      const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1000, maxOpenMs: 1000, now: () => 0 })
      const health = { read: breaker(), write: breaker(), budgetMs: { read: 10_000, write: 30_000 }, now: () => 0 }
      return new RemoteTier(transport, s, health, { scopes: { read: ['trusted'], write: 'trusted' }, uploadConcurrency: 2, log: () => undefined })
    },
  })
})
afterEach(async () => {
  await daemon?.close()
  await rm(root, { recursive: true, force: true })
})

const put = (n: number) => {
  const body = Buffer.from(`object ${n}`)
  store.put(id(n), sha(body), [body], body.length)
}

describe('the daemon with a remote tier', () => {
  it('uploads what the shim notifies while go runs, and what reports name, each once', async () => {
    for (const n of [1, 2, 3]) put(n)
    const notifier = new PutNotifier(socket)
    notifier.notify(id(1))
    notifier.notify(id(2))
    notifier.close()
    // The report names 2 again, and 3, which no notification mentioned.
    const report = { stats: emptyStats(), used: [], added: [id(2), id(3)], order: [id(2), id(3)], startedMs: Date.now(), end: 'close' as const }
    expect(await controlRequest(socket, { op: 'report', id: '1-0123456789ab', report }, 5000)).toEqual({ ok: true })
    const reply = await controlRequest(socket, { op: 'flush', uploadDeadlineMs: 5000 }, 10_000)
    if (!reply.ok) throw new Error(reply.error)
    expect(reply.remote).toMatchObject({ uploads: 3, unsent: 0 })
    expect([...uploaded].sort()).toEqual([id(1), id(2), id(3)].sort())
  })

  it('fetch: a remote hit lands in the local store', async () => {
    const body = Buffer.from('from another runner')
    blobs.set(sha(body), body)
    remoteEntries.set(id(7), encodeActionResult({ outputId: sha(body), size: body.length, timeMs: 1_700_000_000_000 }))
    expect(await controlRequest(socket, { op: 'fetch', actionId: id(7) }, 5000)).toEqual({ ok: true, hit: true })
    expect(store.get(id(7))).toMatchObject({ outputId: sha(body), size: body.length, timeMs: 1_700_000_000_000 })
    expect(await controlRequest(socket, { op: 'fetch', actionId: id(8) }, 5000)).toEqual({ ok: true, hit: false })
    const stats = await controlRequest(socket, { op: 'stats' }, 5000)
    expect(stats.ok && stats.remote).toMatchObject({ gets: 2, hits: 1, misses: 1 })
  })

  it('answers a fetch for a malformed ID with an error, not a crash', async () => {
    const reply = await controlRequest(socket, { op: 'fetch', actionId: '../../etc/passwd' }, 5000)
    expect(reply).toEqual({ ok: false, error: 'Error: invalid action ID "../../etc/passwd"' })
    expect(await controlRequest(socket, { op: 'ping' }, 5000)).toMatchObject({ ok: true })
  })
})
