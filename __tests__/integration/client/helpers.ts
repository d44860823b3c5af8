/**
 * Shared by the cache client's end-to-end tests: jobs through the bundled
 * action (like support/go-jobs.ts, plus the knobs these tests need), a client
 * started by hand the way the action starts it, and checks on a store.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { cacheProgCommand } from '../../../src/buildcache/client-install.ts'
import { controlRequest, waitForDaemon } from '../../../src/daemon/control.ts'
import type { JobStats } from '../../../src/daemon/reports.ts'
import { splitGoCommandLine } from '../../../src/gocacheprog/command-line.ts'
import { parseEntry } from '../../../src/store/local-store.ts'
import { startCacheService, type CacheService } from '../../support/cache-service/server.ts'
import { REPO_ROOT, SAMPLE_MODULE, type Machine } from '../../support/go-jobs.ts'
import { runJob, type GitHubSpec, type JobResult, type RunnerSpec, type StepSpec } from '../../support/runner/index.ts'

export const execFileP = promisify(execFile)
export const CLIENT = path.join(REPO_ROOT, 'dist', 'client', 'index.js')

export function expectSuccess(job: JobResult): void {
  if (job.conclusion !== 'success') throw new Error(`job failed:\n${dumpJob(job)}`)
}

export function dumpJob(job: JobResult): string {
  return job.steps.map((s) => `--- ${s.id} ${s.phase} ${s.conclusion}\n${s.log}`).join('\n')
}

/** Downloads the sample module's dependencies once into a GOMODCACHE that the jobs then share offline. */
export async function prepareModCache(modCache: string, moduleDir = SAMPLE_MODULE, env: Record<string, string> = {}): Promise<void> {
  await mkdir(modCache, { recursive: true })
  await execFileP('go', ['mod', 'download'], {
    cwd: moduleDir,
    env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', GOMODCACHE: modCache, ...env },
  })
}

/** What a test file's jobs share: a temp root, a local cache service, and a GOMODCACHE downloaded once (the jobs run offline). */
export interface ServiceFixture {
  root: string
  service: CacheService
  modCache: string
}

/** Sets the fixture up before the file's tests and removes it after them; its fields are there once the tests run. */
export function useServiceFixture(prefix: string): ServiceFixture {
  const fx = {} as ServiceFixture
  beforeAll(async () => {
    fx.root = await mkdtemp(path.join(os.tmpdir(), prefix))
    fx.modCache = path.join(fx.root, 'modcache')
    ;[fx.service] = await Promise.all([startCacheService(), prepareModCache(fx.modCache)])
  })
  afterAll(async () => {
    await fx.service?.stop()
    // Go makes module trees read-only.
    await execFileP('chmod', ['-R', 'u+w', fx.root]).catch(() => undefined)
    await rm(fx.root, { recursive: true, force: true })
  })
  return fx
}

export interface ClientJobOptions {
  machine: Machine
  service?: CacheService
  with?: Record<string, string>
  steps: StepSpec[]
  env?: Record<string, string>
  runner?: RunnerSpec
  github?: GitHubSpec
}

/** The bundled action as step `cache`, then `steps`; GOTOOLCHAIN=local unless env says otherwise. */
export function runClientJob(opts: ClientJobOptions): Promise<JobResult> {
  const ref = 'refs/heads/main'
  return runJob({
    workspace: opts.machine.workspace,
    ref,
    env: { GOTOOLCHAIN: 'local', ...opts.env },
    runner: { home: opts.machine.home, ...opts.runner },
    github: opts.github,
    actionsRuntime: opts.service ? opts.service.env({ ref, defaultRef: ref }) : undefined,
    // These tests are about our GOCACHEPROG client, which runs without a remote only when asked for (D27).
    steps: [{ id: 'cache', uses: REPO_ROOT, with: { 'build-cache-mode': 'gocacheprog', ...opts.with } }, ...opts.steps],
  })
}

/**
 * Where our GOCACHEPROG points: split the way cmd/go splits it. It runs the
 * compiled shim (dist/client/shim/…, beside the client: D28) or `node
 * client`; `node` is then this Node, which the harness runs node24 actions with.
 */
export function clientPaths(goCacheProg: string): { node: string; client: string; shim?: string; store: string; socket: string } {
  const words = splitGoCommandLine(goCacheProg)
  const at = words.indexOf('serve')
  if (at !== 1 && at !== 2) throw new Error(`not our serve command: ${goCacheProg}`)
  const rest = words.slice(at + 1)
  const flag = (name: string) => {
    const i = rest.indexOf(name)
    if (i === -1) throw new Error(`no ${name} in ${goCacheProg}`)
    return rest[i + 1]!
  }
  const program =
    at === 1
      ? { node: process.execPath, client: path.join(path.dirname(path.dirname(words[0]!)), 'index.js'), shim: words[0]! }
      : { node: words[0]!, client: words[1]! }
  return { ...program, store: flag('--store'), socket: flag('--daemon') }
}

