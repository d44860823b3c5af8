// Runs a job — `uses:` steps of node24 JavaScript actions and `run:` bash steps —
// the way the GitHub Actions runner (actions/runner, Linux) does:
//
// * each step gets fresh GITHUB_ENV / GITHUB_PATH / GITHUB_OUTPUT / GITHUB_STATE /
//   GITHUB_STEP_SUMMARY files under $RUNNER_TEMP/_runner_file_commands, processed
//   after the step (FileCommandManager.cs), whatever the step's outcome;
// * stdout/stderr lines go through workflow-command processing and secret masking
//   (OutputManager.cs, ActionCommandManager.cs);
// * the environment is layered like ActionRunner/Handler: runner process env
//   (PATH, HOME, CI, GITHUB_ACTIONS, ImageOS) < job env < GITHUB_ENV exports < step
//   env < STATE_* (post) < INPUT_* < PATH with GITHUB_PATH prefixes < GITHUB_* and
//   RUNNER_* context variables (not overridable) < ACTIONS_* runtime variables
//   (node action steps only, NodeScriptActionHandler.cs);
// * a failed step fails the job and skips later steps unless their `if` allows it;
//   post steps of the `uses` steps whose main ran run in reverse order after all
//   main steps, gated by `post-if` against the job status at that point, and a
//   failing post step fails the job.
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { loadActionManifest, type ActionManifest } from './action-manifest.ts'
import { parseStatusCondition, statusConditionPasses, type ExprContexts, type ExprValue } from './expressions.ts'
import {
  addToPrependPath,
  composePath,
  FILE_COMMANDS,
  iterateKeyValueFile,
  parsePathFile,
  scrubStepSummary,
  SET_ENV_BLOCK_LIST,
  STEP_SUMMARY_SIZE_LIMIT,
  type FileCommandKind,
} from './file-commands.ts'
import { inputsToEnv, resolveInputs } from './inputs.ts'
import { spawnStep, type SpawnStepResult } from './process.ts'
import { SecretMasker } from './secret-masker.ts'
import type { JobResult, JobSpec, JobStatus, RunStepSpec, StepAnnotation, StepPhase, StepResult, StepSpec, UsesStepSpec } from './types.ts'
import { StepOutputProcessor } from './workflow-commands.ts'

const DEFAULT_SHA = '4f9d3a1e0b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e'
const DEFAULT_BASE_SHA = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d'
const HOOK_STARTED_ID = 'job-started-hook'
const HOOK_COMPLETED_ID = 'job-completed-hook'
const DEFAULT_TOKEN = 'ghs_HarnessFakeGitHubToken0123456789abcd'

/** Error in the job definition or in something the harness does not support. */
export class HarnessError extends Error {
  override name = 'HarnessError'
}

function isUses(step: StepSpec): step is UsesStepSpec {
  return 'uses' in step
}

function stringifyWith(values: UsesStepSpec['with']): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(values ?? {})) out[k] = String(v)
  return out
}

function emptyDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true })
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true })
}

interface EventInfo {
  name: string
  payload: unknown
  ref: string
  headRef: string
  baseRef: string
}

function refName(ref: string): string {
  for (const prefix of ['refs/heads/', 'refs/tags/', 'refs/pull/']) if (ref.startsWith(prefix)) return ref.slice(prefix.length)
  return ref
}

