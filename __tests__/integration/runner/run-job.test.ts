// The runner harness against tiny real node24 actions (no npm dependencies):
// each test writes its actions into a temp workspace and runs a job.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { HarnessError, runJob, writeNodeAction, type JobSpec } from '../../support/runner/index.ts'

let root: string
let workspace: string

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'runner-harness-'))
  workspace = join(root, 'work', 'repo', 'repo')
  mkdirSync(workspace, { recursive: true })
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

/** writes an action under the workspace and returns its `uses:` path */
function action(name: string, spec: Parameters<typeof writeNodeAction>[1]): string {
  writeNodeAction(join(workspace, '.github', 'actions', name), spec)
  return `./.github/actions/${name}`
}

function job(steps: JobSpec['steps'], extra: Partial<JobSpec> = {}): JobSpec {
  return { workspace, steps, killGraceMs: { sigterm: 200, sigkill: 200 }, ...extra }
}

describe('inputs', () => {
  const inputs = {
    greeting: { default: 'hello' },
    token: { default: "${{ github.server_url == 'https://github.com' && github.token || '' }}" },
    'cache-dependency-path': { description: 'no default' },
    'go version': { default: '${{ matrix.go }}' },
    needed: { required: true },
  }
  const dump = `appendFile('GITHUB_OUTPUT', heredoc('inputs', JSON.stringify(Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.startsWith('INPUT_')).sort()))))\n`

  it('passes with: values and evaluated defaults as INPUT_<NAME>, without enforcing required', async () => {
    const uses = action('inputs', { inputs, main: dump })
    const r = await runJob(
      job([{ id: 'a', uses, with: { GREETING: 'hi there', extra: 7 } }], {
        github: { token: 'ghs_faketoken123' },
        matrix: { go: '1.25' },
      }),
    )
    expect(r.conclusion).toBe('success')
    expect(JSON.parse(r.step('a').outputs.inputs!)).toEqual({
      'INPUT_CACHE-DEPENDENCY-PATH': '',
      INPUT_EXTRA: '7',
      INPUT_GO_VERSION: '1.25',
      INPUT_GREETING: 'hi there',
      INPUT_NEEDED: '',
      INPUT_TOKEN: 'ghs_faketoken123',
    })
    expect(r.step('a').annotations.map((a) => a.message)).toEqual([
      "Unexpected input(s) 'extra', valid inputs are ['greeting', 'token', 'cache-dependency-path', 'go version', 'needed']",
    ])
    // the runner prints the inputs; the token is masked there
    expect(r.step('a').log).toContain('  token: ***')
  })

  it('evaluates the token default to empty on GHES', async () => {
    const uses = action('inputs', { inputs, main: dump })
    const r = await runJob(job([{ id: 'a', uses }], { github: { serverUrl: 'https://ghe.example.com' } }))
    expect(JSON.parse(r.step('a').outputs.inputs!).INPUT_TOKEN).toBe('')
  })

  it('refuses a default that reads a context the runner does not allow', async () => {
    const uses = action('bad', { inputs: { home: { default: '${{ env.HOME }}' } }, main: '' })
    await expect(runJob(job([{ uses }]))).rejects.toThrow("Unrecognized named-value: 'env'")
  })

  it('refuses actions that are not node24', async () => {
    const uses = action('old', { using: 'node20', main: '' })
    await expect(runJob(job([{ uses }]))).rejects.toThrow(HarnessError)
    await expect(runJob(job([{ uses }]))).rejects.toThrow("runs.using 'node20' is not supported by the harness")
  })
})

