/**
 * The fixed cost a GOCACHEPROG client adds to every go command, ours against
 * the go-cacher anchor, spawn by spawn, interleaved (the order alternates).
 *
 * Each sample does what cmd/go does around a session (cmd/go/internal/cache/prog.go):
 *   hello   spawn → the first line on stdout (the capabilities, ID 0); go
 *           blocks on it before its first lookup (startCacheProg)
 *   close   `{"ID":1,"Command":"close"}` written → stdout closed; stdin is
 *           closed once the close is answered (ProgCache.Close cancels the
 *           context, and cmd.Cancel closes stdin), and go then waits only for
 *           the client's stdout to close, not for it to exit
 *   exit    the same start → the process exited (what is left runs after go)
 * The client is spawned from its GOCACHEPROG string, split as cmd/go splits it.
 * Ours runs as the action runs it: `serve --store --daemon` with the daemon up.
 *
 *   node bench/anchor-startup.ts [--runs 30] [--client dist/client/index.js]
 *
 * bench/build.ts runs the same measurement after its builds (--startup-runs).
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { cacheProgCommand, findShim } from '../src/buildcache/client-install.ts'
import { controlRequest, waitForDaemon } from '../src/daemon/control.ts'
import { splitGoCommandLine } from '../src/gocacheprog/command-line.ts'
import { GO_CACHER_VERSION, goCacherCommand, installGoCacher } from './anchor-gocacher.ts'

export interface StartupClient {
  name: string
  /** The GOCACHEPROG value. */
  gocacheprog: string
}

export interface StartupSample {
  helloMs: number
  closeMs: number
  exitMs: number
}

export interface StartupResult {
  runs: number
  samples: Record<string, StartupSample[]>
  load1Start: number
  load1End: number
}

/** The 1-minute load average (Linux /proc/loadavg). */
export async function load1(): Promise<number> {
  const text = await readFile('/proc/loadavg', 'utf8').catch(() => '')
  return Number(text.split(' ')[0] ?? Number.NaN)
}

/** One session: spawn, hello, close as go closes, exit. */
function once(argv: readonly string[], env: Record<string, string>): Promise<StartupSample> {
  return new Promise((resolve, reject) => {
    const start = performance.now()
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let helloAt: number | undefined
    let closeAt: number | undefined
    let stdoutClosedAt: number | undefined
    let exitAt: number | undefined
    let pending = ''
    let stderr = ''
    const sendClose = (canClose: boolean) => {
      closeAt = performance.now()
      // A client that does not say "close" gets none from go: only stdin closed.
      if (canClose) child.stdin.write(`${JSON.stringify({ ID: 1, Command: 'close' })}\n`)
      else child.stdin.end()
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const at = performance.now()
      pending += chunk
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl).trim()
        pending = pending.slice(nl + 1)
        if (line === '') continue
        const message = JSON.parse(line) as { ID?: number; KnownCommands?: string[] }
        if (helloAt === undefined) {
          helloAt = at
          sendClose(message.KnownCommands?.includes('close') ?? false)
        } else if (message.ID === 1) child.stdin.end()
      }
    })
    child.stdout.once('close', () => (stdoutClosedAt = performance.now()))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)))
    child.stdin.on('error', () => undefined) // a client that exits early: its exit status says why
    child.once('error', reject)
    child.once('exit', () => (exitAt = performance.now()))
    child.once('close', (code) => {
      if (code !== 0 || helloAt === undefined || closeAt === undefined) {
        reject(new Error(`${argv.join(' ')} exited ${code} before a full session: ${stderr}`))
        return
      }
      resolve({ helloMs: helloAt - start, closeMs: (stdoutClosedAt ?? exitAt!) - closeAt, exitMs: exitAt! - closeAt })
    })
  })
}

