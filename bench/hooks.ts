/**
 * How long the bootstrap kit's job hooks take: the job-started hook must stay
 * under a second (issue 7), since every job on the runner waits for it.
 *
 * Installs the kit (dist/client) into a temporary runner directory, then runs
 * the real hook scripts the way the runner does (`bash -e <script>`, with
 * RUNNER_TEMP, GITHUB_ENV, GITHUB_EVENT_PATH, GITHUB_REPOSITORY), N times:
 * job-started (starts the daemon, waits for its ping, writes GITHUB_ENV),
 * then job-completed (flush, trim, stop) on an empty store. Prints the median
 * and the slowest run of each, and the same for `node -e 0` as the floor.
 *
 *   node bench/hooks.ts [--runs 15]
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } })
const runs = Number(values.runs)
const repo = path.resolve(import.meta.dirname, '..')
const root = await mkdtemp(path.join(os.tmpdir(), 'bench-hooks-'))
const runnerDir = path.join(root, 'actions-runner')
const kitDir = path.join(root, 'kit')
await mkdir(runnerDir, { recursive: true })
execFileSync(process.execPath, [
  path.join(repo, 'dist', 'client', 'index.js'),
  'bootstrap',
  'install',
  '--runner-dir',
  runnerDir,
  '--kit-dir',
  kitDir,
  '--store-path',
  path.join(root, 'store'),
  '--node',
  process.execPath,
])

const timeMs = (command: string, args: string[], env: NodeJS.ProcessEnv): number => {
  const started = performance.now()
  const result = spawnSync(command, args, { env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`)
  return performance.now() - started
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const started: number[] = []
const completed: number[] = []
const floor: number[] = []
for (let i = 0; i < runs; i++) {
  const temp = path.join(root, `temp-${i}`)
  await mkdir(temp, { recursive: true })
  const event = path.join(temp, 'event.json')
  await writeFile(event, JSON.stringify({ repository: { full_name: 'octo-org/octo-repo' } }))
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GO_CACHE_SETUP_KIT_CONFIG: path.join(kitDir, 'config.json'),
    RUNNER_TEMP: temp,
    GITHUB_ENV: path.join(temp, 'env'),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: 'octo-org/octo-repo',
  }
  started.push(timeMs('bash', ['-e', path.join(kitDir, 'hooks', 'job-started.sh')], env))
  completed.push(timeMs('bash', ['-e', path.join(kitDir, 'hooks', 'job-completed.sh')], env))
  floor.push(timeMs(process.execPath, ['-e', '0'], env))
}
const row = (name: string, xs: number[]) =>
  console.log(
    `${name.padEnd(14)} median ${median(xs).toFixed(0).padStart(4)} ms   max ${Math.max(...xs)
      .toFixed(0)
      .padStart(4)} ms`,
  )
console.log(`${runs} runs, ${os.cpus().length} CPUs, Node ${process.version}`)
row('job-started', started)
row('job-completed', completed)
row('node -e 0', floor)
await rm(root, { recursive: true, force: true })
