/**
 * GOCACHEPROG protocol microbenchmark: how fast does the shim answer go?
 *
 * As the action runs it: the daemon (`daemon --store --socket`) and the shim
 * (`serve --store --daemon`) are child processes; this script plays cmd/go,
 * writing hand-framed requests to the shim's stdin and reading its stdout.
 *
 * 1. Fills the store with N objects of build-like sizes, through the protocol.
 * 2. Gets that all hit, with 1, 2, 8, 32 requests outstanding (cmd/go has up
 *    to -p = GOMAXPROCS in flight, one write per request): get-hits/s and the
 *    latency of each request, from writing its line to reading its answer.
 *    Also the CPU the shim used per get, and the same driver against a bare
 *    Node echo process (the floor: process + pipe cost, no store).
 * 3. Start-up: spawn → ID 0 hello, spawn → exit for a session of one get +
 *    close (go waits for our stdout to close), against `node -e 0`; median.
 *
 * Under 2 minutes with the defaults on 2 CPUs; loopback only (pipes and a unix socket).
 *
 *   node bench/protocol.ts [--objects 2000] [--count 200000] [--concurrency 1,2,8,32]
 *                          [--startup-runs 30] [--client dist/client/index.js]
 *                          [--cpu-prof DIR] [--json FILE]
 *
 * --client src/cli.ts runs the sources directly (no rebuild needed;
 * start-up figures then include type stripping, ~100 ms);
 * --cpu-prof writes the measured shim's V8 profile to DIR and prints where its
 * CPU went.
 */
import { execFileSync, spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { b64, closeFrame, hexId, putFrame } from '../__tests__/unit/gocacheprog/go-frames.ts'

const repo = path.resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({
  options: {
    objects: { type: 'string', default: '2000' },
    count: { type: 'string', default: '200000' },
    concurrency: { type: 'string', default: '1,2,8,32' },
    'startup-runs': { type: 'string', default: '30' },
    client: { type: 'string', default: path.join(repo, 'dist/client/index.js') },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
  },
})
const objectCount = Number(args.objects)
const getCount = Number(args.count)
const levels = args.concurrency!.split(',').map(Number)
const startupRuns = Number(args['startup-runs'])
const client = path.resolve(args.client!)
const cpuProfDir = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-protocol-'))
const store = path.join(tmp, 'store')
const socket = path.join(tmp, 'daemon.sock')

// ---------------------------------------------------------------------------
// Child processes

interface Conversation {
  child: ChildProcessWithoutNullStreams
  /** Called for every response line, with the time its chunk was read. */
  onLine: (line: string, at: number) => void
  exited: Promise<number | null>
  stderr: () => string
}

function spawnShim(extraNodeFlags: string[] = [], withDaemon = true): Conversation {
  return converse([...extraNodeFlags, client, 'serve', '--store', store, ...(withDaemon ? ['--daemon', socket] : [])])
}

/**
 * The floor: a Node process that answers every get line at once with a fixed
 * hit, no parsing beyond the ID and no store, batching per chunk like the shim.
 * What is left above it is the shim's own work.
 */
const ECHO = `
let partial = ''
process.stdout.write('{"ID":0,"KnownCommands":["get","put","close"]}\\n')
process.stdin.setEncoding('latin1').on('data', (chunk) => {
  partial += chunk
  let out = ''
  let start = 0
  let end
  while ((end = partial.indexOf('\\n', start)) !== -1) {
    const line = partial.slice(start, end)
    start = end + 1
    if (line === '') continue
    const id = /^\\{"ID":(\\d+)/.exec(line)[1]
    if (line.includes('"close"')) { out += '{"ID":' + id + '}\\n'; process.stdout.write(out); process.exit(0) }
    out += '{"ID":' + id + ',"OutputID":"hK0s7Zf0oA7DCUHdeA5DeM7y2I4W1VN8k1L3aiHrgZ0=","Size":1234,"Time":"2026-01-01T00:00:00.000Z","DiskPath":"/store/o/84/84ad2ced97f4a00ec30941dd780e4378cef2d88e16d5537c9352f76a21eb819d"}\\n'
  }
  partial = partial.slice(start)
  if (out) process.stdout.write(out)
})
`

function spawnEcho(): Conversation {
  return converse(['-e', ECHO])
}

function converse(argv: string[]): Conversation {
  const child = spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'pipe'] })
  let partial = ''
  let err = ''
  const conversation: Conversation = {
    child,
    onLine: () => undefined,
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    stderr: () => err,
  }
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
  child.stdout.setEncoding('latin1')
  child.stdout.on('data', (chunk: string) => {
    const at = performance.now()
    partial += chunk
    let start = 0
    let end: number
    while ((end = partial.indexOf('\n', start)) !== -1) {
      conversation.onLine(partial.slice(start, end), at)
      start = end + 1
    }
    partial = partial.slice(start)
  })
  return conversation
}

