/**
 * The compiled shim (src/shim, Go) as a drop-in for `serve`: built here with
 * the machine's go, then spoken to byte for byte like the Node shim
 * (dist/client/index.js), and put behind real go builds, alone and sharing one
 * store and one daemon with the Node shim.
 */
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { ControlReply, ControlRequest } from '../../../src/daemon/control.ts'
import { JobAccount, drainJournals, parseReport } from '../../../src/daemon/reports.ts'
import { joinGoCommandLine } from '../../../src/gocacheprog/command-line.ts'
import { LocalStore } from '../../../src/store/local-store.ts'
import { REPO_ROOT, SAMPLE_MODULE } from '../../support/go-jobs.ts'
import { b64, closeFrame, getFrame, hexId, putFrame, sha256Hex } from '../../unit/gocacheprog/go-frames.ts'
import { checkStore, compiledPackages, execFileP, go, prepareModCache } from '../client/helpers.ts'
import { clientBundle, runClient, startDaemonProcess } from './shim.ts'

let root: string
let modCache: string
let goShim: string

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'go-shim-'))
  modCache = path.join(root, 'modcache')
  goShim = path.join(root, 'bin', process.platform === 'win32' ? 'go-cache-shim.exe' : 'go-cache-shim')
  await Promise.all([
    // The flags scripts/package.mjs would use; stdlib only, so this builds offline.
    execFileP('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', goShim, '.'], {
      cwd: path.join(REPO_ROOT, 'src', 'shim'),
      env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '' },
    }),
    prepareModCache(modCache),
  ])
})
afterAll(async () => {
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined) // Go makes module trees read-only
  await rm(root, { recursive: true, force: true })
})

/** The two programs go may be given: the compiled shim, or Node running the client. */
const shims = {
  go: (args: string[]) => ({ command: goShim, args: ['serve', ...args] }),
  node: (args: string[]) => ({ command: process.execPath, args: [clientBundle, 'serve', ...args] }),
}
type Kind = keyof typeof shims

