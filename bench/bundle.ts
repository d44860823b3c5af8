/**
 * Three ways of carrying Go's build cache between CI runs, side by side in one
 * run, over the same sequence of CI runs with edits.
 *
 *   native    the bundled action (dist/) with default inputs: no cache-url, so
 *             go uses its own GOCACHE; main imports the restored bundle into it
 *             before go runs, no GOCACHEPROG (docs/decisions.md#d27). The step's
 *             build-cache-mode output must say `native`.
 *   client    the bundled action with `build-cache-mode: gocacheprog`: our
 *             GOCACHEPROG client, whose daemon imports the bundle while go runs
 *             (docs/decisions.md#d22). The output must say `client`.
 *   setup-go  bench/setup-go-cache: setup-go v7's caching reproduced (one archive
 *             of GOMODCACHE + GOCACHE keyed on go.sum, no restore keys, saved
 *             only on a miss), so after run 1 it is an exact hit and never saved
 *
 * Both of ours also cache GOMODCACHE's download cache keyed on go.sum, and save
 * a bundle (or a layer on the restored one, D24) in post when enough is new.
 *
 * All three run through the runner harness as node24 actions, with the real
 * @actions/cache against a local cache service (twirp + azurite, on loopback:
 * transfers are far faster than GitHub's, which flatters whichever method moves
 * more bytes). Each arm has its own cache service, workspace, HOME and
 * RUNNER_TEMP, so native and client never restore each other's bundles. Every
 * run is a fresh runner: empty HOME (GOCACHE, GOMODCACHE) and RUNNER_TEMP.
 *
 * Order: run r takes sequence (r - 1) mod 6 of a Williams design for three
 * arms (the three rotations of native, client, setup-go, then the three of the
 * reverse): every arm comes first, second and third equally often, and follows
 * each other arm equally often, over any 6 consecutive runs. `--runs 13` gives
 * the warm runs 2–13 two whole cycles.
 *
 * The module is generated: the sample module's main (cobra, yaml, uuid,
 * errgroup, testify) plus `--layers` layers of `--width` packages, each
 * importing two of the layer below, each with `--funcs` functions and a test.
 * Run r ≥ 2 edits one package of the lower layers (a different one each run),
 * so its dependents rebuild too; go.sum never changes. The job builds with
 * `go build ./... && go test ./...` (and `&& go vet ./...` with --vet: one more
 * go command, as many CI jobs run, which weighs native mode's import against
 * the client's cost per command).
 *
 * Job time = the action's main + the build step + the action's post, from the
 * harness's step durations (node start-up included for all three). The 1-minute
 * load average (/proc/loadavg) is printed at the start and the end.
 *
 *   node bench/bundle.ts [--runs 10] [--layers 3] [--width 8] [--funcs 120] [--with input=value]... [--pause S] [--vet] [--json FILE] [--keep]
 *
 * --with passes an input to both of our arms (e.g. --with bundle-save-threshold=0);
 * not build-cache-mode, which is what tells them apart.
 * --pause sleeps S seconds between the action and the build (not counted in
 * the job time): the build step then shows what it costs once the import is over.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { startCacheService, type CacheService } from '../__tests__/support/cache-service/server.ts'
import { runJob, type JobResult } from '../__tests__/support/runner/index.ts'
import { GeneratedModule } from './generated-module.ts'
import { compileCount, entries, load1, median, mib, ms, positiveInt, sec, spread, summaryTimes, wipe, williams, x } from './report.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    layers: { type: 'string', default: '3' },
    width: { type: 'string', default: '8' },
    funcs: { type: 'string', default: '120' },
    with: { type: 'string', multiple: true, default: [] },
    pause: { type: 'string', default: '0' },
    vet: { type: 'boolean', default: false },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})
const ourInputs: Record<string, string> = Object.fromEntries(
  args.with!.map((pair) => {
    const at = pair.indexOf('=')
    if (at < 1) throw new Error(`--with ${pair}: write it as input=value`)
    return [pair.slice(0, at), pair.slice(at + 1)]
  }),
)
if ('build-cache-mode' in ourInputs) throw new Error('--with build-cache-mode: the arms set it themselves (native: the default; client: gocacheprog)')
const runs = positiveInt(args.runs, '--runs')
const layers = positiveInt(args.layers, '--layers')
const width = positiveInt(args.width, '--width')
const funcs = positiveInt(args.funcs, '--funcs')
const generated = new GeneratedModule({ layers, width, funcs })
const pause = Number(args.pause)
if (!Number.isFinite(pause) || pause < 0) throw new Error('--pause must be a number of seconds, 0 or more')

const ARMS = ['native', 'client', 'setup-go'] as const
type ArmName = (typeof ARMS)[number]
const OURS = ['native', 'client'] as const satisfies readonly ArmName[]

/** Williams design for 3: the rotations of the arms, then of their reverse (position and predecessor balanced per 6 runs). */
const SEQUENCES: ArmName[][] = williams(ARMS)
const orderOf = (run: number): ArmName[] => SEQUENCES[(run - 1) % SEQUENCES.length]!

