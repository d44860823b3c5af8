/**
 * Consecutive released versions of a real module replayed as CI jobs, one job
 * per release and arm, each a fresh runner, side by side and interleaved in
 * one run:
 *
 *   native    the bundled action (dist/) with default inputs: no cache-url, so
 *             go uses its own GOCACHE and main imports the restored bundle into
 *             it before go runs, no GOCACHEPROG (docs/decisions.md#d27). The
 *             step's build-cache-mode output must say `native`.
 *   setup-go  bench/setup-go-cache: setup-go v7's caching reproduced (one archive
 *             of GOMODCACHE + GOCACHE keyed on go.sum, no restore keys, saved
 *             only on a miss): a release whose go.sum changed starts cold.
 *   none      no cache step: go runs with an empty GOCACHE and GOMODCACHE (the
 *             fresh HOME's defaults) and fetches modules from the proxy.
 *
 * The job is `go build -x ./... 2> ../build-x.txt && go test <test-flags> ./...`
 * (test-flags default `-short -skip TestFormatStringFromFilename`, a test that
 * fails in yq v4.53.6 as released); `/compile ` lines of build-x.txt count the
 * packages the build compiled (the standard library's included: a fresh GOCACHE
 * has none of it since Go 1.20), the same way for every arm.
 *
 * The module: github.com/mikefarah/yq/v4 by default, a real CLI (YAML/JSON/
 * TOML/XML/HCL/Lua) with ~25 modules of dependencies and a few hundred packages
 * with the standard library; its releases mostly move dependencies (dependabot),
 * so go.sum changes from one release to the next: the module cache key changes,
 * setup-go's archive misses, ours falls back to the previous entries. A larger
 * module (github.com/cli/cli/v2: sigstore, grpc) was expected, from its
 * dependencies, not measured, to take too long cold on 2 cores for 3 arms × N
 * releases; `--module` and `--versions` pick another.
 *
 * Runs of six releases (v4.53.4 … v4.54.3; the default list is the last
 * four) are in the README and docs/decisions.md#d27; v4.54.2's and v4.54.3's
 * own tests fail as released, in every arm, and are recorded, not fatal.
 *
 * Each release's sources come from the module proxy (`go mod download -json`,
 * into a module cache of this script's own, not the jobs'), and are checked out
 * at the same workspace path per arm: the directory deleted, the release copied
 * in, `git init` and one commit with the release's time as author and committer
 * date (so the commit, and go's VCS stamp of the main packages, is the same in
 * every arm). The workspace path stays the same across releases because go's
 * compile action IDs include the package directory when not -trimpath.
 *
 * The cache services (one per caching arm, twirp + azurite on loopback) are
 * those of bench/bundle.ts; transfers are far faster than GitHub's, which
 * flatters whichever method moves more bytes. Modules come from the real proxy
 * whenever an arm's module cache lacks them.
 *
 * Order: job slot s (release r of repetition k is slot (k - 1) × releases + r)
 * takes sequence (s - 1) mod 6 of a Williams design for three arms, as in
 * bench/bundle.ts. `--runs K` repeats the whole replay K times, each from empty
 * caches (fresh cache services), for K samples of every (release, arm).
 *
 * Job time = the action's main + the build step + the action's post, from the
 * harness's step durations (none: the build step alone). The 1-minute load
 * average (/proc/loadavg) is printed at the start and the end.
 *
 *   node bench/replay.ts [--module M] [--versions v1,v2,...] [--releases N] [--runs K] [--test-flags "-short"] [--json FILE] [--keep]
 *
 * --releases N replays the first N of --versions (default: all of them).
 * The helpers it shares with bench/bundle.ts (the Williams order, wipe, load1,
 * median, the summary's times, the formatting) are in bench/report.ts.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { startCacheService, type CacheService } from '../__tests__/support/cache-service/server.ts'
import { runJob, type JobResult, type StepSpec } from '../__tests__/support/runner/index.ts'
import { compileCount, load1, median, mib, ms, positiveInt, sec, spread, summaryTimes, wipe, williams, x } from './report.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: 'github.com/mikefarah/yq/v4' },
    // Consecutive releases the proxy serves here (go list -m -versions); each changes go.sum.
    // v4.54.2's own pkg/yqlib tests fail as released (TestJSONScenarios, TestParseSnippet, …): recorded, not fatal.
    versions: { type: 'string', default: 'v4.53.6,v4.54.1,v4.54.2,v4.54.3' },
    releases: { type: 'string' },
    runs: { type: 'string', default: '1' },
    // -short as the brief's job; the skip: v4.53.6's own test/format_test.go fails as released
    // (FormatStringFromFilename("file.unknown") = "yaml", wanted "unknown"), in every arm alike.
    'test-flags': { type: 'string', default: '-short -skip TestFormatStringFromFilename' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})
const allVersions = args.versions!.split(',').filter((v) => v !== '')
const releases = args.releases === undefined ? allVersions.length : positiveInt(args.releases, '--releases')
if (releases > allVersions.length) throw new Error(`--releases ${releases}: --versions names only ${allVersions.length}`)
const versions = allVersions.slice(0, releases)
const reps = positiveInt(args.runs, '--runs')
const testFlags = args['test-flags']!
if (/[^\w\s=.,:/-]/.test(testFlags)) throw new Error('--test-flags: plain flags only (no shell syntax)')
// A release whose own tests fail as released (yq v4.54.2's pkg/yqlib here) is still a job to time:
// the test failure is recorded (../test-failed.txt) instead of failing the job; a build failure fails it.
const buildCommand = `go build -x ./... 2> ../build-x.txt && { go test ${testFlags} ./... || echo $? > ../test-failed.txt; }`.replace(/\s+/g, ' ')

const ARMS = ['native', 'setup-go', 'none'] as const
type ArmName = (typeof ARMS)[number]
const CACHED = ['native', 'setup-go'] as const satisfies readonly ArmName[]

/** Williams design for 3: the rotations of the arms, then of their reverse (position and predecessor balanced per 6 slots). */
const SEQUENCES: ArmName[][] = williams(ARMS)
const orderOf = (slot: number): ArmName[] => SEQUENCES[(slot - 1) % SEQUENCES.length]!

