/**
 * The remote caches on loopback, side by side in one run: bazel-remote over
 * HTTP and over REAPI gRPC (two servers, each filled by its own job 1), and an
 * S3 bucket (versitygw), against native GOCACHE, and against go-cache-plugin
 * (tailscale's Go-written S3 GOCACHEPROG client: the anchor) reading the same
 * bucket in the same layout.
 *
 *   cold   `go build -o OUT/ ./...` with nothing cached: native GOCACHE; ours
 *          with bazel-remote (HTTP, then gRPC), and ours with S3 (job 1 of each, uploading in the
 *          background as go runs), each followed by the post step's flush,
 *          timed from the `flush` request to its answer
 *   warm   a fresh runner (empty GOCACHE, empty local store, a new daemon, a
 *          fresh -o), everything from the server:
 *            native            a warm GOCACHE (what a runner that kept it does)
 *            bazel-remote      ours, with job 1's manifest (prefetch), zstd
 *            bazel-remote, gRPC  the same over REAPI gRPC (reapi.ts)
 *            s3                ours, with job 1's manifest (prefetch)
 *            s3, on demand     ours, no manifest: each lookup when go asks
 *            go-cache-plugin   v0.1.1, an empty --cache-dir, the bucket ours filled
 *
 * Warm arms run in Williams order (bench/report.ts), so each precedes and
 * follows each other equally often. Every run records the 1-minute load
 * average before it; ours also its requests and bytes on the wire (the
 * daemon's counters). Reported: medians with min–max.
 *
 *   node bench/remote.ts [--module DIR] [--cold-rounds N] [--warm-rounds N] [--s3-latency-ms N]
 *                        [--daemon-cpu-prof DIR] [--json FILE]
 *
 * --s3-latency-ms puts a proxy on loopback between both S3 clients and the
 * server that holds each chunk of its answers N ms (support/bazel-remote/faulty.ts
 * startSlowProxy): a request's round trip to S3 rather than to loopback.
 *
 * Needs dist/ (node scripts/package.mjs), bazel-remote (bash
 * scripts/install-bazel-remote.sh) and versitygw with go-cache-plugin (bash
 * scripts/install-s3-tools.sh).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { startBazelRemote, type BazelRemote } from '../__tests__/support/bazel-remote/index.ts'
import { type FaultyServer, startSlowProxy } from '../__tests__/support/bazel-remote/faulty.ts'
import { S3_ACCESS_KEY, S3_SECRET_KEY, type S3Server, s3Tool, startS3Server } from '../__tests__/support/s3/versitygw.ts'
import { cacheProgCommand, findShim } from '../src/buildcache/client-install.ts'
import { controlRequest, waitForDaemon } from '../src/daemon/control.ts'
import { fetchWaitMs } from '../src/buildcache/client-daemon.ts'
import type { RemoteStats } from '../src/store/remote-tier.ts'
import { authorizationHeader, encodeRemoteSettings, manifestKey, type RemoteConfig, remoteSettings } from '../src/remote/config.ts'
import { TRUSTED_SCOPE } from '../src/policy/write-policy.ts'
import { REMOTE_ENV, SHIM_ENV } from '../src/common/env.ts'
import { summarizeProfiles } from './cpuprofile.ts'
import { load1, median, positiveInt, wipe, williams } from './report.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const distClient = path.join(root, 'dist', 'client')
const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: path.join(root, 'bench', 'fixtures', 'large-module') },
    'cold-rounds': { type: 'string', default: '1' },
    'warm-rounds': { type: 'string', default: '6' },
    's3-latency-ms': { type: 'string', default: '0' },
    json: { type: 'string' },
    'daemon-cpu-prof': { type: 'string' },
  },
})
const coldRounds = positiveInt(args['cold-rounds'], '--cold-rounds')
const warmRounds = positiveInt(args['warm-rounds'], '--warm-rounds')
/** Held before each chunk of the S3 server's answers (a proxy on loopback): S3's 10–20 ms a request, for both S3 clients alike. */
const s3LatencyMs = Number(args['s3-latency-ms'])
if (!Number.isInteger(s3LatencyMs) || s3LatencyMs < 0) throw new Error('--s3-latency-ms must be a whole number of milliseconds')
if (!existsSync(path.join(distClient, 'index.js'))) throw new Error('dist/client/index.js is missing: run node scripts/package.mjs')
const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`)

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-remote-'))
const src = path.join(tmp, 'src')
await cp(path.resolve(args.module!), src, { recursive: true })
const client = path.join(tmp, 'client', 'index.js')
await cp(distClient, path.dirname(client), { recursive: true })
const modCache = (await execFileP('go', ['env', 'GOMODCACHE'])).stdout.trim()
const aws = { AWS_ACCESS_KEY_ID: S3_ACCESS_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET_KEY, AWS_REGION: 'us-east-1' }
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: path.join(tmp, 'home'),
  GOENV: 'off',
  GOMODCACHE: modCache,
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-buildvcs=false',
  GOPROXY: 'off',
}
await mkdir(baseEnv.HOME!, { recursive: true })

async function goBuild(out: string, env: Record<string, string>): Promise<number> {
  const t0 = performance.now()
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['build', '-o', `${out}/`, './...'], { cwd: src, env: { ...baseEnv, ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-10_000)))
    child.once('error', reject)
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`go build failed (${code}):\n${err}`))))
  })
  return performance.now() - t0
}

type Remote = 'bazel-remote' | 'grpc' | 's3'

interface Client {
  env: Record<string, string>
  socket: string
  stop(): Promise<void>
}

/** One job's manifest key, as the action derives it (remote/config.ts manifestKey). */
const MANIFEST_KEY = manifestKey({ repository: 'bench/large-module', workflow: 'bench', job: 'build', hostOS: 'linux', hostArch: 'amd64', goVersion: 'bench' })

let bazel: BazelRemote | undefined
let bazelGrpc: BazelRemote | undefined
let s3: S3Server | undefined
let s3Link: FaultyServer | undefined
const s3Endpoint = (): string => s3Link?.url ?? s3!.endpoint
const S3_PREFIX = 'ci'

function remoteConfig(remote: Remote): RemoteConfig {
  if (remote === 'bazel-remote') {
    return {
      kind: 'http',
      url: bazel!.httpUrl,
      headers: { Authorization: authorizationHeader(bazel!.credentials, 'credentials') },
      timeoutMs: 10_000,
      compression: 'zstd',
    }
  }
  if (remote === 'grpc') {
    return {
      kind: 'grpc',
      url: bazelGrpc!.grpcAddress,
      instance: '',
      headers: { Authorization: authorizationHeader(bazelGrpc!.credentials, 'credentials') },
      timeoutMs: 10_000,
      compression: 'zstd',
    }
  }
  return {
    kind: 's3',
    url: `s3://bench/${S3_PREFIX}`,
    bucket: 'bench',
    prefix: S3_PREFIX,
    region: 'us-east-1',
    endpoint: s3Endpoint(),
    pathStyle: true,
    timeoutMs: 10_000,
  }
}

