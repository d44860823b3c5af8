/**
 * The S3 remote (src/remote/s3.ts) against a real S3 server (versitygw) and
 * the real go-cache-plugin v0.1.1: the layout is the same byte for byte, both
 * ways; and the bundled action with an s3:// cache-url on fresh runners.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { cp, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { S3Remote, type S3Config } from '../../../src/remote/s3.ts'
import { GoCacheDir } from '../../../src/store/go-cache-dir.ts'
import { startSlowProxy } from '../../support/bazel-remote/faulty.ts'
import { freePort } from '../../support/bazel-remote/index.ts'
import { checkoutSample, type Machine, newMachine, REPO_ROOT, SAMPLE_MODULE, wipeHome } from '../../support/go-jobs.ts'
import { runJob, type JobResult, type StepSpec } from '../../support/runner/index.ts'
import { S3_ACCESS_KEY, S3_SECRET_KEY, type S3Server, s3Tool, startS3Server } from '../../support/s3/versitygw.ts'
import { compiledPackages, expectSuccess, prepareModCache } from '../client/helpers.ts'

const execFileP = promisify(execFile)
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const credentials = { accessKeyId: S3_ACCESS_KEY, secretAccessKey: S3_SECRET_KEY }

let root: string
let modCache: string
let server: S3Server
const config = (over: Partial<S3Config> = {}): S3Config => ({
  bucket: 'gocache',
  prefix: 'ci',
  region: 'us-east-1',
  endpoint: server.endpoint,
  pathStyle: true,
  timeoutMs: 10_000,
  ...over,
})

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 's3-remote-'))
  modCache = path.join(root, 'modcache')
  await prepareModCache(modCache)
  server = await startS3Server(['gocache'], path.join(root, 's3'))
}, 300_000)
afterAll(async () => {
  await server?.stop()
  await rm(root, { recursive: true, force: true })
})

const read = async (remote: S3Remote, hash: string, size: number) => Buffer.concat((await (await remote.getBlob(hash, size))!.toArray()) as Buffer[])

/** go in the sample module, with `env` on top; its stderr (for -x). */
async function goBuild(workspace: string, env: Record<string, string>, ...flags: string[]): Promise<string> {
  const { stderr } = await execFileP('go', ['build', ...flags, './...'], {
    cwd: workspace,
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', GOMODCACHE: modCache, GOPROXY: 'off', ...env },
    maxBuffer: 64 << 20,
  })
  return stderr
}
/** The packages `go build -x` compiled. */
const compiled = (xOutput: string) =>
  xOutput
    .split('\n')
    .filter((line) => /\/compile /.test(line))
    .map((line) => /-p (\S+)/.exec(line)?.[1])