function buildEvent(spec: JobSpec, repository: string, sha: string, actor: string, serverUrl: string): EventInfo {
  const defaultBranch = spec.defaultBranch ?? 'main'
  const name = spec.event?.name ?? 'push'
  const [owner, repoName] = repository.split('/') as [string, string]
  const repo = {
    id: spec.github?.repositoryId ?? 123456789,
    name: repoName,
    full_name: repository,
    owner: { login: owner, id: spec.github?.repositoryOwnerId ?? 987654321, type: 'Organization' },
    private: false,
    fork: false,
    default_branch: defaultBranch,
    html_url: `${serverUrl}/${repository}`,
  }
  const sender = { login: actor, id: 1, type: 'User' }
  const isPr = name === 'pull_request' || name === 'pull_request_target'
  if (isPr) {
    type Pr = { number?: number; head?: { ref?: string }; base?: { ref?: string } }
    const given = (spec.event?.payload as { pull_request?: Pr; number?: number } | undefined) ?? undefined
    const number = given?.pull_request?.number ?? given?.number ?? 1
    const headRef = given?.pull_request?.head?.ref ?? 'feature-branch'
    const baseRef = given?.pull_request?.base?.ref ?? defaultBranch
    const payload = spec.event?.payload ?? {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        state: 'open',
        draft: false,
        merged: false,
        html_url: `${serverUrl}/${repository}/pull/${number}`,
        head: { ref: headRef, sha, label: `${owner}:${headRef}`, repo },
        base: { ref: baseRef, sha: DEFAULT_BASE_SHA, label: `${owner}:${baseRef}`, repo },
      },
      repository: repo,
      sender,
    }
    const ref = spec.ref ?? (name === 'pull_request' ? `refs/pull/${number}/merge` : `refs/heads/${baseRef}`)
    return { name, payload, ref, headRef, baseRef }
  }
  const ref = spec.ref ?? `refs/heads/${defaultBranch}`
  const payload =
    spec.event?.payload ??
    (name === 'push'
      ? {
          ref,
          before: '0000000000000000000000000000000000000000',
          after: sha,
          created: false,
          deleted: false,
          forced: false,
          head_commit: { id: sha, message: 'harness commit' },
          pusher: { name: actor },
          repository: repo,
          sender,
        }
      : { repository: repo, sender })
  return { name, payload, ref, headRef: '', baseRef: '' }
}

