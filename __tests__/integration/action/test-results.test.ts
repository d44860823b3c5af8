/**
 * go test results across fresh checkouts (test-cache): the bundled action
 * (dist/) run by the runner harness, the build cache carried between jobs as a
 * bundle through the local cache service (real @actions/cache, blobs in
 * azurite), real git and real go. Every job is a fresh runner (empty HOME,
 * emptied RUNNER_TEMP) with a fresh `git clone` of the fixture module into the
 * same workspace path, as hosted runners do, so every file has a new checkout
 * mtime; go keys a test result on the size, mode and mtime of every file and
 * directory the test opened (cmd/go/internal/test hashOpen), so a result
 * carries to the next job only if those mtimes match.
 *
 * The jobs run in sequence and chain: each restores the bundle the previous
 * one saved (bundle-save-threshold 0, so every job saves).
 */
import { execFile } from 'node:child_process'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startCacheService, type CacheService } from '../../support/cache-service/server.ts'
import { newMachine, REPO_ROOT, wipeHome, type Machine } from '../../support/go-jobs.ts'
import { runJob, type JobResult, type StepSpec } from '../../support/runner/index.ts'
import { dumpJob, expectSuccess } from '../client/helpers.ts'

const execFileP = promisify(execFile)

const FIXTURE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'test-results-module')
const MODULE = 'example.com/testresults'
/** The fixture's packages with tests (gen has none). */
const TEST_PACKAGES = ['embedded', 'envvar', 'pure', 'readfile', 'tz', 'walkdir']
/** mtimes.ts: canonical mtimes are 2001-01-01T00:00:00Z plus less than 2 × 2^20 s. */
const BASE_SECONDS = 978_307_200
const SPAN_SECONDS = 1 << 20

