/**
 * The run's facts, read once from the runner's variables and the event
 * payload, and passed on as they are: every key, path and manifest that
 * names the run takes them from here.
 */
import os from 'node:os'
import path from 'node:path'

export type Env = Readonly<Record<string, string | undefined>>

export interface RunFacts {
  /** GITHUB_REPOSITORY, `owner/name`; '' outside a runner. */
  repository: string
  /** GITHUB_WORKFLOW; '' outside a runner. */
  workflow: string
  /** GITHUB_JOB; `job` outside a runner. */
  job: string
  runId: string
  runAttempt: string
  /** GITHUB_REF, the full ref the run is for (`refs/heads/main`, `refs/pull/7/merge`); '' outside a runner. */
  ref: string
  /** The branch: GITHUB_HEAD_REF on pull requests (GITHUB_REF_NAME there is `7/merge`), else GITHUB_REF_NAME. */
  branch: string
  /** The repository's default branch from the event payload; '' when the event does not say. */
  defaultBranch: string
  /** Our files for this job (the socket, the daemon's log, the default store, the bundle): RUNNER_TEMP/go-cache-setup. */
  stateDir: string
}

/** The directory under RUNNER_TEMP that holds our files; the runner empties RUNNER_TEMP between jobs. */
export const STATE_DIR_NAME = 'go-cache-setup'

export function runFacts(env: Env, payload: unknown): RunFacts {
  const repository = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>).repository : undefined
  const defaultBranch = typeof repository === 'object' && repository !== null ? (repository as Record<string, unknown>).default_branch : undefined
  return {
    repository: env.GITHUB_REPOSITORY ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB || 'job',
    runId: env.GITHUB_RUN_ID || '0',
    runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
    ref: env.GITHUB_REF ?? '',
    branch: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || 'unknown',
    defaultBranch: typeof defaultBranch === 'string' ? defaultBranch : '',
    stateDir: path.join(env.RUNNER_TEMP || os.tmpdir(), STATE_DIR_NAME),
  }
}
