/**
 * runMain and runPost with small fakes: a real temp workspace and module
 * cache on disk, an in-memory archive cache, a canned `go env`.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runMain } from '../../../src/action/run-main.ts'
import { runPost } from '../../../src/action/run-post.ts'
import { goEnvRunner, MemoryArchiveCache, recordingContext, type RecordedContext } from '../../support/fakes.ts'

let root: string
let workspace: string
let modCache: string
let cache: MemoryArchiveCache

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'orchestration-'))
  workspace = path.join(root, 'ws')
  modCache = path.join(root, 'mod')
  await mkdir(workspace)
  await writeFile(path.join(workspace, 'go.sum'), 'example.com/a v1.0.0 h1:x\n')
  cache = new MemoryArchiveCache()
})
afterEach(() => rm(root, { recursive: true, force: true }))

async function download(module: string): Promise<void> {
  const dir = path.join(modCache, 'cache', 'download', module, '@v')
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'v1.0.0.mod'), `module ${module}\n`)
  await writeFile(path.join(dir, 'v1.0.0.zip'), 'zip')
}

async function eventFile(name: string, payload: unknown): Promise<Record<string, string>> {
  const file = path.join(root, `${name}.json`)
  await writeFile(file, JSON.stringify(payload))
  return { GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: file }
}

function context(extra: { env?: Record<string, string>; inputs?: Record<string, string>; state?: Record<string, string> } = {}): RecordedContext {
  return recordingContext({
    env: { GITHUB_WORKSPACE: workspace, GITHUB_EVENT_NAME: 'push', RUNNER_TEMP: path.join(root, 'temp'), ...extra.env },
    // The build-cache client needs real processes: tested end to end, not here.
    inputs: { 'build-cache': 'false', ...extra.inputs },
    state: extra.state,
    cache,
    run: goEnvRunner(modCache),
  })
}

/** One job: main, the "build" (which downloads modules), then post with main's state. */
async function job(opts: { downloads?: string[]; env?: Record<string, string>; inputs?: Record<string, string> } = {}) {
  const main = context(opts)
  await runMain(main)
  for (const m of opts.downloads ?? []) await download(m)
  const post = context({ ...opts, state: main.state })
  await runPost(post)
  return { main, post }
}

