/**
 * Go's native GOCACHE, our cache client and a Go-written GOCACHEPROG client
 * (the anchor), side by side in one run.
 *
 * "Ours" is exactly what the action sets up: a daemon started with
 * `dist/client/index.js daemon`, and GOCACHEPROG = the command line
 * cacheProgCommand() builds (node + dist/client/index.js serve --store --daemon),
 * so every go process talks to its own shim over the real protocol, and the
 * shims write to one local store. "go-cacher" is bradfitz/go-tool-cache's
 * client in local-disk mode (bench/anchor-gocacher.ts), installed through the
 * Go module proxy at a pinned version: what any GOCACHEPROG client costs.
 * GOCACHEPROG holds only the client's own command line, as a user would write
 * it: nothing sits between go and the client.
 *
 * Measured, round by round, the three arms interleaved (the order rotates
 * every round, so each arm runs first, second and third equally often):
 *   cold      `go build -o OUT/ ./...` with an empty GOCACHE / store
 *             (fresh dirs per round; modules already downloaded and extracted)
 * and with --warm-cases (default all), reusing the caches of the last cold round:
 *   warm      the same command again in the same tree: everything is cached and
 *             the binary is up to date, so go only looks every action up
 *   relink    warm, but into a fresh output directory, so go also links
 *   test      `go test` on 10 packages, results cached (--packages; by default
 *             the module's packages with tests, else 10 of its dependencies')
 *   vet       `go vet` on the same packages, cached
 * test and vet run once per arm, untimed, before the warm rounds to fill the caches.
 * Times are wall clock of the go command (the client's close included: go
 * waits for its stdout to close). Ratios are paired: one per round, from the
 * arms' builds of that round, then their median and min–max. Every case and
 * arm reports its 1-minute load average (/proc/loadavg) before its first and
 * after its last build. CPU: go's own with the children it waited for
 * (/proc/self/stat cutime, cstime; go does not wait(2) for its GOCACHEPROG,
 * so the client is not in it), and the whole machine's busy CPU during the
 * build (/proc/stat: go, the client, our daemon, and anything else running).
 * Daemon stats are the deltas of `stats` around each build of ours.
 *
 * Then "spawn to first reply" and "close" of each GOCACHEPROG client, 30+
 * spawns interleaved (bench/anchor-startup.ts; --startup-runs, 0 to skip).
 *
 *   node bench/build.ts [--module DIR] [--rounds N] [--cold-rounds N] [--warm-rounds N]
 *                       [--warm-cases warm,relink,test,vet] [--packages P1,P2,…]
 *                       [--startup-runs 30] [--modcache DIR] [--profile] [--json FILE] [--keep]
 *
 * --rounds N sets both cold and warm rounds (default: 2 cold, 9 warm).
 * --node-shim runs ours with the Node shim (`node dist/client/index.js serve`)
 * instead of the compiled one the action uses where dist ships it (D28); the
 * start-up table has both either way.
 * --profile adds one more cold and warm build of ours with `node --cpu-prof` on
 * every shim (not timed against the others) and prints where the shims' CPU goes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { cacheProgCommand, findShim } from '../src/buildcache/client-install.ts'
import { controlRequest, waitForDaemon } from '../src/daemon/control.ts'
import type { JobStats } from '../src/daemon/reports.ts'
import { joinGoCommandLine } from '../src/gocacheprog/command-line.ts'
import { GO_CACHER_VERSION, goCacherCommand, installGoCacher } from './anchor-gocacher.ts'
import { load1, measureStartup, type StartupResult, startupTable } from './anchor-startup.ts'
import { summarizeProfiles, type ProfileSummary } from './cpuprofile.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const distClient = path.join(root, 'dist', 'client')
const defaultModule = path.join(root, 'bench', 'fixtures', 'large-module')
/**
 * The generated module has one package and no tests: `go test` and `go vet`
 * then run on these dependencies of it, whose tests build from its go.sum
 * offline and pass, and which vet cleanly (one per module family, small to
 * mid-size import graphs).
 */
const DEPENDENCY_PACKAGES = [
  'github.com/aws/aws-sdk-go-v2/aws/retry',
  'github.com/aws/smithy-go/middleware',
  'github.com/aws/aws-sdk-go-v2/aws/signer/v4',
  'google.golang.org/grpc/credentials',
  'golang.org/x/net/http2/hpack',
  'k8s.io/apimachinery/pkg/util/sets',
  'k8s.io/apimachinery/pkg/runtime/schema',
  'k8s.io/apimachinery/pkg/util/validation',
  'sigs.k8s.io/structured-merge-diff/v6/fieldpath',
  'go.yaml.in/yaml/v3',
]