describe('S3Remote against versitygw', () => {
  it('stores an entry as go-cache-plugin does, reads it back, and misses what is not there', async () => {
    const remote = new S3Remote(config(), credentials, 4)
    try {
      const body = Buffer.from('a compiled package')
      const actionId = sha(Buffer.from('an action'))
      expect(await remote.getEntry(actionId)).toBeUndefined()
      await remote.putBlob(sha(body), body)
      await remote.putEntry(actionId, { outputId: sha(body), size: body.length, timeMs: 1_765_000_000_123 })
      expect(await remote.getEntry(actionId)).toEqual({ outputId: sha(body), size: body.length, timeMs: 1_765_000_000_123 })
      expect((await read(remote, sha(body), body.length)).equals(body)).toBe(true)
      // The layout, byte for byte (go-cache-plugin lib/gobuild/gobuild.go).
      const action = await readFile(path.join(server.dir, 'gocache', 'ci', 'action', actionId.slice(0, 2), actionId), 'latin1')
      expect(action).toBe(`${sha(body)} 1765000000123000000`)
      expect((await readFile(path.join(server.dir, 'gocache', 'ci', 'output', sha(body).slice(0, 2), sha(body)))).equals(body)).toBe(true)
    } finally {
      remote.close()
    }
  })

  it('a missing bucket fails every request after one HEAD of it, instead of reading as misses', async () => {
    const remote = new S3Remote(config({ bucket: 'no-such-bucket' }), credentials, 2)
    try {
      const id = sha(Buffer.from('y'))
      await expect(remote.getEntry(id)).rejects.toThrow(/bucket no-such-bucket at 127\.0\.0\.1:\d+ does not exist \(HTTP 404\)/)
      await expect(remote.putBlob(id, Buffer.from('y'))).rejects.toThrow(/does not exist/)
      await expect(remote.getBlob(id, 1)).rejects.toThrow(/does not exist/)
      expect(remote.wire.requests).toBe(1)
    } finally {
      remote.close()
    }
  })

  it('a hit costs two requests with the body inline, three when the object is larger than asked for; the bucket is looked at once', async () => {
    const remote = new S3Remote(config(), credentials, 4)
    try {
      const body = Buffer.from('another compiled package')
      const actionId = sha(Buffer.from('another action'))
      await remote.putBlob(sha(body), body)
      await remote.putEntry(actionId, { outputId: sha(body), size: body.length, timeMs: 1_765_000_000_000 })
      expect(remote.wire.requests).toBe(3) // the bucket's HEAD, two PUTs
      const count = async (step: () => Promise<unknown>) => {
        const before = remote.wire.requests
        await step()
        return remote.wire.requests - before
      }
      // Inline: GET action, GET output, its body taken from that answer.
      expect(
        await count(async () => {
          const entry = await remote.getEntry(actionId, body.length)
          if (entry === undefined || entry instanceof Error || entry.body === undefined) throw new Error(`no inline body: ${String(entry)}`)
          expect(entry.size).toBe(body.length)
          expect(Buffer.concat((await entry.body.toArray()) as Buffer[]).equals(body)).toBe(true)
        }),
      ).toBe(2)
      // Larger than the caller takes inline: the size, no body; getBlob fetches it.
      expect(
        await count(async () => {
          const entry = await remote.getEntry(actionId, body.length - 1)
          if (entry === undefined || entry instanceof Error) throw new Error(String(entry))
          expect(entry).toEqual({ outputId: sha(body), size: body.length, timeMs: 1_765_000_000_000 })
          expect((await read(remote, entry.outputId, entry.size)).equals(body)).toBe(true)
        }),
      ).toBe(3)
      // Without inline: GET action, HEAD output (then getBlob when wanted).
      expect(await count(() => remote.getEntry(actionId))).toBe(2)
    } finally {
      remote.close()
    }
  })

  it('a bucket in another region (301 to its HEAD) fails every request with the region named; a 403 to it lets requests go on', async () => {
    // What versitygw cannot be told to do: a server answering the bucket's HEAD 301 or 403, and every GET 404.
    const seen: string[] = []
    const status = { head: 301 }
    const fake = http.createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`)
      response.writeHead(request.method === 'HEAD' ? status.head : 404).end()
    })
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve))
    const endpoint = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`
    try {
      const id = sha(Buffer.from('z'))
      const moved = new S3Remote(config({ endpoint, region: 'us-east-1' }), credentials, 2)
      await expect(moved.getEntry(id)).rejects.toThrow(/is in another region than us-east-1 \(HTTP 301\): set cache-region/)
      await expect(moved.getEntry(id)).rejects.toThrow(/HTTP 301/)
      moved.close()
      expect(seen).toEqual(['HEAD /gocache'])
      status.head = 403
      const unlisted = new S3Remote(config({ endpoint }), credentials, 2)
      expect(await unlisted.getEntry(id)).toBeUndefined()
      expect(await unlisted.getEntry(id)).toBeUndefined()
      unlisted.close()
      expect(seen.slice(1)).toEqual(['HEAD /gocache', `GET /gocache/ci/action/${id.slice(0, 2)}/${id}`, `GET /gocache/ci/action/${id.slice(0, 2)}/${id}`])
    } finally {
      await new Promise<void>((resolve) => fake.close(() => resolve()))
    }
  })

  it('wrong credentials are a 403 error, not a miss', async () => {
    const remote = new S3Remote(config(), { ...credentials, secretAccessKey: 'wrong' }, 2)
    try {
      await expect(remote.getEntry(sha(Buffer.from('x')))).rejects.toThrow(/HTTP 403[\s\S]*; check the AWS credentials/)
    } finally {
      remote.close()
    }
  })
})

