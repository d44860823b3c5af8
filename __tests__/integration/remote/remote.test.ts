/**
 * The remote cache end to end: the bundled action run by the runner harness,
 * real go, and a real bazel-remote on loopback (HTTP, htpasswd auth). The
 * servers that answer 500 or never answer are small loopback servers
 * (support/bazel-remote/faulty.ts): bazel-remote cannot be told to misbehave.
 */
import { readdir, readFile, rm, mkdtemp, writeFile, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { findBlobFiles, startBazelRemote, type BazelRemote } from '../../support/bazel-remote/index.ts'
import { startFaultyServer } from '../../support/bazel-remote/faulty.ts'
import { checkoutSample, newMachine, wipeHome, type Machine } from '../../support/go-jobs.ts'
import type { JobResult } from '../../support/runner/index.ts'
import {
  buildAndRun,
  buildFigure,
  filesContaining,
  type RemoteJob,
  remoteFigure,
  runRemoteJob as runJobWithRemote,
  summaryRow,
  workspaceFile,
} from '../../support/remote-jobs.ts'
import { compiledPackages, execFileP, expectSuccess, prepareModCache } from '../client/helpers.ts'

const USER = 'ci-runner'
const PASSWORD = 'remote-cache-Pa55word-7f3a9c'
const TOKEN = `${USER}:${PASSWORD}`

let root: string
let modCache: string
let server: BazelRemote

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'remote-e2e-'))
  modCache = path.join(root, 'modcache')
  // Uncompressed storage, so that the corruption test can change a blob's bytes on disk.
  ;[server] = await Promise.all([
    startBazelRemote({ htpasswd: { user: USER, password: PASSWORD }, storageMode: 'uncompressed', dir: path.join(root, 'bazel-remote') }),
    prepareModCache(modCache),
  ])
})
afterAll(async () => {
  await server?.stop()
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

/** The action with cache-url and cache-token (from a secret), then `steps`; offline modules. */
const runRemoteJob = (opts: Omit<RemoteJob, 'modCache' | 'token'> & { token?: string }): Promise<JobResult> =>
  runJobWithRemote({ modCache, token: TOKEN, ...opts })
const file = workspaceFile

describe('the remote cache (bazel-remote over HTTP)', () => {
  let firstJob: JobResult

  let first: Machine

  it('job 1 builds and uploads everything it put, in the background', async () => {
    first = await newMachine(root, 'first')
    await checkoutSample(first)
    firstJob = await runRemoteJob({ machine: first, url: server.httpUrl, steps: [buildAndRun] })
    expectSuccess(firstJob)
    expect(compiledPackages(await file(firstJob, 'build-x.txt')).length).toBeGreaterThan(10)
    const puts = buildFigure(firstJob, 'puts')
    expect(puts).toBeGreaterThan(100)
    // Every entry go put reached the server: none unsent, none failed.
    expect(remoteFigure(firstJob, 'unsent')).toBe(0)
    expect(remoteFigure(firstJob, 'errors')).toBe(0)
    expect(remoteFigure(firstJob, 'uploads')).toBeGreaterThan(100)
    expect(remoteFigure(firstJob, 'uploads')).toBeLessThanOrEqual(puts) // go puts some actions twice; each is uploaded once
    expect(remoteFigure(firstJob, 'hits')).toBe(0)
    expect(summaryRow(firstJob, 'Remote cache')).toBe(`| Remote cache | \`${server.httpUrl}\` |`)
    expect(summaryRow(firstJob, 'Remote scopes')).toBe('| Remote scopes | reads `trusted`; writes `trusted` |')
    expect(summaryRow(firstJob, 'Uploads')).toMatch(/^\| Uploads \| \d+ entries, [\d.]+ MiB; 0 left unsent \|$/)
  }, 600_000)

  it('never writes the token to a file or a log line', async () => {
    const basic = Buffer.from(TOKEN).toString('base64')
    const needles = [PASSWORD, basic]
    const job = firstJob
    // The job log as the runner shows it, and what every step printed except
    // the ::add-mask:: commands themselves (core.setSecret; the runner consumes them).
    const printed = job.steps.flatMap((s) => [s.log, ...s.rawStdout.split('\n').filter((line) => !line.startsWith('::add-mask::'))])
    for (const text of printed) for (const needle of needles) expect(text).not.toContain(needle)
    // The secrets were registered for masking: the token and both Authorization forms.
    const masks = job.steps.flatMap((s) => s.rawStdout.split('\n').filter((line) => line.startsWith('::add-mask::')))
    expect(masks).toEqual(expect.arrayContaining([`::add-mask::${TOKEN}`, `::add-mask::Basic ${basic}`, `::add-mask::${basic}`]))
    // Every file the job could write: runner temp (GITHUB_ENV, state, daemon.log, the store), tool cache, workspace, HOME.
    expect(await filesContaining(path.join(root, 'first'), needles)).toEqual([])
    // The daemon's log exists and says what it did (so it was looked at, not absent).
    const daemonLog = await readFile(path.join(root, 'first', 'runner-temp', 'go-cache-setup', 'daemon.log'), 'utf8')
    expect(daemonLog).toContain(`remote cache ${server.httpUrl}`)
    // GOCACHEPROG (exported through GITHUB_ENV) names no secret and no URL.
    expect(job.env.GOCACHEPROG).toContain('--remote-wait-ms')
    expect(job.env.GOCACHEPROG).not.toContain(server.httpUrl)
  })

  it('job 2, on a fresh runner (same paths, empty HOME, store and tool cache), gets every package from the server', async () => {
    for (const dir of ['home', 'runner-temp', 'tool-cache']) await rm(path.join(root, 'first', dir), { recursive: true, force: true })
    await wipeHome(first)
    const job = await runRemoteJob({ machine: first, url: server.httpUrl, steps: [buildAndRun] })
    expectSuccess(job)
    expect(compiledPackages(await file(job, 'build-x.txt'))).toEqual([])
    const misses = buildFigure(job, 'misses')
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    // Every local miss the server could serve, it served: the misses left are
    // actions job 1 never stored, which go then put (and job 2 uploaded).
    expect(remoteFigure(job, 'errors')).toBe(0)
    expect(remoteFigure(job, 'misses')).toBe(misses)
    expect(remoteFigure(job, 'unsent')).toBe(0)
    expect(summaryRow(job, 'Remote health')).toBe('| Remote health | reads circuit never opened; writes circuit never opened |')
    expect(summaryRow(job, 'Remote lookups')).toMatch(new RegExp(`^\\| Remote lookups \\| \\d+ local misses asked: \\d+ hits, ${misses} misses \\|$`))
    // Job 1 left a manifest of what it used and added: job 2 fetched it ahead of go.
    const prefetch = /^\| Prefetch \| (\d+) entries fetched ahead from the (\d+) in this job's last manifest \|$/.exec(summaryRow(job, 'Prefetch'))
    expect(Number(prefetch?.[1])).toBeGreaterThan(100)
  }, 600_000)

  it('is read-only on an untrusted event (a fork pull request): lookups, no uploads', async () => {
    const machine = await newMachine(root, 'fork')
    await checkoutSample(machine)
    await writeFile(path.join(machine.workspace, 'extra.go'), 'package main\n\nvar forkOnly = 42\n')
    const job = await runRemoteJob({
      machine,
      url: server.httpUrl,
      steps: [buildAndRun],
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: 7, head: { repo: { full_name: 'someone/fork' } }, base: { repo: { full_name: 'octo-org/octo-repo' } } } },
      },
    })
    expectSuccess(job)
    expect(buildFigure(job, 'puts')).toBeGreaterThan(0) // the changed main package, at least
    expect(remoteFigure(job, 'uploads')).toBe(0)
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    expect(summaryRow(job, 'Remote scopes')).toBe(
      '| Remote scopes | reads `trusted`; writes nothing (untrusted event: pull_request from the fork someone/fork) |',
    )
  }, 600_000)

  it('wrong credentials: the build succeeds from local work, the errors are counted and the breaker opens', async () => {
    const machine = await newMachine(root, 'wrong-token')
    await checkoutSample(machine)
    const job = await runRemoteJob({ machine, url: server.httpUrl, token: `${USER}:not-the-password`, steps: [buildAndRun] })
    expectSuccess(job)
    expect(remoteFigure(job, 'hits')).toBe(0)
    expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
    expect(remoteFigure(job, 'unsent')).toBe(buildFigure(job, 'puts'))
    expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened \d+ times?|off for the rest of the job)/)
    expect(summaryRow(job, 'First remote error')).toMatch(/HTTP 401.*; check cache-token/)
  }, 600_000)

  it('a server answering 500: misses and counted errors, the build succeeds', async () => {
    const faulty = await startFaultyServer('http-500')
    try {
      const machine = await newMachine(root, 'http-500')
      await checkoutSample(machine)
      const job = await runRemoteJob({ machine, url: faulty.url, steps: [buildAndRun] })
      expectSuccess(job)
      expect(remoteFigure(job, 'hits')).toBe(0)
      expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
      // The breaker spared the server most requests.
      expect(faulty.hits()).toBeLessThan(buildFigure(job, 'misses'))
      expect(remoteFigure(job, 'unsent')).toBe(buildFigure(job, 'puts'))
      expect(summaryRow(job, 'First remote error')).toContain('HTTP 500')
      expect(summaryRow(job, 'Remote lookups')).toMatch(/skipped \(circuit open\)/)
    } finally {
      await faulty.stop()
    }
  }, 600_000)

  it('a server that accepts connections and never answers: requests time out, the build succeeds', async () => {
    const faulty = await startFaultyServer('hang')
    try {
      const machine = await newMachine(root, 'hang')
      await checkoutSample(machine)
      const job = await runRemoteJob({ machine, url: faulty.url, with: { 'cache-timeout': '1' }, steps: [buildAndRun] })
      expectSuccess(job)
      expect(faulty.hits()).toBeGreaterThan(0)
      expect(remoteFigure(job, 'hits')).toBe(0)
      expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
      expect(summaryRow(job, 'First remote error')).toContain('no answer within 1000 ms')
      expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened|off for the rest of the job)/)
    } finally {
      await faulty.stop()
    }
  }, 600_000)

  it('a corrupted blob on the server is rejected, and go rebuilds that package', async () => {
    // Pick the largest object job 1 stored (an archive go will need), and flip bytes in the server's copy.
    const store = path.join(root, 'first', 'runner-temp', 'go-cache-setup', 'store')
    let largest = { id: '', size: 0 }
    for (const shard of await readdir(path.join(store, 'o'))) {
      for (const id of await readdir(path.join(store, 'o', shard))) {
        const { size } = await stat(path.join(store, 'o', shard, id))
        if (size > largest.size) largest = { id, size }
      }
    }
    const files = await findBlobFiles(server.dir, largest.id)
    expect(files.length).toBe(1)
    const bytes = await readFile(files[0]!)
    bytes[bytes.length - 10] ^= 0xff
    await writeFile(files[0]!, bytes)

    const machine = await newMachine(root, 'corrupt')
    await checkoutSample(machine)
    const job = await runRemoteJob({ machine, url: server.httpUrl, steps: [buildAndRun] })
    expectSuccess(job)
    expect(summaryRow(job, 'Remote lookups')).toMatch(/[1-9]\d* rejected \(digest or format\)/)
    expect(summaryRow(job, 'First remote error')).toContain(`rejected blob ${largest.id}`)
    expect(compiledPackages(await file(job, 'build-x.txt')).length).toBeGreaterThan(0)
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
  }, 600_000)

  it('the server stopped in the middle of a build: the build succeeds, the rest are misses and unsent uploads', async () => {
    const machine = await newMachine(root, 'stopped')
    await checkoutSample(machine)
    await writeFile(path.join(machine.workspace, 'extra.go'), 'package main\n\nvar stoppedOnly = 1\n')
    const job = await runRemoteJob({
      machine,
      url: server.httpUrl,
      steps: [{ id: 'part', run: 'go build github.com/spf13/cobra gopkg.in/yaml.v3' }, { id: 'stop-server', run: `kill ${server.pid}` }, buildAndRun],
    })
    try {
      expectSuccess(job)
      expect(remoteFigure(job, 'hits')).toBeGreaterThan(0) // before the stop
      expect(remoteFigure(job, 'errors')).toBeGreaterThan(0)
      expect(remoteFigure(job, 'unsent')).toBeGreaterThan(0) // the changed main package's entries
      expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened|off for the rest of the job)/)
    } finally {
      server = await server.restart()
    }
  }, 600_000)
})