describe('file commands', () => {
  it('flows env, path, outputs and state to the right places', async () => {
    const toolDir = join(root, 'tools')
    mkdirSync(toolDir)
    writeFileSync(join(toolDir, 'hello-tool'), '#!/bin/sh\necho "tool says hi"\n', { mode: 0o755 })
    const uses = action('flow', {
      main: `
appendFile('GITHUB_ENV', 'FROM_MAIN=main-value\\n')
appendFile('GITHUB_PATH', ${JSON.stringify(toolDir)} + '\\n')
appendFile('GITHUB_OUTPUT', 'answer=42\\n')
appendFile('GITHUB_STATE', heredoc('cache-key', 'key-1'))
console.log('own FROM_MAIN=' + (process.env.FROM_MAIN ?? 'unset'))
`,
      post: `
console.log('post STATE=' + process.env['STATE_cache-key'] + ' FROM_MAIN=' + process.env.FROM_MAIN + ' LATER=' + process.env.LATER)
appendFile('GITHUB_OUTPUT', 'post-out=done\\n')
`,
    })
    const other = action('other', { main: '', post: "console.log('other post STATE=' + (process.env['STATE_cache-key'] ?? 'unset'))" })
    const r = await runJob(
      job([
        { id: 'main', uses },
        { id: 'use', run: 'echo "FROM_MAIN=$FROM_MAIN"\nhello-tool\necho "LATER=later" >> "$GITHUB_ENV"\necho "LATER in same step=${LATER:-unset}"' },
        { id: 'o', uses: other },
      ]),
    )
    expect(r.conclusion).toBe('success')
    const main = r.step('main')
    expect(main.log).toContain('own FROM_MAIN=unset')
    expect(main.outputs).toEqual({ answer: '42' })
    expect(main.state).toEqual({ 'cache-key': 'key-1' })
    expect(main.envAdded).toEqual({ FROM_MAIN: 'main-value' })
    expect(main.pathAdded).toEqual([toolDir])
    const use = r.step('use')
    expect(use.rawStdout).toBe('FROM_MAIN=main-value\ntool says hi\nLATER in same step=unset\n')
    expect(use.processEnv.PATH!.startsWith(`${toolDir}:`)).toBe(true)
    expect(Object.keys(use.processEnv).filter((k) => k.startsWith('STATE_'))).toEqual([])
    // post steps: state only for the same action; env from all earlier steps
    expect(r.step('main', 'post').rawStdout).toBe('post STATE=key-1 FROM_MAIN=main-value LATER=later\n')
    expect(r.step('main', 'post').outputs).toEqual({ 'post-out': 'done' })
    expect(r.step('o', 'post').rawStdout).toBe('other post STATE=unset\n')
    expect(r.env).toEqual({ FROM_MAIN: 'main-value', LATER: 'later' })
    expect(r.path).toEqual([toolDir])
  })

  it('gives every step fresh files under RUNNER_TEMP/_runner_file_commands', async () => {
    const temp = join(root, 'runner-temp')
    const r = await runJob(
      job(
        [
          { id: 'one', run: 'echo "$GITHUB_ENV $GITHUB_OUTPUT $GITHUB_STATE $GITHUB_PATH $GITHUB_STEP_SUMMARY"' },
          { id: 'two', run: 'echo "$GITHUB_ENV $GITHUB_OUTPUT $GITHUB_STATE $GITHUB_PATH $GITHUB_STEP_SUMMARY"' },
        ],
        { runner: { temp } },
      ),
    )
    const one = r.step('one').rawStdout.trim().split(' ')
    const two = r.step('two').rawStdout.trim().split(' ')
    expect(one).toHaveLength(5)
    for (const f of [...one, ...two]) expect(f.startsWith(`${join(temp, '_runner_file_commands')}/`)).toBe(true)
    expect(one.map((f) => f.replace(/[0-9a-f-]{36}$/, ''))).toEqual(
      ['set_env_', 'set_output_', 'save_state_', 'add_path_', 'step_summary_'].map((p) => join(temp, '_runner_file_commands', p)),
    )
    expect(new Set([...one, ...two]).size).toBe(10)
  })

  it('carries multi-line values through GITHUB_ENV and GITHUB_OUTPUT', async () => {
    const multi = 'line 1\nline 2 with = and <<EOF\n\nlast'
    const uses = action('multi', {
      main: `appendFile('GITHUB_ENV', heredoc('MULTI', ${JSON.stringify(multi)}))
appendFile('GITHUB_OUTPUT', heredoc('text', ${JSON.stringify(multi)}))
appendFile('GITHUB_OUTPUT', 'empty<<X\\nX\\n')`,
    })
    const r = await runJob(
      job([
        { id: 'm', uses },
        { id: 'echo', run: 'printf "%s" "$MULTI" > multi.txt\n{ echo "copy<<END"; printf "%s\\n" "$MULTI"; echo END; } >> "$GITHUB_OUTPUT"' },
      ]),
    )
    expect(r.conclusion).toBe('success')
    expect(r.step('m').outputs).toEqual({ text: multi, empty: '' })
    expect(readFileSync(join(workspace, 'multi.txt'), 'utf8')).toBe(multi)
    expect(r.step('echo').outputs.copy).toBe(multi)
    expect(r.step('echo').processEnv.MULTI).toBe(multi)
  })

  it('fails the step when a heredoc never closes, even with exit code 0', async () => {
    const uses = action('broken', { main: "appendFile('GITHUB_OUTPUT', 'ok=1\\nbad<<EOF\\nvalue\\n')" })
    const r = await runJob(
      job([
        { id: 'b', uses },
        { id: 'next', run: 'true' },
      ]),
    )
    const b = r.step('b')
    expect(b.exitCode).toBe(0)
    expect(b.conclusion).toBe('failure')
    expect(b.outputs).toEqual({ ok: '1' })
    expect(b.annotations.map((a) => a.message)).toEqual([
      "Unable to process file command 'output' successfully.",
      "Invalid value. Matching delimiter not found 'EOF'",
    ])
    expect(r.step('next').conclusion).toBe('skipped')
    expect(r.conclusion).toBe('failure')
  })

  it('blocks NODE_OPTIONS from GITHUB_ENV with an error annotation but keeps the step green', async () => {
    const r = await runJob(
      job([
        { id: 'set', run: 'echo "NODE_OPTIONS=--require /tmp/evil.js" >> "$GITHUB_ENV"\necho "node_options=x" >> "$GITHUB_ENV"\necho "OK=1" >> "$GITHUB_ENV"' },
        { id: 'see', run: 'echo "[${NODE_OPTIONS:-unset}] [${node_options:-unset}] [$OK]"' },
      ]),
    )
    expect(r.conclusion).toBe('success')
    expect(r.step('set').annotations.map((a) => [a.level, a.message])).toEqual([
      ['error', "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command."],
      ['error', "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command."],
    ])
    expect(r.step('see').rawStdout).toBe('[unset] [unset] [1]\n')
  })

  it('lets GITHUB_ENV override CI but not the runner-provided GITHUB_*/RUNNER_* variables', async () => {
    const r = await runJob(
      job([
        { id: 'set', run: 'printf "CI=false\\nGITHUB_WORKSPACE=/elsewhere\\nRUNNER_TEMP=/bad\\n" >> "$GITHUB_ENV"' },
        { id: 'see', run: 'echo "$CI $GITHUB_WORKSPACE $RUNNER_TEMP"' },
      ]),
    )
    const [ci, ws, temp] = r.step('see').rawStdout.trim().split(' ')
    expect(ci).toBe('false')
    expect(ws).toBe(workspace)
    expect(temp).not.toBe('/bad')
  })

  it('collects step summaries, masked, into the job summary', async () => {
    const uses = action('sum', {
      main: "console.log('::add-mask::hunter2'); appendFile('GITHUB_STEP_SUMMARY', '### From action\\npassword: hunter2')",
    })
    const r = await runJob(
      job([
        { id: 's1', run: 'echo "## Run step" >> "$GITHUB_STEP_SUMMARY"' },
        { id: 's2', uses },
      ]),
    )
    expect(r.step('s1').summary).toBe('## Run step\n')
    expect(r.step('s2').summary).toBe('### From action\npassword: ***\n')
    expect(r.summary).toBe('## Run step\n### From action\npassword: ***\n')
  })

  it('honours the deprecated ::set-output:: with a warning', async () => {
    const r = await runJob(job([{ id: 'old', run: 'echo "::set-output name=legacy::yes"' }]))
    expect(r.step('old').outputs).toEqual({ legacy: 'yes' })
    expect(r.step('old').deprecatedCommands.map((c) => c.command)).toEqual(['set-output'])
    expect(r.annotations.map((a) => a.level)).toEqual(['warning'])
  })
})