interface Arm {
  name: ArmName
  /** The cache step's action directory; none has no cache step. */
  uses?: string
  expectMode?: string
  service?: CacheService
  home: string
  workspace: string
  temp: string
}

interface Release {
  version: string
  /** The release's time (the proxy's .info), the commit's date. */
  time: string
  src: string
  goSum: string
}

interface RunResult {
  method: ArmName
  /** 1-based repetition (--runs). */
  rep: number
  /** 1-based index of the release in the replay. */
  run: number
  version: string
  /** 1-based place of this arm in the job slot's order. */
  position: number
  mainMs: number
  buildMs: number
  postMs: number
  totalMs: number
  compiled: number
  /** go test exited non-zero (the release's own tests failing; the same in every arm). */
  testsFailed: boolean
  /** native: the step's build-cache-mode output. */
  mode?: string
  /** setup-go: its archive restored on the primary key. */
  hit?: boolean
  /** native, from the summary's "Restored" row: download plus import of the bundle. */
  bundleRestoreMs?: number
  /** native, from "Modules after restore": the module cache's restore. */
  modRestoreMs?: number
}

/** A fresh checkout of the release at the arm's workspace path: same directory, same commit in every arm. */
async function checkout(r: Release, workspace: string): Promise<void> {
  await wipe(workspace)
  await cp(r.src, workspace, { recursive: true })
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: workspace,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'bench',
    GIT_AUTHOR_EMAIL: 'bench@example.com',
    GIT_COMMITTER_NAME: 'bench',
    GIT_COMMITTER_EMAIL: 'bench@example.com',
    GIT_AUTHOR_DATE: r.time,
    GIT_COMMITTER_DATE: r.time,
  }
  const git = (...a: string[]) => execFileP('git', a, { cwd: workspace, env })
  await git('init', '-q', '-b', 'main')
  await git('add', '-A')
  await git('commit', '-q', '--no-gpg-sign', '-m', r.version)
}

