import { PassThrough, Writable } from 'node:stream'
import { ProtocolError, type Hit } from '../../../src/gocacheprog/protocol.ts'
import { serveSession, type Backend, type SessionReport } from '../../../src/gocacheprog/session.ts'
import { b64, closeFrame, getFrame, hexId, putFrame, sha256Hex } from './go-frames.ts'

const HELLO = '{"ID":0,"KnownCommands":["get","put","close"]}'

interface Deferred<T> {
  promise: Promise<T>
  resolve(value: T): void
  reject(error: unknown): void
}
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/** An in-memory store; calls are recorded, and `gate` can hold any get or put until the test lets it go. */
class MemoryBackend implements Backend {
  readonly entries = new Map<string, { outputId: string; body: Buffer; timeMs: number }>()
  readonly calls: string[] = []
  readonly gates = new Map<string, Deferred<void>>()
  failGet = false
  failPut = false
  now = 1_700_000_000_000

  gate(actionId: string): Deferred<void> {
    const d = deferred<void>()
    this.gates.set(actionId, d)
    return d
  }

  async get(actionId: string): Promise<Hit | undefined> {
    this.calls.push(`get ${actionId.slice(0, 8)}`)
    await this.gates.get(actionId)?.promise
    if (this.failGet) throw new Error('store unreadable')
    const e = this.entries.get(actionId)
    return e && { outputId: e.outputId, size: e.body.length, timeMs: e.timeMs, diskPath: `/mem/${e.outputId}` }
  }

  async put(actionId: string, outputId: string, body: readonly Buffer[], size: number): Promise<{ diskPath: string }> {
    this.calls.push(`put ${actionId.slice(0, 8)}`)
    await this.gates.get(actionId)?.promise
    if (this.failPut) throw new Error('disk full')
    const data = Buffer.concat(body)
    if (data.length !== size) throw new Error('size mismatch')
    this.entries.set(actionId, { outputId, body: data, timeMs: this.now })
    return { diskPath: `/mem/${outputId}` }
  }
}

/** A conversation with serveSession over PassThrough streams, reading its output line by line. */
function converse(backend: Backend, options: { log?: (m: string) => void } = {}) {
  const input = new PassThrough()
  const output = new PassThrough()
  let text = ''
  let waiters: (() => void)[] = []
  output.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
    for (const w of waiters) w()
    waiters = []
  })
  const session = serveSession(input, output, backend, options)
  let settled = false
  session.then(
    () => (settled = true),
    () => (settled = true),
  )
  const lines = (): string[] => text.split('\n').slice(0, -1)
  return {
    input,
    session,
    lines,
    /** Everything written so far must be whole lines. */
    text: () => text,
    settled: () => settled,
    write: (data: string | Buffer) => input.write(data),
    /** Waits until the output holds at least n lines. */
    async waitLines(n: number): Promise<string[]> {
      while (lines().length < n) await new Promise<void>((resolve) => waiters.push(resolve))
      return lines()
    },
  }
}