interface Arm {
  name: ArmName
  uses: string
  /** Our inputs; the build-cache-mode output the step must report. */
  with?: Record<string, string>
  expectMode?: string
  service: CacheService
  home: string
  workspace: string
  temp: string
}

interface RunResult {
  method: ArmName
  run: number
  /** 1-based place of this arm in the run's order. */
  position: number
  mainMs: number
  buildMs: number
  postMs: number
  totalMs: number
  compiled: number
  /** Ours: the step's build-cache-mode output. */
  mode?: string
  /** Ours, from the summary's "Restored" row: the bundle's part of main (download, plus the import in native mode). */
  bundleRestoreMs?: number
  /** Client only: the daemon's import, while go ran (the summary's "imported while go ran in"). */
  bundleImportMs?: number
  /** Ours, from "Modules after restore": the module cache's restore, concurrent with the bundle's in main. */
  modRestoreMs?: number
  /** Ours: the key this run saved a layer on (D24), when it saved one. */
  layerOn?: string
}

async function runOnce(a: Arm, run: number, position: number): Promise<RunResult> {
  await wipe(a.home)
  const job: JobResult = await runJob({
    workspace: a.workspace,
    ref: 'refs/heads/main',
    env: { GOTOOLCHAIN: 'local' },
    runner: { home: a.home, temp: a.temp },
    github: { runId: 1000 + run },
    actionsRuntime: a.service.env({ ref: 'refs/heads/main', defaultRef: 'refs/heads/main' }),
    steps: [
      { id: 'cache', uses: a.uses, ...(a.with && { with: a.with }) },
      // --pause: time between the action and the build, so that the bundle's import is over before go starts (D22).
      ...(pause > 0 ? [{ id: 'pause', run: `sleep ${pause}` }] : []),
      { id: 'build', run: `go build -x ./... 2> ../build-x.txt && go test ./...${args.vet ? ' && go vet ./...' : ''}` },
    ],
  })
  if (job.conclusion !== 'success') {
    throw new Error(`${a.name} run ${run} failed:\n${job.steps.map((s) => `--- ${s.id} ${s.phase}\n${s.log}`).join('\n')}`)
  }
  const mode = a.expectMode === undefined ? undefined : job.step('cache', 'main').outputs['build-cache-mode']
  if (mode !== a.expectMode) throw new Error(`${a.name} run ${run}: build-cache-mode output is ${JSON.stringify(mode)}, not ${a.expectMode}`)
  const compiled = compileCount(await readFile(path.join(a.workspace, '..', 'build-x.txt'), 'utf8'))
  const mainMs = job.step('cache', 'main').durationMs
  const buildMs = job.step('build').durationMs
  const postMs = job.step('cache', 'post').durationMs
  const result: RunResult = { method: a.name, run, position, mainMs, buildMs, postMs, totalMs: mainMs + buildMs + postMs, compiled }
  if (mode === undefined) return result
  result.mode = mode
  const summary = job.step('cache', 'post').summary
  const layerOn = /\| Save \| saved .*, as a layer on `([^`]+)`/.exec(summary)?.[1]
  return { ...result, ...summaryTimes(summary), ...(layerOn && { layerOn }) }
}

const load1Start = await load1()
const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-bundle-'))
const started = await Promise.allSettled(ARMS.map(() => startCacheService()))
const services = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
try {
  const failed = started.find((s) => s.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  const arms: Arm[] = ARMS.map((name, i) => ({
    name,
    uses: name === 'setup-go' ? path.join(root, 'bench', 'setup-go-cache') : root,
    ...(name === 'native' && { with: ourInputs, expectMode: 'native' }),
    ...(name === 'client' && { with: { ...ourInputs, 'build-cache-mode': 'gocacheprog' }, expectMode: 'client' }),
    service: services[i]!,
    home: path.join(tmp, name, 'home'),
    workspace: path.join(tmp, name, 'work', 'repo'),
    temp: path.join(tmp, name, 'temp'),
  }))
  const arm = (name: ArmName) => arms.find((a) => a.name === name)!
  for (const a of arms) await generated.checkout(a.workspace)
  console.error(`load average (1 min) at the start: ${load1Start.toFixed(2)}`)
  const results: RunResult[] = []
  for (let run = 1; run <= runs; run++) {
    if (run >= 2) {
      const e = generated.editFor(run)
      for (const a of arms) await generated.writePackage(a.workspace, e.layer, e.index, run)
      console.error(`run ${run}: edit gen/l${e.layer}/p${e.index}`)
    }
    const order = orderOf(run)
    for (const [i, name] of order.entries()) {
      const r = await runOnce(arm(name), run, i + 1)
      results.push(r)
      console.error(
        `run ${run} ${name.padEnd(8)} main ${ms(r.mainMs)} build ${ms(r.buildMs)} post ${ms(r.postMs)} total ${ms(r.totalMs)} (${r.compiled} packages compiled)`,
      )
    }
  }
  const load1End = await load1()

  const of = (name: ArmName, from = 1) => results.filter((r) => r.method === name && r.run >= from)
  const sum = (name: ArmName, from = 1) => of(name, from).reduce((s, r) => s + r.totalMs, 0)
  const spreadOf = (xs: number[]) => (xs.length === 0 ? undefined : { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) })
  const perArm = <T>(f: (name: ArmName) => T) => Object.fromEntries(ARMS.map((name) => [name, f(name)])) as Record<ArmName, T>
  const ratios = (from: number) => ({
    nativeSetupGo: sum('native', from) / sum('setup-go', from),
    clientSetupGo: sum('client', from) / sum('setup-go', from),
    nativeClient: sum('native', from) / sum('client', from),
  })
  const warmPhase = (f: (r: RunResult) => number | undefined) => perArm((name) => spreadOf(of(name, 2).flatMap((r) => (f(r) === undefined ? [] : [f(r)!]))))

  const finalized = (name: ArmName) =>
    arm(name)
      .service.entries()
      .filter((e) => e.finalized)
  const newest = (name: ArmName, prefix: string) =>
    finalized(name)
      .filter((e) => e.key.startsWith(prefix))
      .sort((a, b) => b.createdAt - a.createdAt)[0]
  const oursSize = (name: (typeof OURS)[number]) => {
    const bundle = newest(name, 'go-cache-setup-build-')
    // What the next run restores: the newest bundle, and its base when it is a layer (D24).
    const layerOn = of(name)
      .filter((r) => r.layerOn !== undefined && bundle?.key.endsWith(`-${1000 + r.run}-1`))
      .at(-1)?.layerOn
    const base = layerOn === undefined ? undefined : finalized(name).find((e) => e.key === layerOn)
    return {
      entriesWritten: finalized(name).length,
      bundle: (bundle?.sizeBytes ?? 0) + (base?.sizeBytes ?? 0),
      ...(base !== undefined && { layer: bundle?.sizeBytes ?? 0 }),
      moduleCache: newest(name, 'go-cache-setup-modcache-')?.sizeBytes ?? 0,
    }
  }
  const sizes = {
    native: oursSize('native'),
    client: oursSize('client'),
    'setup-go': { entriesWritten: finalized('setup-go').length, archive: newest('setup-go', 'setup-go-')?.sizeBytes ?? 0 },
  }

  const report = {
    runs,
    module: { layers, width, funcs, packages: layers * width + 1 },
    inputs: { native: arm('native').with, client: arm('client').with },
    pauseS: pause,
    load1: { start: load1Start, end: load1End },
    order: Array.from({ length: runs }, (_, i) => orderOf(i + 1)),
    totalMs: perArm((name) => ({ runs1N: sum(name), runs2N: sum(name, 2) })),
    ratio: { runs1N: ratios(1), runs2N: ratios(2) },
    /** Runs 2–N: median, min and max of each step, per arm (build alone is the headline). */
    warmMs: {
      build: warmPhase((r) => r.buildMs),
      main: warmPhase((r) => r.mainMs),
      post: warmPhase((r) => r.postMs),
      total: warmPhase((r) => r.totalMs),
      bundleRestore: warmPhase((r) => r.bundleRestoreMs),
      bundleImportDuringBuild: warmPhase((r) => r.bundleImportMs),
      modRestore: warmPhase((r) => r.modRestoreMs),
    },
    sizeAfterRuns: sizes,
    results,
  }

  const cell = (r: RunResult) => `${r.mainMs} / ${r.buildMs} / ${r.postMs} = **${r.totalMs}**`
  const table = [
    `| run | edit | order | ${ARMS.map((n) => `${n}: main / build / post = total ms | compiled`).join(' | ')} |`,
    `| ---: | --- | --- | ${ARMS.map(() => '---: | ---:').join(' | ')} |`,
  ]
  for (let run = 1; run <= runs; run++) {
    const e = run === 1 ? 'cold' : `gen/l${generated.editFor(run).layer}/p${generated.editFor(run).index}`
    const row = ARMS.map((name) => {
      const r = results.find((x) => x.method === name && x.run === run)!
      return `${cell(r)} | ${r.compiled}`
    })
    table.push(`| ${run} | ${e} | ${orderOf(run).join(', ')} | ${row.join(' | ')} |`)
  }
  console.log(
    `Load average (1 min): ${load1Start.toFixed(2)} at the start, ${load1End.toFixed(2)} at the end. Module: ${report.module.packages} packages (${layers}×${width}, ${funcs} funcs).`,
  )
  console.log()
  console.log(table.join('\n'))
  console.log()
  const r1 = report.ratio.runs1N
  const r2 = report.ratio.runs2N
  console.log('| total job time | native | client | setup-go | native / setup-go | client / setup-go | native / client |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  console.log(
    `| runs 1–${runs} | ${ARMS.map((n) => sec(report.totalMs[n].runs1N)).join(' | ')} | ${x(r1.nativeSetupGo)} | ${x(r1.clientSetupGo)} | ${x(r1.nativeClient)} |`,
  )
  if (runs >= 2)
    console.log(
      `| runs 2–${runs} | ${ARMS.map((n) => sec(report.totalMs[n].runs2N)).join(' | ')} | ${x(r2.nativeSetupGo)} | ${x(r2.clientSetupGo)} | ${x(r2.nativeClient)} |`,
    )
  if (runs >= 2) {
    console.log()
    console.log(`| runs 2–${runs}, ms: median (min–max) | ${ARMS.join(' | ')} |`)
    console.log('| --- | ---: | ---: | ---: |')
    const rows: [string, keyof typeof report.warmMs][] = [
      ['**build step**', 'build'],
      ['main step', 'main'],
      ['post step', 'post'],
      ['job (main + build + post)', 'total'],
      ["main: the bundle's restore (summary's Restored row)", 'bundleRestore'],
      ["main: the module cache's restore (concurrent with the bundle's)", 'modRestore'],
      ["client: the daemon's import, while go ran", 'bundleImportDuringBuild'],
    ]
    for (const [label, key] of rows) console.log(`| ${label} | ${ARMS.map((n) => spread(report.warmMs[key][n])).join(' | ')} |`)
  }
  console.log()
  for (const name of OURS) {
    const s = sizes[name]
    console.log(
      `${name}: newest bundle ${mib(s.bundle)}${s.layer === undefined ? '' : ` (a layer of ${mib(s.layer)} and its base)`} ` +
        `(${(s.bundle / sizes['setup-go'].archive).toFixed(2)}× setup-go's archive), module archive ${mib(s.moduleCache)}; ${entries(s.entriesWritten)} written`,
    )
  }
  console.log(`setup-go: archive ${mib(sizes['setup-go'].archive)}; ${entries(sizes['setup-go'].entriesWritten)} written`)
  if (args.json) await writeFile(args.json, JSON.stringify(report, null, 2))
} finally {
  await Promise.all(services.map((s) => s.stop()))
  if (!args.keep) {
    await execFileP('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
    await rm(tmp, { recursive: true, force: true })
  } else {
    console.error(`kept ${tmp}`)
  }
}