/** The sources of each release through the module proxy, in a module cache of their own (not timed, not any job's). */
async function fetchReleases(tmp: string): Promise<Release[]> {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: path.join(tmp, 'src-home'),
    GOMODCACHE: path.join(tmp, 'src-modcache'),
    GOCACHE: path.join(tmp, 'src-gocache'),
    GOTOOLCHAIN: 'local',
  }
  const out: Release[] = []
  for (const version of versions) {
    const { stdout } = await execFileP('go', ['mod', 'download', '-json', `${args.module}@${version}`], { cwd: tmp, env, maxBuffer: 16 << 20 })
    const m = JSON.parse(stdout) as { Dir?: string; Info?: string; Error?: string }
    if (m.Error !== undefined || m.Dir === undefined || m.Info === undefined) throw new Error(`${args.module}@${version}: ${m.Error ?? 'no Dir'}`)
    const info = JSON.parse(await readFile(m.Info, 'utf8')) as { Time: string }
    const src = path.join(tmp, 'src', version)
    await mkdir(path.dirname(src), { recursive: true })
    await cp(m.Dir, src, { recursive: true })
    await execFileP('chmod', ['-R', 'u+w', src])
    const goSum = await readFile(path.join(src, 'go.sum'), 'utf8').catch(() => '')
    out.push({ version, time: info.Time, src, goSum })
  }
  await wipe(path.join(tmp, 'src-modcache'))
  await wipe(path.join(tmp, 'src-gocache'))
  return out
}

async function runOnce(a: Arm, rel: Release, rep: number, run: number, slot: number, position: number): Promise<RunResult> {
  await wipe(a.home)
  await rm(path.join(a.workspace, '..', 'test-failed.txt'), { force: true })
  const steps: StepSpec[] = [...(a.uses === undefined ? [] : [{ id: 'cache', uses: a.uses }]), { id: 'build', run: buildCommand, timeoutMs: 30 * 60_000 }]
  const job: JobResult = await runJob({
    workspace: a.workspace,
    ref: 'refs/heads/main',
    env: { GOTOOLCHAIN: 'local' },
    runner: { home: a.home, temp: a.temp },
    github: { runId: 1000 + slot },
    ...(a.service && { actionsRuntime: a.service.env({ ref: 'refs/heads/main', defaultRef: 'refs/heads/main' }) }),
    steps,
  })
  if (job.conclusion !== 'success') {
    throw new Error(`${a.name} ${rel.version} failed:\n${job.steps.map((s) => `--- ${s.id} ${s.phase}\n${s.log.slice(-8000)}`).join('\n')}`)
  }
  const compiled = compileCount(await readFile(path.join(a.workspace, '..', 'build-x.txt'), 'utf8'))
  const testsFailed = await readFile(path.join(a.workspace, '..', 'test-failed.txt'), 'utf8').then(
    () => true,
    () => false,
  )
  const buildMs = job.step('build').durationMs
  const mainMs = a.uses === undefined ? 0 : job.step('cache', 'main').durationMs
  const postMs = a.uses === undefined ? 0 : job.step('cache', 'post').durationMs
  const result: RunResult = {
    method: a.name,
    rep,
    run,
    version: rel.version,
    position,
    mainMs,
    buildMs,
    postMs,
    totalMs: mainMs + buildMs + postMs,
    compiled,
    testsFailed,
  }
  if (a.name === 'setup-go') return { ...result, hit: /Cache restored from key/.test(job.step('cache', 'main').log) }
  if (a.name !== 'native') return result
  const mode = job.step('cache', 'main').outputs['build-cache-mode']
  if (mode !== a.expectMode) throw new Error(`${a.name} ${rel.version}: build-cache-mode output is ${JSON.stringify(mode)}, not ${a.expectMode}`)
  const { bundleRestoreMs, modRestoreMs } = summaryTimes(job.step('cache', 'post').summary)
  return {
    ...result,
    mode,
    ...(bundleRestoreMs !== undefined && { bundleRestoreMs }),
    ...(modRestoreMs !== undefined && { modRestoreMs }),
  }
}

const load1Start = await load1()
const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-replay-'))
let services: CacheService[] = []
const cleanup = async () => {
  await Promise.all(services.map((s) => s.stop().catch(() => undefined)))
  services = []
  if (!args.keep) {
    await execFileP('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
    await rm(tmp, { recursive: true, force: true })
  } else {
    console.error(`kept ${tmp}`)
  }
}
// A run stopped from outside (kill of the process group) still removes its directories; the
// lines printed so far (and --json, rewritten after every job) are what it measured.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`${signal}: stopping`)
    void cleanup().finally(() => process.exit(130))
  })
}

