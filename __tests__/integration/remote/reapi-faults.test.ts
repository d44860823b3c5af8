/**
 * A REAPI remote (cache-url grpc://) that fails, end to end: the bundled
 * action run by the runner harness, real go, and a gRPC server on loopback
 * that is a real content-addressed store until a fault is switched on
 * (support/reapi/hostile-server.ts: bazel-remote cannot be told to misbehave).
 * Job 1 fills the healthy server; then each fault is met by a job on a fresh
 * runner, whose reads go to the server and so hit the fault. Whatever the
 * server does, the build succeeds and the post step counts what went wrong.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { BATCH_MAX_BYTES, ReapiRemote } from '../../../src/remote/reapi.ts'
import { startHostileServer, type Fault, type HostileServer } from '../../support/reapi/hostile-server.ts'
import { checkoutSample, newMachine, wipeHome, type Machine } from '../../support/go-jobs.ts'
import type { JobResult } from '../../support/runner/index.ts'
import {
  buildAndRun,
  buildFigure,
  type RemoteJob,
  remoteFigure,
  runRemoteJob as runJobWithRemote,
  summaryRow,
  workspaceFile,
} from '../../support/remote-jobs.ts'
import { compiledPackages, execFileP, expectSuccess, prepareModCache } from '../client/helpers.ts'

const TOKEN = 'reapi-token-3c9e1f5a7b'
/** What cache-auth auto makes of a token that is not `user:password`: the server requires it, so job 1's uploads prove it is sent. */
const AUTHORIZATION = `Bearer ${TOKEN}`