/** Runs one job. Steps run sequentially; separate jobs are separate calls. */
export async function runJob(spec: JobSpec): Promise<JobResult> {
  // ---- validate the definition up front (the runner validates the workflow before running)
  const workspace = resolve(spec.workspace)
  if (!existsSync(workspace) || !statSync(workspace).isDirectory()) {
    throw new HarnessError(`workspace '${workspace}' does not exist`)
  }
  const runnerSpec = spec.runner ?? {}
  if (runnerSpec.os !== undefined && runnerSpec.os !== 'Linux') throw new HarnessError('only RUNNER_OS=Linux is supported')
  const ids = new Set<string>()
  for (const [i, step] of spec.steps.entries()) {
    const hasUses = 'uses' in step
    const hasRun = 'run' in step
    if (hasUses === hasRun) throw new HarnessError(`step ${i + 1}: exactly one of 'uses' and 'run' is required`)
    if (step.if !== undefined) {
      try {
        parseStatusCondition(step.if)
      } catch (err) {
        throw new HarnessError(`step ${i + 1}: ${(err as Error).message}`)
      }
    }
    if (step.id !== undefined) {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step.id) || step.id.startsWith('__')) {
        throw new HarnessError(`step ${i + 1}: invalid id '${step.id}'`)
      }
      if (ids.has(step.id.toLowerCase())) throw new HarnessError(`step ${i + 1}: duplicate id '${step.id}'`)
      ids.add(step.id.toLowerCase())
    }
  }

  // ---- runner identity and directories
  const environment = runnerSpec.environment ?? 'github-hosted'
  const hosted = environment === 'github-hosted'
  const arch = runnerSpec.arch ?? (process.arch === 'arm64' ? 'ARM64' : 'X64')
  const runnerName = runnerSpec.name ?? (hosted ? 'GitHub Actions 1' : 'self-hosted-runner')
  const jobRoot = mkdtempSync(join(tmpdir(), 'gha-job-'))
  const temp = resolve(runnerSpec.temp ?? join(jobRoot, '_temp'))
  emptyDirectory(temp)
  const toolCache = resolve(runnerSpec.toolCache ?? join(jobRoot, '_tool'))
  mkdirSync(toolCache, { recursive: true })
  const fileCommandDir = join(temp, '_runner_file_commands')
  mkdirSync(fileCommandDir, { recursive: true })

  // ---- github context
  const gh = spec.github ?? {}
  const repository = spec.repository ?? 'octo-org/octo-repo'
  if (!/^[^/\s]+\/[^/\s]+$/.test(repository)) throw new HarnessError(`repository '${repository}' is not owner/name`)
  const owner = repository.split('/')[0]!
  const sha = gh.sha ?? DEFAULT_SHA
  const actor = gh.actor ?? 'octocat'
  const serverUrl = gh.serverUrl ?? 'https://github.com'
  const isDotCom = serverUrl === 'https://github.com'
  const apiUrl = gh.apiUrl ?? (isDotCom ? 'https://api.github.com' : `${serverUrl}/api/v3`)
  const graphqlUrl = gh.graphqlUrl ?? (isDotCom ? 'https://api.github.com/graphql' : `${serverUrl}/api/graphql`)
  const token = gh.token ?? DEFAULT_TOKEN
  const event = buildEvent(spec, repository, sha, actor, serverUrl)
  const eventDir = join(temp, '_github_workflow')
  mkdirSync(eventDir, { recursive: true })
  const eventPath = join(eventDir, 'event.json')
  writeFileSync(eventPath, JSON.stringify(event.payload, null, 2))
  const workflow = gh.workflow ?? 'CI'
  const jobId = gh.job ?? 'build'
  const runId = String(gh.runId ?? 1234567890)
  const runNumber = String(gh.runNumber ?? 1)
  const runAttempt = String(gh.runAttempt ?? 1)
  const refType = event.ref.startsWith('refs/tags/') ? 'tag' : 'branch'

  const githubContext: Record<string, ExprValue> = {
    token,
    server_url: serverUrl,
    api_url: apiUrl,
    graphql_url: graphqlUrl,
    repository,
    repository_owner: owner,
    repository_id: String(gh.repositoryId ?? 123456789),
    repository_owner_id: String(gh.repositoryOwnerId ?? 987654321),
    ref: event.ref,
    ref_name: refName(event.ref),
    ref_type: refType,
    ref_protected: false,
    sha,
    run_id: runId,
    run_number: runNumber,
    run_attempt: runAttempt,
    retention_days: '90',
    job: jobId,
    workflow,
    workflow_ref: `${repository}/.github/workflows/ci.yml@${event.ref}`,
    workflow_sha: sha,
    event_name: event.name,
    event_path: eventPath,
    event: JSON.parse(JSON.stringify(event.payload ?? null)) as ExprValue,
    actor,
    actor_id: '1',
    triggering_actor: actor,
    workspace,
    head_ref: event.headRef,
    base_ref: event.baseRef,
  }
  const runnerContext: Record<string, ExprValue> = {
    name: runnerName,
    os: 'Linux',
    arch,
    temp,
    tool_cache: toolCache,
    environment,
    ...(spec.debug ? { debug: '1' } : {}),
  }

  // ---- masking: secret variables and the runtime token, as the worker registers them at job start
  const masker = new SecretMasker()
  const addSecret = (value: string) => {
    const trimmed = value.trim()
    masker.addValue(trimmed)
    for (const line of trimmed.split(/[\r\n]+/)) if (line.trim() !== '') masker.addValue(line.trim())
  }
  addSecret(token)
  for (const value of Object.values(spec.secrets ?? {})) addSecret(value)
  for (const name of ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN']) {
    const value = spec.actionsRuntime?.[name]
    if (value) masker.addValue(value)
  }

  // ---- runner process environment
  const baseEnv: Record<string, string> = {}
  for (const name of runnerSpec.inheritEnv ?? ['PATH', 'HOME']) {
    const value = process.env[name]
    if (value !== undefined) baseEnv[name] = value
  }
  if (runnerSpec.home !== undefined) baseEnv.HOME = runnerSpec.home
  baseEnv.CI = 'true'
  baseEnv.GITHUB_ACTIONS = 'true'
  baseEnv.RUNNER_WORKSPACE = dirname(workspace)
  baseEnv.RUNNER_TRACKING_ID = `github_${randomUUID()}`
  const imageOS = runnerSpec.imageOS === undefined ? (hosted ? 'ubuntu24' : null) : runnerSpec.imageOS
  if (imageOS !== null) baseEnv.ImageOS = imageOS
  Object.assign(baseEnv, runnerSpec.baseEnv ?? {})
  if (runnerSpec.envFile !== undefined && existsSync(runnerSpec.envFile)) {
    for (const line of readFileSync(runnerSpec.envFile, 'utf8').split('\n')) {
      const eq = line.indexOf('=')
      if (eq > 0) baseEnv[line.slice(0, eq)] = line.slice(eq + 1).replace(/\r$/, '')
    }
  }

  // ---- job state
  const jobEnv: Record<string, string> = { ...(spec.env ?? {}) }
  let prependPath: string[] = []
  let jobStatus: JobStatus = 'success'
  const results: StepResult[] = []
  const logLines: string[] = []
  const generatedIds = new Map<string, number>()
  const nodeBinary = spec.nodeBinary ?? process.execPath

  const contextName = (step: StepSpec): string => {
    if (step.id !== undefined) return step.id
    const base = isUses(step) ? '__self' : '__run'
    const n = (generatedIds.get(base) ?? 0) + 1
    generatedIds.set(base, n)
    return n === 1 ? base : `${base}_${n}`
  }

  const expressionContexts = (): ExprContexts => ({
    github: githubContext,
    runner: runnerContext,
    job: { status: jobStatus },
    strategy: { 'fail-fast': true, 'job-index': 0, 'job-total': 1, 'max-parallel': 1 },
    matrix: JSON.parse(JSON.stringify(spec.matrix ?? {})) as ExprValue,
  })

  interface Execution {
    id: string
    name: string
    phase: StepPhase
    step: StepSpec
    manifest?: ActionManifest
    state?: Record<string, string>
    /** a runner job hook script */
    hookPath?: string
  }

  const skipped = (exec: Execution): StepResult => ({
    id: exec.id,
    name: exec.name,
    phase: exec.phase,
    conclusion: 'skipped',
    outcome: 'skipped',
    exitCode: null,
    signal: null,
    timedOut: false,
    outputs: {},
    summary: '',
    annotations: [],
    debug: [],
    log: '',
    rawStdout: '',
    rawStderr: '',
    rawOutput: '',
    durationMs: 0,
    envAdded: {},
    pathAdded: [],
    state: {},
    processEnv: {},
    deprecatedCommands: [],
    ignoredCommands: [],
  })

  const execute = async (exec: Execution): Promise<StepResult> => {
    const started = Date.now()
    const { step, phase } = exec
    const stepLog: string[] = []
    const stepEnv = step.env ?? {}
    const hook = exec.hookPath !== undefined
    const envContext = hook ? { ...baseEnv } : { ...baseEnv, ...jobEnv, ...stepEnv }
    const processor = new StepOutputProcessor({
      masker,
      allowUnsecureCommands: (envContext.ACTIONS_ALLOW_UNSECURE_COMMANDS ?? '').toLowerCase() === 'true',
      deprecateStepOutputCommands: spec.deprecateStepOutputCommands ?? true,
      debug: spec.debug ?? false,
      onLog: (line) => {
        stepLog.push(line)
        logLines.push(line)
        spec.log?.(line, { id: exec.id, phase })
      },
    })

    // fresh file-command files for this step
    const suffix = randomUUID()
    const files = {} as Record<FileCommandKind, string>
    for (const kind of Object.keys(FILE_COMMANDS) as FileCommandKind[]) {
      files[kind] = join(fileCommandDir, `${FILE_COMMANDS[kind].prefix}${suffix}`)
      writeFileSync(files[kind], '')
    }

    // the environment, layered as the runner does (hooks: the runner's own environment only)
    const env: Record<string, string> = { ...envContext }
    let inputs: Record<string, string> | undefined
    let inputWarnings: string[] = []
    if (exec.manifest) {
      if (phase === 'post') {
        for (const [k, v] of Object.entries(exec.state ?? {})) env[`STATE_${k}`] = v
      }
      const resolved = resolveInputs(exec.manifest.inputs, stringifyWith((step as UsesStepSpec).with), expressionContexts())
      inputs = resolved.values
      if (phase === 'main') inputWarnings = resolved.warnings
      Object.assign(env, inputsToEnv(resolved.values))
    }
    env.PATH = composePath(prependPath, env.PATH)
    const runtime: Record<string, string> = {
      GITHUB_ACTION: exec.id,
      GITHUB_ACTOR: actor,
      GITHUB_ACTOR_ID: '1',
      GITHUB_API_URL: apiUrl,
      GITHUB_BASE_REF: event.baseRef,
      GITHUB_ENV: files.env,
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_GRAPHQL_URL: graphqlUrl,
      GITHUB_HEAD_REF: event.headRef,
      GITHUB_JOB: jobId,
      GITHUB_OUTPUT: files.output,
      GITHUB_PATH: files.path,
      GITHUB_REF: event.ref,
      GITHUB_REF_NAME: refName(event.ref),
      GITHUB_REF_PROTECTED: 'false',
      GITHUB_REF_TYPE: refType,
      GITHUB_REPOSITORY: repository,
      GITHUB_REPOSITORY_ID: String(githubContext.repository_id),
      GITHUB_REPOSITORY_OWNER: owner,
      GITHUB_REPOSITORY_OWNER_ID: String(githubContext.repository_owner_id),
      GITHUB_RETENTION_DAYS: '90',
      GITHUB_RUN_ATTEMPT: runAttempt,
      GITHUB_RUN_ID: runId,
      GITHUB_RUN_NUMBER: runNumber,
      GITHUB_SERVER_URL: serverUrl,
      GITHUB_SHA: sha,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.step_summary,
      GITHUB_TRIGGERING_ACTOR: actor,
      GITHUB_WORKFLOW: workflow,
      GITHUB_WORKFLOW_REF: String(githubContext.workflow_ref),
      GITHUB_WORKFLOW_SHA: sha,
      GITHUB_WORKSPACE: workspace,
      RUNNER_ARCH: arch,
      RUNNER_ENVIRONMENT: environment,
      RUNNER_NAME: runnerName,
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: temp,
      RUNNER_TOOL_CACHE: toolCache,
      ...(spec.debug ? { RUNNER_DEBUG: '1' } : {}),
    }
    if (exec.manifest) runtime.GITHUB_ACTION_PATH = exec.manifest.directory
    // Hooks are not steps: no step-specific variables (github-actions-runtime.md 4.1).
    if (hook) for (const name of ['GITHUB_ACTION', 'GITHUB_OUTPUT', 'GITHUB_STATE']) delete runtime[name]
    Object.assign(env, runtime)
    if (exec.manifest) Object.assign(env, spec.actionsRuntime ?? {})

    // the step header the runner logs
    let file: string
    let args: string[]
    let cwd = workspace
    if (exec.manifest) {
      if (phase === 'post') {
        processor.output('Post job cleanup.')
      } else {
        processor.output(`##[group]Run ${(step as UsesStepSpec).uses}`)
        const shown = Object.entries(inputs ?? {}).filter(([, v]) => v !== '')
        if (shown.length > 0) {
          processor.output('with:')
          for (const [k, v] of shown) processor.output(`  ${k}: ${v}`)
        }
        const shownEnv = { ...jobEnv, ...stepEnv }
        if (Object.keys(shownEnv).length > 0) {
          processor.output('env:')
          for (const [k, v] of Object.entries(shownEnv)) processor.output(`  ${k}: ${v}`)
        }
        processor.output('##[endgroup]')
        for (const warning of inputWarnings) processor.issue('warning', warning)
        if (exec.manifest.pre) {
          processor.issue('warning', `\`pre\` execution is not supported for local action from '${(step as UsesStepSpec).uses}'`)
        }
      }
      file = nodeBinary
      args = [phase === 'post' ? exec.manifest.post! : exec.manifest.main]
    } else if (hook) {
      processor.output(`A job ${exec.id === HOOK_STARTED_ID ? 'started' : 'completed'} hook has been configured by the self-hosted runner administrator`)
      processor.output(`##[group]Run '${exec.hookPath}'`)
      processor.output('##[endgroup]')
      file = 'bash'
      args = ['-e', exec.hookPath!]
    } else {
      const run = step as RunStepSpec
      const scriptFile = join(temp, `${randomUUID()}.sh`)
      writeFileSync(scriptFile, run.run)
      const shell = run.shell ?? 'bash'
      const shellArgs = shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail'] : ['-e']
      file = shell === 'sh' ? 'sh' : 'bash'
      args = [...shellArgs, scriptFile]
      cwd = resolve(workspace, run.workingDirectory ?? '.')
      const lines = run.run.replace(/\n$/, '').split('\n')
      processor.output(`##[group]Run ${lines[0] ?? ''}`)
      for (const line of lines) processor.output(line)
      processor.output(`shell: ${file} ${shellArgs.join(' ')} {0}`)
      const shownEnv = { ...jobEnv, ...stepEnv }
      if (Object.keys(shownEnv).length > 0) {
        processor.output('env:')
        for (const [k, v] of Object.entries(shownEnv)) processor.output(`  ${k}: ${v}`)
      }
      processor.output('##[endgroup]')
    }

    const proc: SpawnStepResult = await spawnStep({
      file,
      args,
      cwd,
      env,
      ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
      ...(spec.killGraceMs ? { killGraceMs: spec.killGraceMs } : {}),
      onStdoutLine: (line) => processor.processLine(line),
      onStderrLine: (line) => processor.processLine(line),
    })

    let failed = false
    if (proc.error) {
      processor.issue('error', `An error occurred trying to start process '${file}' with working directory '${cwd}'. ${proc.error.message}`)
      failed = true
    } else if (proc.timedOut) {
      processor.issue('error', `The action '${exec.name}' has timed out after ${step.timeoutMs} ms.`)
      failed = true
    } else if (proc.exitCode !== 0) {
      if (!exec.manifest) processor.issue('error', `Process completed with exit code ${proc.exitCode ?? `null (signal ${proc.signal})`}.`)
      failed = true
    }
    if (processor.commandFailed) failed = true

    // file commands, processed whatever the outcome (order: path, env, step summary, state, output)
    const envAdded: Record<string, string> = {}
    let pathAdded: string[] = []
    const state: Record<string, string> = { ...processor.state }
    const outputs: Record<string, string> = { ...processor.outputs }
    let summary = ''
    if (processor.path.length > 0) prependPath = addToPrependPath(prependPath, processor.path)
    for (const [k, v] of Object.entries(processor.env)) {
      jobEnv[k] = v
      envAdded[k] = v
    }
    for (const kind of Object.keys(FILE_COMMANDS) as FileCommandKind[]) {
      const path = files[kind]
      try {
        if (!existsSync(path)) continue
        switch (kind) {
          case 'path':
            pathAdded = parsePathFile(readFileSync(path, 'utf8'))
            prependPath = addToPrependPath(prependPath, pathAdded)
            break
          case 'env':
            for (const [name, value] of iterateKeyValueFile(readFileSync(path, 'utf8'))) {
              const blocked = SET_ENV_BLOCK_LIST.find((b) => b.toLowerCase() === name.toLowerCase())
              if (blocked !== undefined) {
                processor.issue('error', `Can't store ${blocked} output parameter using '$GITHUB_ENV' command.`)
                continue
              }
              if (name === '') {
                processor.issue('warning', `[harness] GITHUB_ENV line '=${value}' has an empty name; ignored`)
                continue
              }
              jobEnv[name] = value
              envAdded[name] = value
            }
            break
          case 'step_summary': {
            const size = statSync(path).size
            if (size === 0) break
            if (size > STEP_SUMMARY_SIZE_LIMIT) {
              processor.issue(
                'error',
                `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of ${STEP_SUMMARY_SIZE_LIMIT / 1024}k, got ${Math.floor(size / 1024)}k. For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary`,
              )
              break
            }
            summary = scrubStepSummary(readFileSync(path, 'utf8'), (line) => masker.mask(line))
            break
          }
          case 'state':
            if (hook) break // hooks cannot save state or set outputs (ADR 1751)
            for (const [name, value] of iterateKeyValueFile(readFileSync(path, 'utf8'))) state[name] = value
            break
          case 'output':
            if (hook) break
            for (const [name, value] of iterateKeyValueFile(readFileSync(path, 'utf8'))) outputs[name] = value
            break
        }
      } catch (err) {
        processor.issue('error', `Unable to process file command '${kind}' successfully.`)
        processor.issue('error', (err as Error).message)
        failed = true
      }
    }

    const outcome = failed ? 'failure' : 'success'
    const conclusion = failed && !step.continueOnError ? 'failure' : 'success'
    if (conclusion === 'failure') jobStatus = 'failure'
    const annotations: StepAnnotation[] = processor.annotations.map((a) => ({ ...a, stepId: exec.id, phase }))
    return {
      id: exec.id,
      name: exec.name,
      phase,
      conclusion,
      outcome,
      exitCode: proc.exitCode,
      signal: proc.signal,
      timedOut: proc.timedOut,
      outputs,
      summary,
      annotations,
      debug: [...processor.debug],
      log: stepLog.join('\n'),
      rawStdout: proc.rawStdout,
      rawStderr: proc.rawStderr,
      rawOutput: proc.rawLines.map((l) => l.line).join('\n'),
      durationMs: Date.now() - started,
      envAdded,
      pathAdded,
      state,
      ...(inputs ? { inputs } : {}),
      processEnv: env,
      deprecatedCommands: [...processor.deprecatedCommands],
      ignoredCommands: [...processor.ignoredCommands],
    }
  }

  /** False when the hook failed. */
  const runHook = async (variable: string, id: string): Promise<boolean> => {
    const hookPath = baseEnv[variable]
    if (!hookPath) return true
    if (!hookPath.endsWith('.sh')) throw new HarnessError(`${variable}: only .sh hooks are supported, got ${hookPath}`)
    const exec: Execution = { id, name: id, phase: 'hook', step: { run: '' }, hookPath }
    const result = await execute(exec)
    results.push(result)
    return result.conclusion === 'success'
  }

  try {
    const started = await runHook('ACTIONS_RUNNER_HOOK_JOB_STARTED', HOOK_STARTED_ID)
    // ---- main steps (none when the job-started hook failed: it is part of setting up the job)
    const posts: Array<{ exec: Execution; mainResult: StepResult }> = []
    for (const step of started ? spec.steps : []) {
      const id = contextName(step)
      const name = step.name ?? (isUses(step) ? `Run ${step.uses}` : `Run ${step.run.split('\n')[0]}`)
      const phase: StepPhase = isUses(step) ? 'main' : 'run'
      const exec: Execution = { id, name, phase, step }
      if (!statusConditionPasses(step.if ?? 'success()', jobStatus)) {
        results.push(skipped(exec))
        continue
      }
      if (isUses(step)) {
        try {
          exec.manifest = loadActionManifest(resolve(workspace, step.uses))
        } catch (err) {
          throw new HarnessError(`step '${id}': ${(err as Error).message}`)
        }
      }
      const result = await execute(exec)
      results.push(result)
      if (exec.manifest?.post) posts.push({ exec, mainResult: result })
    }

    // ---- post steps, last registered first
    for (const { exec, mainResult } of posts.reverse()) {
      const post: Execution = {
        ...exec,
        name: `Post ${exec.name}`,
        phase: 'post',
        state: mainResult.state,
      }
      if (!statusConditionPasses(exec.manifest!.postIf, jobStatus)) {
        results.push(skipped(post))
        continue
      }
      results.push(await execute(post))
    }
    // after every post step (the runner registers it at job start)
    await runHook('ACTIONS_RUNNER_HOOK_JOB_COMPLETED', HOOK_COMPLETED_ID)
  } finally {
    if (!spec.keepTemp) rmSync(jobRoot, { recursive: true, force: true })
  }

  const annotations = results.flatMap((r) => r.annotations)
  return {
    conclusion: jobStatus,
    steps: results,
    summary: results.map((r) => r.summary).join(''),
    env: { ...jobEnv },
    path: [...prependPath].reverse(),
    annotations,
    masks: masker.values,
    log: logLines.join('\n'),
    paths: { temp, toolCache, eventPath, fileCommands: fileCommandDir, workspace },
    step(id: string, phase?: StepPhase): StepResult {
      const found = results.find((r) => r.id === id && (phase === undefined ? r.phase !== 'post' : r.phase === phase))
      if (!found) {
        const known = results.map((r) => `${r.id}/${r.phase}`).join(', ')
        throw new Error(`no step '${id}'${phase ? ` (${phase})` : ''} in this job; steps: ${known}`)
      }
      return found
    },
  }
}