describe('main + post', () => {
  it('misses, then saves the new modules under the primary key', async () => {
    const { main, post } = await job({ downloads: ['example.com/a'] })
    expect(main.failed).toEqual([])
    expect(main.outputs['go-version']).toBe('go1.26.8')
    expect(main.outputs['module-cache-hit']).toBe('false')
    expect(main.outputs['module-cache-matched-key']).toBe('')
    const key = main.outputs['module-cache-key']!
    expect(key).toMatch(/^go-cache-setup-modcache-v1-linux-amd64-go1\.26\.8-s[0-9a-f]{12}-[0-9a-f]{64}$/)
    expect(cache.calls).toEqual([`restore ${key}`, `exists ${key}`, `save ${key}`])
    expect([...cache.entries.get(key)!.keys()].sort()).toEqual(['example.com/a/@v/v1.0.0.mod', 'example.com/a/@v/v1.0.0.zip'])
    expect(post.summaries[0]).toContain('| Save | saved in 0 ms |')
    // No state directory (nothing of ours was started): no copy.
    expect(existsSync(path.join(root, 'temp', 'go-cache-setup'))).toBe(false)
    expect(post.warnings()).toEqual([])
  })

  it('does not save after an exact hit', async () => {
    const first = await job({ downloads: ['example.com/a'] })
    await rm(modCache, { recursive: true })
    cache.calls = []
    const { main, post } = await job({ downloads: ['example.com/b'] })
    expect(main.outputs['module-cache-hit']).toBe('true')
    expect(main.outputs['module-cache-matched-key']).toBe(first.main.outputs['module-cache-key'])
    expect(cache.calls).toEqual([`restore ${main.outputs['module-cache-key']}`])
    expect(post.summaries[0]).toContain('not saved: exact hit on the primary key')
  })

  it('restores through the restore key when go.sum changed, then saves a new entry', async () => {
    const first = await job({ downloads: ['example.com/a'] })
    await rm(modCache, { recursive: true })
    await writeFile(path.join(workspace, 'go.sum'), 'example.com/a v1.0.0 h1:x\nexample.com/b v1.0.0 h1:y\n')
    const { main } = await job({ downloads: ['example.com/b'] })
    const key = main.outputs['module-cache-key']!
    expect(key).not.toBe(first.main.outputs['module-cache-key'])
    expect(main.outputs['module-cache-hit']).toBe('false')
    expect(main.outputs['module-cache-matched-key']).toBe(first.main.outputs['module-cache-key'])
    expect([...cache.entries.get(key)!.keys()].sort()).toEqual([
      'example.com/a/@v/v1.0.0.mod',
      'example.com/a/@v/v1.0.0.zip',
      'example.com/b/@v/v1.0.0.mod',
      'example.com/b/@v/v1.0.0.zip',
    ])
  })

  it('does not save when the module set did not change since the restore', async () => {
    await job({ downloads: ['example.com/a'] })
    await rm(modCache, { recursive: true })
    await writeFile(path.join(workspace, 'go.sum'), 'example.com/a v1.0.0 h1:x\n// reordered\n')
    cache.calls = []
    const { main, post } = await job()
    expect(cache.calls).toEqual([`restore ${main.outputs['module-cache-key']}`])
    expect(post.summaries[0]).toContain('not saved: the set of modules did not change since the restore')
  })

  it('does not build an archive another job already saved', async () => {
    const main = context()
    await runMain(main)
    await download('example.com/a')
    // A parallel matrix job saves the same key first.
    cache.entries.set(main.outputs['module-cache-key']!, new Map())
    const post = context({ state: main.state })
    await runPost(post)
    expect(cache.calls.filter((c) => c.startsWith('save'))).toEqual([])
    expect(post.summaries[0]).toContain('not saved: another job already saved this key')
  })

  it.each([
    [
      'a fork pull request',
      async () =>
        eventFile('pull_request', {
          repository: { full_name: 'o/r' },
          pull_request: { head: { repo: { full_name: 'x/r' } }, base: { repo: { full_name: 'o/r' } } },
        }),
      'untrusted event: pull_request from the fork x/r',
    ],
    ['pull_request_target', async () => eventFile('pull_request_target', {}), 'untrusted event: pull_request_target'],
    ['issue_comment', async () => eventFile('issue_comment', {}), 'untrusted event: issue_comment'],
    ['ACTIONS_CACHE_MODE=read', async () => ({ ACTIONS_CACHE_MODE: 'read' }), 'ACTIONS_CACHE_MODE=read forbids cache writes'],
  ])('restores but never writes on %s', async (_name, env, reason) => {
    await job({ downloads: ['example.com/a'] })
    await rm(modCache, { recursive: true })
    await writeFile(path.join(workspace, 'go.sum'), 'changed\n')
    cache.calls = []
    const { main, post } = await job({ downloads: ['example.com/b'], env: await env() })
    expect(main.outputs['module-cache-matched-key']).not.toBe('')
    expect(cache.calls.filter((c) => !c.startsWith('restore'))).toEqual([])
    expect(post.summaries[0]).toContain(`not saved: ${reason}`)
  })

  it('skips the cache entirely with ACTIONS_CACHE_MODE=none, and when no service is available', async () => {
    await job({ downloads: ['example.com/a'], env: { ACTIONS_CACHE_MODE: 'none' } })
    expect(cache.calls).toEqual([])
    cache.available = false
    const { post } = await job({ downloads: ['example.com/b'] })
    expect(cache.calls).toEqual([])
    expect(post.summaries[0]).toContain('skipped (the GitHub Actions cache service is not available on this runner)')
  })

  it('turns a failing cache into warnings, never a failed step', async () => {
    cache.failRestore = new Error('connect ECONNREFUSED')
    cache.failSave = new Error('socket hang up')
    const { main, post } = await job({ downloads: ['example.com/a'] })
    expect(main.failed).toEqual([])
    expect(main.warnings()).toEqual(['Module cache restore failed; the build goes on without it: connect ECONNREFUSED'])
    expect(main.outputs['module-cache-hit']).toBe('false')
    // No module state was recorded, so post has nothing to save and says so in the summary.
    expect(post.failed).toEqual([])
    expect(post.summaries[0]).toContain('Module cache: off.')
  })

  it('warns when saving throws, and still writes the summary', async () => {
    cache.failSave = new Error('socket hang up')
    const { post } = await job({ downloads: ['example.com/a'] })
    expect(post.failed).toEqual([])
    expect(post.warnings()).toEqual(['Module cache save failed: socket hang up'])
    expect(post.summaries[0]).toContain('- Module cache save failed: socket hang up')
  })

  it('warns and uses the nosum key when there is no go.sum', async () => {
    await rm(path.join(workspace, 'go.sum'))
    const { main } = await job({ downloads: ['example.com/a'] })
    expect(main.outputs['module-cache-key']).toMatch(/-nosum$/)
    expect(main.warnings()[0]).toMatch(/^No dependency file matched \*\*\/go\.sum, \*\*\/go\.work\.sum; the module cache uses a separate "nosum" key/)
  })

  it('does nothing to the module cache when module-cache is false', async () => {
    const { main, post } = await job({ downloads: ['example.com/a'], inputs: { 'module-cache': 'false' } })
    expect(cache.calls).toEqual([])
    expect(main.outputs['go-version']).toBe('go1.26.8')
    expect(post.summaries[0]).toContain('Module cache: off.')
  })
})

