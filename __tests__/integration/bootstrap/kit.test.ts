/**
 * The bootstrap kit on a simulated self-hosted runner: `bootstrap install`
 * (the real client program) into a temporary runner directory, then jobs run
 * by the harness, which reads the runner's .env and runs the job hooks the
 * way the runner does (runner/types.ts RunnerSpec.envFile). Real go builds;
 * modules come from a GOMODCACHE downloaded once (GOPROXY=off).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { checkoutSample, newMachine, REPO_ROOT, type Machine } from '../../support/go-jobs.ts'
import { runJob, type JobResult, type JobSpec, type StepSpec } from '../../support/runner/index.ts'
import { startBazelRemote } from '../../support/bazel-remote/index.ts'
import { renderPantsConfig } from '../../../src/pants/config.ts'
import { CLIENT, compiledPackages, dumpJob, execFileP, prepareModCache } from '../client/helpers.ts'

let root: string
let modCache: string

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'kit-e2e-'))
  modCache = path.join(root, 'modcache')
  await prepareModCache(modCache)
})
afterAll(async () => {
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

interface Runner {
  dir: string
  kitDir: string
  store: string
  machine: Machine
}

async function newRunner(name: string, installFlags: string[] = []): Promise<Runner> {
  const dir = path.join(root, name, 'actions-runner')
  const kitDir = path.join(root, name, 'kit')
  const store = path.join(root, name, 'store')
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, '.env'), 'LANG=C.UTF-8\n')
  await kit(['bootstrap', 'install', '--runner-dir', dir, '--kit-dir', kitDir, '--store-path', store, '--node', process.execPath, ...installFlags])
  const machine = await newMachine(path.join(root, name))
  await checkoutSample(machine)
  return { dir, kitDir, store, machine }
}

async function kit(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return execFileP(process.execPath, [CLIENT, ...args])
}

/** A job on the runner: hooks from its .env, no action step unless `steps` has one. */
function runnerJob(r: Runner, steps: StepSpec[], extra: Partial<JobSpec> = {}): Promise<JobResult> {
  return runJob({
    workspace: r.machine.workspace,
    env: { GOTOOLCHAIN: 'local', GOMODCACHE: modCache, GOPROXY: 'off' },
    ...extra,
    runner: { environment: 'self-hosted', home: r.machine.home, envFile: path.join(r.dir, '.env'), ...extra.runner },
    steps,
  })
}

const hookLog = (job: JobResult, which: 'started' | 'completed') => job.step(`job-${which}-hook`, 'hook').log
const warnings = (job: JobResult) => job.annotations.filter((a) => a.level === 'warning' || a.level === 'error').map((a) => a.message)
const entries = async (store: string) => {
  let n = 0
  for (const dir of await readdir(path.join(store, 'a')).catch(() => [] as string[])) n += (await readdir(path.join(store, 'a', dir))).length
  return n
}
const buildX: StepSpec = { id: 'build', run: 'go build -x -o bin/ ./... 2> build-x.txt && go test ./...' }

function expectSuccess(job: JobResult): void {
  if (job.conclusion !== 'success') throw new Error(`job failed:\n${dumpJob(job)}`)
}