const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: defaultModule },
    rounds: { type: 'string' },
    'cold-rounds': { type: 'string' },
    'warm-rounds': { type: 'string' },
    'warm-cases': { type: 'string', default: 'warm,relink,test,vet' },
    'node-shim': { type: 'boolean', default: false },
    packages: { type: 'string' },
    'startup-runs': { type: 'string', default: '30' },
    modcache: { type: 'string' },
    profile: { type: 'boolean', default: false },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})
const count = (v: string | undefined, fallback: number, flag: string, min = 1): number => {
  const n = Number(v ?? fallback)
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}`)
  return n
}
const coldRounds = count(args['cold-rounds'] ?? args.rounds, 2, '--cold-rounds')
const warmRounds = count(args['warm-rounds'] ?? args.rounds, 9, '--warm-rounds')
const startupRuns = count(args['startup-runs'], 30, '--startup-runs', 0)
const PHASES = ['cold', 'warm', 'relink', 'test', 'vet'] as const
type Phase = (typeof PHASES)[number]
type WarmPhase = Exclude<Phase, 'cold'>
const WARM_PHASES: readonly string[] = PHASES.filter((p) => p !== 'cold')
const warmCases = args['warm-cases']!.split(',').filter((c) => c !== '') as WarmPhase[]
for (const c of warmCases) if (!WARM_PHASES.includes(c)) throw new Error(`--warm-cases: unknown case ${c} (warm, relink, test, vet)`)
if (!existsSync(path.join(distClient, 'index.js'))) throw new Error(`${distClient}/index.js is missing: run node scripts/package.mjs`)

const ARMS = ['native', 'ours', 'gocacher'] as const
type Arm = (typeof ARMS)[number]
const armLabel: Record<Arm, string> = {
  native: 'native GOCACHE',
  ours: `ours (${args['node-shim'] ? 'Node' : 'compiled'} shim + daemon)`,
  gocacher: 'go-cacher (Go, local disk)',
}
const armShort: Record<Arm, string> = { native: 'n', ours: 'o', gocacher: 'g' }
/** Round r's order: the arms rotated by r, so each position comes round evenly. */
const rotation = (round: number): Arm[] => ARMS.map((_, i) => ARMS[(i + round - 1) % ARMS.length]!)

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
  /** go's CPU with the children it waited for (compile, link, vet, test binaries). */
  goCpuS: number
  /** CPU seconds the whole machine was busy during the build (/proc/stat): go, the client, and any other load. */
  machineBusyS: number
  load1Start: number
  load1End: number
}

/** Seconds of CPU the machine has been busy since boot, all cores (Linux /proc/stat). */
async function machineBusy(): Promise<number> {
  const text = await readFile('/proc/stat', 'utf8').catch(() => '')
  const f = text.split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number)
  if (f.length < 8) return 0
  const [user, nice, system, , , irq, softirq, steal] = f as [number, number, number, number, number, number, number, number]
  return (user + nice + system + irq + softirq + steal) / 100 // USER_HZ
}

/**
 * CPU seconds of this process's children that have been waited for (proc(5):
 * cutime, cstime). go is our only child reaped while it runs, and it adds its
 * own waited-for children, so the delta around a build is go's CPU.
 */
async function childrenCpu(): Promise<number> {
  const text = await readFile('/proc/self/stat', 'utf8')
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100 // USER_HZ
}

const running = new Set<ChildProcess>()

/** Runs go itself, with nothing around it; wall time measured here. */
async function timeGo(goArgs: string[], env: Record<string, string>): Promise<Timed> {
  const load1Start = await load1()
  const busy0 = await machineBusy()
  const cpu0 = await childrenCpu()
  const t0 = performance.now()
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn('go', goArgs, {
      cwd: src,
      env: { ...baseEnv, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true, // its own process group: an interrupt stops go and go's children
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
  const goCpuS = (await childrenCpu()) - cpu0
  const machineBusyS = (await machineBusy()) - busy0
  if (code !== 0) throw new Error(`go ${goArgs.join(' ')} failed (${code}):\n${stderr}`)
  return { wallMs, goCpuS, machineBusyS, load1Start, load1End: await load1() }
}

interface Ours {
  dir: string
  store: string
  socket: string
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
  const exited = new Promise<void>((resolve) => daemon.once('exit', () => resolve()))
  if (!(await waitForDaemon(socket, 10_000))) throw new Error(`the daemon did not start (see ${logFile})`)
  let stopped: Promise<void> | undefined
  return {
    dir,
    store,
    socket,
    pid: daemon.pid!,
    // Waits for the exit, so that reaping the daemon never lands inside a timed build (childrenCpu).
    stop: () =>
      (stopped ??= (async () => {
        await controlRequest(socket, { op: 'stop' }, 5000).catch(() => undefined)
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
      })()),
  }
}

/**
 * The action's GOCACHEPROG: the compiled shim where dist ships one, as
 * startClientDaemon picks it (D28), or the Node shim with --node-shim (and
 * always with --cpu-prof on node for --profile).
 */
function goCacheProg(o: Ours, opts: { profileDir?: string; node?: boolean } = {}): string {
  const shim = opts.node || args['node-shim'] ? undefined : findShim(client)
  const plain = cacheProgCommand({ node: process.execPath, client, ...(shim && { shim }), store: o.store, socket: o.socket })
  if (!opts.profileDir) return plain
  return joinGoCommandLine([process.execPath, '--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`, client, 'serve', '--store', o.store, '--daemon', o.socket])
}