let root: string
let service: CacheService
let machine: Machine
/** The source repository every job clones. */
let src: string
let runId = 0
/** The bundle the previous job saved, which the next one must restore. */
let savedKey: string | undefined

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'test-results-e2e-'))
  service = await startCacheService()
  machine = await newMachine(root, 'runner')
  src = path.join(root, 'src')
  await cp(FIXTURE, src, { recursive: true })
  await git(['init', '--quiet', '--initial-branch=main'])
  await git(['config', 'user.name', 'Test Results'])
  await git(['config', 'user.email', 'test-results@example.com'])
  await git(['add', '-A'])
  await git(['commit', '--quiet', '-m', 'fixture'])
})
afterAll(async () => {
  await service?.stop()
  // Go makes module trees read-only.
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

async function git(args: string[], cwd = src, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileP('git', args, { cwd, env: { ...process.env, ...env } })
  return stdout
}

/** Edits the source repository and commits; `env` can pin the commit's dates. */
async function commit(message: string, edit: () => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  await edit()
  await git(['add', '-A'])
  await git(['commit', '--quiet', '-m', message], src, env)
}

type Outcome = 'cached' | 'ran'

interface TestJob {
  job: JobResult
  /** Each test package (short name) as `go test ./...` reported it. */
  results: Record<string, Outcome>
}

/** `ok  \t<pkg>\t(cached)` or `ok  \t<pkg>\t0.004s` per package. */
function parseGoTest(stdout: string): Record<string, Outcome> {
  const results: Record<string, Outcome> = {}
  for (const line of stdout.split('\n')) {
    const m = /^ok {2}\t(\S+)\t(\(cached\)|\d+\.\d+s)/.exec(line)
    if (m === null) continue
    results[m[1]!.replace(`${MODULE}/`, '')] = m[2] === '(cached)' ? 'cached' : 'ran'
  }
  return results
}

/** Every test package cached except `ran`. */
const expected = (...ran: string[]): Record<string, Outcome> => Object.fromEntries(TEST_PACKAGES.map((p) => [p, ran.includes(p) ? 'ran' : 'cached']))

const testResultsCached = (job: JobResult) => job.step('cache', 'post').outputs['test-results-cached']
const warnings = (job: JobResult) => job.annotations.filter((a) => a.level === 'warning' || a.level === 'error').map((a) => a.message)

/** Records whether make would regenerate gen/gen.go, and the mtimes it compares. */
const makeStep: StepSpec = {
  id: 'make',
  run: [
    'set +e',
    'make -q gen/gen.go',
    'echo "exit=$?" >> "$GITHUB_OUTPUT"',
    "echo \"mtimes=$(stat -c '%n %.9Y' gen/input.txt gen/gen.go | tr '\\n' ' ')\" >> \"$GITHUB_OUTPUT\"",
  ].join('\n'),
}

/**
 * A fresh runner: empty HOME, RUNNER_TEMP at the machine's fixed path (emptied
 * by the harness), and a fresh clone of the source repository's head into the
 * same workspace path. Then `before` steps, the action, `go test ./...`, and
 * `after` steps.
 */
async function freshJob(opts: { with?: Record<string, string>; before?: StepSpec[]; after?: StepSpec[] } = {}): Promise<TestJob> {
  await wipeHome(machine)
  await rm(machine.workspace, { recursive: true, force: true })
  await git(['clone', '--quiet', '--depth', '1', `file://${src}`, machine.workspace], root)
  const ref = 'refs/heads/main'
  const job = await runJob({
    workspace: machine.workspace,
    ref,
    env: { GOTOOLCHAIN: 'local', GOPROXY: 'off' },
    runner: { home: machine.home, temp: path.join(path.dirname(machine.home), 'temp') },
    github: { runId: ++runId },
    actionsRuntime: service.env({ ref, defaultRef: ref }),
    steps: [
      ...(opts.before ?? []),
      // The module has no dependencies (and no go.sum): only the build cache matters here.
      { id: 'cache', uses: REPO_ROOT, with: { 'module-cache': 'false', 'bundle-save-threshold': '0', ...opts.with } },
      { id: 'test', run: 'go test ./...', env: { GOFLAGS: '-mod=mod' } },
      ...(opts.after ?? []),
    ],
  })
  expectSuccess(job)
  const results = parseGoTest(job.step('test').rawStdout)
  expect(Object.keys(results).sort()).toEqual(TEST_PACKAGES)
  // Each job restores the newest bundle saved before it (the first starts cold), and saves
  // its own unless it produced nothing new (when every test result came from the cache).
  expect(job.summary).toContain(savedKey === undefined ? '| Restore | miss: the build started cold |' : `| Restore | from \`${savedKey}\``)
  if (job.summary.includes('| Save | not saved: the job produced no new entries |')) {
    expect(Object.values(results)).not.toContain('ran')
  } else {
    expect(job.summary).toMatch(/\| Save \| saved \d+ entries/)
    savedKey = /\| Key \| `(go-cache-setup-build-v3-[^`]+)` \|/.exec(job.summary)?.[1]
    expect(savedKey).toMatch(new RegExp(`-${runId}-1$`))
  }
  return { job, results }
}

/** What git tracks in the source repository: files, and the directories holding them (the root included). */
async function tracked(): Promise<{ files: number; dirs: number }> {
  const files = (await git(['ls-files', '-z'])).split('\0').filter((f) => f !== '')
  const dirs = new Set<string>(['.'])
  for (const f of files) for (let d = path.posix.dirname(f); d !== '.'; d = path.posix.dirname(d)) dirs.add(d)
  return { files: files.length, dirs: dirs.size }
}

/** `stat -c '%n %Y'` lines of a step, as path → whole seconds. */
function statSeconds(job: JobResult, stepId: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of job.step(stepId).rawStdout.trim().split('\n')) {
    const [name, seconds] = line.split(' ')
    out[name!] = Number(seconds)
  }
  return out
}

const isCanonical = (seconds: number) => seconds >= BASE_SECONDS && seconds < BASE_SECONDS + 2 * SPAN_SECONDS

describe('go test results across fresh checkouts (test-cache)', () => {
  /** make's verdict on the committed generated file after a fresh clone, without and with canonical mtimes. */
  const makeControl: { exit: string; mtimes: string }[] = []
  let withDefaults: TestJob | undefined

  it('baseline, test-cache false: tests that open workspace files re-run on a fresh checkout', async () => {
    const off = { 'test-cache': 'false' }
    const job1 = await freshJob({ with: off, after: [makeStep] })
    expect(job1.results).toEqual(expected(...TEST_PACKAGES))
    expect(testResultsCached(job1.job)).toBe('0')
    const job2 = await freshJob({ with: off, after: [makeStep] })
    // readfile opens testdata/input.txt and walkdir lists testdata/: both keys
    // hold the new checkout's mtimes, so both miss. The others carry over:
    // - pure opens nothing;
    // - envvar's key holds TESTRESULTS_MODE's value (unset in both jobs), not a file;
    // - embedded opens nothing at run time: message.txt's content is compiled
    //   into the package (go hashes embedded files' content into the build's
    //   action ID), so the test binary, and so the test ID, change only with it;
    // - tz: time.LoadLocation reads /usr/share/zoneinfo (or GOROOT's
    //   zoneinfo.zip) through syscall, not package os, so the test log records
    //   no open at all; and go does not recheck files outside the module root
    //   anyway (computeTestInputsID: "Do not recheck files outside the module,
    //   GOPATH, or GOROOT root").
    expect(job2.results).toEqual(expected('readfile', 'walkdir'))
    expect(testResultsCached(job2.job)).toBe('4')
    expect(job2.job.summary).toContain('| Workspace mtimes | left as they are (`test-cache: false`) |')
    expect(job2.job.summary).toContain('| Served from the cache | 4 test results (`(cached)`) |')
    expect(job2.job.step('cache').log).toContain('Test results: workspace mtimes left as they are (test-cache: false)')
    for (const j of [job1, job2]) makeControl.push(j.job.step('make').outputs as { exit: string; mtimes: string })
  }, 300_000)

  it('with defaults, a fresh runner with a new clone of the same commit gets every test result from the cache', async () => {
    const { files, dirs } = await tracked()
    // The first job with canonical mtimes: readfile's and walkdir's inputs have mtimes no job has seen.
    const job1 = await freshJob()
    expect(job1.results).toEqual(expected('readfile', 'walkdir'))
    expect(testResultsCached(job1.job)).toBe('4')
    expect(job1.job.step('cache').log).toMatch(new RegExp(`Test results: canonical mtimes for ${files} files and ${dirs} directories in \\d+ ms\\n`))

    const job2 = await freshJob({ after: [makeStep] })
    withDefaults = job2
    expect(job2.results).toEqual(expected())
    expect(testResultsCached(job2.job)).toBe(String(TEST_PACKAGES.length))
    expect(job2.job.summary).toContain('### Test results (go test)')
    expect(job2.job.summary).toMatch(new RegExp(`\\| Workspace mtimes \\| canonical for ${files} files and ${dirs} directories, in [\\d.]+ m?s \\|`))
    expect(job2.job.summary).toContain(`| Served from the cache | ${TEST_PACKAGES.length} test results (\`(cached)\`) |`)
    expect(warnings(job2.job)).toEqual([])
  }, 300_000)

  it('re-runs only the test whose input changed: a same-size testdata edit, a new testdata file, an embedded file', async () => {
    await commit('readfile: same size', () => writeFile(path.join(src, 'readfile', 'testdata', 'input.txt'), 'version 1\n'))
    const edited = await freshJob()
    expect(edited.results).toEqual(expected('readfile'))
    expect(testResultsCached(edited.job)).toBe('5')

    await commit('walkdir: a third file', () => writeFile(path.join(src, 'walkdir', 'testdata', 'c.txt'), 'c\n'))
    const added = await freshJob()
    expect(added.results).toEqual(expected('walkdir'))
    expect(testResultsCached(added.job)).toBe('5')

    await commit('embedded: new message', () => writeFile(path.join(src, 'embedded', 'message.txt'), 'hello 1\n'))
    const embedded = await freshJob()
    expect(embedded.results).toEqual(expected('embedded'))
    expect(testResultsCached(embedded.job)).toBe('5')
  }, 300_000)

  it('re-runs a test whose input changed within the same second, same size, same commit time', async () => {
    // The previous commit's dates, to the second: nothing but the content tells the two apart.
    const [authorDate, committerDate] = (await git(['log', '-1', '--format=%aI%n%cI'])).trim().split('\n')
    await commit('readfile: same size, same second', () => writeFile(path.join(src, 'readfile', 'testdata', 'input.txt'), 'version 2\n'), {
      GIT_AUTHOR_DATE: authorDate!,
      GIT_COMMITTER_DATE: committerDate!,
    })
    expect((await git(['log', '-2', '--format=%cI'])).trim().split('\n')).toEqual([committerDate, committerDate])
    const job = await freshJob()
    expect(job.results).toEqual(expected('readfile'))
    expect(testResultsCached(job.job)).toBe('5')
  }, 300_000)

  it('leaves a file an earlier step changed with its real mtime, and gives untouched files canonical ones', async () => {
    const startedAt = Math.floor(Date.now() / 1000)
    const job = await freshJob({
      before: [{ id: 'edit', run: "printf 'appended\\n' >> walkdir/testdata/a.txt" }],
      after: [{ id: 'stat', run: 'stat -c "%n %Y" walkdir/testdata/a.txt walkdir/testdata walkdir/testdata/b.txt readfile/testdata/input.txt gen/gen.go' }],
    })
    const mtimes = statSeconds(job.job, 'stat')
    const recent = (s: number) => s >= startedAt - 3600 && s <= Math.floor(Date.now() / 1000) + 60
    // Changed by the step before the action: its real mtime, and so its directory's.
    for (const f of ['walkdir/testdata/a.txt', 'walkdir/testdata']) {
      expect({ path: f, seconds: mtimes[f], recent: recent(mtimes[f]!) }).toEqual({ path: f, seconds: mtimes[f], recent: true })
    }
    // Untouched: canonical, in 2001.
    for (const f of ['walkdir/testdata/b.txt', 'readfile/testdata/input.txt', 'gen/gen.go']) {
      expect({ path: f, seconds: mtimes[f], canonical: isCanonical(mtimes[f]!) }).toEqual({ path: f, seconds: mtimes[f], canonical: true })
    }
    expect(job.job.summary).toMatch(
      /\| Workspace mtimes \| canonical for \d+ files and \d+ directories, in [\d.]+ m?s; 1 changed or special files keep theirs \|/,
    )
    // walkdir's input changed (and is younger than go's 2 s cutoff); every other result carries over.
    expect(job.results).toEqual(expected('walkdir'))
    expect(testResultsCached(job.job)).toBe('5')
  }, 300_000)

  it('makes a committed generated file newer than its source, so make does not regenerate it', async () => {
    // Control, test-cache false: the checkout's write order decides (git writes
    // gen/gen.go before gen/input.txt, so input.txt is usually as new or newer).
    console.log(
      `make -q gen/gen.go after a fresh clone, test-cache false:\n${makeControl.map((m, i) => `  job ${i + 1}: exit ${m.exit}; mtimes ${m.mtimes}`).join('\n')}`,
    )
    expect(makeControl).toHaveLength(2)
    if (withDefaults === undefined) throw new Error('the job with defaults did not run')
    const make = withDefaults.job.step('make').outputs
    if (make.exit !== '0') throw new Error(`make -q gen/gen.go exited ${make.exit} after canonical mtimes (${make.mtimes})\n${dumpJob(withDefaults.job)}`)
    expect(make.exit).toBe('0')
  })
})