describe('misconfiguration fails main with a fix', () => {
  it('no go on PATH', async () => {
    const ctx = recordingContext({
      env: { GITHUB_WORKSPACE: workspace },
      cache,
      run: async () => {
        throw new Error('Unable to locate executable file: go')
      },
    })
    await runMain(ctx)
    expect(ctx.failed).toHaveLength(1)
    expect(ctx.failed[0]).toMatch(/^No `go` on PATH\. Add a Go toolchain before this step/)
    expect(ctx.state).toEqual({})
  })

  it('a bad input', async () => {
    const ctx = context({ inputs: { 'cache-write': 'maybe' } })
    await runMain(ctx)
    expect(ctx.failed).toEqual(['cache-write: "maybe" is not one of auto, true, false.'])
  })

  it('a working directory that does not exist', async () => {
    const ctx = context({ inputs: { 'working-directory': 'nope' } })
    await runMain(ctx)
    expect(ctx.failed[0]).toMatch(/^working-directory: .*\/ws\/nope is not a directory/)
  })
})

describe('post on its own', () => {
  it('does nothing when main recorded no state', async () => {
    const ctx = context()
    await runPost(ctx)
    expect(ctx.summaries).toEqual([])
    expect(ctx.failed).toEqual([])
  })

  it('warns on corrupt state instead of failing', async () => {
    const ctx = context({ state: { 'go-cache-setup': '{"version":1}' } })
    await runPost(ctx)
    expect(ctx.failed).toEqual([])
    expect(ctx.warnings()).toEqual([
      'go-cache-setup post step: the state saved by the main step is not in the expected form: state.goVersion: expected a string, got nothing',
    ])
  })
})

describe('the summary reports what the job ended with, whatever the save decision', () => {
  it('counts the modules on an exact hit', async () => {
    await job({ downloads: ['example.com/a', 'example.com/b'] })
    const { post } = await job()
    expect(post.summaries[0]).toContain('| Modules at end of job | 4 files, 48 B |')
  })
})

