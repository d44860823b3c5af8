/**
 * What the generated Pants config buys a fresh runner: `pants test ::` on the
 * fixture project with an empty local store, without a remote cache and with
 * our config against a warm bazel-remote over gRPC. One run, interleaved round
 * by round; medians. Pants' downloads (named caches) are shared by both arms,
 * so only the process cache differs. Prints Pants' own counters too.
 *
 *   node bench/pants-remote-cache.ts [--rounds N] [--json FILE]
 *
 * Needs what .ci/run installs: .tmp/bin/bazel-remote, .tmp/pants-venv, the pex.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { startBazelRemote } from '../__tests__/support/bazel-remote/index.ts'
import { checkoutPantsProject, PANTS_BIN, pantsCounters, pantsStepEnv, requirePants } from '../__tests__/support/pants.ts'
import { registerConfigFile, renderPantsConfig } from '../src/pants/config.ts'
import { parsePantsVersion } from '../src/pants/pants-toml.ts'

const execFileP = promisify(execFile)
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, json: { type: 'string' } } })
const rounds = Number(args.rounds)
requirePants()

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-pants-'))
const workspace = path.join(tmp, 'repo')
await checkoutPantsProject(workspace)
const server = await startBazelRemote({ dir: path.join(tmp, 'bazel-remote'), grpc: true })
const configFile = path.join(tmp, 'pants-remote-cache.toml')
await writeFile(configFile, renderPantsConfig({ storeAddress: server.grpcAddress, instanceName: '', headers: [], write: true }, parsePantsVersion('2.17.1')))

/** One `pants test ::` on a fresh runner: new HOME and local store, no .pants.d. */
async function run(remote: boolean): Promise<{ ms: number; counters: Record<string, number> }> {
  const home = path.join(tmp, 'home')
  await rm(home, { recursive: true, force: true })
  await rm(path.join(workspace, '.pants.d'), { recursive: true, force: true })
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    ...pantsStepEnv(),
    PANTS_CONFIG_FILES: remote ? registerConfigFile('pants.ci.toml', configFile) : 'pants.ci.toml',
  }
  const start = performance.now()
  const { stdout, stderr } = await execFileP(PANTS_BIN, ['--stats-log', 'test', '::'], { cwd: workspace, env, maxBuffer: 64 << 20 })
  const ms = performance.now() - start
  return { ms, counters: pantsCounters(stdout + stderr) }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

try {
  // Fill the server (and Pants' download caches) once.
  const seed = await run(true)
  console.log(`seed: ${(seed.ms / 1000).toFixed(1)} s, ${seed.counters.remote_cache_write_successes} results written`)
  const times = { local: [] as number[], remote: [] as number[] }
  let last: Record<string, number> = {}
  for (let i = 0; i < rounds; i++) {
    const local = await run(false)
    const remote = await run(true)
    times.local.push(local.ms)
    times.remote.push(remote.ms)
    last = remote.counters
    console.log(`round ${i + 1}: no remote cache ${(local.ms / 1000).toFixed(1)} s, remote cache ${(remote.ms / 1000).toFixed(1)} s`)
  }
  const result = {
    rounds,
    medianMs: { noRemote: Math.round(median(times.local)), remote: Math.round(median(times.remote)) },
    ratio: Number((median(times.local) / median(times.remote)).toFixed(2)),
    remoteCounters: {
      requests: last.remote_cache_requests,
      cached: last.remote_cache_requests_cached,
      timeSavedMs: last.remote_cache_total_time_saved_ms,
      localExecutions: last.local_execution_requests,
    },
    entriesOnServer: await server.entries(),
  }
  console.log(JSON.stringify(result, null, 2))
  if (args.json) await writeFile(args.json, `${JSON.stringify(result, null, 2)}\n`)
} finally {
  await server.stop()
  await rm(tmp, { recursive: true, force: true })
}