describe('post steps', () => {
  const recorder = (label: string) =>
    `import { appendFileSync as af } from 'node:fs'\naf(process.env.GITHUB_WORKSPACE + '/order.log', ${JSON.stringify(label)} + '\\n')\n`

  it('run in reverse order after all main steps', async () => {
    const a = action('a', { main: recorder('main a'), post: recorder('post a') })
    const b = action('b', { main: recorder('main b'), post: recorder('post b') })
    const r = await runJob(
      job([
        { id: 'a', uses: a },
        { id: 'b', uses: b },
        { id: 'last', run: 'echo "run last" >> order.log' },
      ]),
    )
    expect(readFileSync(join(workspace, 'order.log'), 'utf8')).toBe('main a\nmain b\nrun last\npost b\npost a\n')
    expect(r.steps.map((s) => `${s.id}/${s.phase}`)).toEqual(['a/main', 'b/main', 'last/run', 'b/post', 'a/post'])
    expect(r.step('a', 'post').log.split('\n')[0]).toBe('Post job cleanup.')
  })

  it('are gated by post-if against the job status', async () => {
    const always = action('always', { main: '', post: recorder('always') })
    const onSuccess = action('success', { main: '', post: recorder('success'), postIf: 'success()' })
    const onFailure = action('failure', { main: '', post: recorder('failure'), postIf: 'failure()' })
    const steps: JobSpec['steps'] = [{ uses: always }, { uses: onSuccess }, { uses: onFailure }]

    const ok = await runJob(job(steps))
    expect(readFileSync(join(workspace, 'order.log'), 'utf8')).toBe('success\nalways\n')
    expect(ok.steps.filter((s) => s.phase === 'post').map((s) => `${s.id}:${s.conclusion}`)).toEqual(['__self_3:skipped', '__self_2:success', '__self:success'])

    rmSync(join(workspace, 'order.log'))
    const failed = await runJob(job([...steps, { run: 'exit 1' }]))
    expect(failed.conclusion).toBe('failure')
    expect(readFileSync(join(workspace, 'order.log'), 'utf8')).toBe('failure\nalways\n')
  })

  it('see the job status as changed by earlier post steps', async () => {
    const first = action('first', { main: '', post: recorder('first'), postIf: 'failure()' })
    const breaks = action('breaks', { main: '', post: "console.log('::error::cleanup failed'); process.exit(1)" })
    const r = await runJob(
      job([
        { id: 'first', uses: first },
        { id: 'breaks', uses: breaks },
      ]),
    )
    expect(r.step('breaks', 'post').conclusion).toBe('failure')
    expect(r.step('first', 'post').conclusion).toBe('success')
    expect(r.conclusion).toBe('failure')
  })

  it('a failing post step fails an otherwise green job', async () => {
    const uses = action('bad-post', { main: "console.log('main ok')", post: 'process.exitCode = 2' })
    const r = await runJob(job([{ id: 'x', uses }]))
    expect(r.step('x').conclusion).toBe('success')
    expect(r.step('x', 'post').exitCode).toBe(2)
    expect(r.conclusion).toBe('failure')
  })

  it('run even when their main step failed, but not when it was skipped', async () => {
    const failing = action('failing', { main: 'process.exit(1)', post: recorder('failing post') })
    const skipped = action('skipped', { main: recorder('skipped main'), post: recorder('skipped post') })
    const r = await runJob(
      job([
        { id: 'f', uses: failing },
        { id: 's', uses: skipped },
      ]),
    )
    expect(readFileSync(join(workspace, 'order.log'), 'utf8')).toBe('failing post\n')
    expect(r.steps.map((s) => `${s.id}/${s.phase}:${s.conclusion}`)).toEqual(['f/main:failure', 's/main:skipped', 'f/post:success'])
  })

  it('warn that pre is not run for local actions', async () => {
    const uses = action('pre', { pre: recorder('pre'), main: recorder('main') })
    const r = await runJob(job([{ id: 'p', uses }]))
    expect(readFileSync(join(workspace, 'order.log'), 'utf8')).toBe('main\n')
    expect(r.step('p').annotations.map((a) => a.message)).toEqual(["`pre` execution is not supported for local action from './.github/actions/pre'"])
  })
})