describe('build cache wiring (modes that start no process)', () => {
  it('exports a custom gocacheprog verbatim and sets the output', async () => {
    const main = context({ inputs: { 'build-cache': 'true', gocacheprog: 'depot gocache' } })
    await runMain(main)
    expect(main.failed).toEqual([])
    expect(main.exported).toEqual({ GOCACHEPROG: 'depot gocache' })
    expect(main.outputs.gocacheprog).toBe('depot gocache')
    const post = context({ state: main.state })
    await runPost(post)
    expect(post.summaries[0]).toContain('Build cache: your own GOCACHEPROG client (`depot gocache`)')
  })

  it('caches GOCACHE as a directory for Go 1.23, and saves it in post', async () => {
    const gocache = path.join(root, 'gocache')
    await mkdir(path.join(gocache, '00'), { recursive: true })
    await writeFile(path.join(gocache, '00', 'x-a'), 'entry')
    const ctx = (state?: Record<string, string>) =>
      recordingContext({
        env: { GITHUB_WORKSPACE: workspace, GITHUB_EVENT_NAME: 'push', GITHUB_RUN_ID: '7', GITHUB_RUN_ATTEMPT: '1', GITHUB_JOB: 'test', RUNNER_TEMP: root },
        inputs: { 'module-cache': 'false' },
        state,
        cache,
        run: goEnvRunner(modCache, { GOVERSION: 'go1.23.12', GOCACHE: gocache }),
      })
    const main = ctx()
    await runMain(main)
    expect(main.exported).toEqual({})
    expect(main.outputs.gocacheprog).toBe('')
    expect(main.notices[0]).toMatch(/^go1\.23\.12 ignores GOCACHEPROG/)
    await runPost(ctx(main.state))
    expect([...cache.entries.keys()]).toEqual(['go-cache-setup-gocache-v1-linux-amd64-go1.23.12-7-1-test'])
    expect([...cache.entries.get('go-cache-setup-gocache-v1-linux-amd64-go1.23.12-7-1-test')!.keys()]).toEqual([path.join('00', 'x-a')])
  })
})

describe('auto-configure: off still sets things up, but only as outputs', () => {
  const pantsRepo = async () => writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.17.1"\n')
  const inputs = { 'module-cache': 'false', 'build-cache': 'true', gocacheprog: 'depot gocache', 'pants-remote-store-address': 'grpc://127.0.0.1:9092' }

  it('on by default: exports GOCACHEPROG and registers the Pants config after what is there', async () => {
    await pantsRepo()
    // A push to the default branch: trusted, so Pants (which cannot be scoped) writes.
    const push = await eventFile('push', { repository: { full_name: 'acme/app', default_branch: 'main' } })
    const main = context({ inputs, env: { PANTS_CONFIG_FILES: 'pants.ci.toml', GITHUB_REF: 'refs/heads/main', ...push } })
    await runMain(main)
    const file = path.join(root, 'temp', 'go-cache-setup', 'pants-remote-cache.toml')
    expect(main.exported).toEqual({ GOCACHEPROG: 'depot gocache', PANTS_CONFIG_FILES: `+['pants.ci.toml', '${file}']` })
    expect(main.outputs).toMatchObject({ 'auto-configure': 'true', gocacheprog: 'depot gocache', 'pants-config': file })
    const post = context({ inputs, state: main.state })
    await runPost(post)
    expect(post.summaries[0]).toContain(
      `Auto-configure on (from the default).\n\nPants remote cache: \`grpc://127.0.0.1:9092\`, read and write; \`${file}\` added to PANTS_CONFIG_FILES.\n`,
    )
  })

  it.each([
    ['the input', { 'auto-configure': 'false' }, {}],
    ['the org-wide environment variable', {}, { GO_CACHE_SETUP_AUTO_CONFIGURE: 'false' }],
  ])('off through %s: nothing exported, every value an output', async (_what, extraInputs, env) => {
    await pantsRepo()
    const main = context({ inputs: { ...inputs, ...extraInputs }, env })
    await runMain(main)
    expect(main.failed).toEqual([])
    expect(main.exported).toEqual({})
    const file = path.join(root, 'temp', 'go-cache-setup', 'pants-remote-cache.toml')
    expect(main.outputs).toMatchObject({ 'auto-configure': 'false', gocacheprog: 'depot gocache', 'pants-config': file })
    expect(await readFile(file, 'utf8')).toContain('remote_store_address = "grpc://127.0.0.1:9092"\n')
  })

  it('the kit config turns it off; a broken one is a warning and the default applies', async () => {
    const kit = path.join(root, 'kit.json')
    await writeFile(kit, JSON.stringify({ version: 1, autoConfigure: false, storePath: '/var/cache/gcs' }))
    const off = context({ inputs, env: { GO_CACHE_SETUP_KIT_CONFIG: kit } })
    await runMain(off)
    expect(off.exported).toEqual({})
    expect(off.logs.map((l) => l.message)).toContain(
      "Auto-configure off (from the bootstrap kit's config): GOCACHEPROG and the Pants config are outputs only, not set for later steps",
    )
    await writeFile(kit, '{ broken')
    const broken = context({ inputs, env: { GO_CACHE_SETUP_KIT_CONFIG: kit } })
    await runMain(broken)
    expect(broken.warnings()[0]).toMatch(/^The bootstrap kit config cannot be used for auto-configure: .*kit\.json is not valid JSON/)
    expect(broken.exported.GOCACHEPROG).toBe('depot gocache')
  })

  it('a repository without Pants: one line, and an empty pants-config output', async () => {
    const main = context({ inputs })
    await runMain(main)
    expect(main.outputs['pants-config']).toBe('')
    expect(main.logs.filter((l) => l.message.startsWith('Pants'))).toEqual([
      { level: 'info', message: `Pants: no pants.toml in ${workspace} or above it in the workspace; nothing to configure.` },
    ])
  })
})

