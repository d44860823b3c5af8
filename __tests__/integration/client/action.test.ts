/**
 * The cache client through the action: the bundled action (dist/) run by the
 * runner harness, its daemon and shims serving real go in later `run:` steps,
 * and the post step's figures. Modules come from a GOMODCACHE downloaded once
 * for the file (GOPROXY=off in the jobs), so only the build cache varies.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { checkoutSample, newMachine } from '../../support/go-jobs.ts'
import type { JobResult } from '../../support/runner/index.ts'
import { CLIENT_VARS, clientPaths, compiledPackages, expectSuccess, figure, runClientJob, statsFromStep, useServiceFixture } from './helpers.ts'

const fx = useServiceFixture('client-e2e-')

/** Offline: every module is in the shared GOMODCACHE. */
const offline = () => ({ GOMODCACHE: fx.modCache, GOPROXY: 'off' })
const noModuleCache = { 'module-cache': 'false' }
const warnings = (job: JobResult) => job.annotations.filter((a) => a.level === 'warning' || a.level === 'error').map((a) => a.message)
const file = (job: JobResult, name: string) => readFile(path.join(job.paths.workspace, name), 'utf8')

describe('the cache client through the action', () => {
  it('serves a rebuild entirely from the cache, keeps go test caching and -testcache, and reports the figures', async () => {
    const machine = await newMachine(fx.root, 'rebuild')
    await checkoutSample(machine)
    const temp = path.join(fx.root, 'rebuild', 'runner-temp') // kept after the job: the store lives here
    const job = await runClientJob({
      machine,
      with: noModuleCache,
      env: offline(),
      runner: { temp },
      steps: [
        { id: 'first', run: 'go build -o bin/ ./... && go test ./...' },
        {
          id: 'testcache',
          run: 'go test ./... > test-again.txt && go clean -testcache && go test ./... > test-after-clean.txt',
        },
        // A new output directory: go links, from cached archives only.
        { id: 'relink', run: 'go build -x -o bin-relink/ ./... 2> relink-x.txt' },
        { id: 'env', run: 'printf "%s" "$GOCACHEPROG" > gocacheprog.txt' },
        { id: 'stats-before', run: `${CLIENT_VARS}\n"$NODE" "$CLIENT" stats --socket "$SOCK"` },
        {
          id: 'second',
          run: [
            'go build -x -o bin/ ./... 2> second-x.txt',
            'go test ./... > second-test.txt',
            `go list -export -f '{{.ImportPath}} {{.Export}}' github.com/google/uuid gopkg.in/yaml.v3 github.com/spf13/cobra > exports.txt`,
            // The export files are there after go (and its shim) exited.
            'while read -r pkg export; do test -s "$export"; done < exports.txt',
          ].join('\n'),
        },
      ],
    })
    expectSuccess(job)
    expect(warnings(job)).toEqual([])

    // GOCACHEPROG: exported for later steps, the same as the output, pointing at our client.
    const exported = await file(job, 'gocacheprog.txt')
    expect(exported).not.toBe('')
    expect(job.step('cache').outputs.gocacheprog).toBe(exported)
    expect(job.env.GOCACHEPROG).toBe(exported)
    const paths = clientPaths(exported)
    expect(paths.node).toBe(process.execPath)
    expect(paths.client).toMatch(/\/go-cache-setup\/0\.1\.0\/(x64|arm64)\/index\.js$/)
    // The compiled shim shipped beside it serves go (D28).
    expect(paths.shim).toBe(path.join(path.dirname(paths.client), 'shim', `go-cache-shim-linux-${process.arch === 'x64' ? 'amd64' : 'arm64'}`))
    expect(paths.store).toBe(path.join(temp, 'go-cache-setup', 'store'))

    // go test results are cached, and -testcache invalidates them (the entries carry their put time).
    expect(await file(job, 'test-again.txt')).toMatch(/^ok\s+example\.com\/sample\s+\(cached\)$/m)
    const afterClean = await file(job, 'test-after-clean.txt')
    expect(afterClean).toMatch(/^ok\s+example\.com\/sample\s+\d+\.\d+s$/m)
    expect(afterClean).not.toContain('(cached)')

    // A relink compiles nothing: every archive comes from the store.
    const relinkX = await file(job, 'relink-x.txt')
    expect(compiledPackages(relinkX)).toEqual([])
    expect(relinkX).toMatch(/\/link\s.*-o /)
    expect(relinkX).toContain(`packagefile github.com/google/uuid=${paths.store}/o/`)

    // The second run: nothing compiled, the test result cached.
    expect(compiledPackages(await file(job, 'second-x.txt'))).toEqual([])
    expect(await file(job, 'second-test.txt')).toMatch(/^ok\s+example\.com\/sample\s+\(cached\)$/m)

    // The post step's figures: the second run is all hits and no puts.
    const before = statsFromStep(job, 'stats-before')
    const [gets, hits, misses, puts] = ['gets', 'hits', 'misses', 'puts'].map((n) => figure(job, n)) as [number, number, number, number]
    expect(before.misses).toBeGreaterThan(100) // the cold first build
    expect(gets - before.gets).toBeGreaterThan(100)
    expect(hits - before.hits).toBe(gets - before.gets)
    expect(misses).toBe(before.misses)
    expect(puts).toBe(before.puts)
    expect(figure(job, 'bytes-in')).toBe(before.bytesIn)
    expect(figure(job, 'bytes-out')).toBeGreaterThan(before.bytesOut)
    expect(figure(job, 'hit-ratio')).toBeCloseTo(hits / gets, 4)
    expect(job.summary).toContain('### Build cache (GOCACHEPROG)')
    expect(job.summary).toContain(`| Gets | ${gets}: ${hits} hits, ${misses} misses (hit ratio ${((100 * hits) / gets).toFixed(1)}%) |`)
    expect(job.summary).toContain(`| Puts | ${puts} |`)
    // build, test and list in the second step: one shim each.
    expect(job.summary).toContain(`| go processes | ${before.sessions + 3} |`)

    // Export files outlive the job's post step (flush trims only beyond store-max-size).
    const exports = (await file(job, 'exports.txt'))
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[1]!)
    expect(exports).toHaveLength(3)
    for (const p of exports) {
      expect(p.startsWith(`${paths.store}/o/`)).toBe(true)
      expect(existsSync(p)).toBe(true)
    }
    // The daemon was stopped by the post step.
    expect(existsSync(paths.socket)).toBe(false)
  })

  it('finishes a cold build whose daemon is killed halfway, and the post step recovers the figures from the journals', async () => {
    const machine = await newMachine(fx.root, 'daemon-killed')
    await checkoutSample(machine)
    const temp = path.join(fx.root, 'daemon-killed', 'runner-temp')
    const job = await runClientJob({
      machine,
      with: noModuleCache,
      env: offline(),
      runner: { temp },
      steps: [
        // Reported to the daemon while it is alive.
        { id: 'before', run: `go list -export -f '{{.Export}}' github.com/google/uuid` },
        {
          id: 'build',
          run: [
            CLIENT_VARS,
            'go build -o bin/ ./... &',
            'build=$!',
            'n0=$(find "$STORE/o" -type f | wc -l)',
            'for i in $(seq 600); do [ "$(find "$STORE/o" -type f | wc -l)" -gt $((n0 + 30)) ] && break; sleep 0.05; done',
            `pid=$("$NODE" "$CLIENT" ping --socket "$SOCK" | "$NODE" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).pid))')`,
            'kill -9 "$pid"',
            'kill -0 "$build" && echo "killed the daemon ($pid) during the build"',
            'wait "$build"',
            './bin/sample',
          ].join('\n'),
        },
        { id: 'after', run: 'go build -o bin2/ ./... && go build -o bin2/ ./...' },
      ],
    })
    expectSuccess(job)
    expect(job.step('build').log).toMatch(/killed the daemon \(\d+\) during the build/)
    expect(job.step('build').log).toContain('ids: 3')

    const post = job.step('cache', 'post')
    expect(post.conclusion).toBe('success')
    const problem = warnings(job).find((w) => w.includes('the cache daemon could not be reached'))
    expect(problem).toBeDefined()
    expect(job.summary).toContain('### Problems')
    expect(job.summary).toContain("figures come from the go processes' journals")
    // Every go process after the kill journaled its report; the post step summed them.
    expect(figure(job, 'gets')).toBeGreaterThan(0)
    expect(figure(job, 'misses')).toBeGreaterThan(0)
    expect(figure(job, 'puts')).toBeGreaterThan(0)
    expect(figure(job, 'hits')).toBeGreaterThan(0) // `after` rebuilt from the store
    const store = path.join(temp, 'go-cache-setup', 'store')
    expect(await readdir(path.join(store, 'journal')).catch(() => [])).toEqual([])
    // Not even the go process that reported to the daemon before it died is
    // lost: `before`, the build during the kill, and the two builds in `after`.
    expect(job.summary).toContain('| go processes | 4 |')
  })

  it('exports a custom gocacheprog verbatim and starts no daemon of its own', async () => {
    const machine = await newMachine(fx.root, 'custom')
    await checkoutSample(machine)
    const tools = path.join(fx.root, 'custom', 'my tools')
    await mkdir(tools, { recursive: true })
    const prog = path.join(tools, 'fake-cacheprog.mjs')
    const requests = path.join(tools, 'requests.log')
    // A minimal GOCACHEPROG: knows get and close, and misses everything.
    await writeFile(
      prog,
      [
        "import { appendFileSync } from 'node:fs'",
        "import readline from 'node:readline'",
        'const log = process.argv[2]',
        "process.stdout.write(JSON.stringify({ ID: 0, KnownCommands: ['get', 'close'] }) + '\\n')",
        'readline.createInterface({ input: process.stdin }).on("line", (line) => {',
        "  if (line.trim() === '') return",
        '  const request = JSON.parse(line)',
        "  appendFileSync(log, request.Command + '\\n')",
        "  if (request.Command === 'get') process.stdout.write(JSON.stringify({ ID: request.ID, Miss: true }) + '\\n')",
        "  if (request.Command === 'close') process.stdout.write(JSON.stringify({ ID: request.ID }) + '\\n')",
        '})',
        '',
      ].join('\n'),
    )
    const value = `${process.execPath} '${prog}' '${requests}'`
    const temp = path.join(fx.root, 'custom', 'runner-temp')
    const toolCache = path.join(fx.root, 'custom', 'tool-cache')
    const job = await runClientJob({
      machine,
      with: { ...noModuleCache, gocacheprog: value },
      env: offline(),
      runner: { temp, toolCache },
      steps: [{ id: 'build', run: 'printf "%s" "$GOCACHEPROG" > gocacheprog.txt && go build errors' }],
    })
    expectSuccess(job)
    expect(await file(job, 'gocacheprog.txt')).toBe(value)
    expect(job.step('cache').outputs.gocacheprog).toBe(value)
    expect(job.env.GOCACHEPROG).toBe(value)
    // go ran it (quoted path with a space and all).
    const seen = (await readFile(requests, 'utf8')).trim().split('\n')
    expect(seen.filter((c) => c === 'get').length).toBeGreaterThan(10)
    expect(seen.at(-1)).toBe('close')
    // Ours was neither installed nor started.
    expect(existsSync(path.join(temp, 'go-cache-setup'))).toBe(false)
    expect(existsSync(path.join(toolCache, 'go-cache-setup'))).toBe(false)
    expect(Object.keys(job.step('cache', 'post').outputs).filter((k) => k.startsWith('build-cache-'))).toEqual([])
    expect(job.summary).toContain(`Build cache: your own GOCACHEPROG client (\`${value}\`); it keeps its own figures.`)
    expect(warnings(job)).toEqual([])
  })

  it('fails the step when Go could not split the gocacheprog input', async () => {
    const machine = await newMachine(fx.root, 'unsplittable')
    await checkoutSample(machine)
    const value = "'/opt/my tools/gocache serve"
    const job = await runClientJob({
      machine,
      with: { ...noModuleCache, gocacheprog: value },
      env: offline(),
      steps: [{ id: 'build', run: 'go build ./...' }],
    })
    expect(job.conclusion).toBe('failure')
    expect(job.step('cache').conclusion).toBe('failure')
    expect(job.step('build').conclusion).toBe('skipped')
    const errors = job.annotations.filter((a) => a.level === 'error').map((a) => a.message)
    expect(errors).toEqual([
      `gocacheprog: Go cannot split "'/opt/my tools/gocache serve": unterminated ' string. Quote a field with spaces whole, like '/opt/my tools/gocache' serve.`,
    ])
    expect(job.env.GOCACHEPROG).toBeUndefined()
    expect(job.step('cache', 'post').conclusion).toBe('success')
  })
})
