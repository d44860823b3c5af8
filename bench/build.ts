/**
 * Go's native GOCACHE against our cache client, side by side in one run.
 *
 * "Ours" is exactly what the action sets up: a daemon started with
 * `dist/client/index.js daemon`, and GOCACHEPROG = the command line
 * cacheProgCommand() builds (node + dist/client/index.js serve --store --daemon),
 * so every go process talks to its own shim over the real protocol, and the
 * shims write to one local store.
 *
 * Measured, round by round, native and ours interleaved (the order alternates):
 *   cold      `go build -o OUT/ ./...` with an empty GOCACHE / an empty store
 *             (fresh dirs per round; modules already downloaded and extracted)
 *   warm      the same command again in the same tree: everything is cached and
 *             the binary is up to date, so go only looks every action up
 *   relink    warm, but into a fresh output directory, so go also links
 * Warm rounds reuse the caches of the last cold round. Times are wall clock of
 * the go command (the shim's exit included: go waits for it). CPU comes from
 * /usr/bin/time: go's own (with the children it waited for) and the shims' (a
 * time wrapper around the shim in GOCACHEPROG, which adds one fork+exec per go
 * process). Daemon stats are the deltas of `stats` around each build.
 *
 *   node bench/build.ts [--module DIR] [--rounds N] [--cold-rounds N] [--warm-rounds N]
 *                       [--modcache DIR] [--profile] [--json FILE] [--keep]
 *
 * --rounds N sets both cold and warm rounds (default: 2 cold, 5 warm).
 * --profile adds one more cold and warm build of ours with `node --cpu-prof` on
 * every shim (not timed against native) and prints where the shims' CPU goes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { cacheProgCommand } from '../src/buildcache/client-install.ts'
import { controlRequest, waitForDaemon } from '../src/daemon/control.ts'
import type { JobStats } from '../src/daemon/reports.ts'
import { joinGoCommandLine } from '../src/gocacheprog/command-line.ts'
import { summarizeProfiles, type ProfileSummary } from './cpuprofile.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const distClient = path.join(root, 'dist', 'client')
const TIME = '/usr/bin/time'

const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: path.join(root, 'bench', 'fixtures', 'large-module') },
    rounds: { type: 'string' },
    'cold-rounds': { type: 'string' },
    'warm-rounds': { type: 'string' },
    modcache: { type: 'string' },
    profile: { type: 'boolean', default: false },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})
const count = (v: string | undefined, fallback: number, flag: string): number => {
  const n = Number(v ?? fallback)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`)
  return n
}
const coldRounds = count(args['cold-rounds'] ?? args.rounds, 2, '--cold-rounds')
const warmRounds = count(args['warm-rounds'] ?? args.rounds, 5, '--warm-rounds')
if (!existsSync(path.join(distClient, 'index.js'))) throw new Error(`${distClient}/index.js is missing: run node scripts/package.mjs`)
if (!existsSync(TIME)) throw new Error(`${TIME} is needed for CPU times (apt-get install time)`)

const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`)

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-build-'))
const src = path.join(tmp, 'src')
// A copy outside any git checkout: no VCS stamping, and outputs stay out of the repo.
await cp(path.resolve(args.module!), src, { recursive: true })
// The client runs from a copy, as the action runs it from the tool cache (and a
// rebuild of dist/ during the run cannot pull it away).
const client = path.join(tmp, 'client', 'index.js')
await cp(distClient, path.dirname(client), { recursive: true })
const modCache = path.resolve(args.modcache ?? (await execFileP('go', ['env', 'GOMODCACHE'])).stdout.trim())
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: path.join(tmp, 'home'),
  GOENV: 'off', // nobody's go env file
  GOMODCACHE: modCache,
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-buildvcs=false',
  GOPROXY: 'off',
}
await mkdir(baseEnv.HOME!, { recursive: true })

interface Timed {
  wallMs: number
  userS: number
  sysS: number
  /** CPU seconds the whole machine was busy during the build (/proc/stat), to see other load. */
  machineBusyS: number
}

