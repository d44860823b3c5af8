/**
 * The real cache program (dist/client/index.js, rebuilt by `node
 * scripts/package.mjs`) spoken to exactly as cmd/go speaks to GOCACHEPROG:
 * hand-framed requests on stdin, responses read as JSON lines from stdout.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { b64, closeFrame, getFrame, hexId, putFrame, sha256Hex } from '../../unit/gocacheprog/go-frames.ts'
import { runClient, startDaemonProcess, startShim, type Shim } from './shim.ts'

const HELLO = { ID: 0, KnownCommands: ['get', 'put', 'close'] }

let root: string
let store: string
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cli-protocol-'))
  store = path.join(root, 'store')
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const serve = (...extra: string[]): Shim => startShim(['serve', '--store', store, ...extra])

/** Every line on stdout is one whole JSON value, and stdout ends with a newline (or is empty). */
function expectOnlyJsonLines(shim: Shim): void {
  expect(shim.garbage).toStrictEqual([])
  const out = shim.stdout()
  if (out !== '') expect(out.endsWith('\n')).toBe(true)
  for (const line of out.split('\n').slice(0, -1)) expect(() => JSON.parse(line) as unknown).not.toThrow()
}

function body(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 7) & 0xff
  return b
}

describe('serve, spoken to as cmd/go does', () => {
  it('sends the ID 0 hello first, before any request', async () => {
    const shim = serve()
    expect(await shim.response(0)).toStrictEqual(HELLO)
    expect(shim.lines[0]).toBe('{"ID":0,"KnownCommands":["get","put","close"]}')
    shim.write(closeFrame(1))
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
  })

  it('misses, stores a put, and hits it with a DiskPath holding the bytes and the put time', async () => {
    const shim = serve()
    const A = hexId('action')
    const data = body(10_000, 1)
    const out = sha256Hex(data)
    shim.write(getFrame(1, A))
    expect(await shim.response(1)).toStrictEqual({ ID: 1, Miss: true })

    const before = Date.now()
    shim.write(putFrame(2, A, data))
    const put = await shim.response(2)
    const after = Date.now()
    const diskPath = path.join(store, 'o', out.slice(0, 2), out)
    expect(put).toStrictEqual({ ID: 2, DiskPath: diskPath })

    shim.write(getFrame(3, A))
    const hit = await shim.response(3)
    expect(hit).toStrictEqual({ ID: 3, OutputID: b64(out), Size: 10_000, Time: hit.Time, DiskPath: diskPath })
    expect(path.isAbsolute(hit.DiskPath!)).toBe(true)
    expect(path.extname(hit.DiskPath!)).toBe('')
    expect(sha256Hex(readFileSync(hit.DiskPath!))).toBe(Buffer.from(hit.OutputID!, 'base64').toString('hex'))
    // RFC 3339, from the put: between our write and its answer, and what the entry recorded.
    expect(hit.Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const time = Date.parse(hit.Time!)
    expect(time).toBeGreaterThanOrEqual(before)
    expect(time).toBeLessThanOrEqual(after)
    const entry = readFileSync(path.join(store, 'a', A.slice(0, 2), A), 'latin1').split(' ')
    expect(Number(entry[3])).toBe(time)

    shim.write(closeFrame(4))
    expect(await shim.response(4)).toStrictEqual({ ID: 4 })
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })

    // The next go process (another shim) hits it with the same time.
    const next = serve()
    next.write(getFrame(1, A) + closeFrame(2))
    expect(await next.response(1)).toStrictEqual({ ...hit, ID: 1 })
    expect((await next.exited).code).toBe(0)
    expectOnlyJsonLines(shim)
    expectOnlyJsonLines(next)
  })

  it('takes a Go 1.21–1.23 put (ObjectID), an empty put (no body line) and a 6 MiB put', async () => {
    const shim = serve()
    const small = Buffer.from('old go')
    const big = body(6 << 20, 3)
    shim.write(
      putFrame(1, hexId('old'), small, { field: 'ObjectID' }) +
        putFrame(2, hexId('empty'), Buffer.alloc(0)) +
        putFrame(3, hexId('big'), big) +
        getFrame(4, hexId('old')) +
        getFrame(5, hexId('empty')) +
        getFrame(6, hexId('big')) +
        closeFrame(7),
    )
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
    expect(shim.responses.get(4)).toMatchObject({ OutputID: b64(sha256Hex(small)), Size: 6 })
    expect(shim.responses.get(5)).toMatchObject({ OutputID: b64(sha256Hex(Buffer.alloc(0))), Size: 0 })
    expect(shim.responses.get(6)).toMatchObject({ OutputID: b64(sha256Hex(big)), Size: 6 << 20 })
    expect(sha256Hex(readFileSync(shim.responses.get(6)!.DiskPath!))).toBe(sha256Hex(big))
    expect(readFileSync(shim.responses.get(5)!.DiskPath!).length).toBe(0)
    expectOnlyJsonLines(shim)
  })

  it('takes a body that arrives in pieces, the padding and the closing quote in separate reads', async () => {
    const shim = serve()
    await shim.response(0)
    const sizes = [1, 2, 4, 5, 100, 65_537]
    for (const [i, n] of sizes.entries()) {
      const data = body(n, i)
      const frame = putFrame(i + 1, hexId(`piece ${n}`), data)
      const quote = frame.lastIndexOf('"')
      // Pause between the pieces so the shim reads them separately, as a pipe may deliver them.
      for (const piece of [frame.slice(0, quote - 2), frame.slice(quote - 2, quote), frame.slice(quote)]) {
        shim.write(piece)
        await new Promise((resolve) => setTimeout(resolve, 15))
      }
      expect(await shim.response(i + 1)).toStrictEqual({ ID: i + 1, DiskPath: path.join(store, 'o', sha256Hex(data).slice(0, 2), sha256Hex(data)) })
    }
    shim.write(closeFrame(99))
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
    expect(shim.stderr()).toBe('')
  })

  it('answers many requests written at once, each exactly once, and close last', async () => {
    const shim = serve()
    let frames = ''
    let id = 1
    for (let i = 0; i < 200; i++) frames += putFrame(id++, hexId(`k${i}`), body(i * 37, i))
    for (let i = 0; i < 400; i++) frames += getFrame(id++, hexId(`k${i}`)) // half hit, half miss
    frames += closeFrame(id)
    shim.write(frames)
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
    expect(shim.duplicates).toStrictEqual([])
    expect([...shim.responses.keys()].sort((a, b) => a - b)).toStrictEqual([...Array(id + 1).keys()])
    const gets = [...Array(400).keys()].map((i) => shim.responses.get(201 + i)!)
    expect(gets.filter((r) => r.Miss === true)).toHaveLength(200)
    gets.slice(0, 200).forEach((r, i) => expect(r).toMatchObject({ Size: i * 37, OutputID: b64(sha256Hex(body(i * 37, i))) }))
    expect(JSON.parse(shim.lines.at(-1)!)).toStrictEqual({ ID: id })
    expectOnlyJsonLines(shim)
  })

  it('closes stdout and exits 0 after answering close, with nothing on stderr', async () => {
    const shim = serve()
    await shim.response(0)
    shim.write(closeFrame(1))
    await shim.stdoutClosed
    expect(shim.responses.get(1)).toStrictEqual({ ID: 1 })
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
    expect(shim.stderr()).toBe('')
    expect(shim.stdout()).toBe('{"ID":0,"KnownCommands":["get","put","close"]}\n{"ID":1}\n')
  })

  it('exits 0 when stdin closes without close (go died or never sends close)', async () => {
    const shim = serve()
    shim.write(getFrame(1, hexId('x')))
    await shim.response(1)
    shim.end()
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
    expect(shim.stderr()).toBe('')
    expectOnlyJsonLines(shim)
  })

  it('lets two go processes share the store at the same time', async () => {
    const [one, two] = [serve(), serve()]
    let f1 = ''
    let f2 = ''
    for (let i = 0; i < 50; i++) {
      f1 += putFrame(i + 1, hexId(`one ${i}`), body(1000 + i, i))
      f2 += putFrame(i + 1, hexId(`two ${i}`), body(1000 + i, i)) // the same objects
    }
    one.write(f1 + closeFrame(100))
    two.write(f2 + closeFrame(100))
    expect([(await one.exited).code, (await two.exited).code]).toStrictEqual([0, 0])
    const check = serve()
    let frames = ''
    for (let i = 0; i < 50; i++) frames += getFrame(2 * i + 1, hexId(`one ${i}`)) + getFrame(2 * i + 2, hexId(`two ${i}`))
    check.write(frames + closeFrame(101))
    expect((await check.exited).code).toBe(0)
    for (let id = 1; id <= 100; id++) expect(check.responses.get(id)!.Miss).toBeUndefined()
    expect(readdirSync(path.join(store, 'tmp'))).toStrictEqual([])
  })
})