/** Lets pending promise callbacks and stream events run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

const A = hexId('A')
const B = hexId('B')
const C = hexId('C')

describe('serveSession', () => {
  it('says hello (ID 0, KnownCommands get/put/close) before reading anything', async () => {
    const c = converse(new MemoryBackend())
    // Written synchronously, as serveSession is called, with no input at all.
    expect(c.text()).toBe(`${HELLO}\n`)
    expect(await c.waitLines(1)).toStrictEqual([HELLO])
    c.input.end()
    await c.session
  })

  it('answers a miss, a put and a hit with exact lines, then close; the report is exact', async () => {
    const backend = new MemoryBackend()
    const c = converse(backend)
    const body = Buffer.from('compiled package bytes')
    const out = sha256Hex(body)
    c.write(getFrame(1, A))
    await c.waitLines(2)
    c.write(putFrame(2, A, body))
    await c.waitLines(3)
    c.write(getFrame(3, A))
    await c.waitLines(4)
    c.write(closeFrame(4))
    const report = await c.session
    expect(c.lines()).toStrictEqual([
      HELLO,
      '{"ID":1,"Miss":true}',
      `{"ID":2,"DiskPath":"/mem/${out}"}`,
      `{"ID":3,"OutputID":"${b64(out)}","Size":22,"Time":"2023-11-14T22:13:20.000Z","DiskPath":"/mem/${out}"}`,
      '{"ID":4}',
    ])
    expect(c.text().endsWith('\n')).toBe(true)
    expect(report.end).toBe('close')
    expect(report.used).toStrictEqual([A])
    expect(report.added).toStrictEqual([A])
    expect({ ...report.stats, busyMs: 0 }).toStrictEqual({
      gets: 2,
      hits: 1,
      misses: 1,
      puts: 1,
      bytesIn: 22,
      bytesOut: 22,
      putErrors: 0,
      readOnly: 0,
      busyMs: 0,
    })
    expect(report.stats.busyMs).toBeGreaterThanOrEqual(0)
    expect(backend.entries.get(A)!.body).toEqual(body)
  })

  it('counts stats and used/added sets exactly over a mixed session', async () => {
    const backend = new MemoryBackend()
    backend.entries.set(A, { outputId: hexId('oA'), body: Buffer.alloc(100), timeMs: 1 })
    backend.entries.set(B, { outputId: hexId('oB'), body: Buffer.alloc(0), timeMs: 2 })
    const c = converse(backend)
    c.write(
      getFrame(1, A) +
        getFrame(2, A) + // the same entry twice: used once
        getFrame(3, B) + // an empty object is a hit of 0 bytes
        getFrame(4, C) +
        putFrame(5, C, Buffer.alloc(1000, 1)) +
        putFrame(6, hexId('D'), Buffer.alloc(0)) +
        putFrame(7, C, Buffer.alloc(1000, 1)), // re-put: added once
    )
    await c.waitLines(8)
    c.input.end()
    const report = await c.session
    expect(report.end).toBe('eof')
    expect({ ...report.stats, busyMs: 0 }).toStrictEqual({
      gets: 4,
      hits: 3,
      misses: 1,
      puts: 3,
      bytesIn: 2000,
      bytesOut: 200,
      putErrors: 0,
      readOnly: 0,
      busyMs: 0,
    })
    expect(report.used.sort()).toStrictEqual([A, B].sort())
    expect(report.added.sort()).toStrictEqual([C, hexId('D')].sort())
  })

  it("orders used and added entries by go's first request for each: a put keeps the place of the miss before it", async () => {
    const backend = new MemoryBackend()
    backend.entries.set(A, { outputId: hexId('oA'), body: Buffer.alloc(1), timeMs: 1 })
    backend.entries.set(B, { outputId: hexId('oB'), body: Buffer.alloc(1), timeMs: 2 })
    const before = Date.now()
    const c = converse(backend)
    c.write(
      getFrame(1, C) +
        getFrame(2, A) +
        putFrame(3, C, Buffer.alloc(10, 1)) +
        putFrame(4, hexId('D'), Buffer.alloc(0)) +
        getFrame(5, B) +
        getFrame(6, hexId('E')),
    )
    await c.waitLines(7)
    c.input.end()
    const report = await c.session
    // E missed and was never put: not part of what the job needed from the cache.
    expect(report.order).toStrictEqual([C, A, hexId('D'), B])
    expect(report.startedMs).toBeGreaterThanOrEqual(before)
    expect(report.startedMs).toBeLessThanOrEqual(Date.now())
  })

  it('answers out of order: a slow get is answered after a fast one that came later', async () => {
    const backend = new MemoryBackend()
    backend.entries.set(B, { outputId: hexId('oB'), body: Buffer.from('b'), timeMs: 0 })
    const slow = backend.gate(A)
    const c = converse(backend)
    c.write(getFrame(1, A) + getFrame(2, B))
    expect((await c.waitLines(2))[1]).toMatch(/^\{"ID":2,"OutputID":/)
    await settle()
    expect(c.lines()).toHaveLength(2)
    slow.resolve()
    expect((await c.waitLines(3))[2]).toBe('{"ID":1,"Miss":true}')
    c.input.end()
    await c.session
  })

  it('answers close only after the requests in flight, and reads nothing after close', async () => {
    const backend = new MemoryBackend()
    const slowGet = backend.gate(A)
    const slowPut = backend.gate(B)
    const c = converse(backend)
    // After close, in the same chunk and later: never handled.
    c.write(getFrame(1, A) + putFrame(2, B, Buffer.from('x')) + closeFrame(3) + getFrame(4, C))
    await c.waitLines(1)
    await settle()
    c.write(getFrame(5, C))
    await settle()
    expect(c.lines()).toStrictEqual([HELLO])
    expect(c.settled()).toBe(false)
    slowPut.resolve()
    await c.waitLines(2)
    await settle()
    expect(c.lines()).toHaveLength(2)
    expect(c.settled()).toBe(false)
    slowGet.resolve()
    const report = await c.session
    expect(c.lines()).toStrictEqual([HELLO, `{"ID":2,"DiskPath":"/mem/${sha256Hex(Buffer.from('x'))}"}`, '{"ID":1,"Miss":true}', '{"ID":3}'])
    expect(backend.calls).toStrictEqual([`get ${A.slice(0, 8)}`, `put ${B.slice(0, 8)}`])
    expect(report.end).toBe('close')
    expect(report.stats.gets).toBe(1)
    expect(report.stats.puts).toBe(1)
    // Still nothing for requests sent after close, even later.
    c.write(getFrame(6, C))
    await settle()
    expect(c.lines()).toHaveLength(4)
  })

  it('ends with "eof" when stdin closes without close, after finishing what is in flight, with no close answer', async () => {
    const backend = new MemoryBackend()
    const slow = backend.gate(A)
    const c = converse(backend)
    c.write(getFrame(1, A))
    c.input.end()
    await settle()
    expect(c.settled()).toBe(false)
    slow.resolve()
    const report = await c.session
    expect(report.end).toBe('eof')
    expect(c.lines()).toStrictEqual([HELLO, '{"ID":1,"Miss":true}'])
  })

  it('ends with "eof" for an empty conversation (stdin closed at once)', async () => {
    const c = converse(new MemoryBackend())
    c.input.end()
    const report = await c.session
    expect(report).toStrictEqual({
      stats: { gets: 0, hits: 0, misses: 0, puts: 0, bytesIn: 0, bytesOut: 0, putErrors: 0, readOnly: 0, busyMs: 0 },
      used: [],
      added: [],
      order: [],
      startedMs: report.startedMs,
      end: 'eof',
    })
    expect(c.lines()).toStrictEqual([HELLO])
  })

  it('answers Miss, never Err, when the backend get throws', async () => {
    const backend = new MemoryBackend()
    backend.entries.set(A, { outputId: hexId('oA'), body: Buffer.from('a'), timeMs: 0 })
    backend.failGet = true
    const logged: string[] = []
    const c = converse(backend, { log: (m) => logged.push(m) })
    c.write(getFrame(1, A) + closeFrame(2))
    const report = await c.session
    expect(c.lines()).toStrictEqual([HELLO, '{"ID":1,"Miss":true}', '{"ID":2}'])
    expect(logged).toStrictEqual([`get ${A}: Error: store unreadable`])
    expect(report.stats.misses).toBe(1)
    expect(report.stats.hits).toBe(0)
    expect(report.used).toStrictEqual([])
  })

  it('answers Miss when a synchronous backend get throws', async () => {
    const backend: Backend = {
      get: () => {
        throw new Error('boom')
      },
      put: () => ({ diskPath: '/x' }),
    }
    const c = converse(backend)
    c.write(getFrame(1, A) + closeFrame(2))
    await c.session
    expect(c.lines()).toStrictEqual([HELLO, '{"ID":1,"Miss":true}', '{"ID":2}'])
  })

  it('answers Miss when a hit cannot be encoded (a time Go could not parse)', async () => {
    const backend: Backend = {
      get: () => ({ outputId: hexId('o'), size: 1, timeMs: Number.NaN, diskPath: '/x' }),
      put: () => ({ diskPath: '/x' }),
    }
    const logged: string[] = []
    const c = converse(backend, { log: (m) => logged.push(m) })
    c.write(getFrame(1, A) + closeFrame(2))
    const report = await c.session
    expect(c.lines()).toStrictEqual([HELLO, '{"ID":1,"Miss":true}', '{"ID":2}'])
    expect(report.stats.misses).toBe(1)
    expect(logged).toStrictEqual([`get ${A}: RangeError: Invalid time value`])
  })

  it('answers Err when the backend put throws, counts putErrors, and goes on', async () => {
    const backend = new MemoryBackend()
    backend.failPut = true
    const logged: string[] = []
    const c = converse(backend, { log: (m) => logged.push(m) })
    c.write(putFrame(1, A, Buffer.from('abc')) + getFrame(2, A) + closeFrame(3))
    const report = await c.session
    expect(c.lines()).toStrictEqual([HELLO, '{"ID":1,"Err":"go-cache-setup: Error: disk full"}', '{"ID":2,"Miss":true}', '{"ID":3}'])
    expect(logged).toStrictEqual([`put ${A}: Error: disk full`])
    expect({ ...report.stats, busyMs: 0 }).toStrictEqual({
      gets: 1,
      hits: 0,
      misses: 1,
      puts: 1,
      bytesIn: 3,
      bytesOut: 0,
      putErrors: 1,
      readOnly: 0,
      busyMs: 0,
    })
    expect(report.added).toStrictEqual([])
  })

  it('hands the backend the decoded body and BodySize, for an empty put too', async () => {
    const seen: { actionId: string; outputId: string; body: Buffer; size: number }[] = []
    const backend: Backend = {
      get: () => undefined,
      put: (actionId, outputId, body, size) => {
        seen.push({ actionId, outputId, body: Buffer.concat(body), size })
        return { diskPath: '/d' }
      },
    }
    const c = converse(backend)
    const big = Buffer.alloc(200_000)
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff
    const frame = Buffer.from(putFrame(1, A, big) + putFrame(2, B, Buffer.alloc(0)) + closeFrame(3))
    for (let i = 0; i < frame.length; i += 4093) c.write(frame.subarray(i, i + 4093))
    await c.session
    expect(seen).toStrictEqual([
      { actionId: A, outputId: sha256Hex(big), body: big, size: 200_000 },
      { actionId: B, outputId: sha256Hex(Buffer.alloc(0)), body: Buffer.alloc(0), size: 0 },
    ])
    expect(c.lines()).toStrictEqual([HELLO, '{"ID":1,"DiskPath":"/d"}', '{"ID":2,"DiskPath":"/d"}', '{"ID":3}'])
  })

  it('answers each of 1,000 pipelined requests exactly once', async () => {
    const backend = new MemoryBackend()
    for (let i = 0; i < 500; i++) backend.entries.set(hexId(i), { outputId: hexId(`o${i}`), body: Buffer.alloc(i), timeMs: i })
    const c = converse(backend)
    let frames = ''
    for (let id = 1; id <= 1000; id++) frames += getFrame(id, hexId(id - 1))
    c.write(frames + closeFrame(1001))
    const report = await c.session
    const ids = c.lines().map((l) => (JSON.parse(l) as { ID: number }).ID)
    expect(ids.sort((a, b) => a - b)).toStrictEqual([...Array(1002).keys()])
    expect(report.stats.hits).toBe(500)
    expect(report.stats.misses).toBe(500)
    expect(report.stats.bytesOut).toBe((499 * 500) / 2)
  })

  it('sends the answers to one chunk of pipelined requests in one write, in order for a synchronous backend', async () => {
    const hits = new Map([[A, { outputId: hexId('oA'), size: 3, timeMs: 0, diskPath: '/a' }]])
    const backend: Backend = { get: (id) => hits.get(id), put: () => ({ diskPath: '/p' }) }
    const input = new PassThrough()
    const writes: string[] = []
    const output = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        writes.push(chunk.toString('utf8'))
        callback()
      },
    })
    const session = serveSession(input, output, backend)
    input.write(getFrame(1, A) + getFrame(2, B) + putFrame(3, C, Buffer.from('c')) + getFrame(4, A))
    await settle()
    input.write(getFrame(5, B) + closeFrame(6))
    await session
    expect(writes).toStrictEqual([
      `${HELLO}\n`,
      `{"ID":1,"OutputID":"${b64(hexId('oA'))}","Size":3,"Time":"1970-01-01T00:00:00.000Z","DiskPath":"/a"}\n` +
        '{"ID":2,"Miss":true}\n{"ID":3,"DiskPath":"/p"}\n' +
        `{"ID":4,"OutputID":"${b64(hexId('oA'))}","Size":3,"Time":"1970-01-01T00:00:00.000Z","DiskPath":"/a"}\n`,
      '{"ID":5,"Miss":true}\n{"ID":6}\n',
    ])
  })

  it('answers Err when a put returns no DiskPath', async () => {
    const backend = { get: () => undefined, put: () => undefined } as unknown as Backend
    const c = converse(backend)
    c.write(putFrame(1, A, Buffer.from('x')) + closeFrame(2))
    const report = await c.session
    expect(c.lines()).toStrictEqual([HELLO, '{"ID":1,"Err":"go-cache-setup: Error: the store returned no DiskPath"}', '{"ID":2}'])
    expect(report.stats.putErrors).toBe(1)
  })

  it('rejects with a ProtocolError on input it cannot parse, having written only whole lines', async () => {
    const c = converse(new MemoryBackend())
    c.write(`${getFrame(1, A)}this is not json\n\n${getFrame(2, A)}`)
    await expect(c.session).rejects.toStrictEqual(new ProtocolError('not a JSON request: this is not json'))
    expect(c.text().endsWith('\n')).toBe(true)
    for (const line of c.lines()) expect(() => JSON.parse(line) as unknown).not.toThrow()
  })

  it('rejects with a ProtocolError when stdin ends in the middle of a request line', async () => {
    const c = converse(new MemoryBackend())
    c.write(`${getFrame(1, A)}{"ID":2,"Comm`)
    c.input.end()
    await expect(c.session).rejects.toStrictEqual(new ProtocolError('input ended in the middle of a request'))
  })

  it('rejects with a ProtocolError when stdin ends in the middle of a body', async () => {
    const backend = new MemoryBackend()
    const c = converse(backend)
    const frame = putFrame(1, A, Buffer.alloc(300, 9))
    c.write(frame.slice(0, frame.length - 20))
    c.input.end()
    await expect(c.session).rejects.toStrictEqual(new ProtocolError('input ended in the middle of a request'))
    expect(backend.calls).toStrictEqual([])
  })

  it('rejects with a ProtocolError when stdin ends between a put line and its body', async () => {
    const c = converse(new MemoryBackend())
    const frame = putFrame(1, A, Buffer.from('abc'))
    c.write(frame.slice(0, frame.indexOf('"YWJj"')))
    c.input.end()
    await expect(c.session).rejects.toStrictEqual(new ProtocolError('input ended in the middle of a request'))
  })

  it('rejects when stdin fails', async () => {
    const c = converse(new MemoryBackend())
    c.input.destroy(new Error('EIO: read failed'))
    await expect(c.session).rejects.toStrictEqual(new ProtocolError('Error: EIO: read failed'))
  })

  it('resolves a report a daemon can take (plain JSON)', async () => {
    const c = converse(new MemoryBackend())
    c.write(putFrame(1, A, Buffer.from('z')) + closeFrame(2))
    const report: SessionReport = await c.session
    expect(JSON.parse(JSON.stringify(report))).toStrictEqual(report)
  })
})
