/**
 * The remote cache over REAPI gRPC end to end: the bundled action run by the
 * runner harness, real go, and a real bazel-remote on loopback serving gRPC
 * (htpasswd auth, Basic credentials in the call metadata). Faults a real
 * server cannot be told to make are in reapi-faults.test.ts.
 */
import { readFile, rm, mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startBazelRemote, type BazelRemote } from '../../support/bazel-remote/index.ts'
import { checkoutSample, newMachine, type Machine } from '../../support/go-jobs.ts'
import type { JobResult } from '../../support/runner/index.ts'
import {
  buildAndRun,
  buildFigure,
  filesContaining,
  freshRunner,
  type RemoteJob,
  remoteFigure,
  runRemoteJob as runJobWithRemote,
  summaryRow,
  workspaceFile,
} from '../../support/remote-jobs.ts'
import { compiledPackages, execFileP, expectSuccess, prepareModCache } from '../client/helpers.ts'

const USER = 'grpc-runner'
const PASSWORD = 'reapi-cache-Pa55word-2c8d41'
const TOKEN = `${USER}:${PASSWORD}`

let root: string
let modCache: string
let server: BazelRemote

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'reapi-e2e-'))
  modCache = path.join(root, 'modcache')
  ;[server] = await Promise.all([
    startBazelRemote({ grpc: true, htpasswd: { user: USER, password: PASSWORD }, dir: path.join(root, 'bazel-remote') }),
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
const grpcUrl = () => `${server.grpcAddress}/ci-instance`

describe('the remote cache over REAPI gRPC (bazel-remote)', () => {
  let first: Machine
  let firstJob: JobResult

  it('job 1 builds and uploads everything it put over gRPC', async () => {
    first = await newMachine(root, 'first')
    await checkoutSample(first)
    firstJob = await runRemoteJob({ machine: first, url: grpcUrl(), steps: [buildAndRun] })
    expectSuccess(firstJob)
    expect(compiledPackages(await file(firstJob, 'build-x.txt')).length).toBeGreaterThan(10)
    const puts = buildFigure(firstJob, 'puts')
    expect(puts).toBeGreaterThan(100)
    expect(remoteFigure(firstJob, 'unsent')).toBe(0)
    expect(remoteFigure(firstJob, 'errors')).toBe(0)
    expect(remoteFigure(firstJob, 'uploads')).toBeGreaterThan(100)
    expect(remoteFigure(firstJob, 'uploads')).toBeLessThanOrEqual(puts)
    expect(summaryRow(firstJob, 'Remote cache')).toBe(`| Remote cache | \`${server.grpcAddress}\` instance \`ci-instance\` |`)
    // The server holds what was uploaded: action results and blobs.
    const stored = await server.entries()
    expect(stored.ac).toBeGreaterThan(100)
    expect(stored.cas).toBeGreaterThan(100)
  }, 600_000)

  it('never writes the token to a file or a log line', async () => {
    const basic = Buffer.from(TOKEN).toString('base64')
    const needles = [PASSWORD, basic]
    const printed = firstJob.steps.flatMap((s) => [s.log, ...s.rawStdout.split('\n').filter((line) => !line.startsWith('::add-mask::'))])
    for (const text of printed) for (const needle of needles) expect(text).not.toContain(needle)
    expect(await filesContaining(path.join(root, 'first'), needles)).toEqual([])
    const daemonLog = await readFile(path.join(root, 'first', 'runner-temp', 'go-cache-setup', 'daemon.log'), 'utf8')
    expect(daemonLog).toContain(`remote cache ${server.grpcAddress} instance ci-instance`)
  })

  it('job 2, on a fresh runner, compiles nothing: every package comes from the server over gRPC', async () => {
    await freshRunner(first)
    const job = await runRemoteJob({ machine: first, url: grpcUrl(), steps: [buildAndRun] })
    expectSuccess(job)
    expect(compiledPackages(await file(job, 'build-x.txt'))).toEqual([])
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    expect(remoteFigure(job, 'errors')).toBe(0)
    expect(remoteFigure(job, 'misses')).toBe(buildFigure(job, 'misses'))
    expect(summaryRow(job, 'Remote health')).toBe('| Remote health | reads circuit never opened; writes circuit never opened |')
    const prefetch = /^\| Prefetch \| (\d+) entries fetched ahead/.exec(summaryRow(job, 'Prefetch'))
    expect(Number(prefetch?.[1])).toBeGreaterThan(100)
  }, 600_000)

  it('job 3, on a fresh runner over HTTP, compiles nothing: what went up over gRPC is read over HTTP on the same server', async () => {
    await freshRunner(first)
    const job = await runRemoteJob({ machine: first, url: server.httpUrl, steps: [buildAndRun] })
    expectSuccess(job)
    expect(compiledPackages(await file(job, 'build-x.txt'))).toEqual([])
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    expect(remoteFigure(job, 'errors')).toBe(0)
  }, 600_000)

  it('is read-only on an untrusted event (a fork pull request): hits over gRPC, no uploads', async () => {
    const machine = await newMachine(root, 'fork')
    await checkoutSample(machine)
    await writeFile(path.join(machine.workspace, 'extra.go'), 'package main\n\nvar forkOnly = 42\n')
    const before = await server.entries()
    const job = await runRemoteJob({
      machine,
      url: grpcUrl(),
      steps: [buildAndRun],
      event: {
        name: 'pull_request',
        payload: { pull_request: { number: 7, head: { repo: { full_name: 'someone/fork' } }, base: { repo: { full_name: 'octo-org/octo-repo' } } } },
      },
    })
    expectSuccess(job)
    expect(buildFigure(job, 'puts')).toBeGreaterThan(0)
    expect(remoteFigure(job, 'uploads')).toBe(0)
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    expect((await server.entries()).ac).toBe(before.ac)
  }, 600_000)

  it('wrong credentials: UNAUTHENTICATED counted and named, the build succeeds', async () => {
    const machine = await newMachine(root, 'wrong-token')
    await checkoutSample(machine)
    const job = await runRemoteJob({ machine, url: grpcUrl(), token: `${USER}:not-the-password`, steps: [buildAndRun] })
    expectSuccess(job)
    expect(remoteFigure(job, 'hits')).toBe(0)
    expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
    expect(remoteFigure(job, 'unsent')).toBe(buildFigure(job, 'puts'))
    expect(summaryRow(job, 'First remote error')).toMatch(/UNAUTHENTICATED.*check cache-token/)
  }, 600_000)

  it('nothing listening: UNAVAILABLE counted, the build succeeds', async () => {
    const machine = await newMachine(root, 'refused')
    await checkoutSample(machine)
    const job = await runRemoteJob({ machine, url: 'grpc://127.0.0.1:1', steps: [buildAndRun] })
    expectSuccess(job)
    expect(remoteFigure(job, 'hits')).toBe(0)
    expect(remoteFigure(job, 'errors')).toBeGreaterThan(0)
    expect(summaryRow(job, 'First remote error')).toMatch(/UNAVAILABLE/)
  }, 600_000)

  it('the server stopped in the middle of a build: the build succeeds, the rest are misses and unsent uploads', async () => {
    const machine = await newMachine(root, 'stopped')
    await checkoutSample(machine)
    await writeFile(path.join(machine.workspace, 'extra.go'), 'package main\n\nvar grpcStopped = 1\n')
    const job = await runRemoteJob({
      machine,
      url: grpcUrl(),
      steps: [{ id: 'part', run: 'go build github.com/spf13/cobra gopkg.in/yaml.v3' }, { id: 'stop-server', run: `kill ${server.pid}` }, buildAndRun],
    })
    try {
      expectSuccess(job)
      expect(remoteFigure(job, 'hits')).toBeGreaterThan(0)
      expect(remoteFigure(job, 'errors')).toBeGreaterThan(0)
      expect(remoteFigure(job, 'unsent')).toBeGreaterThan(0)
    } finally {
      server = await server.restart()
    }
  }, 600_000)
})
