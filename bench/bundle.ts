/**
 * The build cache bundle against actions/setup-go's cache, side by side in one
 * run, over the same sequence of CI runs with edits.
 *
 *   ours      the bundled action (dist/), defaults: GOMODCACHE's download cache
 *             keyed on go.sum, the build cache served by our client and carried
 *             between runs as a bundle (restored in main, saved in post when
 *             enough is new)
 *   setup-go  bench/setup-go-cache: setup-go v7's caching reproduced (one archive
 *             of GOMODCACHE + GOCACHE keyed on go.sum, no restore keys, saved
 *             only on a miss), so after run 1 it is an exact hit and never saved
 *
 * Both run through the runner harness as node24 actions, with the real
 * @actions/cache against the local cache service (twirp + azurite, on
 * loopback: transfers are far faster than GitHub's, which flatters whichever
 * method moves more bytes). Every run is a fresh runner: empty HOME (GOCACHE,
 * GOMODCACHE) and RUNNER_TEMP. The order of the two methods alternates by run.
 *
 * The module is generated: the sample module's main (cobra, yaml, uuid,
 * errgroup, testify) plus `--layers` layers of `--width` packages, each
 * importing two of the layer below, each with `--funcs` functions and a test.
 * Run r ≥ 2 edits one package of the lower layers (a different one each run),
 * so its dependents rebuild too; go.sum never changes. The job builds with
 * `go build ./... && go test ./...`.
 *
 * Job time = the action's main + the build step + the action's post, from the
 * harness's step durations (node start-up included for both).
 *
 *   node bench/bundle.ts [--runs 10] [--layers 3] [--width 8] [--funcs 120] [--with input=value]... [--pause S] [--json FILE] [--keep]
 *
 * --with passes an input to our action (e.g. --with bundle-save-threshold=0).
 * --pause sleeps S seconds between the action and the build (not counted in
 * the job time): the build step then shows what it costs once the import is over.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { startCacheService, type CacheService } from '../__tests__/support/cache-service/server.ts'
import { runJob, type JobResult } from '../__tests__/support/runner/index.ts'
import { GeneratedModule } from './generated-module.ts'

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
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})
const ourInputs = Object.fromEntries(
  args.with!.map((pair) => {
    const at = pair.indexOf('=')
    if (at < 1) throw new Error(`--with ${pair}: write it as input=value`)
    return [pair.slice(0, at), pair.slice(at + 1)]
  }),
)
const positive = (v: string | undefined, flag: string): number => {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`)
  return n
}
const runs = positive(args.runs, '--runs')
const layers = positive(args.layers, '--layers')
const width = positive(args.width, '--width')
const funcs = positive(args.funcs, '--funcs')
const generated = new GeneratedModule({ layers, width, funcs })
const pause = Number(args.pause)
if (!Number.isFinite(pause) || pause < 0) throw new Error('--pause must be a number of seconds, 0 or more')

interface Method {
  name: 'ours' | 'setup-go'
  uses: string
  home: string
  workspace: string
  temp: string
}

async function wipe(dir: string): Promise<void> {
  await execFileP('chmod', ['-R', 'u+w', dir]).catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
}

interface RunResult {
  method: Method['name']
  run: number
  mainMs: number
  buildMs: number
  postMs: number
  totalMs: number
  compiled: number
  /** Ours: the key this run saved a layer on (D24), when it saved one. */
  layerOn?: string
}