describe('masking', () => {
  it('masks ::add-mask:: values in the log and summary but keeps raw output', async () => {
    const uses = action('mask', {
      main: `console.log('before: s3cr3t-v4lue')
console.log('::add-mask::s3cr3t-v4lue')
console.log('stdout: s3cr3t-v4lue')
console.error('stderr: s3cr3t-v4lue')
console.log('::warning title=s3cr3t-v4lue::warning mentions s3cr3t-v4lue')
console.log('base64: ' + Buffer.from('s3cr3t-v4lue').toString('base64'))
appendFile('GITHUB_OUTPUT', 'value=s3cr3t-v4lue\\n')`,
    })
    const r = await runJob(
      job([
        { id: 'm', uses },
        { id: 'later', run: 'echo "later step: s3cr3t-v4lue"' },
      ]),
    )
    const m = r.step('m')
    const stdoutLines = m.log
      .split('\n')
      .filter((l) => l !== 'stderr: ***')
      .slice(-4)
    expect(stdoutLines).toEqual([
      'before: s3cr3t-v4lue', // printed before the mask was added
      'stdout: ***',
      '##[warning]warning mentions ***',
      'base64: ***',
    ])
    expect(m.log.split('\n')).toContain('stderr: ***')
    expect(m.annotations[0]).toMatchObject({ message: 'warning mentions ***', properties: { title: '***' } })
    expect(m.rawStdout).toContain('stdout: s3cr3t-v4lue')
    expect(m.rawStderr).toBe('stderr: s3cr3t-v4lue\n')
    expect(m.outputs.value).toBe('s3cr3t-v4lue') // outputs are data, not log
    expect(r.step('later').log).toContain('later step: ***')
    expect(r.masks).toContain('s3cr3t-v4lue')
    expect(r.log).not.toContain('stdout: s3cr3t-v4lue')
  })

  it('masks secrets, github.token and ACTIONS_RUNTIME_TOKEN from the start', async () => {
    const r = await runJob(
      job([{ id: 'p', run: 'echo "secret=$MY_SECRET"\necho "first line only: line-one"\necho "token=$TOKEN"\necho "runtime=runtime-tok-1"' }], {
        secrets: { MY_SECRET: 'sup3r-s3cret', MULTI: 'line-one\nline-two' },
        github: { token: 'ghs_0123456789abcdef' },
        env: { MY_SECRET: 'sup3r-s3cret', TOKEN: 'ghs_0123456789abcdef' },
        actionsRuntime: { ACTIONS_RUNTIME_TOKEN: 'runtime-tok-1' },
      }),
    )
    expect(r.step('p').log.split('\n').slice(-4)).toEqual(['secret=***', 'first line only: ***', 'token=***', 'runtime=***'])
    // the step header lists the job env: masked too
    expect(r.step('p').log).toContain('  MY_SECRET: ***')
    expect(r.step('p').rawStdout).toContain('secret=sup3r-s3cret')
  })
})