async function stats(o: Ours): Promise<JobStats> {
  const reply = await controlRequest(o.socket, { op: 'stats' }, 60_000)
  if (!reply.ok || !reply.stats) throw new Error(`stats: ${JSON.stringify(reply)}`)
  return reply.stats
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
  arm: Arm
  phase: Phase
  round: number
  /** 0-based place of this arm in its round's order. */
  position: number
  /** ours only */
  daemon?: StatsDelta
}

/** One round's caches and outputs, per arm. */
interface ArmSetup {
  gocache: string
  out: string
  /** The client's store (ours, go-cacher). */
  store?: string
  env: Record<string, string>
  ours?: Ours
}

async function setUpArms(dir: string, goCacher: string): Promise<Record<Arm, ArmSetup>> {
  const at = (arm: Arm) => ({ gocache: path.join(dir, arm, 'gocache'), out: path.join(dir, arm, 'out') })
  const o = await startOurs(path.join(dir, 'ours'))
  cleanup.push(o.stop)
  const n = at('native')
  const ours = at('ours')
  const g = at('gocacher')
  const gStore = path.join(dir, 'gocacher', 'store')
  return {
    native: { ...n, env: { GOCACHE: n.gocache } },
    ours: { ...ours, store: o.store, ours: o, env: { GOCACHE: ours.gocache, GOCACHEPROG: goCacheProg(o) } },
    gocacher: { ...g, store: gStore, env: { GOCACHE: g.gocache, GOCACHEPROG: goCacherCommand(goCacher, gStore) } },
  }
}