/** The daemon and GOCACHEPROG as buildcache/setup.ts makes them with a cache-url. */
async function startClient(dir: string, remote: Remote, manifest = true): Promise<Client> {
  const store = path.join(dir, 'store')
  const socket = path.join(dir, 'd.sock')
  await mkdir(store, { recursive: true })
  const settings = remoteSettings(remoteConfig(remote), { read: [TRUSTED_SCOPE], write: TRUSTED_SCOPE }, manifest ? MANIFEST_KEY : undefined)
  // --daemon-cpu-prof DIR: each daemon's V8 profile in DIR/<its directory>, summed by function after the run.
  const profile = args['daemon-cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.join(path.resolve(args['daemon-cpu-prof']), path.basename(dir))}`] : []
  const daemon = spawn(process.execPath, [...profile, client, 'daemon', '--store', store, '--socket', socket, '--log', path.join(dir, 'daemon.log')], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ...aws, [REMOTE_ENV]: encodeRemoteSettings(settings) },
  })
  daemon.unref()
  if (!(await waitForDaemon(socket, 10_000))) throw new Error('the daemon did not start')
  const shim = process.env[SHIM_ENV] === 'node' ? undefined : findShim(client)
  return {
    env: {
      GOCACHE: path.join(dir, 'gocache'),
      // The compiled shim where dist ships one, as startClientDaemon picks it (D28).
      GOCACHEPROG: cacheProgCommand({ node: process.execPath, client, ...(shim && { shim }), store, socket, remoteWaitMs: fetchWaitMs(settings.config) }),
    },
    socket,
    stop: async () => void (await controlRequest(socket, { op: 'stop' }, 5000).catch(() => undefined)),
  }
}

