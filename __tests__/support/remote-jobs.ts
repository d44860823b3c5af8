/**
 * Jobs with a remote cache, as the remote end-to-end tests run them: the
 * bundled action with cache-url and cache-token (from a secret), then `run:`
 * steps with real go on offline modules; and how those tests read a job back
 * (post outputs, summary rows, files a secret must not be in).
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { REPO_ROOT, wipeHome, type Machine } from './go-jobs.ts'
import { runJob, type JobResult, type StepSpec } from './runner/index.ts'
import { dumpJob } from '../integration/client/helpers.ts'

export interface RemoteJob {
  machine: Machine
  /** GOMODCACHE, filled beforehand (prepareModCache); GOPROXY is off. */
  modCache: string
  url: string
  /** cache-token, passed as `${{ secrets.CACHE_TOKEN }}` would expand, and masked as a secret is. */
  token: string
  with?: Record<string, string>
  steps: StepSpec[]
  event?: { name: string; payload?: unknown }
}

export function runRemoteJob(opts: RemoteJob): Promise<JobResult> {
  return runJob({
    workspace: opts.machine.workspace,
    env: { GOTOOLCHAIN: 'local', GOMODCACHE: opts.modCache, GOPROXY: 'off', GOFLAGS: '' },
    runner: {
      home: opts.machine.home,
      temp: path.join(path.dirname(opts.machine.workspace), '..', 'runner-temp'),
      toolCache: path.join(path.dirname(opts.machine.workspace), '..', 'tool-cache'),
    },
    secrets: { CACHE_TOKEN: opts.token },
    event: opts.event,
    keepTemp: true,
    steps: [
      {
        id: 'cache',
        uses: REPO_ROOT,
        with: { 'module-cache': 'false', 'cache-url': opts.url, 'cache-token': opts.token, ...opts.with },
      },
      ...opts.steps,
    ],
  })
}

/** Build, test, and a binary that runs: the build is correct, whatever the cache did. */
export const buildAndRun: StepSpec = { id: 'build', run: 'go build -x -o bin/ ./... 2> build-x.txt && go test ./... && ./bin/sample --help > /dev/null' }

/** The machine as a fresh runner finds it: same paths, empty HOME, runner temp and tool cache. */
export async function freshRunner(machine: Machine): Promise<void> {
  for (const dir of ['home', 'runner-temp', 'tool-cache']) await rm(path.join(path.dirname(machine.workspace), '..', dir), { recursive: true, force: true })
  await wipeHome(machine)
}

const post = (job: JobResult) => job.step('cache', 'post')

/** A `remote-cache-<name>` output of the post step. */
export function remoteFigure(job: JobResult, name: string): number {
  const value = post(job).outputs[`remote-cache-${name}`]
  if (value === undefined) throw new Error(`post set no remote-cache-${name} output:\n${dumpJob(job)}`)
  return Number(value)
}

/** A `build-cache-<name>` output of the post step. */
export function buildFigure(job: JobResult, name: string): number {
  return Number(post(job).outputs[`build-cache-${name}`])
}

export function workspaceFile(job: JobResult, name: string): Promise<string> {
  return readFile(path.join(job.paths.workspace, name), 'utf8')
}

/** The summary's `| label | … |` row. */
export function summaryRow(job: JobResult, label: string): string {
  const row = job.summary.split('\n').find((line) => line.startsWith(`| ${label} |`))
  if (row === undefined) throw new Error(`no "${label}" row in the summary:\n${job.summary}`)
  return row
}

/** Every file under `dir` (up to 64 MiB each) holding any of `needles`. */
export async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const found: string[] = []
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, entry.name)
      if (entry.isDirectory()) await walk(p)
      else if (entry.isFile() && (await stat(p)).size < 64 << 20) {
        const content = await readFile(p)
        if (needles.some((n) => content.includes(n))) found.push(p)
      }
    }
  }
  await walk(dir)
  return found
}