describe('the work drive on a Windows runner (go/work-drive.ts)', () => {
  // A hosted runner's variables: the profile on C:, the work folder on D:.
  // Every step that would write under RUNNER_TEMP is off: it is not a path here.
  const windows = { RUNNER_TEMP: 'D:\\a\\_temp', LOCALAPPDATA: 'C:\\Users\\r\\AppData\\Local', USERPROFILE: 'C:\\Users\\r' }
  const off = { 'build-cache': 'false', 'module-cache': 'false', 'test-cache': 'false' }

  async function windowsMain(env: Record<string, string>, inputs: Record<string, string> = {}) {
    const goEnv = goEnvRunner(modCache)
    let exportedWhenGoRan: Record<string, string> | undefined
    const ctx: RecordedContext = recordingContext({
      env: { GITHUB_WORKSPACE: workspace, GITHUB_EVENT_NAME: 'push', ...windows, ...env },
      inputs: { ...off, ...inputs },
      cache,
      platform: 'win32',
      run: async (command, args, options) => {
        exportedWhenGoRan ??= { ...ctx.exported }
        return goEnv(command, args, options)
      },
    })
    await runMain(ctx)
    expect(ctx.failed).toEqual([])
    return { ctx, exportedWhenGoRan }
  }

  it('moves GOCACHE and GOMODCACHE there before go is asked where its caches are', async () => {
    const { ctx, exportedWhenGoRan } = await windowsMain({})
    expect(exportedWhenGoRan).toEqual({ GOCACHE: 'D:\\a\\_go\\build', GOMODCACHE: 'D:\\a\\_go\\mod' })
    expect(ctx.logs).toContainEqual({ level: 'info', message: expect.stringMatching(/^Work drive: GOCACHE moves from C: to D:\\a\\_go\\build; /) })
  })

  it('leaves what go env -w chose', async () => {
    const file = path.join(root, 'goenv')
    await writeFile(file, 'GOMODCACHE=C:\\mine\r\n')
    const { exportedWhenGoRan } = await windowsMain({ GOENV: file })
    expect(exportedWhenGoRan).toEqual({ GOCACHE: 'D:\\a\\_go\\build' })
  })

  it('moves nothing when auto-configure is off: later steps are the workflow’s to wire', async () => {
    const { ctx, exportedWhenGoRan } = await windowsMain({}, { 'auto-configure': 'false' })
    expect(exportedWhenGoRan).toEqual({})
    expect(ctx.exported).toEqual({})
  })
})

describe('the summary file', () => {
  it('keeps a copy of the summary in the state directory main made, for a later post step (e2e.yml)', async () => {
    const main = context()
    await runMain(main)
    // What a build-cache step makes (the bundle, the daemon's socket and store); off in these tests.
    await mkdir(path.join(root, 'temp', 'go-cache-setup'), { recursive: true })
    const post = context({ state: main.state })
    await runPost(post)
    expect(post.summaries).toHaveLength(1)
    expect(await readFile(path.join(root, 'temp', 'go-cache-setup', 'summary.md'), 'utf8')).toBe(post.summaries[0])
  })
})