/** Seconds of CPU the machine has been busy since boot, all cores (Linux /proc/stat). */
async function machineBusy(): Promise<number> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '')
  const f = text.split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number)
  if (f.length < 8) return 0
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number]
  return (user + nice + system + irq + softirq + steal) / 100 // USER_HZ
}

/** Runs go under /usr/bin/time; wall time measured here, CPU by time(1). */
const running = new Set<ChildProcess>()

async function timeGo(goArgs: string[], env: Record<string, string>): Promise<Timed> {
  const timeFile = path.join(tmp, `time-${process.hrtime.bigint()}`)
  const busy0 = await machineBusy()
  const t0 = performance.now()
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(TIME, ['-o', timeFile, '-f', '%U %S', 'go', ...goArgs], {
      cwd: src,
      env: { ...baseEnv, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group: an interrupt stops time, go and go's children
    })
    running.add(child)
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-20_000)))
    child.once('error', reject)
    child.once('close', (c) => {
      running.delete(child)
      resolve({ code: c, stderr: err })
    })
  })
  const wallMs = performance.now() - t0
  const machineBusyS = (await machineBusy()) - busy0
  if (code !== 0) throw new Error(`go ${goArgs.join(' ')} failed (${code}):\n${stderr}`)
  const text = await readFile(timeFile, 'utf8')
  await rm(timeFile, { force: true })
  const [user, sys] = text.trim().split('\n').at(-1)!.split(' ').map(Number)
  return { wallMs, userS: user!, sysS: sys!, machineBusyS }
}

interface Ours {
  dir: string
  store: string
  socket: string
  /** Appended to by the time(1) wrapper around every shim. */
  shimTimes: string
  pid: number
  stop(): Promise<void>
}

async function startOurs(dir: string): Promise<Ours> {
  const store = path.join(dir, 'store')
  const socket = path.join(dir, 'd.sock')
  await mkdir(store, { recursive: true })
  const logFile = path.join(dir, 'daemon.log')
  // As the action starts it (buildcache/setup.ts), on the same node.
  const daemon = spawn(process.execPath, [client, 'daemon', '--store', store, '--socket', socket, '--log', logFile], { detached: true, stdio: 'ignore' })
  daemon.unref()
  if (!(await waitForDaemon(socket, 10_000))) throw new Error(`the daemon did not start (see ${logFile})`)
  return {
    dir,
    store,
    socket,
    shimTimes: path.join(dir, 'shim-times'),
    pid: daemon.pid!,
    stop: async () => {
      await controlRequest(socket, { op: 'stop' }, 5000).catch(() => undefined)
    },
  }
}

