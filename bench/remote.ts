/**
 * The remote cache against a real bazel-remote on loopback, side by side with
 * native GOCACHE, in one run.
 *
 *   cold         `go build -o OUT/ ./...`, empty GOCACHE (native) / empty store and
 *                empty server (ours: job 1, which also uploads in the background)
 *   flush        ours: the post step's flush after that cold build (uploads still
 *                queued when go exited), timed from the `flush` request to its answer
 *   warm native  a fresh -o with a warm GOCACHE: what a runner that kept GOCACHE does
 *   warm remote  a fresh runner: empty local store, new daemon, everything from the
 *                server, then link: with the job manifest job 1 left (prefetch), zstd
 *                and plain transfer; and without a manifest (each lookup on demand)
 * Warm rounds interleave the three variants, order rotating. Bytes on the wire
 * are the bodies as sent and received (the daemon's counters).
 *
 *   node bench/remote.ts [--module DIR] [--cold-rounds N] [--warm-rounds N] [--json FILE]
 *
 * Needs dist/ (node scripts/package.mjs) and bazel-remote (bash scripts/install-bazel-remote.sh).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { startBazelRemote, type BazelRemote } from '../__tests__/support/bazel-remote/index.ts'
import { cacheProgCommand, findShim } from '../src/buildcache/client-install.ts'
import { controlRequest, waitForDaemon } from '../src/daemon/control.ts'
import { fetchWaitMs } from '../src/buildcache/client-daemon.ts'
import type { RemoteStats } from '../src/store/remote-tier.ts'
import { authorizationHeader, encodeRemoteSettings, manifestKey, remoteSettings, type Compression } from '../src/remote/config.ts'
import { TRUSTED_SCOPE } from '../src/policy/write-policy.ts'
import { REMOTE_ENV, SHIM_ENV } from '../src/common/env.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const distClient = path.join(root, 'dist', 'client')
const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: path.join(root, 'bench', 'fixtures', 'large-module') },
    'cold-rounds': { type: 'string', default: '1' },
    'warm-rounds': { type: 'string', default: '3' },
    json: { type: 'string' },
  },
})
const coldRounds = Number(args['cold-rounds'])
const warmRounds = Number(args['warm-rounds'])
if (!existsSync(path.join(distClient, 'index.js'))) throw new Error('dist/client/index.js is missing: run node scripts/package.mjs')
const log = (m: string): void => void process.stderr.write(`[bench] ${m}\n`)

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-remote-'))
const src = path.join(tmp, 'src')
await cp(path.resolve(args.module!), src, { recursive: true })
const client = path.join(tmp, 'client', 'index.js')
await cp(distClient, path.dirname(client), { recursive: true })
const modCache = (await execFileP('go', ['env', 'GOMODCACHE'])).stdout.trim()
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

interface Client {
  env: Record<string, string>
  socket: string
  stop(): Promise<void>
}

/** The daemon and GOCACHEPROG as buildcache/setup.ts makes them with a cache-url. */
/** One job's manifest key, as the action derives it (remote/config.ts manifestKey). */
const MANIFEST_KEY = manifestKey({ repository: 'bench/large-module', workflow: 'bench', job: 'build', hostOS: 'linux', hostArch: 'amd64', goVersion: 'bench' })