describe('interop with go-cache-plugin v0.1.1', () => {
  const plugin = (cacheDir: string) =>
    [
      s3Tool('go-cache-plugin'),
      `--cache-dir=${cacheDir}`,
      '--bucket=interop',
      '--region=us-east-1',
      `--s3-endpoint-url=${server.endpoint}`,
      '--s3-path-style',
      '--prefix=team',
    ].join(' ')
  const awsEnv = { AWS_ACCESS_KEY_ID: S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY }

  it('what go-cache-plugin wrote, our remote reads: every action, with its object verified', async () => {
    await mkdir(path.join(server.dir, 'interop'), { recursive: true })
    const workspace = path.join(root, 'from-plugin')
    await cp(SAMPLE_MODULE, workspace, { recursive: true })
    await goBuild(workspace, { ...awsEnv, GOCACHE: path.join(root, 'from-plugin-gocache'), GOCACHEPROG: plugin(path.join(root, 'plugin-dir-1')) })
    const actionDir = path.join(server.dir, 'interop', 'team', 'action')
    const actionIds = (await Promise.all((await readdir(actionDir)).map((d) => readdir(path.join(actionDir, d))))).flat()
    expect(actionIds.length).toBeGreaterThan(50)
    const remote = new S3Remote(config({ bucket: 'interop', prefix: 'team' }), credentials, 8)
    try {
      for (const actionId of actionIds) {
        const entry = await remote.getEntry(actionId)
        expect(entry).toBeDefined()
        if (entry === undefined || entry instanceof Error) throw new Error(`${actionId}: ${String(entry)}`)
        expect(sha(await read(remote, entry.outputId, entry.size))).toBe(entry.outputId)
      }
    } finally {
      remote.close()
    }
  }, 300_000)

  it('what our remote wrote, go-cache-plugin serves: a fresh runner compiles nothing', async () => {
    await mkdir(path.join(server.dir, 'interop2'), { recursive: true })
    // Go's own cache, from a native build, uploaded entry by entry.
    const workspace = path.join(root, 'to-plugin')
    await cp(SAMPLE_MODULE, workspace, { recursive: true })
    const goCache = path.join(root, 'native-gocache')
    await goBuild(workspace, { GOCACHE: goCache })
    const entries = new GoCacheDir(goCache, Date.now()).touchedSince(0)
    expect(entries.length).toBeGreaterThan(50)
    const remote = new S3Remote(config({ bucket: 'interop2', prefix: 'team' }), credentials, 8)
    try {
      for (const e of entries) {
        await remote.putBlob(e.outputId, await readFile(path.join(goCache, e.outputId.slice(0, 2), `${e.outputId}-d`)))
        await remote.putEntry(e.actionId, e)
      }
    } finally {
      remote.close()
    }
    // The same checkout (a main package's action ID names its directory), with nothing local: a fresh runner.
    const bucketPlugin = plugin(path.join(root, 'plugin-dir-2')).replace('--bucket=interop', '--bucket=interop2')
    const x = await goBuild(workspace, { ...awsEnv, GOCACHE: path.join(root, 'fresh-gocache'), GOCACHEPROG: bucketPlugin }, '-x')
    expect(compiled(x)).toEqual([])
  }, 300_000)
})