describe('serve with the daemon', () => {
  it('reports each session to the daemon: stats shows it', async () => {
    const socket = path.join(root, 'd.sock')
    const daemon = await startDaemonProcess(store, socket)
    try {
      const shim = serve('--daemon', socket)
      const data = body(500, 9)
      shim.write(getFrame(1, hexId('a')) + putFrame(2, hexId('a'), data) + getFrame(3, hexId('a')) + closeFrame(4))
      expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
      const second = serve('--daemon', socket)
      second.write(getFrame(1, hexId('a')))
      await second.response(1)
      second.end() // no close
      expect((await second.exited).code).toBe(0)

      const stats = await runClient(['stats', '--socket', socket])
      expect(stats.code).toBe(0)
      const reply = JSON.parse(stats.stdout) as { ok: boolean; stats: Record<string, number> }
      expect(reply.ok).toBe(true)
      expect({ ...reply.stats, busyMs: 0 }).toStrictEqual({
        gets: 3,
        hits: 2,
        misses: 1,
        puts: 1,
        bytesIn: 500,
        bytesOut: 1000,
        putErrors: 0,
        readOnly: 0,
        busyMs: 0,
        sessions: 2,
        usedEntries: 1,
        addedEntries: 1,
      })
      // Whatever the daemon journaled on the way, stats has drained it: nothing is counted twice.
      const journal = path.join(store, 'journal')
      expect(existsSync(journal) ? readdirSync(journal) : []).toStrictEqual([])
      const again = JSON.parse((await runClient(['stats', '--socket', socket])).stdout) as { stats: Record<string, number> }
      expect(again.stats).toMatchObject({ sessions: 2, gets: 3 })
    } finally {
      expect(await daemon.stop()).toBe(0)
    }
    expect(existsSync(socket)).toBe(false)
  })

  it('journals the report in the store when the daemon cannot be reached, and a daemon counts it later', async () => {
    const socket = path.join(root, 'gone.sock')
    const shim = serve('--daemon', socket)
    shim.write(getFrame(1, hexId('a')) + putFrame(2, hexId('a'), Buffer.from('abc')) + closeFrame(3))
    expect(await shim.exited).toStrictEqual({ code: 0, signal: null })
    expect(shim.stderr()).toBe('')
    const journals = readdirSync(path.join(store, 'journal'))
    expect(journals).toHaveLength(1)
    expect(journals[0]).toMatch(/^\d+-[0-9a-f]{12}\.json$/)
    const report = JSON.parse(readFileSync(path.join(store, 'journal', journals[0]!), 'utf8')) as Record<string, unknown>
    expect(report).toMatchObject({ used: [], added: [hexId('a')], end: 'close', stats: { gets: 1, misses: 1, puts: 1, bytesIn: 3 } })

    const daemon = await startDaemonProcess(store, socket)
    try {
      const stats = JSON.parse((await runClient(['stats', '--socket', socket])).stdout) as { stats: Record<string, number> }
      expect(stats.stats).toMatchObject({ sessions: 1, gets: 1, puts: 1, addedEntries: 1 })
      expect(readdirSync(path.join(store, 'journal'))).toStrictEqual([])
    } finally {
      await daemon.stop()
    }
  })
})