/** `runs` samples of each client, interleaved, after one untimed spawn each (page cache). */
export async function measureStartup(clients: readonly StartupClient[], runs: number, env: Record<string, string>): Promise<StartupResult> {
  const argvs = clients.map((c) => splitGoCommandLine(c.gocacheprog))
  for (const argv of argvs) await once(argv, env)
  const load1Start = await load1()
  const samples: Record<string, StartupSample[]> = Object.fromEntries(clients.map((c) => [c.name, []]))
  for (let run = 0; run < runs; run++) {
    const order = clients.map((_, i) => (i + run) % clients.length)
    for (const i of order) samples[clients[i]!.name]!.push(await once(argvs[i]!, env))
  }
  return { runs, samples, load1Start, load1End: await load1() }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** "median (min–max)" in ms. */
function spread(xs: readonly number[]): string {
  const f = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1))
  return `${f(median(xs))} ms (${f(Math.min(...xs))}–${f(Math.max(...xs))})`
}

export function startupTable(r: StartupResult): string {
  const lines = [
    `GOCACHEPROG start-up, ${r.runs} spawns of each client, interleaved; median (min–max); load average (1 min) ${r.load1Start.toFixed(2)} at the start, ${r.load1End.toFixed(2)} at the end.`,
    '',
    '| client | spawn → first reply (hello) | close → stdout closed (go waits) | close → exit | target |',
    '| --- | ---: | ---: | ---: | --- |',
  ]
  for (const [name, s] of Object.entries(r.samples)) {
    const hello = median(s.map((x) => x.helloMs))
    const close = median(s.map((x) => x.closeMs))
    lines.push(
      `| ${name} | ${spread(s.map((x) => x.helloMs))} | ${spread(s.map((x) => x.closeMs))} | ${spread(s.map((x) => x.exitMs))} | hello ≤ 5 ms ${hello <= 5 ? 'met' : '**missed**'}, close ≤ 2 ms ${close <= 2 ? 'met' : '**missed**'} |`,
    )
  }
  return lines.join('\n')
}

if (import.meta.main) {
  const root = path.resolve(import.meta.dirname, '..')
  const { values: args } = parseArgs({
    options: {
      runs: { type: 'string', default: '30' },
      client: { type: 'string', default: path.join(root, 'dist', 'client', 'index.js') },
    },
  })
  const runs = Number(args.runs)
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer')
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-anchor-startup-'))
  const store = path.join(tmp, 'store')
  const socket = path.join(tmp, 'd.sock')
  try {
    process.stderr.write(`[anchor-startup] installing go-cacher ${GO_CACHER_VERSION}…\n`)
    const goCacher = await installGoCacher(tmp)
    await mkdir(store, { recursive: true })
    const client = path.resolve(args.client!)
    // As the action starts it (buildcache/setup.ts).
    const daemon = spawn(process.execPath, [client, 'daemon', '--store', store, '--socket', socket, '--log', path.join(tmp, 'daemon.log')], {
      detached: true,
      stdio: 'ignore',
    })
    daemon.unref()
    if (!(await waitForDaemon(socket, 10_000))) throw new Error('the daemon did not start')
    const shim = findShim(client)
    try {
      const env = { PATH: process.env.PATH ?? '', HOME: tmp }
      const result = await measureStartup(
        [
          { name: 'ours, Node shim (serve + daemon)', gocacheprog: cacheProgCommand({ node: process.execPath, client, store, socket }) },
          ...(shim === undefined
            ? []
            : [{ name: 'ours, compiled shim (serve + daemon)', gocacheprog: cacheProgCommand({ node: process.execPath, client, shim, store, socket }) }]),
          { name: `go-cacher (${GO_CACHER_VERSION})`, gocacheprog: goCacherCommand(goCacher, path.join(tmp, 'go-cacher')) },
        ],
        runs,
        env,
      )
      console.log(startupTable(result))
    } finally {
      await controlRequest(socket, { op: 'stop' }, 5000).catch(() => undefined)
    }
  } finally {
    await rm(tmp, { recursive: true, force: true })
  }
}