describe('the action with an s3:// cache-url', () => {
  interface S3Job {
    bucket?: string
    endpoint?: string
    secret?: string
    with?: Record<string, string>
  }
  /** The action on `machine`, the AWS variables set for the job as aws-actions/configure-aws-credentials sets them. */
  const s3Job = (machine: Machine, steps: StepSpec[], opts: S3Job = {}) => {
    const secret = opts.secret ?? S3_SECRET_KEY
    return runJob({
      workspace: machine.workspace,
      env: {
        GOTOOLCHAIN: 'local',
        GOMODCACHE: modCache,
        GOPROXY: 'off',
        GOFLAGS: '',
        AWS_ACCESS_KEY_ID: S3_ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: secret,
        AWS_REGION: 'us-east-1',
      },
      runner: {
        home: machine.home,
        temp: path.join(path.dirname(machine.workspace), '..', 'runner-temp'),
        toolCache: path.join(path.dirname(machine.workspace), '..', 'tool-cache'),
      },
      // Masked, as aws-actions/configure-aws-credentials masks what it exports.
      secrets: { AWS_SECRET_ACCESS_KEY: secret },
      keepTemp: true,
      steps: [
        {
          id: 'cache',
          uses: REPO_ROOT,
          with: { 'module-cache': 'false', 'cache-url': `s3://${opts.bucket ?? 'jobs'}/ci`, 'cache-endpoint': opts.endpoint ?? server.endpoint, ...opts.with },
        },
        ...steps,
      ],
    })
  }
  const build: StepSpec = { id: 'build', run: 'go build -x -o bin/ ./... 2> build-x.txt && go test ./... && ./bin/sample --help > /dev/null' }
  const built = (job: JobResult) => readFile(path.join(job.paths.workspace, 'build-x.txt'), 'utf8')
  const figure = (job: JobResult, name: string) => Number(job.step('cache', 'post').outputs[`remote-cache-${name}`])
  const summaryRow = (job: JobResult, label: string): string => {
    const row = job.summary.split('\n').find((line) => line.startsWith(`| ${label} |`))
    if (row === undefined) throw new Error(`no "${label}" row in the summary:\n${job.summary}`)
    return row
  }
  const warnings = (job: JobResult) => job.annotations.filter((a) => a.level === 'warning').map((a) => a.message)
  /** A fresh runner with the sample checked out. */
  const freshMachine = async (name: string) => {
    const machine = await newMachine(path.join(root, name), 'runner')
    await checkoutSample(machine)
    return machine
  }
  /** What every job against a failing bucket shows: a green build of local work, the failures counted, a warning, and nothing unsent passed off as sent. */
  const expectFailedRemote = (job: JobResult) => {
    expectSuccess(job)
    expect(figure(job, 'hits')).toBe(0)
    expect(figure(job, 'errors')).toBeGreaterThanOrEqual(1)
    expect(figure(job, 'uploads')).toBe(0)
    expect(figure(job, 'unsent')).toBe(Number(job.step('cache', 'post').outputs['build-cache-puts']))
    expect(warnings(job).filter((w) => w.startsWith('Remote cache: '))).toHaveLength(1)
  }

  it('job 1 uploads into the bucket; job 2 on a fresh runner compiles nothing', async () => {
    await mkdir(path.join(server.dir, 'jobs'), { recursive: true })
    const machine = await newMachine(path.join(root, 'jobs'), 'runner')
    await checkoutSample(machine)
    const first = await s3Job(machine, [build])
    expectSuccess(first)
    expect(compiledPackages(await built(first)).length).toBeGreaterThan(10)
    expect(figure(first, 'uploads')).toBeGreaterThan(100)
    expect([figure(first, 'errors'), figure(first, 'unsent')]).toEqual([0, 0])
    for (const dir of ['home', 'runner-temp', 'tool-cache']) await rm(path.join(root, 'jobs', 'runner', dir), { recursive: true, force: true })
    await wipeHome(machine)
    const second = await s3Job(machine, [build])
    expectSuccess(second)
    expect(compiledPackages(await built(second))).toEqual([])
    expect(figure(second, 'hits')).toBeGreaterThan(100)
    expect(figure(second, 'errors')).toBe(0)
    expect(warnings(second)).toEqual([])
    // The secret is in no log line, and in no file the job wrote (the daemon's log, the state, the store).
    for (const step of second.steps) expect(step.log).not.toContain(S3_SECRET_KEY)
    const { stdout } = await execFileP('grep', ['-rlF', S3_SECRET_KEY, path.join(root, 'jobs', 'runner')]).catch((error: { code?: number; stdout?: string }) =>
      error.code === 1 ? { stdout: '' } : Promise.reject(error),
    )
    expect(stdout).toBe('')
  }, 600_000)

  it('a slow link (every answer held 50 ms): a fresh runner still gets everything from the bucket', async () => {
    const slow = await startSlowProxy(Number(new URL(server.endpoint).port), 50)
    try {
      const job = await s3Job(await freshMachine('slow-link'), [build], { endpoint: slow.url })
      expectSuccess(job)
      // Only the main package: its action ID names its directory, and this runner checked out elsewhere.
      expect(compiledPackages(await built(job))).toEqual(['main'])
      expect(figure(job, 'errors')).toBe(0)
      expect(figure(job, 'hits')).toBeGreaterThan(100)
      expect(summaryRow(job, 'On the wire')).toMatch(/^\| On the wire \| \d+ requests; /)
    } finally {
      await slow.stop()
    }
  }, 600_000)

  it('wrong credentials: 403s counted, the hint names the AWS credentials, the build succeeds', async () => {
    const job = await s3Job(await freshMachine('s3-403'), [build], { secret: 'not-the-secret-key' })
    expectFailedRemote(job)
    expect(summaryRow(job, 'First remote error')).toMatch(/HTTP 403.*check the AWS credentials/)
    expect(job.summary).not.toContain('cache-token')
    expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened \d+ times?|off for the rest of the job)/)
  }, 600_000)

  it('a missing bucket is an error named in the summary, not a job of misses', async () => {
    const job = await s3Job(await freshMachine('s3-no-bucket'), [build], { bucket: 'no-such-bucket' })
    expectFailedRemote(job)
    expect(summaryRow(job, 'First remote error')).toContain('bucket no-such-bucket at 127.0.0.1')
    expect(summaryRow(job, 'First remote error')).toContain('does not exist (HTTP 404): create it, or fix cache-url')
  }, 600_000)

  it('the server stopped (nothing listening): connections refused and counted, the build succeeds', async () => {
    const job = await s3Job(await freshMachine('s3-stopped'), [build], { endpoint: `http://127.0.0.1:${await freePort()}` })
    expectFailedRemote(job)
    expect(summaryRow(job, 'First remote error')).toContain('ECONNREFUSED')
    expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened \d+ times?|off for the rest of the job)/)
  }, 600_000)

  it('a server slower than cache-timeout: requests time out and are counted, the build succeeds', async () => {
    const slow = await startSlowProxy(Number(new URL(server.endpoint).port), 3000)
    try {
      const job = await s3Job(await freshMachine('s3-slow'), [build], { endpoint: slow.url, with: { 'cache-timeout': '1' } })
      expectFailedRemote(job)
      expect(slow.hits()).toBeGreaterThan(0)
      expect(summaryRow(job, 'First remote error')).toContain('no answer within 1000 ms')
      expect(summaryRow(job, 'Remote health')).toMatch(/^\| Remote health \| reads (circuit opened \d+ times?|off for the rest of the job)/)
    } finally {
      await slow.stop()
    }
  }, 600_000)
})