let root: string
let modCache: string
let server: HostileServer
/** Job 1's runner, which the wrong-digest job runs on again, wiped. */
let first: Machine

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'reapi-faults-'))
  modCache = path.join(root, 'modcache')
  ;[server] = await Promise.all([startHostileServer({ authorization: AUTHORIZATION }), prepareModCache(modCache)])
})
afterAll(async () => {
  await server?.stop()
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

/** The action with cache-url (the hostile server) and cache-token (from a secret), then `steps`; offline modules. */
const runRemoteJob = (opts: Pick<RemoteJob, 'machine' | 'with' | 'steps'>): Promise<JobResult> =>
  runJobWithRemote({ modCache, url: server.url, token: TOKEN, ...opts })

/**
 * A job on a fresh runner (empty HOME, runner temp and tool cache) with `fault`
 * on for its whole length: a new machine, or `machine` wiped (its paths kept,
 * so go's action IDs for the main module are job 1's too).
 */
async function faultJob(
  name: string,
  fault: Fault,
  options: { blobs?: string[]; cut?: 'connection' | 'stream'; with?: Record<string, string>; machine?: Machine } = {},
): Promise<JobResult> {
  let machine = options.machine
  if (machine === undefined) {
    machine = await newMachine(root, name)
    await checkoutSample(machine)
  } else {
    for (const dir of ['runner-temp', 'tool-cache']) await rm(path.join(path.dirname(machine.workspace), '..', dir), { recursive: true, force: true })
    await wipeHome(machine)
  }
  server.setFault(fault, { blobs: options.blobs, cut: options.cut })
  try {
    return await runRemoteJob({ machine, with: options.with, steps: [buildAndRun] })
  } finally {
    server.setFault('none')
  }
}

const file = workspaceFile
const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0)

/** What every fault job shows: the build succeeded, and none of it came from the server. */
async function expectBuiltLocally(job: JobResult): Promise<void> {
  expectSuccess(job)
  expect(compiledPackages(await file(job, 'build-x.txt')).length).toBeGreaterThan(10)
  expect(remoteFigure(job, 'hits')).toBe(0)
}

describe('a REAPI remote (grpc://) that fails', () => {
  it('job 1, on the healthy server, builds and uploads everything it put', async () => {
    first = await newMachine(root, 'first')
    await checkoutSample(first)
    const job = await runRemoteJob({ machine: first, steps: [buildAndRun] })
    expectSuccess(job)
    expect(compiledPackages(await file(job, 'build-x.txt')).length).toBeGreaterThan(10)
    const puts = buildFigure(job, 'puts')
    expect(puts).toBeGreaterThan(100)
    expect(remoteFigure(job, 'errors')).toBe(0)
    expect(remoteFigure(job, 'unsent')).toBe(0)
    expect(remoteFigure(job, 'uploads')).toBeGreaterThan(100)
    expect(remoteFigure(job, 'uploads')).toBeLessThanOrEqual(puts)
    expect(summaryRow(job, 'Remote cache')).toBe(`| Remote cache | \`${server.url}\` |`)
    // Over gRPC, with the token: the server took every upload (and refuses calls without it).
    const calls = server.calls()
    expect(calls['Capabilities/GetCapabilities']).toBeGreaterThanOrEqual(1)
    expect(calls['ActionCache/UpdateActionResult']).toBeGreaterThan(100)
    expect(calls['ContentAddressableStorage/BatchUpdateBlobs']).toBeGreaterThan(100)
    // Every upload's entry, and the job's manifest.
    expect(server.entries()).toBe(remoteFigure(job, 'uploads') + 1)
    expect(server.blobs().size).toBeGreaterThan(100)
  }, 600_000)

  it('UNAVAILABLE on every call: misses and counted errors, the build succeeds', async () => {
    const job = await faultJob('unavailable', 'unavailable')
    await expectBuiltLocally(job)
    expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
    expect(remoteFigure(job, 'unsent')).toBe(buildFigure(job, 'puts'))
    expect(summaryRow(job, 'First remote error')).toMatch(/GetActionResult [0-9a-f]{12}…: UNAVAILABLE \(hostile server: unavailable \(test\)\)/)
    expect(summaryRow(job, 'Remote lookups')).toMatch(/skipped \(circuit open\)/)
    // The breaker spared the server most lookups.
    expect(server.faulted()['ActionCache/GetActionResult']).toBeLessThan(buildFigure(job, 'misses'))
  }, 600_000)

  it('a server that takes calls and never answers: the client deadline fires (DEADLINE_EXCEEDED), the build succeeds', async () => {
    const job = await faultJob('stall', 'stall', { with: { 'cache-timeout': '2' } })
    await expectBuiltLocally(job)
    expect(server.faulted()['ActionCache/GetActionResult']).toBeGreaterThan(0)
    expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
    expect(remoteFigure(job, 'unsent')).toBe(buildFigure(job, 'puts'))
    expect(summaryRow(job, 'First remote error')).toMatch(/GetActionResult [0-9a-f]{12}…: DEADLINE_EXCEEDED/)
    expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened|off for the rest of the job)/)
  }, 600_000)

  it('a server that drops the connection in the middle of every blob it sends: counted errors, the build succeeds', async () => {
    const job = await faultJob('midstream', 'midstream')
    expectSuccess(job)
    expect(compiledPackages(await file(job, 'build-x.txt')).length).toBeGreaterThan(10)
    // No object came through: the only hits are entries naming the empty object, which has no bytes to send.
    expect(summaryRow(job, 'Remote hits')).toMatch(/; 0 B fetched \|$/)
    // Answers were cut halfway (blobs inlined in GetActionResult, or Batch and ByteStream reads), each taking the connection down.
    expect(total(server.faulted())).toBeGreaterThanOrEqual(1)
    expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
    expect(summaryRow(job, 'First remote error')).toMatch(/(GetActionResult|BatchReadBlobs|ByteStream\.Read) [0-9a-f]{12}…: [A-Z_]+/)
    expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened|off for the rest of the job)/)
  }, 600_000)

  it('UNAUTHENTICATED on every call: counted errors naming the credentials to check, the build succeeds', async () => {
    const job = await faultJob('unauthenticated', 'unauthenticated')
    await expectBuiltLocally(job)
    expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(3)
    expect(remoteFigure(job, 'unsent')).toBe(buildFigure(job, 'puts'))
    expect(summaryRow(job, 'First remote error')).toMatch(/GetActionResult [0-9a-f]{12}…: UNAUTHENTICATED \(.*\); check cache-token and cache-auth/)
    expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened|off for the rest of the job)/)
  }, 600_000)

  it('a ByteStream read reset halfway: that blob is a counted error and go builds its package; the rest are hits', async () => {
    // The blobs too large for a batch, read over ByteStream; their streams are reset after half the data.
    const streamed = [...server.blobs()].filter(([, size]) => size > BATCH_MAX_BYTES).map(([hash]) => hash)
    expect(streamed.length).toBeGreaterThan(0)
    // Job 1's runner again: with a healthy server, go would compile nothing.
    const job = await faultJob('stream-reset', 'midstream', { blobs: streamed, cut: 'stream', machine: first })
    expectSuccess(job)
    expect(Object.keys(server.faulted())).toEqual(['ByteStream/Read'])
    expect(remoteFigure(job, 'errors')).toBeGreaterThanOrEqual(1)
    const error = summaryRow(job, 'First remote error')
    expect(error).toMatch(/ByteStream\.Read [0-9a-f]{12}…: INTERNAL/)
    expect(streamed.some((hash) => error.includes(hash.slice(0, 12)))).toBe(true)
    // What arrived before the reset was not taken for an object (nothing rejected, nothing corrupt in the build).
    expect(summaryRow(job, 'Remote lookups')).not.toMatch(/rejected/)
    const compiled = compiledPackages(await file(job, 'build-x.txt'))
    expect(compiled.length).toBeGreaterThanOrEqual(1)
    expect(compiled.length).toBeLessThanOrEqual(2 * streamed.length)
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
  }, 600_000)

  it('blobs served with bytes that are not their digest are rejected, and go rebuilds those packages only', async () => {
    // The largest blob (read by BatchReadBlobs or ByteStream) and the largest one small enough to come inlined in GetActionResult.
    const blobs = [...server.blobs()].sort((a, b) => b[1] - a[1])
    const largest = blobs[0]![0]
    const inlined = blobs.find(([, size]) => size <= 1024 * 1024)![0]
    // Job 1's runner again: with a healthy server, go would compile nothing.
    const job = await faultJob('wrong-digest', 'wrongDigest', { blobs: [largest, inlined], machine: first })
    expectSuccess(job)
    const served = server.faulted()
    expect(served['ActionCache/GetActionResult']).toBeGreaterThan(0)
    expect((served['ContentAddressableStorage/BatchReadBlobs'] ?? 0) + (served['ByteStream/Read'] ?? 0)).toBeGreaterThan(0)
    const rejected = /\| Remote lookups \|.* (\d+) rejected \(digest or format\)/.exec(summaryRow(job, 'Remote lookups'))
    expect(Number(rejected?.[1])).toBeGreaterThanOrEqual(2)
    expect(summaryRow(job, 'First remote error')).toMatch(new RegExp(`rejected blob (${largest}|${inlined}): its sha256 is [0-9a-f]{64}`))
    // The packages whose objects were refused were compiled again (one object can answer a package's build and its test variant); the rest came from the server.
    const compiled = compiledPackages(await file(job, 'build-x.txt'))
    expect(compiled.length).toBeGreaterThanOrEqual(1)
    expect(compiled.length).toBeLessThanOrEqual(4)
    expect(remoteFigure(job, 'hits')).toBeGreaterThan(100)
    expect(remoteFigure(job, 'errors')).toBe(0)
  }, 600_000)
})

