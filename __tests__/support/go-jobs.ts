/**
 * Jobs that use the bundled action the way a workflow would: the action step,
 * then `run:` steps that build with real go. Shared by the end-to-end tests and
 * the demo (scripts/demo.ts), so both exercise the same thing.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import type { CacheService } from './cache-service/server.ts'
import { runJob, type JobResult, type JobSpec, type StepSpec } from './runner/index.ts'

const execFileP = promisify(execFile)

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..')
export const SAMPLE_MODULE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'sample-module')

/** A simulated runner machine: a HOME (and so GOMODCACHE, GOCACHE) and a workspace at fixed paths, as on hosted runners. */
export interface Machine {
  home: string
  workspace: string
}

export async function newMachine(root: string, name = 'runner'): Promise<Machine> {
  const machine = { home: path.join(root, name, 'home'), workspace: path.join(root, name, 'work', 'repo') }
  await mkdir(machine.home, { recursive: true })
  await mkdir(machine.workspace, { recursive: true })
  return machine
}

/** Checks out the sample module into the workspace. */
export async function checkoutSample(machine: Machine): Promise<void> {
  await cp(SAMPLE_MODULE, machine.workspace, { recursive: true })
}

/** A fresh runner at the same paths: GOMODCACHE and GOCACHE gone (Go makes module trees read-only). */
export async function wipeHome(machine: Machine): Promise<void> {
  await execFileP('chmod', ['-R', 'u+w', machine.home]).catch(() => undefined)
  await rm(machine.home, { recursive: true, force: true })
  await mkdir(machine.home, { recursive: true })
}

export interface GoJobOptions {
  machine: Machine
  service?: CacheService
  /** The cache token is read-only (as GitHub gives untrusted events). */
  readOnlyToken?: boolean
  ref?: string
  event?: JobSpec['event']
  with?: Record<string, string>
  /** Steps after the action; default: build and test with network. */
  steps?: StepSpec[]
  env?: Record<string, string>
  runner?: JobSpec['runner']
  log?: JobSpec['log']
}

/** Builds and tests with network allowed. */
export const buildStep: StepSpec = { id: 'build', run: 'go build ./... && go test ./...' }

/** Builds and tests with the module proxy off: everything must come from GOMODCACHE. */
export const offlineBuildStep: StepSpec = {
  id: 'offline-build',
  run: 'go build ./... && go test -count=1 ./...',
  env: { GOFLAGS: '-mod=mod', GOPROXY: 'off' },
}

export async function runGoJob(opts: GoJobOptions): Promise<JobResult> {
  const ref = opts.ref ?? 'refs/heads/main'
  return runJob({
    workspace: opts.machine.workspace,
    ref,
    event: opts.event,
    env: { GOTOOLCHAIN: 'local', ...opts.env },
    runner: { home: opts.machine.home, ...opts.runner },
    actionsRuntime: opts.service ? opts.service.env({ ref, defaultRef: 'refs/heads/main', readOnly: opts.readOnlyToken }) : undefined,
    steps: [{ id: 'cache', uses: REPO_ROOT, with: opts.with }, ...(opts.steps ?? [buildStep])],
    log: opts.log,
  })
}