interface Ran {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a shim with `input` as all of stdin (written at once, then closed) and collects what it said. */
function runShim(kind: Kind, args: string[], input: string | Buffer): Promise<Ran> {
  const { command, args: argv } = shims[kind](args)
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.stdin.on('error', () => undefined) // EPIPE after a protocol error
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** GOCACHEPROG for a shim, quoted as cmd/go splits it. */
function goCacheProg(kind: Kind, args: string[]): string {
  const { command, args: argv } = shims[kind](args)
  return joinGoCommandLine([command, ...argv])
}

function body(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 7) & 0xff
  return b
}

/** Lines with the store's path and the put times made comparable between two runs. */
function normalized(text: string, store: string): string[] {
  return text
    .split(store)
    .join('<store>')
    .replace(/"Time":"[^"]+"/g, '"Time":"<time>"')
    .split('\n')
}

describe('the Go shim speaks as the Node shim does', () => {
  const A = hexId('a')
  const sessions: { name: string; input: () => string }[] = [
    {
      name: 'miss, put, hit, close',
      input: () => getFrame(1, A) + putFrame(2, A, body(10_000, 1)) + getFrame(3, A) + closeFrame(4),
    },
    {
      name: 'a Go 1.21–1.23 put (ObjectID), an empty put, a 3 MiB put, then stdin ends without close',
      input: () =>
        putFrame(1, hexId('old'), Buffer.from('old go'), { field: 'ObjectID' }) +
        putFrame(2, hexId('empty'), Buffer.alloc(0)) +
        putFrame(3, hexId('big'), body(3 << 20, 3)) +
        getFrame(4, hexId('old')) +
        getFrame(5, hexId('empty')) +
        getFrame(6, hexId('big')),
    },
    {
      // go computes the OutputID as the body's sha256: a put whose body is not is refused (an Err), and nothing is stored.
      name: "a put whose body's sha256 is not its OutputID, then a get of it",
      input: () => putFrame(1, A, body(1000, 5), { outputIdHex: sha256Hex(Buffer.from('something else')) }) + getFrame(2, A) + closeFrame(3),
    },
    { name: 'a garbage line', input: () => `${getFrame(1, A)}GARBAGE\n\n` },
    {
      name: 'bad base64 in a body',
      input: () => `{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","BodySize":3}\n\n"!!!!"\n`,
    },
    {
      name: 'a body longer than BodySize',
      input: () => `{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","BodySize":2}\n\n"YWJj"\n`,
    },
    {
      name: 'padding in the middle of a body',
      input: () => `{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","BodySize":4}\n\n"YQ==YWJj"\n`,
    },
    { name: 'an unknown command', input: () => `{"ID":2,"Command":"delete","ActionID":"${b64(A)}"}\n\n` },
    { name: 'no command', input: () => `{"ID":2}\n\n` },
    { name: 'an ActionID that is not 32 bytes', input: () => `{"ID":2,"Command":"get","ActionID":"AAAA"}\n\n` },
    { name: 'a get with a body', input: () => `{"ID":2,"Command":"get","ActionID":"${b64(A)}","BodySize":1}\n\n` },
    { name: 'an invalid ID', input: () => `{"ID":-1,"Command":"close"}\n\n` },
    { name: 'not an object', input: () => `[1,2]\n\n` },
    { name: 'a long garbage line (truncated in the message)', input: () => `${'x'.repeat(300)}\n` },
    {
      name: 'stdin ending in the middle of a body',
      input: () => `{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","BodySize":3}\n\n"YW`,
    },
  ]

  it.each(sessions)('$name: the same stdout, stderr and exit status', async ({ input }) => {
    const runs: Record<Kind, Ran & { store: string }> = {} as never
    for (const kind of ['node', 'go'] as const) {
      const store = path.join(root, `parity-${kind}-${Math.random().toString(16).slice(2)}`)
      runs[kind] = { ...(await runShim(kind, ['--store', store], input())), store }
    }
    expect(normalized(runs.go.stdout, runs.go.store)).toStrictEqual(normalized(runs.node.stdout, runs.node.store))
    expect(runs.go.stderr).toBe(runs.node.stderr)
    expect(runs.go.code).toBe(runs.node.code)
  })

  it.each(['node', 'go'] as const)('%s: refuses a put whose body is not its OutputID, and stores nothing', async (kind) => {
    const store = path.join(root, `mismatch-${kind}`)
    const other = sha256Hex(Buffer.from('something else'))
    const ran = await runShim(kind, ['--store', store], putFrame(1, A, body(1000, 5), { outputIdHex: other }) + getFrame(2, A) + closeFrame(3))
    const [, put, get] = ran.stdout.split('\n').map((line) => (line === '' ? undefined : (JSON.parse(line) as Record<string, unknown>)))
    expect(put).toEqual({ ID: 1, Err: `go-cache-setup: Error: the body's sha256 is ${sha256Hex(body(1000, 5))}, not its OutputID ${other}` })
    expect(get).toEqual({ ID: 2, Miss: true })
    // No object anywhere in the store (the Go shim makes o/ when it opens the store, the Node one on its first write).
    const objects = existsSync(path.join(store, 'o')) ? readdirSync(path.join(store, 'o'), { recursive: true }).filter((name) => String(name).length > 2) : []
    expect(objects).toEqual([])
  })

  it('refuses bad arguments the same way', async () => {
    for (const args of [[], ['--bogus'], ['--store', 'x', '--remote-wait-ms', '5'], ['--store', 'x', '--daemon', 's', '--bundle-wait-ms', '0']]) {
      const [node, goRun] = [await runShim('node', args, ''), await runShim('go', args, '')]
      expect({ args, code: goRun.code, stdout: goRun.stdout }).toStrictEqual({ args, code: node.code, stdout: node.stdout })
      expect(goRun.code).toBe(2)
      // The first line names the problem (Node's wording for an unknown option is its own).
      if (!args.includes('--bogus')) expect(goRun.stderr).toBe(node.stderr)
    }
  })

  it('reads entries the Node shim wrote, and the Node shim reads its own', async () => {
    const store = path.join(root, 'crossed')
    const data = body(5000, 5)
    const wrote = { node: hexId('by node'), go: hexId('by go') }
    for (const kind of ['node', 'go'] as const) {
      const ran = await runShim(kind, ['--store', store], putFrame(1, wrote[kind], data) + closeFrame(2))
      expect(ran.code).toBe(0)
    }
    for (const kind of ['node', 'go'] as const) {
      const ran = await runShim(kind, ['--store', store], getFrame(1, wrote.node) + getFrame(2, wrote.go) + closeFrame(3))
      const lines = ran.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { ID: number; Miss?: boolean; Size?: number })
      expect(lines.filter((l) => l.ID === 1 || l.ID === 2).map((l) => [l.Miss, l.Size])).toStrictEqual([
        [undefined, 5000],
        [undefined, 5000],
      ])
    }
    // One object, written once: the second put found the same bytes and reused them.
    expect((await checkStore(store)).stale).toStrictEqual([])
  })
})