describe('runtime variables', () => {
  const runtime = {
    ACTIONS_RUNTIME_TOKEN: 'rt-token',
    ACTIONS_RUNTIME_URL: 'http://127.0.0.1:1/runtime/',
    ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/results/',
    ACTIONS_CACHE_URL: 'http://127.0.0.1:1/cache/',
    ACTIONS_CACHE_SERVICE_V2: 'True',
    ACTIONS_CACHE_MODE: 'write',
  }

  it('are given to node action steps (main and post) only', async () => {
    const uses = action('rt', { main: '', post: '' })
    const r = await runJob(
      job(
        [
          { id: 'a', uses },
          { id: 'shell', run: 'env | grep ^ACTIONS_ || true' },
        ],
        { actionsRuntime: runtime },
      ),
    )
    const pick = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('ACTIONS_')))
    expect(pick(r.step('a').processEnv)).toEqual(runtime)
    expect(pick(r.step('a', 'post').processEnv)).toEqual(runtime)
    expect(pick(r.step('shell').processEnv)).toEqual({})
    expect(r.step('shell').rawStdout).toBe('')
  })

  it('reach run steps when an action exports them through GITHUB_ENV', async () => {
    const uses = action('export', {
      main: "appendFile('GITHUB_ENV', 'ACTIONS_RESULTS_URL=' + process.env.ACTIONS_RESULTS_URL + '\\nACTIONS_RUNTIME_TOKEN=' + process.env.ACTIONS_RUNTIME_TOKEN + '\\n')",
    })
    const r = await runJob(job([{ uses }, { id: 'shell', run: 'echo "$ACTIONS_RESULTS_URL $ACTIONS_RUNTIME_TOKEN"' }], { actionsRuntime: runtime }))
    expect(r.step('shell').rawStdout).toBe('http://127.0.0.1:1/results/ rt-token\n')
    expect(r.step('shell').log).toContain('http://127.0.0.1:1/results/ ***')
  })
})