/** `{"ID":123,...` → 123, without a JSON parse (the driver must stay cheaper than the shim). */
function lineId(line: string): number {
  if (!line.startsWith('{"ID":')) throw new Error(`not a response: ${line}`)
  let id = 0
  for (let i = 6; i < line.length; i++) {
    const c = line.charCodeAt(i) - 48
    if (c < 0 || c > 9) return id
    id = id * 10 + c
  }
  return id
}

function runToExit(command: string, argv: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'ignore'] })
    let stdout = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout }))
  })
}

async function startDaemon(): Promise<ChildProcess> {
  const daemon = spawn(process.execPath, [client, 'daemon', '--store', store, '--socket', socket], { stdio: ['ignore', 'ignore', 'inherit'] })
  for (let i = 0; i < 200; i++) {
    if ((await runToExit(process.execPath, [client, 'ping', '--socket', socket])).code === 0) return daemon
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the daemon did not start')
}

// ---------------------------------------------------------------------------
// Workload

/** Build-like sizes: empty outputs are common, about half are ≤ 1 KiB, a few are large. */
function objectSize(i: number): number {
  const r = (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32
  if (r < 0.1) return 0
  if (r < 0.55) return 100 + Math.floor(r * 1800) // 0.1–1 KiB
  if (r < 0.9) return 1024 + Math.floor(((r - 0.55) / 0.35) ** 2 * 63 * 1024) // 1–64 KiB
  return 64 * 1024 + Math.floor(((r - 0.9) / 0.1) ** 3 * 960 * 1024) // 64 KiB–1 MiB
}

function objectBody(i: number): Buffer {
  const body = Buffer.alloc(objectSize(i), i & 0xff)
  if (body.length >= 4) body.writeUInt32LE(i) // distinct objects (tiny ones may share, as in a build)
  return body
}

const actionIds = Array.from({ length: objectCount }, (_, i) => b64(hexId(`bench action ${i}`)))

async function populate(): Promise<{ bytes: number; ms: number }> {
  const shim = spawnShim()
  const started = performance.now()
  let bytes = 0
  let next = 0
  let answered = 0
  const done = new Promise<void>((resolve, reject) => {
    shim.onLine = (line) => {
      if (lineId(line) === 0) return
      if (!line.includes('"DiskPath"')) reject(new Error(`put failed: ${line}`))
      if (++answered === objectCount) resolve()
      else if (next < objectCount) send()
    }
  })
  const send = (): void => {
    const i = next++
    const body = objectBody(i)
    bytes += body.length
    shim.child.stdin.write(putFrame(i + 1, hexId(`bench action ${i}`), body))
  }
  for (let k = 0; k < 8 && next < objectCount; k++) send()
  await done
  shim.child.stdin.write(closeFrame(objectCount + 1))
  if ((await shim.exited) !== 0) throw new Error(`populate: the shim failed: ${shim.stderr()}`)
  return { bytes, ms: performance.now() - started }
}

/** CPU time (user + system) a process has used, in ms; Linux only (/proc), else NaN. */
async function processCpuMs(pid: number): Promise<number> {
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ')
    // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

interface Level {
  concurrency: number
  /** CPU the shim used per get, µs (user + system). */
  shimCpuUs: number
  /** CPU this driver (playing cmd/go) used per get, µs. */
  driverCpuUs: number
  gets: number
  seconds: number
  getsPerSecond: number
  p50Us: number
  p90Us: number
  p99Us: number
  p999Us: number
  maxUs: number
}

/** `count` gets, all hits, `concurrency` outstanding; one write per request, as cmd/go does. */
async function drive(shim: Conversation, firstId: number, count: number, concurrency: number): Promise<Level> {
  const shimCpu = await processCpuMs(shim.child.pid!)
  const driverCpu = process.cpuUsage()
  const level = await driveGets(shim, firstId, count, concurrency)
  const driverUsage = process.cpuUsage(driverCpu)
  level.shimCpuUs = (((await processCpuMs(shim.child.pid!)) - shimCpu) * 1000) / count
  level.driverCpuUs = (driverUsage.user + driverUsage.system) / count
  return level
}

function driveGets(shim: Conversation, firstId: number, count: number, concurrency: number): Promise<Level> {
  const sentAt = new Float64Array(count)
  const latency = new Float64Array(count)
  let sent = 0
  let answered = 0
  let started = 0
  return new Promise((resolve, reject) => {
    const send = (): void => {
      const k = sent++
      const frame = `{"ID":${firstId + k},"Command":"get","ActionID":"${actionIds[k % objectCount]}"}\n\n`
      sentAt[k] = performance.now()
      shim.child.stdin.write(frame)
    }
    shim.onLine = (line, at) => {
      const id = lineId(line)
      if (id === 0) return // the hello
      const k = id - firstId
      if (k < 0 || k >= count || !line.includes('"OutputID"')) {
        reject(new Error(`unexpected response (not a hit?): ${line}`))
        return
      }
      latency[k] = at - sentAt[k]!
      if (++answered === count) {
        const seconds = (performance.now() - started) / 1000
        const sorted = latency.sort()
        const pct = (p: number) => sorted[Math.min(count - 1, Math.floor(p * count))]! * 1000
        resolve({
          concurrency,
          shimCpuUs: Number.NaN,
          driverCpuUs: Number.NaN,
          gets: count,
          seconds,
          getsPerSecond: count / seconds,
          p50Us: pct(0.5),
          p90Us: pct(0.9),
          p99Us: pct(0.99),
          p999Us: pct(0.999),
          maxUs: sorted[count - 1]! * 1000,
        })
      } else if (sent < count) {
        send()
      }
    }
    started = performance.now()
    for (let k = 0; k < concurrency && sent < count; k++) send()
  })
}

// ---------------------------------------------------------------------------
// Start-up

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface Startup {
  nodeExitMs: number
  helloMs: number
  getAnsweredMs: number
  closeAnsweredMs: number
  stdoutClosedMs: number
  exitMs: number
}

async function measureStartup(withDaemon: boolean): Promise<Startup> {
  const runs: Startup[] = []
  const hitId = actionIds[1]!
  for (let run = 0; run < startupRuns; run++) {
    const t0 = performance.now()
    const nodeExit = await runToExit(process.execPath, ['-e', '0'])
    if (nodeExit.code !== 0) throw new Error('node -e 0 failed')
    const nodeExitMs = performance.now() - t0

    const start = performance.now()
    const shim = spawnShim([], withDaemon)
    const r: Partial<Startup> = { nodeExitMs }
    const stdoutClosed = new Promise<void>((resolve) => shim.child.stdout.once('close', () => resolve()))
    shim.onLine = (line, at) => {
      const id = lineId(line)
      if (id === 0) {
        r.helloMs = at - start
        // Go sends nothing before the hello.
        shim.child.stdin.write(`{"ID":1,"Command":"get","ActionID":"${hitId}"}\n\n`)
      } else if (id === 1) {
        if (!line.includes('"OutputID"')) throw new Error(`start-up get missed: ${line}`)
        r.getAnsweredMs = at - start
        shim.child.stdin.write(closeFrame(2))
      } else if (id === 2) {
        r.closeAnsweredMs = at - start
      }
    }
    await stdoutClosed
    r.stdoutClosedMs = performance.now() - start
    if ((await shim.exited) !== 0) throw new Error(`the shim failed: ${shim.stderr()}`)
    r.exitMs = performance.now() - start
    runs.push(r as Startup)
  }
  const m = (k: keyof Startup) => median(runs.map((r) => r[k]))
  return {
    nodeExitMs: m('nodeExitMs'),
    helloMs: m('helloMs'),
    getAnsweredMs: m('getAnsweredMs'),
    closeAnsweredMs: m('closeAnsweredMs'),
    stdoutClosedMs: m('stdoutClosedMs'),
    exitMs: m('exitMs'),
  }
}

// ---------------------------------------------------------------------------
// CPU profile summary (self time by function)

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}

async function summarizeProfile(dir: string, top = 25): Promise<{ totalMs: number; rows: { name: string; selfMs: number; pct: number }[] }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.cpuprofile'))
  const self = new Map<string, number>()
  let totalMs = 0
  for (const name of names) {
    const profile = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }
    const byId = new Map(profile.nodes.map((n) => [n.id, n]))
    for (let i = 0; i < profile.samples.length; i++) {
      const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000
      const f = byId.get(profile.samples[i]!)!.callFrame
      const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : ''
      const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`
      self.set(key, (self.get(key) ?? 0) + dt)
      totalMs += dt
    }
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top)
  return { totalMs, rows: rows.map(([name, selfMs]) => ({ name, selfMs, pct: (100 * selfMs) / totalMs })) }
}

// ---------------------------------------------------------------------------

function machine(): Record<string, string> {
  const cpus = os.cpus()
  let fsType = '?'
  try {
    fsType = execFileSync('stat', ['-f', '-c', '%T', tmp], { encoding: 'utf8' }).trim()
  } catch {
    // not Linux
  }
  return {
    CPU: `${cpus[0]?.model ?? '?'} (${os.availableParallelism()} logical CPUs)`,
    Memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    OS: `${os.type()} ${os.release()} ${os.arch()}`,
    Node: process.version,
    'Store filesystem': `${tmp} (${fsType})`,
    Client: path.relative(repo, client),
  }
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

let daemon: ChildProcess | undefined
try {
  const benchStart = performance.now()
  const loadAtStart = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
  daemon = await startDaemon()
  const filled = await populate()

  // The measured shim: one go process doing a lot of gets.
  const profileFlags = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []
  if (cpuProfDir) {
    await rm(cpuProfDir, { recursive: true, force: true })
    await mkdir(cpuProfDir, { recursive: true })
  }
  const shim = spawnShim(profileFlags)
  let nextId = 1
  // Warm-up (JIT, page cache), not measured.
  await drive(shim, nextId, Math.min(20_000, getCount), 8)
  nextId += 20_000
  const results: Level[] = []
  for (const c of levels) {
    results.push(await drive(shim, nextId, getCount, c))
    nextId += getCount
  }
  shim.child.stdin.write(closeFrame(nextId))
  if ((await shim.exited) !== 0) throw new Error(`the shim failed: ${shim.stderr()}`)

  const echo = spawnEcho()
  const echoCount = Math.max(1000, Math.floor(getCount / 4))
  await drive(echo, 1, Math.min(20_000, echoCount), 8)
  const floor: Level[] = []
  for (const c of levels) floor.push(await drive(echo, 100_000 + floor.length * echoCount, echoCount, c))
  echo.child.stdin.write(closeFrame(99))
  if ((await echo.exited) !== 0) throw new Error(`the echo process failed: ${echo.stderr()}`)

  const startupDaemon = await measureStartup(true)
  const startupAlone = await measureStartup(false)

  const facts = { ...machine(), 'Load average at start': loadAtStart }
  const out: string[] = []
  out.push('## GOCACHEPROG protocol benchmark', '')
  out.push('| machine | |', '| --- | --- |')
  for (const [k, v] of Object.entries(facts)) out.push(`| ${k} | ${v} |`)
  out.push(
    '',
    `Store: ${fmt(objectCount)} objects, ${fmt(filled.bytes / 2 ** 20, 1)} MiB, filled through the protocol in ${fmt(filled.ms)} ms ` +
      `(${fmt(objectCount / (filled.ms / 1000))} puts/s at 8 outstanding).`,
    '',
    `### Get hits, ${fmt(getCount)} per level (one shim process, after 20,000 warm-up gets)`,
    '',
    '| outstanding | get-hits/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | shim CPU µs/get | driver CPU µs/get | ≥ 20k/s, p99 < 1 ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
  )
  const row = (r: Level, label: string | number) =>
    `| ${label} | ${fmt(r.getsPerSecond)} | ${fmt(r.p50Us)} | ${fmt(r.p90Us)} | ${fmt(r.p99Us)} | ${fmt(r.p999Us)} | ${fmt(r.maxUs)} | ${fmt(r.shimCpuUs, 1)} | ${fmt(r.driverCpuUs, 1)} | ${r.getsPerSecond >= 20_000 && r.p99Us < 1000 ? 'yes' : 'no'} |`
  for (const r of results) out.push(row(r, r.concurrency))
  out.push(
    '',
    `Floor: the same driver against a Node process that answers each line at once with a fixed hit (no store, no parsing), ${fmt(echoCount)} gets per level:`,
    '',
    '| outstanding | answers/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | echo CPU µs/get | driver CPU µs/get | |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
  )
  for (const r of floor) out.push(row(r, r.concurrency))
  out.push('', "By Little's law the mean latency is outstanding ÷ throughput, so with 32 outstanding a p99 under 1 ms needs well over 32,000 answers/s.")
  out.push(
    '',
    `### Start-up, median of ${startupRuns} (ms from spawn)`,
    '',
    '| | `node -e 0` exit | hello (ID 0) | get answered | close answered | stdout closed | exit |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  )
  for (const [label, s] of [
    ['serve --daemon (as the action runs it)', startupDaemon],
    ['serve (no daemon)', startupAlone],
  ] as const) {
    out.push(
      `| ${label} | ${fmt(s.nodeExitMs, 1)} | ${fmt(s.helloMs, 1)} | ${fmt(s.getAnsweredMs, 1)} | ${fmt(s.closeAnsweredMs, 1)} | ${fmt(s.stdoutClosedMs, 1)} | ${fmt(s.exitMs, 1)} |`,
    )
  }
  out.push(
    '',
    `Total bench time: ${fmt((performance.now() - benchStart) / 1000, 1)} s; load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}.`,
  )

  if (cpuProfDir) {
    const profile = await summarizeProfile(cpuProfDir)
    out.push('', `### Shim CPU profile (${cpuProfDir}), self time, ${fmt(profile.totalMs)} ms sampled`, '', '| function | ms | % |', '| --- | ---: | ---: |')
    for (const row of profile.rows) out.push(`| \`${row.name}\` | ${fmt(row.selfMs)} | ${fmt(row.pct, 1)} |`)
  }
  process.stdout.write(`${out.join('\n')}\n`)
  if (args.json) {
    await writeFile(args.json, JSON.stringify({ machine: facts, objects: objectCount, filled, levels: results, floor, startupDaemon, startupAlone }, null, 2))
  }
} finally {
  if (daemon && daemon.exitCode === null) {
    await runToExit(process.execPath, [client, 'stop', '--socket', socket]).catch(() => undefined)
    await new Promise((resolve) => (daemon!.exitCode === null ? daemon!.once('exit', resolve) : resolve(undefined)))
  }
  await rm(tmp, { recursive: true, force: true })
}