describe('bootstrap install, uninstall and status', () => {
  it('installs idempotently, and uninstall puts .env back byte for byte', async () => {
    const dir = path.join(root, 'idempotent', 'actions-runner')
    const kitDir = path.join(root, 'idempotent', 'kit')
    await mkdir(dir, { recursive: true })
    // No newline at the end, a comment-like line and an `=` inside a value: all kept as they are.
    const original = 'LANG=C.UTF-8\n# managed by ansible\nJAVA_OPTS=-Dx=1 -Dy=2'
    await writeFile(path.join(dir, '.env'), original)
    const flags = ['--runner-dir', dir, '--kit-dir', kitDir, '--store-path', path.join(root, 'idempotent', 'store'), '--node', process.execPath]
    await kit(['bootstrap', 'install', ...flags])
    const once = await readFile(path.join(dir, '.env'), 'utf8')
    await kit(['bootstrap', 'install', ...flags])
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toBe(once)
    expect(once).toBe(
      `${original}\nACTIONS_RUNNER_HOOK_JOB_STARTED=${kitDir}/hooks/job-started.sh\n` +
        `ACTIONS_RUNNER_HOOK_JOB_COMPLETED=${kitDir}/hooks/job-completed.sh\nGO_CACHE_SETUP_KIT_CONFIG=${kitDir}/config.json\n`,
    )
    const status = await kit(['bootstrap', 'status', '--runner-dir', dir, '--kit-dir', kitDir])
    expect(status.stdout).not.toContain('MISSING')
    expect(existsSync(path.join(dir, '_work', '_tool', 'go-cache-setup', '0.1.0', os.arch(), 'index.js'))).toBe(true)

    await kit(['bootstrap', 'uninstall', '--kit-dir', kitDir])
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toBe(original)
    expect(existsSync(path.join(kitDir, 'hooks'))).toBe(false)
    expect(existsSync(path.join(dir, '_work', '_tool', 'go-cache-setup'))).toBe(false)
    await expect(kit(['bootstrap', 'status', '--runner-dir', dir, '--kit-dir', kitDir])).rejects.toMatchObject({
      stdout: expect.stringContaining('MISSING'),
    })
  })

  it('refuses to replace another hook in .env, and says how to chain it', async () => {
    const dir = path.join(root, 'conflict', 'actions-runner')
    await mkdir(dir, { recursive: true })
    await writeFile(path.join(dir, '.env'), 'ACTIONS_RUNNER_HOOK_JOB_STARTED=/opt/other/hook.sh\n')
    const install = kit([
      'bootstrap',
      'install',
      '--runner-dir',
      dir,
      '--kit-dir',
      path.join(root, 'conflict', 'kit'),
      '--store-path',
      path.join(root, 'conflict', 'store'),
    ])
    await expect(install).rejects.toMatchObject({ stderr: expect.stringContaining('call ours') })
    expect(await readFile(path.join(dir, '.env'), 'utf8')).toBe('ACTIONS_RUNNER_HOOK_JOB_STARTED=/opt/other/hook.sh\n')
  })

  it('rejects a kit dir inside the runner directory and a bad flag with a fix', async () => {
    const dir = path.join(root, 'inside', 'actions-runner')
    await mkdir(dir, { recursive: true })
    await expect(kit(['bootstrap', 'install', '--runner-dir', dir, '--kit-dir', path.join(dir, 'kit'), '--store-path', '/tmp/s'])).rejects.toMatchObject({
      stderr: expect.stringContaining('outside'),
    })
    await expect(
      kit(['bootstrap', 'install', '--runner-dir', dir, '--kit-dir', path.join(root, 'inside', 'kit'), '--store-path', '/tmp/s', '--cache-write', 'yes']),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining('"cacheWrite" must be one of auto, true, false'),
    })
  })
})