/** A bash prelude for run steps: NODE, CLIENT, STORE and SOCK from GOCACHEPROG, as clientPaths reads it (our paths have no spaces). */
export const CLIENT_VARS = [
  'read -r -a GCP <<< "$GOCACHEPROG"',
  `if [ "\${GCP[1]}" = serve ]; then NODE='${process.execPath}'; CLIENT="$(dirname "$(dirname "\${GCP[0]}")")/index.js"; set -- "\${GCP[@]:2}"`,
  'else NODE="${GCP[0]}"; CLIENT="${GCP[1]}"; set -- "${GCP[@]:3}"; fi',
  'STORE=$2; SOCK=$4',
].join('\n')

/** Numbers printed by a step that ran `"$NODE" "$CLIENT" stats --socket "$SOCK"` and nothing else on stdout. */
export function statsFromStep(job: JobResult, stepId: string): JobStats {
  const reply = JSON.parse(job.step(stepId).rawStdout) as { ok: boolean; stats?: JobStats }
  if (!reply.ok || reply.stats === undefined) throw new Error(`step ${stepId} printed no stats: ${job.step(stepId).rawStdout}`)
  return reply.stats
}

export function figure(job: JobResult, name: string): number {
  const value = job.step('cache', 'post').outputs[`build-cache-${name}`]
  if (value === undefined) throw new Error(`post set no build-cache-${name} output`)
  return Number(value)
}

/** Import paths of the packages a `go build -x` output compiled. */
export function compiledPackages(xOutput: string): string[] {
  const found: string[] = []
  for (const line of xOutput.split('\n')) {
    // `…/compile -o …` on Linux and macOS, `…\compile.exe -o …` from a Windows go.exe.
    if (!/[/\\]compile(\.exe)?"?\s/.test(line)) continue
    const m = /\s-p\s+(\S+)/.exec(line)
    found.push(m ? m[1]! : line)
  }
  return found.sort()
}

export interface StoreCheck {
  entries: number
  objects: number
  /** Entries whose object is missing or no longer what the entry recorded (so they can only miss). */
  stale: string[]
  /** Leftovers in <store>/tmp. */
  temps: string[]
}

/** Reads every entry of a store and checks it against its object, as LocalStore.get does. */
export async function checkStore(store: string): Promise<StoreCheck> {
  const check: StoreCheck = { entries: 0, objects: 0, stale: [], temps: await readdir(path.join(store, 'tmp')).catch(() => []) }
  for (const shard of await readdir(path.join(store, 'o')).catch(() => [] as string[])) {
    check.objects += (await readdir(path.join(store, 'o', shard))).length
  }
  for (const shard of await readdir(path.join(store, 'a')).catch(() => [] as string[])) {
    for (const id of await readdir(path.join(store, 'a', shard))) {
      check.entries++
      const entry = parseEntry(await readFile(path.join(store, 'a', shard, id), 'latin1'))
      const info = entry && (await stat(path.join(store, 'o', entry.outputId.slice(0, 2), entry.outputId)).catch(() => undefined))
      if (!entry || !info || info.size !== entry.size || Math.trunc(info.mtimeMs) !== entry.objectMtimeMs) check.stale.push(id)
    }
  }
  return check
}

export interface StartedClient {
  store: string
  socket: string
  /** GOCACHEPROG (exactly as the action builds it) and a GOCACHE for go. */
  env: { GOCACHEPROG: string; GOCACHE: string }
  pid: number
  stats(): Promise<JobStats>
  stop(): Promise<void>
}

/** The daemon and GOCACHEPROG the way buildcache/setup.ts makes them, outside a job; `daemonEnv` on top of this process' for the daemon. */
export async function startClient(dir: string, daemonEnv: Record<string, string> = {}): Promise<StartedClient> {
  const store = path.join(dir, 'store')
  const socket = path.join(dir, 'd.sock')
  await mkdir(store, { recursive: true })
  const logFile = path.join(dir, 'daemon.log')
  const daemon = spawn(process.execPath, [CLIENT, 'daemon', '--store', store, '--socket', socket, '--log', logFile], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ...daemonEnv },
  })
  daemon.unref()
  if (!(await waitForDaemon(socket, 10_000))) throw new Error(`the daemon did not start (${logFile})`)
  return {
    store,
    socket,
    env: { GOCACHEPROG: cacheProgCommand({ node: process.execPath, client: CLIENT, store, socket }), GOCACHE: path.join(dir, 'gocache') },
    pid: daemon.pid!,
    stats: async () => {
      const reply = await controlRequest(socket, { op: 'stats' }, 30_000)
      if (!reply.ok || !reply.stats) throw new Error(`stats: ${JSON.stringify(reply)}`)
      return reply.stats
    },
    stop: async () => {
      if (existsSync(socket)) await controlRequest(socket, { op: 'stop' }, 5000).catch(() => undefined)
    },
  }
}

/** go in `cwd` with the given env on top of this process' (GOTOOLCHAIN=local); rejects with stderr on failure. */
export async function go(args: string[], cwd: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileP('go', args, { cwd, env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '', ...env }, maxBuffer: 64 << 20 })
  } catch (error) {
    const e = error as { stderr?: string; message: string }
    throw new Error(`go ${args.join(' ')} failed: ${e.stderr ?? e.message}`)
  }
}