/**
 * A stand-in daemon that records what a shim asks over the control socket and
 * answers through `reply`, so the Node and the Go shim's conversations can be
 * compared request for request (the real daemon is used under real go below).
 */
async function recordingDaemon(socket: string, reply: (request: ControlRequest) => ControlReply | Promise<ControlReply>) {
  const requests: ControlRequest[] = []
  const server = net.createServer((conn) => {
    let buffer = ''
    conn.setEncoding('utf8')
    conn.on('data', (chunk: string) => {
      buffer += chunk
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
        const request = JSON.parse(buffer.slice(0, end)) as ControlRequest
        buffer = buffer.slice(end + 1)
        requests.push(request)
        void Promise.resolve(reply(request)).then((r) => conn.writable && conn.write(`${JSON.stringify(r)}\n`))
      }
    })
    conn.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(socket, resolve))
  return { requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Writes `steps` one at a time, each after the answer to the previous step's last request arrived; resolves at exit. */
function converse(kind: Kind, args: string[], steps: { input: string; awaitId?: number }[]): Promise<Ran> {
  const { command, args: argv } = shims[kind](args)
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let step = 0
    const next = (): void => {
      while (step < steps.length) {
        const { input, awaitId } = steps[step]!
        if (step > 0 && steps[step - 1]!.awaitId !== undefined && !stdout.includes(`{"ID":${steps[step - 1]!.awaitId},`)) return
        child.stdin.write(input)
        step++
        if (awaitId !== undefined) return
      }
      child.stdin.end()
    }
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c
      next()
    })
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
    next()
  })
}

/** A report with what differs from run to run (its name, times) blanked. */
function comparable(request: ControlRequest): unknown {
  if (request.op !== 'report') return request
  expect(request.id).toMatch(/^\d+-[0-9a-f]{12}$/)
  return { ...request, id: '<id>', report: { ...request.report, startedMs: 0, stats: { ...request.report.stats, busyMs: 0 } } }
}