describe('conclusions', () => {
  it('skips later steps after a failure unless their if allows it', async () => {
    const r = await runJob(
      job([
        { id: 'ok', run: 'true' },
        { id: 'fails', run: 'echo failing; exit 3' },
        { id: 'plain', run: 'touch plain-ran' },
        { id: 'succ', if: '${{ success() }}', run: 'touch succ-ran' },
        { id: 'always', if: 'always()', run: 'echo always' },
        { id: 'onfail', if: 'failure()', run: 'echo on failure' },
        { id: 'cancel', if: 'cancelled()', run: 'echo cancelled' },
      ]),
    )
    expect(r.conclusion).toBe('failure')
    expect(r.steps.map((s) => [s.id, s.conclusion, s.exitCode])).toEqual([
      ['ok', 'success', 0],
      ['fails', 'failure', 3],
      ['plain', 'skipped', null],
      ['succ', 'skipped', null],
      ['always', 'success', 0],
      ['onfail', 'success', 0],
      ['cancel', 'skipped', null],
    ])
    expect(existsSync(join(workspace, 'plain-ran'))).toBe(false)
    expect(r.step('fails').annotations.map((a) => a.message)).toEqual(['Process completed with exit code 3.'])
  })

  it('runs failure() steps only after a failure', async () => {
    const r = await runJob(
      job([
        { id: 'a', run: 'true' },
        { id: 'f', if: 'failure()', run: 'true' },
      ]),
    )
    expect(r.step('f').conclusion).toBe('skipped')
    expect(r.conclusion).toBe('success')
  })

  it('uses pipefail for bash steps and honours continueOnError', async () => {
    const r = await runJob(
      job([
        { id: 'pipe', run: 'false | cat', continueOnError: true },
        { id: 'defaultShell', shell: 'default', run: 'false | cat\necho still-here' },
        { id: 'after', run: 'true' },
      ]),
    )
    expect(r.step('pipe')).toMatchObject({ outcome: 'failure', conclusion: 'success', exitCode: 1 })
    expect(r.step('defaultShell')).toMatchObject({ conclusion: 'success', rawStdout: 'still-here\n' })
    expect(r.step('after').conclusion).toBe('success')
    expect(r.conclusion).toBe('success')
  })

  it('rejects unsupported if conditions before running anything', async () => {
    await expect(runJob(job([{ run: 'touch ran' }, { if: "github.ref == 'refs/heads/main'", run: 'true' }]))).rejects.toThrow(
      'supports only success(), always(), failure() and cancelled()',
    )
    expect(existsSync(join(workspace, 'ran'))).toBe(false)
  })

  it('kills a step (and its process group) on timeout', async () => {
    const started = Date.now()
    const r = await runJob(
      job([
        { id: 'slow', timeoutMs: 300, run: 'sleep 30 & echo $! > bg.pid\nsleep 30' },
        { id: 'next', run: 'true' },
      ]),
    )
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(r.step('slow')).toMatchObject({ timedOut: true, conclusion: 'failure' })
    expect(r.step('slow').annotations.map((a) => a.message)).toEqual(["The action 'Run sleep 30 & echo $! > bg.pid' has timed out after 300 ms."])
    expect(r.step('next').conclusion).toBe('skipped')
    const bg = readFileSync(join(workspace, 'bg.pid'), 'utf8').trim()
    // dead: gone, or a zombie waiting for a (possibly non-reaping) init
    const stat = existsSync(`/proc/${bg}/stat`) ? readFileSync(`/proc/${bg}/stat`, 'utf8') : ''
    expect(stat === '' || / Z /.test(stat)).toBe(true)
  })
})