/** Times one go command of one arm (with the daemon's stats around it for ours). */
async function run(a: ArmSetup, goArgs: string[]): Promise<Omit<Sample, 'arm' | 'phase' | 'round' | 'position'>> {
  const before = a.ours ? await stats(a.ours) : undefined
  const t = await timeGo(goArgs, a.env)
  return a.ours ? { ...t, daemon: delta(before!, await stats(a.ours)) } : t
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
let sizes: Record<Arm, number> | undefined
let startup: StartupResult | undefined
const runLoad = { start: await load1(), end: Number.NaN }
let packages: { list: string[]; from: string } = { list: [], from: '' }
try {
  const goVersion = (await execFileP('go', ['env', 'GOVERSION'], { env: { ...baseEnv } })).stdout.trim()
  log(`${goVersion}, ${os.cpus().length} cores; module ${args.module}; ${coldRounds} cold, ${warmRounds} warm rounds (${warmCases.join(', ')}); tmp ${tmp}`)
  log(`installing go-cacher ${GO_CACHER_VERSION} through the module proxy…`)
  const goCacher = await installGoCacher(path.join(tmp, 'go-cacher'), { ...process.env, GOMODCACHE: modCache })
  log('making sure every module is downloaded and extracted…')
  const prepEnv = { ...baseEnv, GOCACHE: path.join(tmp, 'gocache-prep'), GOPROXY: process.env.GOPROXY || 'https://proxy.golang.org,direct' }
  await execFileP('go', ['mod', 'download'], { cwd: src, env: prepEnv })
  const deps = (await execFileP('go', ['list', '-deps', './...'], { cwd: src, env: prepEnv, maxBuffer: 64 << 20 })).stdout.trim().split('\n')
  if (warmCases.includes('test') || warmCases.includes('vet')) {
    const tested = (
      await execFileP('go', ['list', '-f', '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}', './...'], {
        cwd: src,
        env: prepEnv,
        maxBuffer: 64 << 20,
      })
    ).stdout
      .split('\n')
      .filter((p) => p !== '')
    if (args.packages) packages = { list: args.packages.split(','), from: '--packages' }
    else if (tested.length > 0) packages = { list: tested.slice(0, 10), from: "the module's own packages with tests" }
    else packages = { list: DEPENDENCY_PACKAGES.filter((p) => deps.includes(p)), from: 'dependencies of the module, which has no tests of its own' }
    if (packages.list.length === 0) throw new Error('no packages for the test and vet cases: pass --packages, or leave test and vet out of --warm-cases')
    log(`test and vet on ${packages.list.length} packages, ${packages.from}`)
    // Their test dependencies too, so that no build below waits on an extraction.
    await execFileP('go', ['list', '-test', '-deps', ...packages.list], { cwd: src, env: prepEnv, maxBuffer: 64 << 20 })
  }
  await rm(prepEnv.GOCACHE, { recursive: true, force: true })

  let last: { dir: string; arms: Record<Arm, ArmSetup> } | undefined
  for (let round = 1; round <= coldRounds; round++) {
    const dir = path.join(tmp, `round-${round}`)
    const arms = await setUpArms(dir, goCacher)
    const order = rotation(round)
    for (const [position, arm] of order.entries()) {
      log(`round ${round}: cold, ${arm}`)
      samples.push({ arm, phase: 'cold', round, position, ...(await run(arms[arm], ['build', '-o', `${arms[arm].out}/`, './...'])) })
    }
    log(
      `  ${samples
        .slice(-3)
        .map((s) => `${s.arm} ${fmtS(s.wallMs)}`)
        .join(', ')}`,
    )
    if (last) {
      await last.arms.ours.ours!.stop()
      await rm(last.dir, { recursive: true, force: true })
    }
    last = { dir, arms }
  }
  const arms = last!.arms
  sizes = { native: await du(arms.native.gocache), ours: await du(arms.ours.store!), gocacher: await du(arms.gocacher.store!) }

  const phaseArgs = (phase: WarmPhase, out: string): string[] => {
    switch (phase) {
      case 'warm':
      case 'relink':
        return ['build', '-o', `${out}/`, './...']
      case 'test':
        return ['test', ...packages.list]
      case 'vet':
        return ['vet', ...packages.list]
    }
  }
  // The first go test and go vet run the tests and analyses: fill every arm's cache once.
  for (const phase of warmCases.filter((c) => c === 'test' || c === 'vet')) {
    for (const arm of ARMS) {
      const t0 = performance.now()
      await timeGo(phaseArgs(phase, ''), arms[arm].env)
      log(`filled: ${phase}, ${arm} (${fmtS(performance.now() - t0)})`)
    }
  }

  for (let round = 1; round <= warmRounds; round++) {
    const order = rotation(round)
    for (const phase of warmCases) {
      for (const [position, arm] of order.entries()) {
        const a = arms[arm]
        const out = phase === 'relink' ? path.join(tmp, `relink-${round}-${arm}`) : a.out
        samples.push({ arm, phase, round, position, ...(await run(a, phaseArgs(phase, out))) })
        if (phase === 'relink') await rm(out, { recursive: true, force: true })
      }
    }
    log(
      `warm round ${round} (${order.join(', ')}): ${warmCases
        .map((phase) => `${phase} ${order.map((arm) => fmtS(samples.find((s) => s.round === round && s.phase === phase && s.arm === arm)!.wallMs)).join('/')}`)
        .join(', ')}`,
    )
  }
  const daemonCpuS = await daemonCpu(arms.ours.ours!)

  if (startupRuns > 0) {
    log(`start-up: ${startupRuns} spawns of each GOCACHEPROG client, interleaved…`)
    startup = await measureStartup(
      [
        { name: armLabel.ours, gocacheprog: arms.ours.env.GOCACHEPROG! },
        ...(args['node-shim'] ? [] : [{ name: 'ours, Node shim (GO_CACHE_SETUP_SHIM=node)', gocacheprog: goCacheProg(arms.ours.ours!, { node: true }) }]),
        { name: armLabel.gocacher, gocacheprog: arms.gocacher.env.GOCACHEPROG! },
      ],
      startupRuns,
      { ...baseEnv, GOCACHE: arms.native.gocache },
    )
  }

  if (args.profile) {
    log('profiling: one more cold and warm build of ours with node --cpu-prof on every shim…')
    const o = await startOurs(path.join(tmp, 'profile', 'ours'))
    cleanup.push(o.stop)
    const gocache = path.join(tmp, 'profile', 'gocache')
    const out = path.join(tmp, 'profile', 'out')
    const coldDir = path.join(tmp, 'profile', 'cold')
    const warmDir = path.join(tmp, 'profile', 'warm')
    for (const profileDir of [coldDir, warmDir]) {
      await run({ gocache, out, ours: o, env: { GOCACHE: gocache, GOCACHEPROG: goCacheProg(o, { profileDir }) } }, ['build', '-o', `${out}/`, './...'])
    }
    profile = { cold: await summarizeProfiles(coldDir), warm: await summarizeProfiles(warmDir) }
  }

  runLoad.end = await load1()
  console.log(report(goVersion, daemonCpuS))
  if (args.json) {
    const json = { goVersion, goCacher: GO_CACHER_VERSION, coldRounds, warmRounds, warmCases, packages, runLoad, sizes, samples, startup, profile }
    await writeFile(args.json, JSON.stringify(json, null, 2))
  }
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
  if (ms < 1000) return `${Math.round(ms)} ms`
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`
}

/** "median (min–max)". */
function spread(xs: number[], f: (x: number) => string): string {
  return xs.length === 0 ? '—' : `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`
}

function report(goVersion: string, daemonCpuS: number | undefined): string {
  const pick = (arm: Arm, phase: Phase) => samples.filter((s) => s.arm === arm && s.phase === phase)
  const med = (arm: Arm, phase: Phase, f: (s: Sample) => number) => median(pick(arm, phase).map(f))
  const phases = PHASES.filter((p) => p === 'cold' || warmCases.includes(p))
  const rounds = (phase: Phase) => (phase === 'cold' ? coldRounds : warmRounds)
  const pkgs = `${packages.list.length} ${packages.list.length === 1 ? 'package' : 'packages'}`
  const label: Record<Phase, string> = {
    cold: 'cold build, empty cache',
    warm: 'warm no-op build, binary up to date',
    relink: 'warm build into a fresh -o, links',
    test: `\`go test\`, ${pkgs}, cached results`,
    vet: `\`go vet\`, ${pkgs}, cached`,
  }
  const row = (phase: Phase) => `${label[phase]} (${rounds(phase)} ${rounds(phase) === 1 ? 'round' : 'rounds'})`
  /** Per round, b/a of the same round's builds. */
  const paired = (phase: Phase, num: Arm, den: Arm) =>
    pick(den, phase).flatMap((d) => {
      const n = samples.find((s) => s.phase === phase && s.round === d.round && s.arm === num)
      return n ? [n.wallMs / d.wallMs] : []
    })
  const ratio = (x: number) => `${x.toFixed(3)}×`
  const target = (phase: Phase) => {
    const ours = median(paired(phase, 'ours', 'native'))
    const t = phase === 'cold' ? 1.05 : 1.1
    const parts = [`ours/native ≤ ${t.toFixed(2)}× ${ours <= t ? 'met' : '**missed**'}`]
    if (phase === 'warm') {
      const anchor = median(paired(phase, 'ours', 'gocacher'))
      parts.push(`ours/go-cacher ≤ 1.05× ${anchor <= 1.05 ? 'met' : '**missed**'}`)
    }
    return parts.join('; ')
  }
  const lines = [
    `Module \`${path.relative(root, path.resolve(args.module!)) || args.module}\`, ${goVersion}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}.`,
    `go-cacher ${GO_CACHER_VERSION} (\`--cache-dir\`, local disk). Arms interleaved, order rotating every round. Load average (1 min): ${runLoad.start.toFixed(2)} at the start of the run, ${runLoad.end.toFixed(2)} at the end.`,
  ]
  if (packages.list.length > 0) lines.push(`test and vet packages, ${packages.from}: ${packages.list.join(', ')}.`)
  lines.push('', `| wall time, median (min–max) | ${ARMS.map((a) => armLabel[a]).join(' | ')} |`, '| --- | ---: | ---: | ---: |')
  for (const phase of phases)
    lines.push(
      `| ${row(phase)} | ${ARMS.map((a) =>
        spread(
          pick(a, phase).map((s) => s.wallMs),
          fmtS,
        ),
      ).join(' | ')} |`,
    )
  lines.push(
    '',
    '| paired ratio (per round), median (min–max) | ours/native | go-cacher/native | ours/go-cacher | target |',
    '| --- | ---: | ---: | ---: | --- |',
  )
  for (const phase of phases) {
    const cells = (
      [
        ['ours', 'native'],
        ['gocacher', 'native'],
        ['ours', 'gocacher'],
      ] as const
    ).map(([n, d]) => spread(paired(phase, n, d), ratio))
    lines.push(`| ${label[phase]} | ${cells.join(' | ')} | ${target(phase)} |`)
  }
  lines.push(
    '',
    `| load average (1 min), before the first → after the last build | ${ARMS.map((a) => armLabel[a]).join(' | ')} |`,
    '| --- | ---: | ---: | ---: |',
  )
  for (const phase of phases) {
    const loads = ARMS.map((a) => {
      const s = pick(a, phase)
      return s.length === 0 ? '—' : `${s[0]!.load1Start.toFixed(2)} → ${s.at(-1)!.load1End.toFixed(2)}`
    })
    lines.push(`| ${label[phase]} | ${loads.join(' | ')} |`)
  }
  lines.push(
    '',
    `| CPU, medians | ${ARMS.map((a) => `${armLabel[a]}: go`).join(' | ')} | machine busy during the build: ${ARMS.map((a) => armShort[a]).join(' / ')} |`,
    '| --- | ---: | ---: | ---: | ---: |',
  )
  for (const phase of phases) {
    const goCpu = ARMS.map((a) => `${med(a, phase, (s) => s.goCpuS).toFixed(2)} s`)
    const busy = ARMS.map((a) => med(a, phase, (s) => s.machineBusyS).toFixed(2)).join(' / ')
    lines.push(`| ${label[phase]} | ${goCpu.join(' | ')} | ${busy} s |`)
  }
  lines.push(
    '',
    'go does not wait(2) for its GOCACHEPROG client, so "go" leaves the client out; "machine busy" counts every process, the client and our daemon included, and anything else running.',
    '',
    '| daemon stats per build of ours (medians) | gets | hits | misses | puts | bytes in | bytes out | time inside the cache |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  )
  for (const phase of phases) {
    const d = (f: (x: StatsDelta) => number) => med('ours', phase, (s) => f(s.daemon!))
    lines.push(
      `| ${label[phase]} | ${d((x) => x.gets)} | ${d((x) => x.hits)} | ${d((x) => x.misses)} | ${d((x) => x.puts)} | ${mib(d((x) => x.bytesIn))} | ${mib(d((x) => x.bytesOut))} | ${Math.round(d((x) => x.busyMs))} ms |`,
    )
  }
  if (sizes)
    lines.push(
      '',
      `After the last cold round: native GOCACHE ${mib(sizes.native)}; our store ${mib(sizes.ours)}; go-cacher's directory ${mib(sizes.gocacher)}.`,
    )
  if (daemonCpuS !== undefined) lines.push(`Daemon CPU over the last cold round and all warm rounds: ${daemonCpuS.toFixed(2)} s.`)
  if (startup) lines.push('', startupTable(startup))
  lines.push(
    '',
    'Per round (wall; order n = native, o = ours, g = go-cacher):',
    '',
    '| case | round | order | native | ours | go-cacher | ours/native | go-cacher/native | ours/go-cacher |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  )
  for (const phase of phases) {
    for (let r = 1; r <= rounds(phase); r++) {
      const by = Object.fromEntries(samples.filter((s) => s.phase === phase && s.round === r).map((s) => [s.arm, s])) as Partial<Record<Arm, Sample>>
      const order = [...ARMS].sort((a, b) => (by[a]?.position ?? 0) - (by[b]?.position ?? 0))
      const w = (a: Arm) => (by[a] ? fmtS(by[a].wallMs) : '')
      const q = (n: Arm, d: Arm) => (by[n] && by[d] ? (by[n].wallMs / by[d].wallMs).toFixed(3) : '')
      lines.push(
        `| ${phase} | ${r} | ${order.map((a) => armShort[a]).join('')} | ${w('native')} | ${w('ours')} | ${w('gocacher')} | ${q('ours', 'native')} | ${q('gocacher', 'native')} | ${q('ours', 'gocacher')} |`,
      )
    }
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
