// Public types of the runner harness (see run-job.ts for the behaviour).
import type { Annotation, WorkflowCommand } from './workflow-commands.ts'

export type JobStatus = 'success' | 'failure'

/** 'run' for `run:` steps; 'main'/'post' for the two halves of a `uses:` step; 'hook' for the runner's job hooks. */
export type StepPhase = 'main' | 'post' | 'run' | 'hook'

/** Where and as what the simulated runner runs. */
export interface RunnerSpec {
  /** RUNNER_OS; only Linux is supported */
  os?: 'Linux'
  /** RUNNER_ARCH; default from process.arch (X64 or ARM64) */
  arch?: 'X64' | 'ARM64'
  /** RUNNER_ENVIRONMENT; default 'github-hosted' */
  environment?: 'github-hosted' | 'self-hosted'
  /** RUNNER_NAME; default 'GitHub Actions 1' (hosted) or 'self-hosted-runner' */
  name?: string
  /**
   * RUNNER_TEMP. Emptied at the start of the job (as the runner does); kept afterwards.
   * Default: a fresh directory under the harness' job root (removed after the job unless keepTemp).
   */
  temp?: string
  /** RUNNER_TOOL_CACHE; default a fresh directory under the job root */
  toolCache?: string
  /** HOME for every step; default: inherited from this process */
  home?: string
  /** ImageOS; default 'ubuntu24' on github-hosted, unset on self-hosted; null forces it unset */
  imageOS?: string | null
  /** names copied from this process' environment into the runner's base environment; default ['PATH', 'HOME'] */
  inheritEnv?: string[]
  /** extra variables of the runner process; job and step env override them */
  baseEnv?: Record<string, string>
  /**
   * The runner's `.env` file, read at job start as the listener reads it at its start
   * (Program.cs LoadAndSetEnv: KEY=VALUE per line, split on the first `=`, no quoting),
   * over baseEnv. ACTIONS_RUNNER_HOOK_JOB_STARTED / _COMPLETED there (or in baseEnv) name
   * the job hooks: run with `bash -e` (`.sh`), with the runner's environment and the
   * default GITHUB_ and RUNNER_ variables but no job env and no ACTIONS_* runtime variables;
   * GITHUB_ENV/GITHUB_PATH processed after the hook; a non-zero exit fails the job (and a
   * failed started hook runs no step at all). Their results are the steps 'job-started-hook'
   * and 'job-completed-hook' (phase 'hook').
   */
  envFile?: string
}

/** What the job knows about its run (the `github` context). */
export interface GitHubSpec {
  /** github.token (masked; NOT exported as GITHUB_TOKEN unless a step's env does so); default a fake 'ghs_…' token */
  token?: string
  runId?: number
  runNumber?: number
  runAttempt?: number
  /** GITHUB_JOB (the job id); default 'build' */
  job?: string
  /** GITHUB_WORKFLOW; default 'CI' */
  workflow?: string
  /** GITHUB_SHA; default a fixed fake sha */
  sha?: string
  /** GITHUB_ACTOR / GITHUB_TRIGGERING_ACTOR; default 'octocat' */
  actor?: string
  /** GITHUB_SERVER_URL; default https://github.com (API and GraphQL URLs follow it) */
  serverUrl?: string
  apiUrl?: string
  graphqlUrl?: string
  repositoryId?: number
  repositoryOwnerId?: number
}

interface StepCommon {
  /** step id: the key of `steps.<id>` and GITHUB_ACTION; generated (__run, __run_2, __self, …) when absent */
  id?: string
  /** display name (log header) */
  name?: string
  /** `success()` (default), `always()`, `failure()` or `cancelled()`, optionally in `${{ }}` */
  if?: string
  /** step-level env, layered over the job env and GITHUB_ENV exports */
  env?: Record<string, string>
  /** kill the step's process group after this long (applies to the main and the post of a `uses` step separately) */
  timeoutMs?: number
  /** a failure does not fail the job (conclusion 'success', outcome 'failure') */
  continueOnError?: boolean
}

/** Runs a node24 JavaScript action from a directory (path relative to the workspace, like `uses: ./`). */
export interface UsesStepSpec extends StepCommon {
  uses: string
  /** the step's `with:`; non-string scalars are converted like YAML would be */
  with?: Record<string, string | number | boolean>
}

/** Runs a bash script. */
export interface RunStepSpec extends StepCommon {
  run: string
  /** relative to the workspace */
  workingDirectory?: string
  /**
   * 'bash' (default): `bash --noprofile --norc -eo pipefail {0}` (the runner's `shell: bash`);
   * 'default': `bash -e {0}` (what the runner uses when a workflow names no shell);
   * 'sh': `sh -e {0}`.
   */
  shell?: 'bash' | 'default' | 'sh'
}

export type StepSpec = UsesStepSpec | RunStepSpec

