import { existsSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { controlRequest } from '../../../src/daemon/control.ts'
import { startDaemon, type RunningDaemon } from '../../../src/daemon/daemon.ts'
import { newReportId, writeJournal } from '../../../src/daemon/reports.ts'
import type { SessionReport } from '../../../src/gocacheprog/session.ts'
import { LocalStore } from '../../../src/store/local-store.ts'
import { hexId, sha256Hex } from '../gocacheprog/go-frames.ts'
import { bundleFile, id } from '../../support/bundle-file.ts'

let root: string
let storeDir: string
let socket: string
let daemon: RunningDaemon | undefined
let logs: string[]

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'daemon-'))
  storeDir = path.join(root, 'store')
  socket = path.join(root, 'd.sock')
  logs = []
})
afterEach(async () => {
  await daemon?.close()
  daemon = undefined
  await rm(root, { recursive: true, force: true })
})

const start = async (options: { maxBytes?: number; idleTimeoutMs?: number } = {}) => {
  daemon = await startDaemon({
    store: storeDir,
    socket,
    maxBytes: options.maxBytes ?? 1 << 30,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    log: (m) => logs.push(m),
  })
  return daemon
}

function report(gets: number, hits: number, used: string[], added: string[]): SessionReport {
  return {
    stats: { gets, hits, misses: gets - hits, puts: added.length, bytesIn: 10 * added.length, bytesOut: 5 * hits, putErrors: 0, readOnly: 0, busyMs: 1 },
    used,
    added,
    order: [...used, ...added],
    startedMs: Date.now(),
    end: 'close',
  }
}

/** Raw lines over one connection, for what controlRequest cannot send. */
function rawExchange(lines: string, replies: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket)
    let text = ''
    s.setEncoding('utf8')
    s.on('data', (chunk: string) => {
      text += chunk
      const got = text.split('\n').slice(0, -1)
      if (got.length >= replies) {
        s.end()
        resolve(got)
      }
    })
    s.on('error', reject)
    s.write(lines)
  })
}