describe('the job hooks on a bootstrapped runner', () => {
  it('configures a job with no step, and the next job on the runner hits everything', async () => {
    const r = await newRunner('hits')
    const first = await runnerJob(r, [buildX, { id: 'env', run: 'printf "%s" "$GOCACHEPROG" > gocacheprog.txt' }])
    expectSuccess(first)
    expect(warnings(first)).toEqual([])
    expect(hookLog(first, 'started')).toMatch(/GOCACHEPROG set for this job in \d+ ms \(trusted: push on refs\/heads\/main, the default branch; store [^ ]+\)/)
    expect(first.env.GOCACHEPROG).toContain(`serve --store ${r.store} --daemon`)
    expect(compiledPackages(await readFile(path.join(r.machine.workspace, 'build-x.txt'), 'utf8')).length).toBeGreaterThan(3)
    expect(hookLog(first, 'completed')).toMatch(/\d+ puts/)
    expect(await entries(r.store)).toBeGreaterThan(10)

    // A new job: new RUNNER_TEMP, new GOCACHE dir (wiped HOME), same runner disk.
    await rm(r.machine.home, { recursive: true, force: true })
    await mkdir(r.machine.home, { recursive: true })
    await rm(path.join(r.machine.workspace, 'bin'), { recursive: true, force: true })
    const second = await runnerJob(r, [buildX])
    expectSuccess(second)
    expect(compiledPackages(await readFile(path.join(r.machine.workspace, 'build-x.txt'), 'utf8'))).toEqual([])
    expect(second.step('build').log).toContain('(cached)')
    const [, gets, hits] = /(\d+) gets, (\d+) hits/.exec(hookLog(second, 'completed'))!.map(Number)
    expect(hits! / gets!).toBeGreaterThan(0.99)
  })

  it('the action on a bootstrapped runner uses the running daemon and leaves finishing to the hook', async () => {
    const r = await newRunner('with-action')
    // RUNNER_TEMP kept after the job: the check for a second daemon's log below must look at a directory that still exists.
    const job = await runnerJob(r, [{ id: 'cache', uses: REPO_ROOT, with: { 'module-cache': 'false' } }, buildX], {
      runner: { temp: path.join(root, 'with-action', 'temp') },
    })
    expectSuccess(job)
    expect(warnings(job)).toEqual([])
    expect(job.step('cache').log).toContain("Using the cache daemon the runner's bootstrap kit started")
    // One daemon: the action did not start its own (its state directory has no daemon log).
    expect(existsSync(path.join(job.paths.temp, 'go-cache-setup', 'daemon.log'))).toBe(false)
    expect(job.step('cache').outputs.gocacheprog).toBe(job.env.GOCACHEPROG)
    expect(Number(job.step('cache', 'post').outputs['build-cache-puts'])).toBeGreaterThan(0)
    // The post step only read the figures; the hook, after it, flushed and stopped the daemon.
    expect(hookLog(job, 'completed')).toMatch(/\d+ go processes, \d+ gets/)
    expect(hookLog(job, 'completed')).not.toContain('could not be reached')
  }, 300_000)

  it('a fork pull request, on a runner whose store its user can write, gets a store of its own and writes nothing to the shared one', async () => {
    const r = await newRunner('fork')
    expectSuccess(await runnerJob(r, [buildX]))
    const before = await entries(r.store)
    // A change only the fork has: its compiled package must not land in the shared store.
    await writeFile(path.join(r.machine.workspace, 'forkonly.go'), 'package main\n\nfunc forkOnly() int { return 42 }\n')
    const forkRepo = { full_name: 'someone/octo-repo', name: 'octo-repo', owner: { login: 'someone' } }
    const baseRepo = { full_name: 'octo-org/octo-repo', name: 'octo-repo', owner: { login: 'octo-org' } }
    const fork = await runnerJob(r, [buildX], {
      event: {
        name: 'pull_request',
        payload: { number: 7, pull_request: { number: 7, head: { ref: 'f', repo: forkRepo }, base: { ref: 'main', repo: baseRepo } } },
      },
    })
    expectSuccess(fork)
    // The job's own user can write the shared store (this test's user owns it): the kit cannot keep the fork's
    // code out of it, so it says so, and does not hand the store to the job at all.
    expect(warnings(fork).join('\n')).toContain(`runs as a user that can write the shared store ${r.store}`)
    expect(hookLog(fork, 'started')).toContain('untrusted: pull_request from the fork someone/octo-repo')
    expect(fork.env.GOCACHEPROG).not.toContain(r.store)
    expect(await entries(r.store)).toBe(before)
    // Its own store started empty: it compiled what it built.
    expect(compiledPackages(await readFile(path.join(r.machine.workspace, 'build-x.txt'), 'utf8')).length).toBeGreaterThan(3)
  })

  it('a same-repository pull request reads the shared store through a store of its own, and writes nothing to the shared one', async () => {
    const r = await newRunner('same-repo-pr')
    expectSuccess(await runnerJob(r, [buildX]))
    const before = await entries(r.store)
    await writeFile(path.join(r.machine.workspace, 'pronly.go'), 'package main\n\nfunc prOnly() int { return 7 }\n')
    const repo = { full_name: 'octo-org/octo-repo', name: 'octo-repo', owner: { login: 'octo-org' } }
    const pr = await runnerJob(r, [buildX], {
      event: { name: 'pull_request', payload: { number: 8, pull_request: { number: 8, head: { ref: 'f', repo }, base: { ref: 'main', repo } } } },
    })
    expectSuccess(pr)
    expect(warnings(pr)).toEqual([])
    expect(pr.env.GOCACHEPROG).toContain(`--read-store ${r.store}`)
    expect(await entries(r.store)).toBe(before)
    // Everything but the changed main package came from the shared store.
    const compiled = compiledPackages(await readFile(path.join(r.machine.workspace, 'build-x.txt'), 'utf8'))
    expect(compiled.length).toBeGreaterThan(0)
    expect(compiled.every((p) => p === 'main' || p.startsWith('example.com/sample'))).toBe(true)
  })

  it.each([
    ['the runner environment turns it off', [], { GO_CACHE_SETUP_AUTO_CONFIGURE: 'false' }, 'Auto-configure off (from GO_CACHE_SETUP_AUTO_CONFIGURE)'],
    ['the kit config turns it off', ['--auto-configure', 'false'], {}, "Auto-configure off (from the bootstrap kit's config)"],
    ['the repository is excluded', ['--exclude', 'octo-org/*'], {}, 'octo-org/octo-repo is not among the kit'],
    ['the repository is not included', ['--include', 'other-org/*'], {}, 'octo-org/octo-repo is not among the kit'],
  ])('exports nothing when %s', async (_name, flags, baseEnv, reason) => {
    const r = await newRunner(`off-${flags.join('') || 'env'}`, flags)
    const job = await runnerJob(r, [{ id: 'build', run: 'test -z "$GOCACHEPROG" && go build ./...' }], { runner: { baseEnv } })
    expectSuccess(job)
    expect(hookLog(job, 'started')).toContain(reason)
    expect(job.env.GOCACHEPROG).toBeUndefined()
    expect(job.env.GO_CACHE_SETUP_DAEMON_SOCKET).toBeUndefined()
    expect(warnings(job)).toEqual([])
    expect(hookLog(job, 'completed')).toContain('nothing to finish')
  })

  it('a corrupt kit config is one warning, and the job goes on without the cache', async () => {
    const r = await newRunner('corrupt')
    await writeFile(path.join(r.kitDir, 'config.json'), '{"version": 1, "storePath": ')
    const job = await runnerJob(r, [{ id: 'build', run: 'test -z "$GOCACHEPROG" && go build ./...' }])
    expectSuccess(job)
    expect(warnings(job)).toEqual([expect.stringContaining('is not valid JSON')])
    expect(job.env.GOCACHEPROG).toBeUndefined()
  })

  it('a hook that cannot even start the program does not fail the job', async () => {
    const r = await newRunner('broken-node', [])
    // As if the runner's Node had been removed by an update.
    const hook = path.join(r.kitDir, 'hooks', 'job-started.sh')
    await writeFile(hook, (await readFile(hook, 'utf8')).replace(process.execPath, '/nonexistent/node'))
    const job = await runnerJob(r, [{ id: 'build', run: 'go build ./...' }])
    expectSuccess(job)
    expect(warnings(job)).toEqual([expect.stringContaining('the job-started hook failed')])
  })

  it('with a cache URL in the kit config: a fresh runner builds from the remote, the token stays in its file, Pants is registered', async () => {
    const user = 'kit-runner'
    const password = 'kit-Pa55word-4b1e'
    const server = await startBazelRemote({ htpasswd: { user, password }, dir: path.join(root, 'kit-remote', 'bazel-remote') })
    try {
      const tokenFile = path.join(root, 'kit-remote', 'token')
      await writeFile(tokenFile, `${user}:${password}\n`, { mode: 0o600 })
      const flags = ['--cache-url', server.httpUrl, '--token-file', tokenFile]
      const first = await newRunner('kit-remote-1', flags)
      // RUNNER_TEMP kept after the job, to read the Pants config the hook wrote there.
      const job1 = await runnerJob(first, [buildX], { runner: { temp: path.join(root, 'kit-remote-1', 'temp') } })
      expectSuccess(job1)
      expect(warnings(job1)).toEqual([])
      expect(hookLog(job1, 'started')).toContain(`remote ${server.httpUrl}`)
      expect(hookLog(job1, 'completed')).toMatch(/remote .*: \d+ hits, \d+ misses, 0 errors, [1-9]\d* uploads, 0 unsent/)
      // The Pants config the hook registered: version-neutral keys, no token.
      const pantsFile = job1.env.GO_CACHE_SETUP_KIT_PANTS_CONFIG!
      expect(job1.env.PANTS_CONFIG_FILES).toBe(`+['${pantsFile}']`)
      expect(await readFile(pantsFile, 'utf8')).toBe(
        renderPantsConfig({ storeAddress: `grpc://127.0.0.1:9092`, instanceName: '', headers: [], write: true }, undefined),
      )

      // A fresh runner at the same paths (Go's keys for the main module's packages hold its directory):
      // an empty store, an empty HOME; every package comes from the server.
      await rm(first.store, { recursive: true, force: true })
      await rm(first.machine.home, { recursive: true, force: true })
      await mkdir(first.machine.home, { recursive: true })
      await rm(path.join(first.machine.workspace, 'bin'), { recursive: true, force: true })
      const job2 = await runnerJob(first, [buildX], { runner: { temp: path.join(root, 'kit-remote-1', 'temp') } })
      expectSuccess(job2)
      expect(compiledPackages(await readFile(path.join(first.machine.workspace, 'build-x.txt'), 'utf8'))).toEqual([])
      expect(hookLog(job2, 'completed')).toMatch(/remote .*: [1-9]\d* hits, /)

      // The token (and its Basic form) is in no log line and no file the kit or the jobs wrote, other than the token file.
      const basic = Buffer.from(`${user}:${password}`).toString('base64')
      for (const job of [job1, job2]) {
        expect(job.log).not.toContain(password)
        expect(job.log).not.toContain(basic)
        expect(JSON.stringify(job.env)).not.toContain(password)
      }
      const { stdout } = await execFileP('grep', ['-rlF', '-e', password, '-e', basic, path.join(root, 'kit-remote-1')]).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
      )
      expect(stdout).toBe('')
    } finally {
      await server.stop()
    }
  })
})