describe('a REAPI server without the Capabilities service', () => {
  it('is asked once, and served with the defaults: blobs plain, batches under 4 MiB', async () => {
    const bare = await startHostileServer({ capabilities: false })
    const client = new ReapiRemote({ kind: 'grpc', url: bare.url, instance: '', headers: {}, timeoutMs: 10_000, compression: 'zstd' })
    try {
      for (const size of [10, 70_000, BATCH_MAX_BYTES + 1]) {
        const blob = Buffer.alloc(size, `bare ${size}`)
        const hash = createHash('sha256').update(blob).digest('hex')
        await client.putBlob(hash, blob)
        const chunks: Buffer[] = []
        for await (const chunk of (await client.getBlob(hash, size))!) chunks.push(chunk as Buffer)
        expect(Buffer.concat(chunks).equals(blob)).toBe(true)
      }
      // GetCapabilities once (UNIMPLEMENTED, kept as the answer), then per blob its calls: 2 Batch pairs,
      // FindMissingBlobs + ByteStream.Write + ByteStream.Read for the large one.
      expect(client.wire.requests).toBe(1 + 4 + 3)
      expect(bare.calls()['ContentAddressableStorage/BatchUpdateBlobs']).toBe(2)
      expect(bare.calls()['ByteStream/Write']).toBe(1)
      // No zstd without capabilities saying so: the blobs went up whole.
      expect(client.wire.sent).toBeGreaterThanOrEqual(10 + 70_000 + BATCH_MAX_BYTES + 1)
    } finally {
      client.close()
      await bare.stop()
    }
  })
})