/** The action's GOCACHEPROG, optionally wrapped in time(1) and with --cpu-prof on node. */
function goCacheProg(o: Ours, opts: { profileDir?: string } = {}): string {
  const plain = cacheProgCommand({ node: process.execPath, client, store: o.store, socket: o.socket })
  const node = opts.profileDir ? [process.execPath, '--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [process.execPath]
  const serve = [...node, client, 'serve', '--store', o.store, '--daemon', o.socket]
  if (!opts.profileDir && joinGoCommandLine(serve) !== plain) throw new Error('bench GOCACHEPROG drifted from cacheProgCommand()')
  return joinGoCommandLine([TIME, '-a', '-o', o.shimTimes, '-f', '%U %S', ...serve])
}

async function stats(o: Ours): Promise<JobStats> {
  const reply = await controlRequest(o.socket, { op: 'stats' }, 60_000)
  if (!reply.ok || !reply.stats) throw new Error(`stats: ${JSON.stringify(reply)}`)
  return reply.stats
}

/** Sum of the shims' user+sys seconds recorded so far, and how many shims. */
async function shimCpu(o: Ours): Promise<{ cpuS: number; shims: number }> {
  const text = await readFile(o.shimTimes, 'utf8').catch(() => '')
  let cpuS = 0
  let shims = 0
  for (const line of text.split('\n')) {
    const m = /^([\d.]+) ([\d.]+)$/.exec(line.trim())
    if (!m) continue
    cpuS += Number(m[1]) + Number(m[2])
    shims++
  }
  return { cpuS, shims }
}

/** CPU seconds the daemon process used so far (Linux /proc). */
async function daemonCpu(o: Ours): Promise<number | undefined> {
  const text = await readFile(`/proc/${o.pid}/stat`, 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ = 100)
}

async function du(dir: string): Promise<number> {
  const { stdout } = await execFileP('du', ['-sb', dir])
  return Number(stdout.split('\t')[0])
}

const delta = (a: JobStats, b: JobStats) => ({
  gets: b.gets - a.gets,
  hits: b.hits - a.hits,
  misses: b.misses - a.misses,
  puts: b.puts - a.puts,
  bytesIn: b.bytesIn - a.bytesIn,
  bytesOut: b.bytesOut - a.bytesOut,
  busyMs: b.busyMs - a.busyMs,
  sessions: b.sessions - a.sessions,
})
type StatsDelta = ReturnType<typeof delta>

interface Sample extends Timed {
  variant: 'native' | 'ours'
  phase: 'cold' | 'warm' | 'relink'
  round: number
  /** ours only */
  shimCpuS?: number
  shims?: number
  daemon?: StatsDelta
}

async function buildOurs(o: Ours, goArgs: string[], gocache: string, profileDir?: string): Promise<Omit<Sample, 'variant' | 'phase' | 'round'>> {
  const before = await stats(o)
  const cpuBefore = await shimCpu(o)
  const t = await timeGo(goArgs, { GOCACHE: gocache, GOCACHEPROG: goCacheProg(o, { profileDir }) })
  const after = await stats(o)
  const cpuAfter = await shimCpu(o)
  return { ...t, shimCpuS: cpuAfter.cpuS - cpuBefore.cpuS, shims: cpuAfter.shims - cpuBefore.shims, daemon: delta(before, after) }
}

const samples: Sample[] = []
const cleanup: (() => Promise<void>)[] = []
// Interrupted: stop the go in flight and the daemons, and leave no temp dirs behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const child of running) if (child.pid) process.kill(-child.pid, 'SIGTERM')
    void (async () => {
      for (const stop of cleanup) await stop()
      if (!args.keep) await rm(tmp, { recursive: true, force: true }).catch(() => undefined)
      process.exit(130)
    })()
  })
}
let profile: { cold: ProfileSummary; warm: ProfileSummary } | undefined
let sizes: { native: number; store: number } | undefined
try {
  const goVersion = (await execFileP('go', ['env', 'GOVERSION'], { env: { ...baseEnv } })).stdout.trim()
  log(`${goVersion}, ${os.cpus().length} cores; module ${args.module}; ${coldRounds} cold, ${warmRounds} warm rounds; tmp ${tmp}`)
  log('making sure every module is downloaded and extracted…')
  const prepEnv = { GOCACHE: path.join(tmp, 'gocache-prep'), GOPROXY: process.env.GOPROXY || 'https://proxy.golang.org,direct' }
  await execFileP('go', ['mod', 'download'], { cwd: src, env: { ...baseEnv, ...prepEnv } })
  await execFileP('go', ['list', '-deps', './...'], { cwd: src, env: { ...baseEnv, ...prepEnv }, maxBuffer: 64 << 20 })
  await rm(prepEnv.GOCACHE, { recursive: true, force: true })

  let last: { native: { gocache: string; out: string }; ours: { gocache: string; out: string; o: Ours } } | undefined
  for (let round = 1; round <= coldRounds; round++) {
    const dir = path.join(tmp, `round-${round}`)
    const native = { gocache: path.join(dir, 'native', 'gocache'), out: path.join(dir, 'native', 'out') }
    const o = await startOurs(path.join(dir, 'ours'))
    cleanup.push(o.stop)
    const ours = { gocache: path.join(dir, 'ours', 'gocache'), out: path.join(dir, 'ours', 'out'), o }
    const runs = {
      native: async () => {
        log(`round ${round}: cold, native`)
        samples.push({ variant: 'native', phase: 'cold', round, ...(await timeGo(['build', '-o', `${native.out}/`, './...'], { GOCACHE: native.gocache })) })
      },
      ours: async () => {
        log(`round ${round}: cold, ours`)
        samples.push({ variant: 'ours', phase: 'cold', round, ...(await buildOurs(o, ['build', '-o', `${ours.out}/`, './...'], ours.gocache)) })
      },
    }
    for (const v of round % 2 === 1 ? (['native', 'ours'] as const) : (['ours', 'native'] as const)) await runs[v]()
    log(`  ${fmtS(samples.at(-2)!.wallMs)} / ${fmtS(samples.at(-1)!.wallMs)}`)
    if (last) {
      await last.ours.o.stop()
      await rm(path.dirname(path.dirname(last.native.gocache)), { recursive: true, force: true })
    }
    last = { native, ours }
  }
  sizes = { native: await du(last!.native.gocache), store: await du(last!.ours.o.store) }

  for (let round = 1; round <= warmRounds; round++) {
    const { native, ours } = last!
    const order = round % 2 === 1 ? (['native', 'ours'] as const) : (['ours', 'native'] as const)
    for (const phase of ['warm', 'relink'] as const) {
      for (const v of order) {
        const out = phase === 'warm' ? (v === 'native' ? native.out : ours.out) : path.join(tmp, `relink-${round}-${v}`)
        const goArgs = ['build', '-o', `${out}/`, './...']
        if (v === 'native') samples.push({ variant: v, phase, round, ...(await timeGo(goArgs, { GOCACHE: native.gocache })) })
        else samples.push({ variant: v, phase, round, ...(await buildOurs(ours.o, goArgs, ours.gocache)) })
        if (phase === 'relink') await rm(out, { recursive: true, force: true })
      }
    }
    log(
      `warm round ${round}: ${samples
        .slice(-4)
        .map((s) => `${s.phase} ${s.variant} ${fmtS(s.wallMs)}`)
        .join(', ')}`,
    )
  }
  const daemonCpuS = await daemonCpu(last!.ours.o)

  if (args.profile) {
    log('profiling: one more cold and warm build of ours with node --cpu-prof on every shim…')
    const o = await startOurs(path.join(tmp, 'profile', 'ours'))
    cleanup.push(o.stop)
    const gocache = path.join(tmp, 'profile', 'gocache')
    const out = path.join(tmp, 'profile', 'out')
    const coldDir = path.join(tmp, 'profile', 'cold')
    const warmDir = path.join(tmp, 'profile', 'warm')
    await buildOurs(o, ['build', '-o', `${out}/`, './...'], gocache, coldDir)
    await buildOurs(o, ['build', '-o', `${out}/`, './...'], gocache, warmDir)
    profile = { cold: await summarizeProfiles(coldDir), warm: await summarizeProfiles(warmDir) }
  }

  console.log(report(goVersion, daemonCpuS))
  if (args.json) await writeFile(args.json, JSON.stringify({ goVersion, coldRounds, warmRounds, sizes, samples, profile }, null, 2))
} finally {
  for (const stop of cleanup) await stop()
  if (args.keep) log(`kept ${tmp}`)
  else {
    await execFileP('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
    await rm(tmp, { recursive: true, force: true })
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

function fmtS(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`
}

function report(goVersion: string, daemonCpuS: number | undefined): string {
  const pick = (variant: Sample['variant'], phase: Sample['phase']) => samples.filter((s) => s.variant === variant && s.phase === phase)
  const med = (variant: Sample['variant'], phase: Sample['phase'], f: (s: Sample) => number) => median(pick(variant, phase).map(f))
  const targets: Record<Sample['phase'], number | undefined> = { cold: 1.05, warm: 1.1, relink: undefined }
  const label: Record<Sample['phase'], string> = {
    cold: `cold build (${coldRounds} rounds)`,
    warm: `warm rebuild, binary up to date (${warmRounds} rounds)`,
    relink: `warm rebuild into a fresh -o, links (${warmRounds} rounds)`,
  }
  const phases = ['cold', 'warm', 'relink'] as const
  const lines = [
    `Module \`${path.relative(root, path.resolve(args.module!)) || args.module}\`, ${goVersion}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}. Medians; native and ours interleaved, order alternating.`,
    '',
    '| wall time | native GOCACHE | ours (shim + daemon) | ours/native | target |',
    '| --- | ---: | ---: | ---: | --- |',
  ]
  for (const phase of phases) {
    const n = med('native', phase, (s) => s.wallMs)
    const o = med('ours', phase, (s) => s.wallMs)
    const ratio = o / n
    const t = targets[phase]
    lines.push(
      `| ${label[phase]} | ${fmtS(n)} | ${fmtS(o)} | ${ratio.toFixed(3)}× | ${t === undefined ? '—' : `≤ ${t.toFixed(2)}× ${ratio <= t ? 'met' : '**missed**'}`} |`,
    )
  }
  lines.push(
    '',
    '| CPU (user+sys, medians) | native: go | ours: go | ours: the shims | shims per build | other load during native / ours |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  )
  // go does not wait(2) for its GOCACHEPROG, so time(1) on go leaves the shims out: they are counted apart.
  const other = (s: Sample) => Math.max(0, s.machineBusyS - s.userS - s.sysS - (s.shimCpuS ?? 0))
  for (const phase of phases) {
    const cpu = (s: Sample) => s.userS + s.sysS
    lines.push(
      `| ${phase} | ${med('native', phase, cpu).toFixed(2)} s | ${med('ours', phase, cpu).toFixed(2)} s | ${med('ours', phase, (s) => s.shimCpuS ?? 0).toFixed(2)} s | ${med('ours', phase, (s) => s.shims ?? 0)} | ${med('native', phase, other).toFixed(2)} s / ${med('ours', phase, other).toFixed(2)} s |`,
    )
  }
  lines.push(
    '',
    '| daemon stats per build (medians) | gets | hits | misses | puts | bytes in | bytes out | time inside the cache |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  )
  for (const phase of phases) {
    const d = (f: (x: StatsDelta) => number) => med('ours', phase, (s) => f(s.daemon!))
    lines.push(
      `| ${phase} | ${d((x) => x.gets)} | ${d((x) => x.hits)} | ${d((x) => x.misses)} | ${d((x) => x.puts)} | ${mib(d((x) => x.bytesIn))} | ${mib(d((x) => x.bytesOut))} | ${Math.round(d((x) => x.busyMs))} ms |`,
    )
  }
  if (sizes) lines.push('', `Native GOCACHE after a cold build: ${mib(sizes.native)}; our store: ${mib(sizes.store)}.`)
  if (daemonCpuS !== undefined) lines.push(`Daemon CPU over the last cold round and all warm rounds: ${daemonCpuS.toFixed(2)} s.`)
  lines.push('', 'Per round (wall):', '', '| phase | round | native | ours |', '| --- | ---: | ---: | ---: |')
  for (const phase of phases) {
    const n = pick('native', phase)
    const o = pick('ours', phase)
    for (let i = 0; i < n.length; i++) lines.push(`| ${phase} | ${n[i]!.round} | ${fmtS(n[i]!.wallMs)} | ${o[i] ? fmtS(o[i]!.wallMs) : ''} |`)
  }
  if (profile) {
    for (const [name, p] of Object.entries(profile)) {
      lines.push(
        '',
        `Shim CPU profile, ${name} (${p.files} shims, ${Math.round(p.busyMs)} ms busy of ${Math.round(p.totalMs)} ms sampled; self time):`,
        '',
        '| function | self |',
        '| --- | ---: |',
        ...p.top.map((f) => `| \`${f.name.replaceAll('|', '\\|')}\` | ${Math.round(f.selfMs)} ms |`),
      )
    }
  }
  return lines.join('\n')
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