describe('environment', () => {
  it('does not leak the test process environment and sets the runner variables', async () => {
    process.env.HARNESS_LEAK_CHECK = 'leaked'
    try {
      const uses = action('env', { main: '' })
      const r = await runJob(
        job(
          [
            { id: 'act', uses },
            { id: 'sh', run: 'true', env: { STEP_VAR: 's' } },
          ],
          {
            env: { JOB_VAR: 'j' },
            repository: 'acme/widgets',
            runner: { home: join(root, 'home'), arch: 'ARM64' },
            github: { runId: 77, runAttempt: 2, job: 'save' },
          },
        ),
      )
      const env = r.step('sh').processEnv
      expect(env.HARNESS_LEAK_CHECK).toBeUndefined()
      expect(env).toMatchObject({
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        HOME: join(root, 'home'),
        JOB_VAR: 'j',
        STEP_VAR: 's',
        GITHUB_WORKSPACE: workspace,
        GITHUB_REPOSITORY: 'acme/widgets',
        GITHUB_REPOSITORY_OWNER: 'acme',
        GITHUB_REF: 'refs/heads/main',
        GITHUB_REF_NAME: 'main',
        GITHUB_REF_TYPE: 'branch',
        GITHUB_HEAD_REF: '',
        GITHUB_BASE_REF: '',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_RUN_ID: '77',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_JOB: 'save',
        GITHUB_ACTION: 'sh',
        RUNNER_OS: 'Linux',
        RUNNER_ARCH: 'ARM64',
        RUNNER_ENVIRONMENT: 'github-hosted',
        RUNNER_WORKSPACE: join(root, 'work', 'repo'),
        ImageOS: 'ubuntu24',
      })
      expect(env.GITHUB_ACTION_PATH).toBeUndefined()
      expect(env.GITHUB_TOKEN).toBeUndefined()
      expect(r.step('act').processEnv.GITHUB_ACTION_PATH).toBe(join(workspace, '.github', 'actions', 'env'))
      expect(r.step('act').processEnv.GITHUB_ACTION).toBe('act')
    } finally {
      delete process.env.HARNESS_LEAK_CHECK
    }
  })

  it('describes self-hosted runners without ImageOS', async () => {
    const r = await runJob(job([{ id: 'sh', run: 'true' }], { runner: { environment: 'self-hosted' } }))
    expect(r.step('sh').processEnv.RUNNER_ENVIRONMENT).toBe('self-hosted')
    expect(r.step('sh').processEnv.ImageOS).toBeUndefined()
  })

  it('writes a pull_request payload and sets the head/base refs', async () => {
    const r = await runJob(
      job([{ id: 'pr', run: 'cat "$GITHUB_EVENT_PATH" > event.json' }], {
        repository: 'acme/widgets',
        event: { name: 'pull_request' },
      }),
    )
    const env = r.step('pr').processEnv
    expect(env).toMatchObject({
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/1/merge',
      GITHUB_REF_NAME: '1/merge',
      GITHUB_HEAD_REF: 'feature-branch',
      GITHUB_BASE_REF: 'main',
    })
    const payload = JSON.parse(readFileSync(join(workspace, 'event.json'), 'utf8')) as {
      number: number
      pull_request: { head: { ref: string; repo: { full_name: string } }; base: { ref: string } }
    }
    expect(payload.number).toBe(1)
    expect(payload.pull_request.head.repo.full_name).toBe('acme/widgets')
    expect(payload.pull_request.base.ref).toBe('main')
  })

  it('takes head/base refs from a given pull_request payload', async () => {
    const payload = { number: 9, pull_request: { number: 9, head: { ref: 'topic', repo: { full_name: 'fork/widgets' } }, base: { ref: 'develop' } } }
    const r = await runJob(job([{ id: 'pr', run: 'true' }], { event: { name: 'pull_request', payload } }))
    expect(r.step('pr').processEnv).toMatchObject({ GITHUB_REF: 'refs/pull/9/merge', GITHUB_HEAD_REF: 'topic', GITHUB_BASE_REF: 'develop' })
  })

  it('gives each job a fresh RUNNER_TEMP while HOME can be shared', async () => {
    const home = join(root, 'shared-home')
    mkdirSync(home)
    const save = await runJob(job([{ id: 'w', run: 'echo saved > "$HOME/marker"; echo "$RUNNER_TEMP"; touch "$RUNNER_TEMP/leftover"' }], { runner: { home } }))
    const restore = await runJob(job([{ id: 'r', run: 'cat "$HOME/marker"; echo "$RUNNER_TEMP"; ls "$RUNNER_TEMP"' }], { runner: { home } }))
    const [savedTemp] = save.step('w').rawStdout.trim().split('\n')
    const [marker, restoreTemp, ...listing] = restore.step('r').rawStdout.trim().split('\n')
    expect(marker).toBe('saved')
    expect(restoreTemp).not.toBe(savedTemp)
    expect(listing).not.toContain('leftover')
  })

  it('empties a caller-provided RUNNER_TEMP at job start', async () => {
    const temp = join(root, 'temp')
    mkdirSync(temp)
    writeFileSync(join(temp, 'stale'), 'x')
    await runJob(job([{ run: 'true' }], { runner: { temp } }))
    expect(existsSync(join(temp, 'stale'))).toBe(false)
  })
})