async function startClient(dir: string, server: BazelRemote, compression: Compression, manifest = true): Promise<Client> {
  const store = path.join(dir, 'store')
  const socket = path.join(dir, 'd.sock')
  await mkdir(store, { recursive: true })
  const settings = remoteSettings(
    { kind: 'http', url: server.httpUrl, headers: { Authorization: authorizationHeader(server.credentials, 'credentials') }, timeoutMs: 10_000, compression },
    { read: [TRUSTED_SCOPE], write: TRUSTED_SCOPE },
    manifest ? MANIFEST_KEY : undefined,
  )
  const daemon = spawn(process.execPath, [client, 'daemon', '--store', store, '--socket', socket, '--log', path.join(dir, 'daemon.log')], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [REMOTE_ENV]: encodeRemoteSettings(settings) },
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

interface Sample {
  name: 'cold native' | 'cold ours (job 1)' | 'flush' | 'warm native' | 'warm remote, zstd' | 'warm remote, plain' | 'warm remote, zstd, on demand'
  prefetched?: number
  ms: number
  wireReceived?: number
  wireSent?: number
  hits?: number
  uploads?: number
  unsent?: number
  /** Object bytes uploaded, before compression (what plain transfer would send). */
  bytesUp?: number
}
const samples: Sample[] = []
const servers: BazelRemote[] = []
try {
  log(`${(await execFileP('go', ['env', 'GOVERSION'])).stdout.trim()}, ${os.cpus().length} cores; ${args.module}; tmp ${tmp}`)
  const prep = { GOCACHE: path.join(tmp, 'gocache-prep'), GOPROXY: process.env.GOPROXY || 'https://proxy.golang.org,direct' }
  await execFileP('go', ['mod', 'download'], { cwd: src, env: { ...baseEnv, ...prep } })
  await execFileP('go', ['list', '-deps', './...'], { cwd: src, env: { ...baseEnv, ...prep }, maxBuffer: 64 << 20 })
  await rm(prep.GOCACHE, { recursive: true, force: true })

  let server: BazelRemote | undefined
  const nativeCache = path.join(tmp, 'native-gocache')
  for (let round = 1; round <= coldRounds; round++) {
    await rm(nativeCache, { recursive: true, force: true })
    if (server) await server.stop()
    server = await startBazelRemote({ htpasswd: { user: 'bench', password: 'bench-pw' }, dir: path.join(tmp, `bazel-remote-${round}`) })
    servers.push(server)
    const ours = async () => {
      const c = await startClient(path.join(tmp, `job1-${round}`), server!, 'zstd')
      const ms = await goBuild(path.join(tmp, `out-job1-${round}`), c.env)
      samples.push({ name: 'cold ours (job 1)', ms })
      const t0 = performance.now()
      const reply = await controlRequest(c.socket, { op: 'flush', uploadDeadlineMs: 600_000 }, 900_000)
      if (!reply.ok || !reply.remote) throw new Error(`flush: ${JSON.stringify(reply)}`)
      samples.push({
        name: 'flush',
        ms: performance.now() - t0,
        wireSent: reply.remote.wireSent,
        bytesUp: reply.remote.bytesUp,
        uploads: reply.remote.uploads,
        unsent: reply.remote.unsent,
      })
      await c.stop()
      log(`round ${round}: cold ours ${s(ms)}, flush ${s(samples.at(-1)!.ms)} (${reply.remote.uploads} uploads, ${reply.remote.unsent} unsent)`)
    }
    const native = async () => {
      const ms = await goBuild(path.join(tmp, `out-native-${round}`), { GOCACHE: nativeCache })
      samples.push({ name: 'cold native', ms })
      log(`round ${round}: cold native ${s(ms)}`)
    }
    for (const run of round % 2 === 1 ? [native, ours] : [ours, native]) await run()
  }

  const variants = {
    'warm native': async (round: number) => {
      const out = path.join(tmp, `warm-native-${round}`)
      samples.push({ name: 'warm native', ms: await goBuild(out, { GOCACHE: nativeCache }) })
      await rm(out, { recursive: true, force: true })
    },
    'warm remote, zstd': (round: number) => warmRemote(round, 'warm remote, zstd', 'zstd', true),
    'warm remote, plain': (round: number) => warmRemote(round, 'warm remote, plain', 'none', true),
    'warm remote, zstd, on demand': (round: number) => warmRemote(round, 'warm remote, zstd, on demand', 'zstd', false),
  }
  async function warmRemote(round: number, name: Sample['name'], compression: Compression, manifest: boolean): Promise<void> {
    const dir = path.join(tmp, `warm-${compression}-${manifest}-${round}`)
    const c = await startClient(dir, server!, compression, manifest)
    const ms = await goBuild(path.join(dir, 'out'), c.env)
    const r = await remoteStats(c)
    await c.stop()
    samples.push({ name, ms, wireReceived: r.wireReceived, wireSent: r.wireSent, hits: r.hits, prefetched: r.prefetched })
    if (r.errors + r.rejected > 0) throw new Error(`remote errors during a warm build: ${JSON.stringify(r)}`)
    await execFileP('chmod', ['-R', 'u+w', dir]).catch(() => undefined)
    await rm(dir, { recursive: true, force: true })
  }
  const names = Object.keys(variants) as (keyof typeof variants)[]
  for (let round = 1; round <= warmRounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]!)
    for (const name of order) await variants[name](round)
    log(
      `warm round ${round}: ${samples
        .slice(-names.length)
        .map((x) => `${x.name} ${s(x.ms)}`)
        .join(', ')}`,
    )
  }
  console.log(report())
  if (args.json) await writeFile(args.json, JSON.stringify({ samples }, null, 2))
} finally {
  for (const server of servers) await server.stop()
  await execFileP('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  await rm(tmp, { recursive: true, force: true })
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`
}
function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}

function report(): string {
  const med = (name: Sample['name'], f: (x: Sample) => number = (x) => x.ms) => median(samples.filter((x) => x.name === name).map(f))
  const coldNative = med('cold native')
  const warmNative = med('warm native')
  const zstd = med('warm remote, zstd')
  const plain = med('warm remote, plain')
  const onDemand = med('warm remote, zstd, on demand')
  const mark = (ratio: number, limit: number) => `${ratio.toFixed(2)}× (target ≤ ${limit}×: ${ratio <= limit ? 'met' : '**missed**'})`
  return [
    `Module \`${path.relative(root, path.resolve(args.module!))}\`, ${os.cpus().length} cores, bazel-remote on loopback (htpasswd, --storage_mode zstd). Medians of ${coldRounds} cold and ${warmRounds} warm rounds, interleaved.`,
    '',
    '| measure | time | ratio |',
    '| --- | ---: | --- |',
    `| cold build, native GOCACHE | ${s(coldNative)} | |`,
    `| cold build, ours with the remote (job 1, uploading) | ${s(med('cold ours (job 1)'))} | ${(med('cold ours (job 1)') / coldNative).toFixed(2)}× native cold |`,
    `| upload flush after it (post step) | ${s(med('flush'))} | ${med('flush', (x) => x.uploads ?? 0)} entries uploaded, ${med('flush', (x) => x.unsent ?? 0)} unsent |`,
    `| warm build, native GOCACHE (fresh -o) | ${s(warmNative)} | |`,
    `| warm build from the remote, empty local store, prefetch, zstd | ${s(zstd)} | ${mark(zstd / warmNative, 1.5)} native warm; ${mark(zstd / coldNative, 0.4)} native cold |`,
    `| warm build from the remote, empty local store, prefetch, plain | ${s(plain)} | ${mark(plain / warmNative, 1.5)} native warm; ${mark(plain / coldNative, 0.4)} native cold |`,
    `| warm build from the remote, empty local store, no manifest (on demand), zstd | ${s(onDemand)} | ${(onDemand / warmNative).toFixed(2)}× native warm; ${(onDemand / coldNative).toFixed(2)}× native cold |`,
    '',
    '| bytes on the wire (bodies) | zstd | plain | zstd/plain |',
    '| --- | ---: | ---: | ---: |',
    `| warm build, received | ${mib(med('warm remote, zstd', (x) => x.wireReceived!))} | ${mib(med('warm remote, plain', (x) => x.wireReceived!))} | ${(med('warm remote, zstd', (x) => x.wireReceived!) / med('warm remote, plain', (x) => x.wireReceived!)).toFixed(2)} |`,
    `| job 1 uploads, sent | ${mib(med('flush', (x) => x.wireSent!))} | ${mib(med('flush', (x) => x.bytesUp!))} (the objects' size: what plain would send) | ${(med('flush', (x) => x.wireSent!) / med('flush', (x) => x.bytesUp!)).toFixed(2)} |`,
    '',
    `Hits from the remote per warm build: ${med('warm remote, zstd', (x) => x.hits!)} (prefetched: ${med('warm remote, zstd', (x) => x.prefetched!)}); on demand only: ${med('warm remote, zstd, on demand', (x) => x.hits!)}.`,
    `Load average at the end: ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(', ')} (the machine is shared).`,
  ].join('\n')
}