describe('daemon', () => {
  it('answers ping with its pid and store', async () => {
    await start()
    expect(await controlRequest(socket, { op: 'ping' }, 5000)).toStrictEqual({ ok: true, pid: process.pid, store: storeDir })
    expect(logs).toStrictEqual([`listening on ${socket}, store ${storeDir}`])
  })

  it('sums reports from shims and journals into stats', async () => {
    await start()
    const [A, B, C] = ['a', 'b', 'c'].map(hexId) as [string, string, string]
    expect(await controlRequest(socket, { op: 'report', id: newReportId(), report: report(3, 2, [A, B], [C]) }, 5000)).toStrictEqual({ ok: true })
    expect(await controlRequest(socket, { op: 'report', id: newReportId(), report: report(1, 1, [A], []) }, 5000)).toStrictEqual({ ok: true })
    await writeJournal(storeDir, report(2, 0, [], [A]))
    expect(await controlRequest(socket, { op: 'stats' }, 5000)).toStrictEqual({
      ok: true,
      peakRssBytes: expect.any(Number),
      stats: {
        gets: 6,
        hits: 3,
        misses: 3,
        puts: 2,
        bytesIn: 20,
        bytesOut: 15,
        putErrors: 0,
        readOnly: 0,
        busyMs: 3,
        sessions: 3,
        usedEntries: 2,
        addedEntries: 2,
      },
    })
    // The journal was drained once.
    expect((await controlRequest(socket, { op: 'stats' }, 5000)).ok && (await controlRequest(socket, { op: 'stats' }, 5000))).toMatchObject({
      stats: { sessions: 3 },
    })
  })

  it('refuses a malformed report or request line and stays up', async () => {
    await start()
    const bad = await controlRequest(socket, { op: 'report', id: newReportId(), report: { stats: {}, used: [], added: [] } as unknown as SessionReport }, 5000)
    expect(bad).toStrictEqual({ ok: false, error: 'Error: not a session report' })
    const replies = await rawExchange('this is not json\n{"op":"nope"}\n{"op":"ping"}\n', 3)
    // Replies come in completion order; all three are JSON.
    expect(replies.map((r) => JSON.parse(r) as unknown)).toEqual(
      expect.arrayContaining([
        { ok: false, error: expect.stringMatching(/^SyntaxError: /) as unknown },
        { ok: false, error: 'unknown op "nope"' },
        { ok: true, pid: process.pid, store: storeDir },
      ]),
    )
    expect(await rawExchange('null\n', 1)).toStrictEqual([`{"ok":false,"error":"TypeError: Cannot read properties of null (reading 'op')"}`])
    expect(await rawExchange('{}\n', 1)).toStrictEqual(['{"ok":false,"error":"unknown op undefined"}'])
    expect((await controlRequest(socket, { op: 'stats' }, 5000)).ok).toBe(true)
  })

  it('answers several requests sent on one connection', async () => {
    await start()
    const replies = await rawExchange('{"op":"ping"}\n{"op":"ping"}\n{"op":"stats"}\n', 3)
    expect(replies).toHaveLength(3)
  })

  it('flush touches what the job used and trims the rest LRU to the budget', async () => {
    const store = new LocalStore(storeDir)
    const bodies = [1000, 1000, 1000].map((n, i) => Buffer.alloc(n, i + 1))
    const ids = bodies.map((_, i) => hexId(`entry ${i}`))
    bodies.forEach((b, i) => store.put(ids[i]!, sha256Hex(b), [b], b.length))
    // All written "long ago"; entry 2 the newest before the job.
    ids.forEach((id, i) => utimesSync(store.actionPath(id), new Date(1e12 + i), new Date(1e12 + i)))
    await start({ maxBytes: 2000 })
    // The job used entry 0 (oldest on disk): flush makes it the newest.
    await controlRequest(socket, { op: 'report', id: newReportId(), report: report(1, 1, [ids[0]!], []) }, 5000)
    const before = Date.now()
    const reply = await controlRequest(socket, { op: 'flush' }, 30_000)
    expect(reply).toStrictEqual({
      ok: true,
      peakRssBytes: expect.any(Number),
      stats: {
        gets: 1,
        hits: 1,
        misses: 0,
        puts: 0,
        bytesIn: 0,
        bytesOut: 5,
        putErrors: 0,
        readOnly: 0,
        busyMs: 1,
        sessions: 1,
        usedEntries: 1,
        addedEntries: 0,
      },
      trim: { entriesRemoved: 1, bytesRemoved: 1000, storeBytes: 2000 },
    })
    expect(statSync(store.actionPath(ids[0]!)).mtimeMs).toBeGreaterThanOrEqual(before - 1000)
    expect(store.get(ids[0]!)).toBeDefined()
    expect(store.get(ids[1]!)).toBeUndefined()
    expect(store.get(ids[2]!)).toBeDefined()
    expect(logs.at(-1)).toBe('flush: kept 2000 bytes, removed 1 entries (1000 bytes)')
  })

  it('imports a bundle while answering: a fetch for an announced entry waits for it, then the figures come with flush', async () => {
    const file = await bundleFile(root, 40, 200_000)
    await start()
    expect(await controlRequest(socket, { op: 'import', files: [file], maxBytes: 1 << 30 }, 5000)).toStrictEqual({ ok: true })
    // Sent at once: the import has barely started, and entry 139 comes with the last object.
    const [late, unknown] = await Promise.all([
      controlRequest(socket, { op: 'fetch', actionId: id(139) }, 30_000),
      controlRequest(socket, { op: 'fetch', actionId: id(999) }, 30_000),
    ])
    expect(late).toStrictEqual({ ok: true, hit: true })
    expect(unknown.ok && unknown.hit).toBe(false)
    expect(new LocalStore(storeDir).get(id(139))?.size).toBe(200_000)
    // An entry that arrived between a shim's own look and its fetch is a hit, not a miss.
    expect(await controlRequest(socket, { op: 'fetch', actionId: id(100) }, 5000)).toStrictEqual({ ok: true, hit: true })
    const flushed = await controlRequest(socket, { op: 'flush' }, 30_000)
    expect(flushed.ok && flushed.import).toMatchObject({ objects: 40, entries: 80, bytes: 8_000_000, rejected: 0, waits: 1 })
    // Over: a miss now says nothing more can come, so shims stop asking.
    expect(await controlRequest(socket, { op: 'fetch', actionId: id(999) }, 5000)).toStrictEqual({ ok: true, hit: false, final: true })
    expect(existsSync(file)).toBe(false)
  })

  it('takes one bundle, and only a bundle file', async () => {
    await start()
    const notBundle = path.join(root, 'notes.txt')
    writeFileSync(notBundle, 'keep me')
    expect(await controlRequest(socket, { op: 'import', files: [notBundle], maxBytes: 1 << 30 }, 5000)).toStrictEqual({
      ok: false,
      error: `not bundle files: ${JSON.stringify([notBundle])}`,
    })
    const three = [await bundleFile(root, 1), await bundleFile(root, 1), await bundleFile(root, 1)]
    expect(await controlRequest(socket, { op: 'import', files: three, maxBytes: 1 << 30 }, 5000)).toMatchObject({ ok: false })
    expect(await controlRequest(socket, { op: 'import', files: [], maxBytes: 1 << 30 }, 5000)).toMatchObject({ ok: false })
    const manifest = { file: path.join(root, 'notes.txt'), key: 'k' }
    expect(await controlRequest(socket, { op: 'import', files: [three[0]!], maxBytes: 1 << 30, baseManifest: manifest }, 5000)).toStrictEqual({
      ok: false,
      error: 'baseManifest must be a .base.json file and a key',
    })
    expect(existsSync(notBundle)).toBe(true)
    expect(await controlRequest(socket, { op: 'import', files: [await bundleFile(root, 1)], maxBytes: -1 }, 5000)).toStrictEqual({
      ok: false,
      error: 'maxBytes must be a positive integer',
    })
    expect(await controlRequest(socket, { op: 'import', files: [await bundleFile(root, 1)], maxBytes: 1 << 30 }, 5000)).toStrictEqual({ ok: true })
    expect(await controlRequest(socket, { op: 'import', files: [await bundleFile(root, 1)], maxBytes: 1 << 30 }, 5000)).toStrictEqual({
      ok: false,
      error: 'a bundle was imported already',
    })
  })

  it('without a bundle or a remote, a fetch is a final miss', async () => {
    await start()
    expect(await controlRequest(socket, { op: 'fetch', actionId: id(1) }, 5000)).toStrictEqual({ ok: true, hit: false, final: true })
  })

  it('stop closes it and removes its socket', async () => {
    const d = await start()
    expect(await controlRequest(socket, { op: 'stop' }, 5000)).toStrictEqual({ ok: true })
    await d.closed
    expect(existsSync(socket)).toBe(false)
    await expect(controlRequest(socket, { op: 'ping' }, 1000)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('replaces a socket file left by a daemon that died', async () => {
    writeFileSync(socket, '')
    await start()
    expect((await controlRequest(socket, { op: 'ping' }, 5000)).ok).toBe(true)
  })

  it('exits after the idle timeout', async () => {
    const d = await start({ idleTimeoutMs: 200 })
    await d.closed
    expect(logs).toContain('idle timeout: exiting')
    expect(existsSync(socket)).toBe(false)
  })
})

describe('controlRequest', () => {
  it('rejects when nothing answers in time', async () => {
    const silent = net.createServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(socket, resolve))
    try {
      await expect(controlRequest(socket, { op: 'ping' }, 100)).rejects.toStrictEqual(new Error('the daemon did not answer ping within 100 ms'))
    } finally {
      silent.close()
    }
  })

  it('rejects when there is no daemon', async () => {
    await expect(controlRequest(path.join(root, 'none.sock'), { op: 'ping' }, 1000)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
