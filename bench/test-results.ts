/**
 * go test results across fresh runners: ours with canonical mtimes (test-cache,
 * the default), ours without them (test-cache: false), and setup-go's cache
 * (bench/setup-go-cache: GOMODCACHE + GOCACHE in one archive keyed on go.sum),
 * side by side, on a real module.
 *
 * The module is github.com/yuin/goldmark (from the module proxy): a widely used
 * Markdown parser with no dependencies whose tests are driven by testdata, the
 * common Go pattern the test cache loses on a checkout. Its root package runs
 * the CommonMark spec (_test/spec.json) and its extension package reads
 * extension/_test/*.txt. A git repository is made of it: commit 1 as released,
 * commit 2 with a newline added at the end of _test/extra.txt.
 *
 * Every run is a fresh runner (empty HOME and RUNNER_TEMP) with a fresh `git
 * clone` of the commit at the same path, through the runner harness with the
 * real @actions/cache against the local cache service:
 *   run 1  commit 1, nothing cached (fills each method's cache)
 *   run 2  commit 1 again: what a re-run of an unchanged commit costs
 *   run 3  commit 2: the next commit, touching one testdata file
 * The three methods alternate their order run by run; each round starts from
 * an empty cache service. Reported: the `go test ./...` step's wall time, and
 * how many packages said `(cached)`.
 *
 *   node bench/test-results.ts [--rounds 3] [--version v1.7.13] [--json FILE]
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { startCacheService, type CacheService } from '../__tests__/support/cache-service/server.ts'
import { runJob } from '../__tests__/support/runner/index.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    version: { type: 'string', default: 'v1.7.13' },
    json: { type: 'string' },
  },
})
const rounds = Number(args.rounds)
const MODULE = 'github.com/yuin/goldmark'
const EDITED = '_test/extra.txt'

type MethodName = 'ours' | 'ours, test-cache off' | 'setup-go'
interface Method {
  name: MethodName
  uses: string
  with?: Record<string, string>
}
const methods: Method[] = [
  { name: 'ours', uses: root },
  { name: 'ours, test-cache off', uses: root, with: { 'test-cache': 'false' } },
  { name: 'setup-go', uses: path.join(root, 'bench', 'setup-go-cache') },
]

interface Result {
  round: number
  run: number
  method: MethodName
  testMs: number
  cached: number
  packages: number
}

const git = (cwd: string, ...argv: string[]) =>
  execFileP('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'gc.auto=0', ...argv], { cwd, maxBuffer: 1 << 28 })

async function wipe(dir: string): Promise<void> {
  await execFileP('chmod', ['-R', 'u+w', dir]).catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-test-results-'))
try {
  const { stdout } = await execFileP('go', ['mod', 'download', '-json', `${MODULE}@${args.version}`], { env: { ...process.env, GOFLAGS: '-mod=mod' } })
  const source = path.join(tmp, 'source')
  await cp((JSON.parse(stdout) as { Dir: string }).Dir, source, { recursive: true })
  await execFileP('chmod', ['-R', 'u+w', source])
  await git(source, 'init', '-q', '-b', 'main')
  await git(source, 'add', '-A')
  await git(source, 'commit', '-q', '-m', `goldmark ${args.version}`)
  const commit1 = (await git(source, 'rev-parse', 'HEAD')).stdout.trim()
  // One more newline at the end: the test file still parses, and every case still passes.
  await writeFile(path.join(source, EDITED), Buffer.concat([await readFile(path.join(source, EDITED)), Buffer.from('\n')]))
  await git(source, 'commit', '-q', '-am', 'touch one testdata file')
  const commit2 = (await git(source, 'rev-parse', 'HEAD')).stdout.trim()

  const results: Result[] = []
  for (let round = 1; round <= rounds; round++) {
    const service: CacheService = await startCacheService()
    try {
      for (let run = 1; run <= 3; run++) {
        const commit = run === 3 ? commit2 : commit1
        const order = [...methods.slice((round + run) % 3), ...methods.slice(0, (round + run) % 3)]
        for (const m of order) {
          const dir = path.join(tmp, m.name.replace(/\W+/g, '-'))
          const workspace = path.join(dir, 'work', 'repo')
          await wipe(path.join(dir, 'home'))
          await wipe(path.join(dir, 'temp'))
          await rm(workspace, { recursive: true, force: true })
          await mkdir(path.dirname(workspace), { recursive: true })
          // A real checkout: every file written now, as actions/checkout does.
          await git(path.dirname(workspace), 'clone', '-q', '--no-checkout', `file://${source}`, workspace)
          await git(workspace, 'checkout', '-q', commit)
          const job = await runJob({
            workspace,
            ref: 'refs/heads/main',
            env: { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
            runner: { home: path.join(dir, 'home'), temp: path.join(dir, 'temp') },
            github: { runId: 100 * round + run },
            actionsRuntime: service.env({ ref: 'refs/heads/main', defaultRef: 'refs/heads/main' }),
            steps: [
              { id: 'cache', uses: m.uses, ...(m.with && { with: m.with }) },
              { id: 'test', run: 'go test ./... > ../test-out.txt 2>&1' },
            ],
          })
          const out = await readFile(path.join(workspace, '..', 'test-out.txt'), 'utf8').catch(() => '')
          if (job.conclusion !== 'success') throw new Error(`${m.name} round ${round} run ${run} failed:\n${out}\n${job.steps.map((s) => s.log).join('\n')}`)
          const lines = out.split('\n').filter((l) => l.startsWith('ok  '))
          const r: Result = {
            round,
            run,
            method: m.name,
            testMs: job.step('test').durationMs,
            cached: lines.filter((l) => l.includes('(cached)')).length,
            packages: lines.length,
          }
          results.push(r)
          console.error(`round ${round} run ${run} ${m.name.padEnd(21)} go test ${(r.testMs / 1000).toFixed(2)} s, ${r.cached}/${r.packages} cached`)
        }
      }
    } finally {
      await service.stop()
    }
  }
  const load = (await readFile('/proc/loadavg', 'utf8')).trim()
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const cell = (run: number, name: MethodName) => {
    const rs = results.filter((r) => r.run === run && r.method === name)
    const ms = rs.map((r) => r.testMs)
    return { median: median(ms), min: Math.min(...ms), max: Math.max(...ms), cached: rs.map((r) => `${r.cached}/${r.packages}`).join(', ') }
  }
  const lines = [
    '| run | method | `go test ./...`, median (min–max) | packages `(cached)` per round | / ours, test-cache off |',
    '| --- | --- | ---: | --- | ---: |',
  ]
  for (const [run, what] of [
    [2, 'unchanged commit'],
    [3, 'next commit: one testdata file'],
  ] as const) {
    const off = cell(run, 'ours, test-cache off').median
    for (const m of methods) {
      const c = cell(run, m.name)
      lines.push(
        `| ${run}: ${what} | ${m.name} | ${(c.median / 1000).toFixed(2)} s (${(c.min / 1000).toFixed(2)}–${(c.max / 1000).toFixed(2)}) | ${c.cached} | ${(c.median / off).toFixed(2)}× |`,
      )
    }
  }
  console.log(lines.join('\n'))
  console.log(
    `\n${MODULE}@${args.version}, ${rounds} rounds, go ${(await execFileP('go', ['env', 'GOVERSION'])).stdout.trim()}; load average at the end: ${load}`,
  )
  if (args.json) await writeFile(args.json, JSON.stringify({ module: `${MODULE}@${args.version}`, rounds, load, results }, null, 2))
} finally {
  await execFileP('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  await rm(tmp, { recursive: true, force: true })
}