async function remoteStats(c: Client): Promise<RemoteStats> {
  const reply = await controlRequest(c.socket, { op: 'stats' }, 60_000)
  if (!reply.ok || !reply.remote) throw new Error(`stats: ${JSON.stringify(reply)}`)
  return reply.remote
}

const ARMS = ['native', 'bazel-remote', 'bazel-remote, gRPC', 's3', 's3, on demand', 'go-cache-plugin'] as const
type Arm = (typeof ARMS)[number]

interface Sample {
  phase: 'cold' | 'flush' | 'warm'
  arm: Arm
  ms: number
  load: number
  requests?: number
  received?: number
  sent?: number
  hits?: number
  prefetched?: number
  uploads?: number
  unsent?: number
}
const samples: Sample[] = []
try {
  log(`${(await execFileP('go', ['env', 'GOVERSION'])).stdout.trim()}, ${os.cpus().length} cores; ${args.module}; tmp ${tmp}`)
  const prep = { GOCACHE: path.join(tmp, 'gocache-prep'), GOPROXY: process.env.GOPROXY || 'https://proxy.golang.org,direct' }
  await execFileP('go', ['mod', 'download'], { cwd: src, env: { ...baseEnv, ...prep } })
  await execFileP('go', ['list', '-deps', './...'], { cwd: src, env: { ...baseEnv, ...prep }, maxBuffer: 64 << 20 })
  await rm(prep.GOCACHE, { recursive: true, force: true })
  const plugin = s3Tool('go-cache-plugin')

  const nativeCache = path.join(tmp, 'native-gocache')
  for (let round = 1; round <= coldRounds; round++) {
    await wipe(nativeCache)
    await bazel?.stop()
    await bazelGrpc?.stop()
    await s3?.stop()
    await s3Link?.stop()
    bazel = await startBazelRemote({ htpasswd: { user: 'bench', password: 'bench-pw' }, dir: path.join(tmp, `bazel-remote-${round}`) })
    bazelGrpc = await startBazelRemote({ grpc: true, htpasswd: { user: 'bench', password: 'bench-pw' }, dir: path.join(tmp, `bazel-remote-grpc-${round}`) })
    s3 = await startS3Server(['bench'], path.join(tmp, `s3-${round}`))
    s3Link = s3LatencyMs > 0 ? await startSlowProxy(Number(new URL(s3.endpoint).port), s3LatencyMs) : undefined
    const ours = (remote: Remote, arm: Arm) => async () => {
      const load = await load1()
      const c = await startClient(path.join(tmp, `job1-${remote}-${round}`), remote)
      const ms = await goBuild(path.join(tmp, `out-job1-${remote}-${round}`), c.env)
      samples.push({ phase: 'cold', arm, ms, load })
      const t0 = performance.now()
      const reply = await controlRequest(c.socket, { op: 'flush', uploadDeadlineMs: 600_000 }, 900_000)
      if (!reply.ok || !reply.remote) throw new Error(`flush: ${JSON.stringify(reply)}`)
      const r = reply.remote
      samples.push({ phase: 'flush', arm, ms: performance.now() - t0, load, requests: r.wireRequests, sent: r.wireSent, uploads: r.uploads, unsent: r.unsent })
      await c.stop()
      log(
        `cold round ${round}: ours, ${remote}: ${s(ms)}, flush ${s(samples.at(-1)!.ms)} (${r.uploads} uploads, ${r.unsent} unsent, ${r.wireRequests} requests)`,
      )
    }
    const native = async () => {
      const load = await load1()
      const ms = await goBuild(path.join(tmp, `out-native-${round}`), { GOCACHE: nativeCache })
      samples.push({ phase: 'cold', arm: 'native', ms, load })
      log(`cold round ${round}: native ${s(ms)}`)
    }
    const cold = [native, ours('bazel-remote', 'bazel-remote'), ours('grpc', 'bazel-remote, gRPC'), ours('s3', 's3')]
    const coldOrders = williams(cold)
    for (const run of coldOrders[(round - 1) % coldOrders.length]!) await run()
  }

  const warm: Record<Arm, (dir: string) => Promise<Omit<Sample, 'phase' | 'arm' | 'load'>>> = {
    native: async (dir) => ({ ms: await goBuild(path.join(dir, 'out'), { GOCACHE: nativeCache }) }),
    'bazel-remote': (dir) => warmOurs(dir, 'bazel-remote', true),
    'bazel-remote, gRPC': (dir) => warmOurs(dir, 'grpc', true),
    s3: (dir) => warmOurs(dir, 's3', true),
    's3, on demand': (dir) => warmOurs(dir, 's3', false),
    'go-cache-plugin': async (dir) => {
      const command = [
        plugin,
        `--cache-dir=${path.join(dir, 'plugin')}`,
        '--bucket=bench',
        '--region=us-east-1',
        `--s3-endpoint-url=${s3Endpoint()}`,
        '--s3-path-style',
        `--prefix=${S3_PREFIX}`,
      ].join(' ')
      return { ms: await goBuild(path.join(dir, 'out'), { ...aws, GOCACHE: path.join(dir, 'gocache'), GOCACHEPROG: command }) }
    },
  }
  async function warmOurs(dir: string, remote: Remote, manifest: boolean): Promise<Omit<Sample, 'phase' | 'arm' | 'load'>> {
    const c = await startClient(dir, remote, manifest)
    const ms = await goBuild(path.join(dir, 'out'), c.env)
    const r = await remoteStats(c)
    await c.stop()
    if (r.errors + r.rejected > 0) throw new Error(`remote errors during a warm build: ${JSON.stringify(r)}`)
    return { ms, requests: r.wireRequests, received: r.wireReceived, sent: r.wireSent, hits: r.hits, prefetched: r.prefetched }
  }
  const orders = williams(ARMS)
  for (let round = 1; round <= warmRounds; round++) {
    const line: string[] = []
    for (const arm of orders[(round - 1) % orders.length]!) {
      const dir = path.join(tmp, 'warm', arm.replace(/\W+/g, '-'))
      await wipe(dir)
      const load = await load1()
      const sample = { phase: 'warm' as const, arm, load, ...(await warm[arm](dir)) }
      samples.push(sample)
      line.push(`${arm} ${s(sample.ms)}${sample.requests === undefined ? '' : ` (${sample.requests} req)`}`)
      await wipe(dir)
    }
    log(`warm round ${round}: ${line.join(', ')}`)
  }
  console.log(report())
  if (args['daemon-cpu-prof']) {
    const profiles = path.resolve(args['daemon-cpu-prof'])
    for (const daemonDir of await readdir(profiles)) {
      const sum = await summarizeProfiles(path.join(profiles, daemonDir), 12)
      const top = sum.top.map((f) => `${f.name} ${Math.round(f.selfMs)} ms`).join('; ')
      console.log(`\nDaemon ${daemonDir}: busy ${Math.round(sum.busyMs)} of ${Math.round(sum.totalMs)} ms; self time: ${top}`)
    }
  }
  if (args.json) await writeFile(args.json, JSON.stringify({ samples }, null, 2))
} finally {
  await bazel?.stop()
  await bazelGrpc?.stop()
  await s3?.stop()
  await s3Link?.stop()
  await execFileP('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  await rm(tmp, { recursive: true, force: true })
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}

function report(): string {
  const of = (phase: Sample['phase'], arm: Arm) => samples.filter((x) => x.phase === phase && x.arm === arm)
  const med = (phase: Sample['phase'], arm: Arm, f: (x: Sample) => number = (x) => x.ms) => median(of(phase, arm).map(f))
  /** "median (min–max)" of a figure. */
  const range = (phase: Sample['phase'], arm: Arm, f: (x: Sample) => number, unit: (n: number) => string) => {
    const xs = of(phase, arm).map(f)
    return `${unit(median(xs))} (${unit(Math.min(...xs))}–${unit(Math.max(...xs))})`
  }
  const time = (phase: Sample['phase'], arm: Arm) => range(phase, arm, (x) => x.ms, s)
  const count = (phase: Sample['phase'], arm: Arm, f: (x: Sample) => number | undefined) =>
    of(phase, arm).every((x) => f(x) !== undefined) ? String(Math.round(med(phase, arm, (x) => f(x)!))) : '—'
  const mibs = (phase: Sample['phase'], arm: Arm, f: (x: Sample) => number | undefined) =>
    of(phase, arm).every((x) => f(x) !== undefined) ? `${(med(phase, arm, (x) => f(x)!) / 1024 ** 2).toFixed(1)} MiB` : '—'
  const coldNative = med('cold', 'native')
  const warmNative = med('warm', 'native')
  const loads = samples.map((x) => x.load)
  const rows = ARMS.map((arm) => {
    const m = med('warm', arm)
    return `| ${arm} | ${time('warm', arm)} | ${(m / warmNative).toFixed(2)}× | ${(m / coldNative).toFixed(2)}× | ${count('warm', arm, (x) => x.requests)} | ${mibs('warm', arm, (x) => x.received)} | ${count('warm', arm, (x) => x.hits)} |`
  })
  return [
    `Module \`${path.relative(root, path.resolve(args.module!))}\`, ${os.cpus().length} cores; bazel-remote (htpasswd, zstd storage; one server for HTTP, one for gRPC) and versitygw (S3, posix backend) on loopback${s3LatencyMs > 0 ? `, every S3 answer held ${s3LatencyMs} ms by a proxy` : ''}; ${coldRounds} cold and ${warmRounds} warm rounds, warm arms in Williams order. Medians (min–max).`,
    '',
    '| cold build | time | vs native | flush after it | requests (uploads) |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| native GOCACHE | ${time('cold', 'native')} | | | |`,
    ...(['bazel-remote', 'bazel-remote, gRPC', 's3'] as const).map(
      (arm) =>
        `| ours, ${arm} (job 1, uploading) | ${time('cold', arm)} | ${(med('cold', arm) / coldNative).toFixed(2)}× | ${time('flush', arm)} | ${count('flush', arm, (x) => x.requests)} (${count('flush', arm, (x) => x.uploads)} entries, ${count('flush', arm, (x) => x.unsent)} unsent; ${mibs('flush', arm, (x) => x.sent)} sent) |`,
    ),
    '',
    '| warm build on a fresh runner | time | vs native warm | vs native cold | requests | received | remote hits |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `Load average (1 min) before the runs: median ${median(loads).toFixed(1)}, ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (the machine is shared).`,
  ].join('\n')
}