describe('the Go shim talks to the daemon as the Node shim does', () => {
  const [X, Y, Z, P] = ['x', 'y', 'z', 'p'].map((label) => hexId(label)) as [string, string, string, string]

  it('asks on a local miss, serves what the daemon brought, stops asking once it says final, and reports', async () => {
    const seen: Record<Kind, { ran: Ran; requests: unknown[] }> = {} as never
    for (const kind of ['node', 'go'] as const) {
      const dir = path.join(root, `daemon-${kind}`)
      const store = new LocalStore(path.join(dir, 'store'))
      const socket = path.join(dir, 'd.sock')
      const data = body(700, 7)
      const daemon = await recordingDaemon(socket, (request) => {
        if (request.op !== 'fetch') return { ok: true }
        // Z arrives (the import brought it); X is a plain miss; after that, nothing more can come.
        if (request.actionId === Z) {
          store.put(Z, sha256Hex(data), [data], data.length)
          return { ok: true, hit: true }
        }
        return request.actionId === X ? { ok: true, hit: false } : { ok: true, hit: false, final: true }
      })
      try {
        const ran = await converse(
          kind,
          ['--store', store.root, '--daemon', socket, '--bundle-wait-ms', '5000'],
          [
            { input: getFrame(1, Z), awaitId: 1 },
            { input: getFrame(2, X), awaitId: 2 },
            { input: getFrame(3, Y), awaitId: 3 },
            // Final: these two are misses without asking.
            { input: getFrame(4, X) + getFrame(5, P), awaitId: 5 },
            { input: closeFrame(6) },
          ],
        )
        seen[kind] = { ran, requests: daemon.requests.map(comparable) }
      } finally {
        await daemon.close()
      }
      expect(seen[kind].ran.code).toBe(0)
    }
    const fetched = (requests: unknown[]) => requests.filter((r) => (r as ControlRequest).op === 'fetch')
    expect(fetched(seen.go.requests)).toStrictEqual([Z, X, Y].map((actionId) => ({ op: 'fetch', actionId })))
    expect(seen.go.requests).toStrictEqual(seen.node.requests)
    expect(normalized(seen.go.ran.stdout, path.join(root, 'daemon-go'))).toStrictEqual(normalized(seen.node.ran.stdout, path.join(root, 'daemon-node')))
    expect(JSON.parse(seen.go.ran.stdout.split('\n')[1]!)).toMatchObject({ ID: 1, Size: 700 })
  })

  it('with a remote, tells the daemon about each put (queue) and reports the session', async () => {
    const seen: Record<Kind, unknown[]> = {} as never
    for (const kind of ['node', 'go'] as const) {
      const dir = path.join(root, `queue-${kind}`)
      const socket = path.join(dir, 'd.sock')
      await mkdir(dir, { recursive: true })
      const daemon = await recordingDaemon(socket, (request) => (request.op === 'fetch' ? { ok: true, hit: false } : { ok: true }))
      try {
        const ran = await converse(
          kind,
          ['--store', path.join(dir, 'store'), '--daemon', socket, '--remote-wait-ms', '5000'],
          [{ input: getFrame(1, P), awaitId: 1 }, { input: putFrame(2, P, body(300, 1)), awaitId: 2 }, { input: getFrame(3, P) + closeFrame(4) }],
        )
        expect(ran.code).toBe(0)
        seen[kind] = daemon.requests.map(comparable)
      } finally {
        await daemon.close()
      }
    }
    // The queue line travels on its own connection: it may arrive before or after the fetch and the report.
    const sorted = (requests: unknown[]) => requests.map((r) => JSON.stringify(r)).sort()
    expect(sorted(seen.go)).toStrictEqual(sorted(seen.node))
    expect(seen.go).toContainEqual({ op: 'queue', actionIds: [P] })
    expect(seen.go.find((r) => (r as ControlRequest).op === 'report')).toStrictEqual({
      op: 'report',
      id: '<id>',
      report: {
        stats: { gets: 2, hits: 1, misses: 1, puts: 1, bytesIn: 300, bytesOut: 300, putErrors: 0, readOnly: 0, busyMs: 0 },
        used: [P],
        added: [P],
        order: [P],
        startedMs: 0,
        end: 'close',
      },
    })
  })

  it('serves the entries a bundle import appended to `imported`, as the Node shim does', async () => {
    const store = new LocalStore(path.join(root, 'imported'))
    const data = body(900, 9)
    store.importShared(sha256Hex(data), [data], data.length, [
      { actionId: X, timeMs: 1_700_000_000_123 },
      { actionId: Y, timeMs: 1_700_000_000_456 },
    ])
    store.endImport()
    const input = getFrame(1, X) + getFrame(2, Y) + getFrame(3, Z) + closeFrame(4)
    const [node, goRun] = [await runShim('node', ['--store', store.root], input), await runShim('go', ['--store', store.root], input)]
    expect(goRun.stdout).toBe(node.stdout)
    expect(JSON.parse(goRun.stdout.split('\n')[2]!)).toMatchObject({ ID: 2, Size: 900, Time: '2023-11-14T22:13:20.456Z' })
  })
})