const results: RunResult[] = []
const goVersion = (await execFileP('go', ['env', 'GOVERSION'], { env: { ...process.env, GOTOOLCHAIN: 'local' } })).stdout.trim()
const reportOf = (load1End?: number) => ({
  module: args.module,
  versions,
  runs: reps,
  command: buildCommand,
  go: goVersion,
  cores: os.cpus().length,
  load1: { start: load1Start, ...(load1End !== undefined && { end: load1End }) },
  results,
})
try {
  console.error(`load average (1 min) at the start: ${load1Start.toFixed(2)}`)
  console.error(`fetching ${args.module} ${versions.join(', ')} from the module proxy`)
  const rels = await fetchReleases(tmp)
  const goSumChanged = rels.map((r, i) => i === 0 || r.goSum !== rels[i - 1]!.goSum)

  for (let rep = 1; rep <= reps; rep++) {
    const started = await Promise.allSettled(CACHED.map(() => startCacheService()))
    services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    const failed = started.find((s) => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    const arms: Arm[] = ARMS.map((name) => ({
      name,
      ...(name === 'native' && { uses: root, expectMode: 'native', service: services[0]! }),
      ...(name === 'setup-go' && { uses: path.join(root, 'bench', 'setup-go-cache'), service: services[1]! }),
      home: path.join(tmp, name, 'home'),
      workspace: path.join(tmp, name, 'work', 'repo'),
      temp: path.join(tmp, name, 'temp'),
    }))
    for (const [i, rel] of rels.entries()) {
      const run = i + 1
      const slot = (rep - 1) * rels.length + run
      for (const a of arms) await checkout(rel, a.workspace)
      console.error(`run ${run}${reps > 1 ? ` (repetition ${rep})` : ''}: ${rel.version}${goSumChanged[i] ? '' : ' (go.sum unchanged)'}`)
      for (const [p, name] of orderOf(slot).entries()) {
        const r = await runOnce(arms.find((a) => a.name === name)!, rel, rep, run, slot, p + 1)
        results.push(r)
        console.error(
          `run ${run} ${name.padEnd(8)} main ${ms(r.mainMs)} build ${ms(r.buildMs)} post ${ms(r.postMs)} total ${ms(r.totalMs)} (${r.compiled} packages compiled)` +
            (r.hit === undefined ? '' : r.hit ? ', archive hit' : ', archive miss') +
            (r.testsFailed ? ', go test failed' : ''),
        )
        if (args.json) await writeFile(args.json, JSON.stringify(reportOf(), null, 2))
      }
    }
    const newest = (s: CacheService, prefix: string) =>
      s
        .entries()
        .filter((e) => e.finalized && e.key.startsWith(prefix))
        .sort((a, b) => b.createdAt - a.createdAt)[0]?.sizeBytes ?? 0
    console.error(
      `sizes after the replay: native bundle ${mib(newest(services[0]!, 'go-cache-setup-build-'))} (newest entry), module archive ${mib(newest(services[0]!, 'go-cache-setup-modcache-'))}; ` +
        `setup-go archive ${mib(newest(services[1]!, 'setup-go-'))}`,
    )
    await Promise.all(services.map((s) => s.stop()))
    services = []
  }
  const load1End = await load1()

  const of = (name: ArmName, from = 1) => results.filter((r) => r.method === name && r.run >= from)
  const sum = (name: ArmName, from = 1) => of(name, from).reduce((s, r) => s + r.totalMs, 0)
  const perArm = <T>(f: (name: ArmName) => T) => Object.fromEntries(ARMS.map((name) => [name, f(name)])) as Record<ArmName, T>
  const spreadOf = (xs: number[]) => (xs.length === 0 ? undefined : { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) })
  const phase = (from: number, f: (r: RunResult) => number | undefined) =>
    perArm((name) => spreadOf(of(name, from).flatMap((r) => (f(r) === undefined ? [] : [f(r)!]))))
  const ratios = (from: number) => ({ nativeSetupGo: sum('native', from) / sum('setup-go', from), nativeNone: sum('native', from) / sum('none', from) })
  const report = {
    ...reportOf(load1End),
    goSumChanged,
    order: Array.from({ length: reps * rels.length }, (_, i) => orderOf(i + 1)),
    totalMs: perArm((name) => ({ runs1N: sum(name), runs2N: sum(name, 2) })),
    ratio: { runs1N: ratios(1), runs2N: ratios(2) },
    /** Runs 2–N (all repetitions): median, min and max of each step, per arm. */
    laterMs: {
      build: phase(2, (r) => r.buildMs),
      main: phase(2, (r) => r.mainMs),
      post: phase(2, (r) => r.postMs),
      total: phase(2, (r) => r.totalMs),
      compiled: phase(2, (r) => r.compiled),
      bundleRestore: phase(2, (r) => r.bundleRestoreMs),
      modRestore: phase(2, (r) => r.modRestoreMs),
    },
  }

  const N = rels.length
  console.log(
    `${args.module}, ${N} releases (${versions.join(', ')})${reps > 1 ? `, ${reps} repetitions` : ''}; ${goVersion}, ${report.cores} cores; job: \`${buildCommand}\`. ` +
      `Load average (1 min): ${load1Start.toFixed(2)} at the start, ${load1End.toFixed(2)} at the end.`,
  )
  console.log()
  const table = [
    `| run | release | go.sum | order | ${ARMS.map((n) => `${n}: main / build / post = total ms | compiled`).join(' | ')} |`,
    `| ---: | --- | --- | --- | ${ARMS.map(() => '---: | ---:').join(' | ')} |`,
  ]
  for (const r0 of results.filter((r) => r.method === 'native')) {
    const row = ARMS.map((name) => {
      const r = results.find((x) => x.method === name && x.run === r0.run && x.rep === r0.rep)!
      const note = (r.hit === undefined ? '' : r.hit ? ' (hit)' : ' (miss)') + (r.testsFailed ? ' (tests failed)' : '')
      return `${r.mainMs} / ${r.buildMs} / ${r.postMs} = **${r.totalMs}**${note} | ${r.compiled}`
    })
    const slot = (r0.rep - 1) * N + r0.run
    const sumNote = r0.run === 1 ? 'cold' : goSumChanged[r0.run - 1] ? 'changed' : 'same'
    table.push(`| ${r0.run}${reps > 1 ? `.${r0.rep}` : ''} | ${r0.version} | ${sumNote} | ${orderOf(slot).join(', ')} | ${row.join(' | ')} |`)
  }
  console.log(table.join('\n'))
  console.log()
  const r1 = report.ratio.runs1N
  const r2 = report.ratio.runs2N
  console.log('| total job time | native | setup-go | none | native / setup-go | native / none |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  console.log(`| runs 1–${N} | ${ARMS.map((n) => sec(report.totalMs[n].runs1N)).join(' | ')} | ${x(r1.nativeSetupGo)} | ${x(r1.nativeNone)} |`)
  if (N >= 2) console.log(`| runs 2–${N} | ${ARMS.map((n) => sec(report.totalMs[n].runs2N)).join(' | ')} | ${x(r2.nativeSetupGo)} | ${x(r2.nativeNone)} |`)
  if (N >= 2) {
    console.log()
    console.log(`| runs 2–${N}: median (min–max) | ${ARMS.join(' | ')} |`)
    console.log('| --- | ---: | ---: | ---: |')
    const rows: [string, keyof typeof report.laterMs][] = [
      ['**build step**, ms', 'build'],
      ['main step, ms', 'main'],
      ['post step, ms', 'post'],
      ['job (main + build + post), ms', 'total'],
      ['packages compiled', 'compiled'],
      ["main: the bundle's restore (summary's Restored row), ms", 'bundleRestore'],
      ["main: the module cache's restore, ms", 'modRestore'],
    ]
    for (const [label, key] of rows) console.log(`| ${label} | ${ARMS.map((n) => spread(report.laterMs[key][n])).join(' | ')} |`)
  }
  if (args.json) await writeFile(args.json, JSON.stringify(report, null, 2))
} finally {
  await cleanup()
}
