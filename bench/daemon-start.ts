/**
 * The daemon's start-up with each kind of remote: from spawning the bundled
 * client (`dist/client`) as `daemon` to its first answer on the socket, the
 * way buildcache/client-daemon.ts waits for it. The gRPC remote loads its
 * runtime and generated code (a chunk of its own) before the daemon listens;
 * HTTP and S3 load none of it. No server is contacted at start: this times
 * only what loading costs. Arms interleaved (Williams order); medians (min–max).
 *
 *   node bench/daemon-start.ts [--rounds N]
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { controlRequest, waitForDaemon } from '../src/daemon/control.ts'
import { encodeRemoteSettings, type RemoteConfig, remoteSettings } from '../src/remote/config.ts'
import { TRUSTED_SCOPE } from '../src/policy/write-policy.ts'
import { REMOTE_ENV } from '../src/common/env.ts'
import { load1, median, positiveInt, williams } from './report.ts'

const root = path.resolve(import.meta.dirname, '..')
const client = path.join(root, 'dist', 'client', 'index.js')
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } })
const rounds = positiveInt(args.rounds, '--rounds')

const common = { headers: {}, timeoutMs: 10_000, compression: 'zstd' as const }
const ARMS: Record<string, RemoteConfig | undefined> = {
  'no remote': undefined,
  http: { kind: 'http', url: 'http://127.0.0.1:1', ...common },
  grpc: { kind: 'grpc', url: 'grpc://127.0.0.1:1', instance: '', ...common },
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-daemon-start-'))
const times: Record<string, number[]> = Object.fromEntries(Object.keys(ARMS).map((k) => [k, []]))
const loads: number[] = []
try {
  const orders = williams(Object.keys(ARMS))
  for (let round = 0; round < rounds; round++) {
    for (const arm of orders[round % orders.length]!) {
      const dir = path.join(tmp, `${arm.replace(/\W+/g, '-')}-${round}`)
      const socket = path.join(dir, 'd.sock')
      const config = ARMS[arm]
      const env = { ...process.env, ...(config && { [REMOTE_ENV]: encodeRemoteSettings(remoteSettings(config, { read: [TRUSTED_SCOPE] })) }) }
      loads.push(await load1())
      const t0 = performance.now()
      const daemon = spawn(process.execPath, [client, 'daemon', '--store', path.join(dir, 'store'), '--socket', socket], { stdio: 'ignore', env })
      if (!(await waitForDaemon(socket, 10_000))) throw new Error(`${arm}: the daemon did not start`)
      times[arm]!.push(performance.now() - t0)
      await controlRequest(socket, { op: 'stop' }, 5000).catch(() => undefined)
      await new Promise((resolve) => daemon.once('exit', resolve))
    }
  }
  const dist = path.join(root, 'dist', 'client')
  const chunks = (await readdir(dist)).filter((f) => /^\d+\.bundle\.js$/.test(f))
  const sizes = await Promise.all(
    ['bundle.js', ...chunks].map(
      async (f) =>
        `${f} ${((await stat(path.join(dist, f))).size / 1024).toFixed(0)} KiB${(await readFile(path.join(dist, f), 'utf8')).match(/createGrpcTransport|file_build_bazel_remote_execution/) ? ', loaded for gRPC only' : ''}`,
    ),
  )
  const base = median(times['no remote']!)
  console.log(`Daemon start-up, spawn to first answer, ${rounds} rounds, ${os.cpus().length} cores. Medians (min–max).\n`)
  console.log('| remote | start-up | over no remote |\n| --- | ---: | ---: |')
  for (const [arm, xs] of Object.entries(times)) {
    console.log(`| ${arm} | ${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}) | ${(median(xs) - base).toFixed(1)} ms |`)
  }
  console.log(
    `\ndist/client: ${sizes.join(', ')}. Load average (1 min): median ${median(loads).toFixed(1)}, ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}.`,
  )
} finally {
  await rm(tmp, { recursive: true, force: true })
}