async function runOnce(service: CacheService, m: Method, run: number): Promise<RunResult> {
  await wipe(m.home)
  const job: JobResult = await runJob({
    workspace: m.workspace,
    ref: 'refs/heads/main',
    env: { GOTOOLCHAIN: 'local' },
    runner: { home: m.home, temp: m.temp },
    github: { runId: 1000 + run },
    actionsRuntime: service.env({ ref: 'refs/heads/main', defaultRef: 'refs/heads/main' }),
    steps: [
      { id: 'cache', uses: m.uses, with: m.name === 'ours' ? ourInputs : undefined },
      // --pause: time between the action and the build, so that the bundle's import is over before go starts (D22).
      ...(pause > 0 ? [{ id: 'pause', run: `sleep ${pause}` }] : []),
      { id: 'build', run: 'go build -x ./... 2> ../build-x.txt && go test ./...' },
    ],
  })
  if (job.conclusion !== 'success') {
    throw new Error(`${m.name} run ${run} failed:\n${job.steps.map((s) => `--- ${s.id} ${s.phase}\n${s.log}`).join('\n')}`)
  }
  const x = await readFile(path.join(m.workspace, '..', 'build-x.txt'), 'utf8')
  const compiled = x.split('\n').filter((line) => /\/compile\s/.test(line)).length
  const mainMs = job.step('cache', 'main').durationMs
  const buildMs = job.step('build').durationMs
  const postMs = job.step('cache', 'post').durationMs
  const summary = job.step('cache', 'post').summary
  if (m.name === 'ours')
    process.stderr.write(
      summary
        .split('\n')
        .filter((l) => /Restore|Save|Hit ratio|Restored/.test(l))
        .map((l) => `    ${l}\n`)
        .join(''),
    )
  const layerOn = /\| Save \| saved .*, as a layer on `([^`]+)`/.exec(summary)?.[1]
  return { method: m.name, run, mainMs, buildMs, postMs, totalMs: mainMs + buildMs + postMs, compiled, ...(layerOn && { layerOn }) }
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-bundle-'))
const service = await startCacheService()
try {
  const methods: Method[] = (['ours', 'setup-go'] as const).map((name) => ({
    name,
    uses: name === 'ours' ? root : path.join(root, 'bench', 'setup-go-cache'),
    home: path.join(tmp, name, 'home'),
    workspace: path.join(tmp, name, 'work', 'repo'),
    temp: path.join(tmp, name, 'temp'),
  }))
  for (const m of methods) await generated.checkout(m.workspace)
  const results: RunResult[] = []
  for (let run = 1; run <= runs; run++) {
    if (run >= 2) {
      const e = generated.editFor(run)
      for (const m of methods) await generated.writePackage(m.workspace, e.layer, e.index, run)
      console.error(`run ${run}: edit gen/l${e.layer}/p${e.index}`)
    }
    const order = run % 2 === 1 ? methods : [...methods].reverse()
    for (const m of order) {
      const r = await runOnce(service, m, run)
      results.push(r)
      console.error(
        `run ${run} ${m.name.padEnd(8)} main ${ms(r.mainMs)} build ${ms(r.buildMs)} post ${ms(r.postMs)} total ${ms(r.totalMs)} (${r.compiled} packages compiled)`,
      )
    }
  }

  const entries = service.entries().filter((e) => e.finalized)
  const newest = (prefix: string) => entries.filter((e) => e.key.startsWith(prefix)).sort((a, b) => b.createdAt - a.createdAt)[0]
  const bundle = newest('go-cache-setup-build-')
  // What the next run restores: the newest bundle, and its base when it is a layer (D24).
  const layerOn = results.filter((r) => r.method === 'ours' && r.layerOn !== undefined && bundle?.key.endsWith(`-${1000 + r.run}-1`)).at(-1)?.layerOn
  const base = layerOn === undefined ? undefined : entries.find((e) => e.key === layerOn)
  const bundleBytes = (bundle?.sizeBytes ?? 0) + (base?.sizeBytes ?? 0)
  const modcache = newest('go-cache-setup-modcache-')
  const setupGo = newest('setup-go-')
  const sum = (name: Method['name'], from = 1) => results.filter((r) => r.method === name && r.run >= from).reduce((s, r) => s + r.totalMs, 0)
  const table = [
    '| run | edit | setup-go: main + build + post | compiled | ours: main + build + post | compiled | ours / setup-go |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ]
  for (let run = 1; run <= runs; run++) {
    const s = results.find((r) => r.method === 'setup-go' && r.run === run)!
    const o = results.find((r) => r.method === 'ours' && r.run === run)!
    const e = run === 1 ? 'cold' : `gen/l${generated.editFor(run).layer}/p${generated.editFor(run).index}`
    const cell = (r: RunResult) => `${sec(r.mainMs)} + ${sec(r.buildMs)} + ${sec(r.postMs)} = **${sec(r.totalMs)}**`
    table.push(`| ${run} | ${e} | ${cell(s)} | ${s.compiled} | ${cell(o)} | ${o.compiled} | ${(o.totalMs / s.totalMs).toFixed(2)}× |`)
  }
  const report = {
    runs,
    module: { layers, width, funcs, packages: layers * width + 1 },
    totalMs: { setupGo: sum('setup-go'), ours: sum('ours'), ratio: sum('ours') / sum('setup-go') },
    warmTotalMs: { setupGo: sum('setup-go', 2), ours: sum('ours', 2), ratio: sum('ours', 2) / sum('setup-go', 2) },
    sizeAfterRuns: {
      setupGo: setupGo?.sizeBytes ?? 0,
      oursBundle: bundleBytes,
      oursLayer: base === undefined ? undefined : bundle?.sizeBytes,
      oursModuleCache: modcache?.sizeBytes ?? 0,
      bundleRatio: bundleBytes / (setupGo?.sizeBytes ?? NaN),
      bundlePlusModulesRatio: (bundleBytes + (modcache?.sizeBytes ?? 0)) / (setupGo?.sizeBytes ?? NaN),
    },
    cacheEntriesWritten: {
      ours: entries.filter((e) => e.key.startsWith('go-cache-setup-')).length,
      setupGo: entries.filter((e) => e.key.startsWith('setup-go-')).length,
    },
    results,
  }
  console.log(table.join('\n'))
  console.log()
  console.log(
    `total job time, runs 1–${runs}: setup-go ${sec(report.totalMs.setupGo)}, ours ${sec(report.totalMs.ours)}: **${report.totalMs.ratio.toFixed(2)}×**`,
  )
  console.log(
    `total job time, runs 2–${runs}: setup-go ${sec(report.warmTotalMs.setupGo)}, ours ${sec(report.warmTotalMs.ours)}: **${report.warmTotalMs.ratio.toFixed(2)}×**`,
  )
  console.log(
    `cache size after ${runs} runs: setup-go's archive ${mib(report.sizeAfterRuns.setupGo)}; our newest bundle ${mib(report.sizeAfterRuns.oursBundle)}` +
      `${report.sizeAfterRuns.oursLayer === undefined ? '' : ` (a layer of ${mib(report.sizeAfterRuns.oursLayer)} and its base)`} (**${report.sizeAfterRuns.bundleRatio.toFixed(2)}×**), ` +
      `plus our module archive ${mib(report.sizeAfterRuns.oursModuleCache)} (${report.sizeAfterRuns.bundlePlusModulesRatio.toFixed(2)}×)`,
  )
  console.log(`cache entries written: ours ${report.cacheEntriesWritten.ours}, setup-go ${report.cacheEntriesWritten.setupGo}`)
  if (args.json) await writeFile(args.json, JSON.stringify(report, null, 2))
} finally {
  await service.stop()
  if (!args.keep) {
    await execFileP('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
    await rm(tmp, { recursive: true, force: true })
  } else {
    console.error(`kept ${tmp}`)
  }
}

function ms(n: number): string {
  return `${Math.round(n)} ms`.padStart(9)
}
function sec(n: number): string {
  return `${(n / 1000).toFixed(1)} s`
}
function mib(n: number): string {
  return `${(n / 1024 ** 2).toFixed(1)} MiB`
}