export interface JobSpec {
  /** display name of the job (log only) */
  name?: string
  /** GITHUB_WORKSPACE (cwd of every step); must exist */
  workspace: string
  /** job-level env */
  env?: Record<string, string>
  /** values masked from the job start, like secret variables (each line of a multi-line value too) */
  secrets?: Record<string, string>
  /** GITHUB_EVENT_NAME and the payload written to GITHUB_EVENT_PATH; default push with a generated payload */
  event?: { name: string; payload?: unknown }
  /** GITHUB_REF; default refs/heads/<defaultBranch>, refs/pull/<n>/merge for pull_request */
  ref?: string
  /** the repository's default branch; default 'main' */
  defaultBranch?: string
  /** owner/name; default 'octo-org/octo-repo' */
  repository?: string
  runner?: RunnerSpec
  /**
   * Variables the runner gives node action steps only: ACTIONS_RUNTIME_TOKEN, ACTIONS_RUNTIME_URL,
   * ACTIONS_RESULTS_URL, ACTIONS_CACHE_URL, ACTIONS_CACHE_SERVICE_V2, ACTIONS_CACHE_MODE, …
   * ACTIONS_RUNTIME_TOKEN and ACTIONS_ID_TOKEN_REQUEST_TOKEN are masked.
   */
  actionsRuntime?: Record<string, string>
  github?: GitHubSpec
  /** the matrix context (input defaults may use it) */
  matrix?: Record<string, unknown>
  steps: StepSpec[]
  /** node binary for node24 actions; default process.execPath */
  nodeBinary?: string
  /** receives every (masked) log line as it is produced */
  log?: (line: string, step: { id: string; phase: StepPhase }) => void
  /** ACTIONS_STEP_DEBUG: log `##[debug]` lines, echo commands, set RUNNER_DEBUG=1 */
  debug?: boolean
  /** the github.com server flag that adds a deprecation warning to set-output/save-state; default true */
  deprecateStepOutputCommands?: boolean
  /** ms from SIGINT to SIGTERM and from SIGTERM to SIGKILL on a timeout; default the runner's 7500/2500 */
  killGraceMs?: { sigterm: number; sigkill: number }
  /** keep the harness-created job root (temp, tool cache, event file) after the job */
  keepTemp?: boolean
}

/** An annotation with the step that produced it. */
export interface StepAnnotation extends Annotation {
  stepId: string
  phase: StepPhase
}

export interface StepResult {
  /** the step's context name: its id, or the generated one */
  id: string
  /** display name */
  name: string
  phase: StepPhase
  /** after continue-on-error */
  conclusion: 'success' | 'failure' | 'skipped'
  /** before continue-on-error */
  outcome: 'success' | 'failure' | 'skipped'
  exitCode: number | null
  signal: string | null
  timedOut: boolean
  /** from GITHUB_OUTPUT (and deprecated ::set-output) */
  outputs: Record<string, string>
  /** this step's GITHUB_STEP_SUMMARY as uploaded (masked, line-normalised) */
  summary: string
  annotations: StepAnnotation[]
  /** `::debug::` messages (masked) */
  debug: string[]
  /** masked log (lines joined with "\n") */
  log: string
  /** unmasked stdout/stderr exactly as produced */
  rawStdout: string
  rawStderr: string
  /** unmasked stdout and stderr lines interleaved in arrival order */
  rawOutput: string
  durationMs: number
  /** GITHUB_ENV exports accepted from this step */
  envAdded: Record<string, string>
  /** GITHUB_PATH lines of this step, in file order */
  pathAdded: string[]
  /** GITHUB_STATE (and deprecated ::save-state) saved by this step */
  state: Record<string, string>
  /** resolved inputs of a `uses` step (name → value) */
  inputs?: Record<string, string>
  /** the complete environment the process was started with (unmasked) */
  processEnv: Record<string, string>
  /** deprecated or disabled commands used (set-output, save-state, set-env, add-path) */
  deprecatedCommands: WorkflowCommand[]
  /** commands the harness does not implement (add-matcher, remove-matcher) */
  ignoredCommands: WorkflowCommand[]
}

export interface JobResult {
  conclusion: JobStatus
  /** main/run steps in order, then post steps in the order they ran (reverse) */
  steps: StepResult[]
  /** all step summaries concatenated */
  summary: string
  /** job env as a later step would get it: job `env` plus GITHUB_ENV exports */
  env: Record<string, string>
  /** GITHUB_PATH additions as they prefix PATH (latest first) */
  path: string[]
  annotations: StepAnnotation[]
  /** every value registered with the masker (secrets, tokens, ::add-mask::) */
  masks: string[]
  /** masked log of the whole job */
  log: string
  /** directories and files the job used */
  paths: { temp: string; toolCache: string; eventPath: string; fileCommands: string; workspace: string }
  /** the step with this id; phase defaults to anything but 'post'. Throws if absent. */
  step(id: string, phase?: StepPhase): StepResult
}