describe('job hooks (the runner .env names them)', () => {
  /** A runner .env naming the two hooks, written under root. */
  function runnerEnv(started: string, completed: string, extra = ''): string {
    const hooks = join(root, 'hooks')
    mkdirSync(hooks, { recursive: true })
    writeFileSync(join(hooks, 'started.sh'), started)
    writeFileSync(join(hooks, 'completed.sh'), completed)
    const file = join(root, 'runner.env')
    writeFileSync(
      file,
      `${extra}ACTIONS_RUNNER_HOOK_JOB_STARTED=${join(hooks, 'started.sh')}\nACTIONS_RUNNER_HOOK_JOB_COMPLETED=${join(hooks, 'completed.sh')}\n`,
    )
    return file
  }
  const recorder = (label: string) =>
    `import { appendFileSync as af } from 'node:fs'\naf(process.env.GITHUB_WORKSPACE + '/order.log', ${JSON.stringify(label)} + '\\n')\n`

  it('run first and last, with the runner environment and GITHUB_ENV processed after the started hook', async () => {
    const envFile = runnerEnv(
      'echo started >> "$GITHUB_WORKSPACE/order.log"\necho "FROM_HOOK=yes" >> "$GITHUB_ENV"\nenv > "$GITHUB_WORKSPACE/hook-env.txt"\n',
      'echo "completed FROM_HOOK=${FROM_HOOK:-unset}" >> "$GITHUB_WORKSPACE/order.log"\n',
      'RUNNER_WIDE=a=b\n',
    )
    const a = action('a', { main: recorder('main a'), post: recorder('post a') })
    const r = await runJob(
      job(
        [
          { id: 'a', uses: a },
          { id: 'see', run: 'echo "step FROM_HOOK=$FROM_HOOK" >> order.log' },
        ],
        {
          env: { JOB_ONLY: '1' },
          actionsRuntime: { ACTIONS_RUNTIME_TOKEN: 'rt-token' },
          runner: { envFile },
        },
      ),
    )
    expect(r.conclusion).toBe('success')
    // GITHUB_ENV from the started hook reaches steps, not the completed hook (it sees the runner's env only).
    expect(readFileSync(join(workspace, 'order.log'), 'utf8')).toBe('started\nmain a\nstep FROM_HOOK=yes\npost a\ncompleted FROM_HOOK=unset\n')
    expect(r.steps.map((s) => `${s.id}/${s.phase}`)).toEqual(['job-started-hook/hook', 'a/main', 'see/run', 'a/post', 'job-completed-hook/hook'])
    const hookEnv = readFileSync(join(workspace, 'hook-env.txt'), 'utf8')
    expect(hookEnv).toContain('RUNNER_WIDE=a=b\n') // split on the first '=' only
    expect(hookEnv).toContain('GITHUB_EVENT_PATH=')
    expect(hookEnv).toContain('GITHUB_ENV=')
    expect(hookEnv).not.toContain('JOB_ONLY')
    expect(hookEnv).not.toContain('ACTIONS_RUNTIME_TOKEN')
    expect(hookEnv).not.toMatch(/^GITHUB_(ACTION|OUTPUT|STATE)=/m)
    expect(r.step('job-started-hook').log).toContain('A job started hook has been configured by the self-hosted runner administrator')
  })

  it('a failing started hook fails the job before any step', async () => {
    const envFile = runnerEnv('echo nope\nexit 3\n', 'echo completed >> "$GITHUB_WORKSPACE/order.log"\n')
    const r = await runJob(job([{ id: 'never', run: 'echo ran >> order.log' }], { runner: { envFile } }))
    expect(r.conclusion).toBe('failure')
    expect(r.step('job-started-hook').exitCode).toBe(3)
    expect(r.steps.map((s) => s.id)).toEqual(['job-started-hook', 'job-completed-hook'])
    expect(readFileSync(join(workspace, 'order.log'), 'utf8')).toBe('completed\n')
  })

  it('a failing completed hook fails an otherwise green job, and runs under bash -e', async () => {
    const envFile = runnerEnv('true\n', 'false\necho not reached >> "$GITHUB_WORKSPACE/order.log"\n')
    const r = await runJob(job([{ id: 'ok', run: 'true' }], { runner: { envFile } }))
    expect(r.step('ok').conclusion).toBe('success')
    expect(r.step('job-completed-hook').conclusion).toBe('failure')
    expect(r.conclusion).toBe('failure')
    expect(existsSync(join(workspace, 'order.log'))).toBe(false)
  })
})