describe('serve on input that is not the protocol', () => {
  const A = hexId('a')
  const cases: { name: string; input: string; message: string }[] = [
    { name: 'a garbage line', input: 'GARBAGE\n\n', message: 'not a JSON request: GARBAGE' },
    {
      name: 'bad base64 in a body',
      input: `{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","BodySize":3}\n\n"!!!!"\n`,
      message: 'request 2: body is not standard base64',
    },
    {
      name: 'a body longer than BodySize',
      input: `{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","BodySize":2}\n\n"YWJj"\n`,
      message: 'request 2: body has 3 bytes, BodySize says 2',
    },
    {
      name: 'an unknown command',
      input: `{"ID":2,"Command":"delete","ActionID":"${b64(A)}"}\n\n`,
      message: 'request 2: unknown command "delete"',
    },
    {
      name: 'an ActionID that is not 32 bytes',
      input: `{"ID":2,"Command":"get","ActionID":"AAAA"}\n\n`,
      message: 'request 2: ActionID is not 32 bytes of standard base64',
    },
    {
      name: 'stdin ending in the middle of a body',
      input: `{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","BodySize":3}\n\n"YW`,
      message: 'input ended in the middle of a request',
    },
  ]
  it.each(cases)('$name: a clear message on stderr, exit 2, only whole JSON lines on stdout', async ({ input, message }) => {
    const shim = serve()
    // A good request first, answered before the bad one arrives.
    shim.write(getFrame(1, A))
    await shim.response(1)
    shim.write(input)
    shim.end()
    const exit = await shim.exited
    expect(exit).toStrictEqual({ code: 2, signal: null })
    expect(shim.stderr()).toBe(`go-cache-setup: protocol error: ${message}\n`)
    expectOnlyJsonLines(shim)
    expect(shim.lines[0]).toBe('{"ID":0,"KnownCommands":["get","put","close"]}')
    expect(shim.responses.get(1)).toStrictEqual({ ID: 1, Miss: true })
    expect(shim.responses.has(2)).toBe(false)
  })

  it('does not wait for stdin to end: it stops at the bad line', async () => {
    const shim = serve()
    shim.write('GARBAGE\n')
    expect((await shim.exited).code).toBe(2)
    expect(shim.stderr()).toBe('go-cache-setup: protocol error: not a JSON request: GARBAGE\n')
  })

  it('refuses bad arguments with a usage message and exit 2', async () => {
    const noStore = await runClient(['serve'])
    expect(noStore.code).toBe(2)
    expect(noStore.stdout).toBe('')
    expect(noStore.stderr).toMatch(/^go-cache-setup: serve needs --store DIR\nusage:/)
    const unknown = await runClient(['serve', '--store', store, '--bogus'])
    expect(unknown.code).toBe(2)
    expect(unknown.stdout).toBe('')
  })
})