describe('the Go shim under real go', () => {
  async function setup(name: string) {
    const dir = path.join(root, name)
    const src = path.join(dir, 'src')
    const store = path.join(dir, 'store')
    await cp(SAMPLE_MODULE, src, { recursive: true })
    await mkdir(store, { recursive: true })
    const env = (kind: Kind, args: string[], gocache: string) => ({
      GOCACHEPROG: goCacheProg(kind, ['--store', store, ...args]),
      GOCACHE: path.join(dir, gocache),
      GOMODCACHE: modCache,
      GOPROXY: 'off',
    })
    return { dir, src, store, env }
  }
  const stats = async (socket: string) => {
    const reply = await runClient(['stats', '--socket', socket])
    return (JSON.parse(reply.stdout) as { stats: Record<string, number> }).stats
  }

  it('builds cold, then warm compiling nothing; the daemon counts its reports', async () => {
    const { dir, src, store, env } = await setup('cold-warm')
    const socket = path.join(dir, 'd.sock')
    const daemon = await startDaemonProcess(store, socket)
    try {
      const daemonEnv = env('go', ['--daemon', socket], 'gocache')
      const cold = await go(['build', '-x', '-o', `${path.join(dir, 'out')}/`, './...'], src, daemonEnv)
      expect(compiledPackages(cold.stderr).length).toBeGreaterThan(10)
      const afterCold = await stats(socket)
      expect(afterCold).toMatchObject({ sessions: 1, hits: 0, putErrors: 0 })
      expect(afterCold.misses).toBeGreaterThan(10)
      expect(afterCold.puts).toBeGreaterThan(10)
      expect(afterCold.addedEntries).toBe(afterCold.puts)

      const warm = await go(['build', '-x', '-o', `${path.join(dir, 'out')}/`, './...'], src, daemonEnv)
      expect(compiledPackages(warm.stderr)).toStrictEqual([])
      const afterWarm = await stats(socket)
      expect(afterWarm.sessions).toBe(2)
      expect(afterWarm.hits).toBeGreaterThan(10)
      expect(afterWarm.usedEntries).toBeGreaterThan(10)
      expect(afterWarm.gets - afterCold.gets).toBe(afterWarm.hits - afterCold.hits + (afterWarm.misses - afterCold.misses))

      const check = await checkStore(store)
      expect(check.stale).toStrictEqual([])
      expect(check.temps).toStrictEqual([])
      expect((await execFileP(path.join(dir, 'out', 'sample'))).stdout).toBe('ids: 3\n')
    } finally {
      expect(await daemon.stop()).toBe(0)
    }
  })

  it.each([
    ['node', 'go'],
    ['go', 'node'],
  ] as const)('shares one store and daemon: what the %s shim put, the %s shim hits', async (first, second) => {
    const { dir, src, store, env } = await setup(`shared-${first}-${second}`)
    const socket = path.join(dir, 'd.sock')
    const daemon = await startDaemonProcess(store, socket)
    try {
      const cold = await go(['build', '-x', '-o', `${path.join(dir, 'out')}/`, './...'], src, env(first, ['--daemon', socket], 'gocache-1'))
      expect(compiledPackages(cold.stderr).length).toBeGreaterThan(10)
      const warm = await go(['build', '-x', '-o', `${path.join(dir, 'out')}/`, './...'], src, env(second, ['--daemon', socket], 'gocache-2'))
      expect(compiledPackages(warm.stderr)).toStrictEqual([])
      const both = await stats(socket)
      expect(both.sessions).toBe(2)
      expect(both.hits).toBeGreaterThan(10)
      expect(both.putErrors).toBe(0)
    } finally {
      await daemon.stop()
    }
  })

  it('journals its report when the daemon is gone, and the Node side reads the journal', async () => {
    const { dir, src, store, env } = await setup('journal')
    const gone = path.join(dir, 'gone.sock')
    await go(['build', '-o', `${path.join(dir, 'out')}/`, './...'], src, env('go', ['--daemon', gone], 'gocache'))
    const journals = readdirSync(path.join(store, 'journal'))
    expect(journals).toHaveLength(1)
    expect(journals[0]).toMatch(/^\d+-[0-9a-f]{12}\.json$/)
    const report = parseReport(readFileSync(path.join(store, 'journal', journals[0]!), 'utf8'))
    expect(report.end).toBe('close')
    expect(report.stats.puts).toBeGreaterThan(10)
    expect(new Set(report.order)).toStrictEqual(new Set([...report.used, ...report.added]))

    const account = new JobAccount()
    expect(await drainJournals(store, account)).toBe(1)
    expect(account.summary()).toMatchObject({ sessions: 1, puts: report.stats.puts, addedEntries: report.added.length })
    expect(readdirSync(path.join(store, 'journal'))).toStrictEqual([])
  })
})
