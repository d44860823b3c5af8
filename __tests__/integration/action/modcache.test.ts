/**
 * The module cache end to end: the bundled action (dist/) run by the runner
 * harness, the real @actions/cache against the local cache service (blobs in
 * azurite), real `go` and real modules from the module proxy.
 */
import { execFile } from 'node:child_process'
import { access, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startCacheService, type CacheService } from '../../support/cache-service/server.ts'
import { checkoutSample, newMachine, offlineBuildStep, runGoJob, wipeHome, type Machine } from '../../support/go-jobs.ts'
import type { JobResult } from '../../support/runner/index.ts'
import type { ArchiveCache } from '../../../src/actions-cache/archive-cache.ts'
import { saveModCache } from '../../../src/modcache/save.ts'
import type { ModCacheRestoreReport } from '../../../src/modcache/restore.ts'
import { snapshotModuleSet } from '../../../src/modcache/module-set.ts'
import { extractedModules } from '../../../src/modcache/prune.ts'
import { unpackModules } from '../../../src/modcache/unpack.ts'
import { SAMPLE_MODULE } from '../../support/go-jobs.ts'

const execFileP = promisify(execFile)

let root: string
let service: CacheService
let machine: Machine

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'modcache-e2e-'))
  service = await startCacheService()
})
afterAll(async () => {
  await service?.stop()
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

const outputs = (job: JobResult) => job.step('cache', 'main').outputs
const warnings = (job: JobResult) => job.annotations.filter((a) => a.level === 'warning' || a.level === 'error').map((a) => a.message)
// Module cache entries only: the build-cache bundle saves its own (bundle.test.ts).
const finalized = () => service.entries().filter((e) => e.finalized && e.key.startsWith('go-cache-setup-modcache-'))

function expectSuccess(job: JobResult): void {
  if (job.conclusion !== 'success') {
    throw new Error(`job failed:\n${job.steps.map((s) => `--- ${s.id} ${s.phase} ${s.conclusion}\n${s.log}`).join('\n')}`)
  }
}

async function downloadCacheModules(m: Machine): Promise<string[]> {
  const dir = path.join(m.home, 'go', 'pkg', 'mod', 'cache', 'download')
  const found = await readdir(dir, { recursive: true }).catch(() => [] as string[])
  return found.filter((f) => f.endsWith('.zip')).sort()
}

describe('GOMODCACHE through the GitHub Actions cache', () => {
  it('saves in job 1, restores for an offline build in job 2, falls back and saves anew when go.sum changes', async () => {
    machine = await newMachine(root, 'sequence')
    await checkoutSample(machine)

    // Job 1: empty cache. Resolves from the proxy, builds, saves.
    const job1 = await runGoJob({ machine, service })
    expectSuccess(job1)
    expect(outputs(job1)['module-cache-hit']).toBe('false')
    expect(outputs(job1)['module-cache-matched-key']).toBe('')
    expect(outputs(job1)['go-version']).toMatch(/^go1\.\d+/)
    const key1 = outputs(job1)['module-cache-key']!
    expect(key1).toMatch(/^go-cache-setup-modcache-v1-linux-(amd64|arm64)-go1\.\d+(\.\d+)?-s[0-9a-f]{12}-[0-9a-f]{64}$/)
    expect(finalized().map((e) => e.key)).toEqual([key1])
    expect(job1.summary).toContain('| Restore | miss |')
    expect(job1.summary).toMatch(/\| Save \| saved in /)
    expect(warnings(job1)).toEqual([])
    const modules = await downloadCacheModules(machine)
    expect(modules.length).toBeGreaterThanOrEqual(5)

    // Job 2: a fresh runner (empty GOMODCACHE) restores, then builds with the proxy off.
    await wipeHome(machine)
    const job2 = await runGoJob({ machine, service, steps: [offlineBuildStep] })
    expectSuccess(job2)
    expect(outputs(job2)['module-cache-hit']).toBe('true')
    expect(outputs(job2)['module-cache-matched-key']).toBe(key1)
    expect(await downloadCacheModules(machine)).toEqual(modules)
    expect(job2.summary).toContain('| Restore | exact hit |')
    expect(job2.summary).toContain('| Save | not saved: exact hit on the primary key; entries are immutable |')
    expect(job2.step('offline-build').log).toMatch(/ok\s+example\.com\/sample/)
    // Native mode: go unpacked the restored zips while the bundle imported (modcache/unpack.ts).
    expect(job2.step('cache', 'main').log).toMatch(/Modules unpacked before the build: [1-9]\d* module version\(s\) in 1 module root\(s\), in \d+ ms(\n|$)/)
    expect(finalized()).toHaveLength(1)
    expect(warnings(job2)).toEqual([])

    // Job 3: go.sum changed (a new dependency). Restores through the restore key, saves a new entry.
    await execFileP('go', ['get', 'github.com/google/go-cmp@v0.7.0'], {
      cwd: machine.workspace,
      env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOMODCACHE: path.join(root, 'scratch-modcache') },
    })
    await writeFile(path.join(machine.workspace, 'cmp.go'), 'package main\n\nimport "github.com/google/go-cmp/cmp"\n\nvar _ = cmp.Diff\n')
    await wipeHome(machine)
    const job3 = await runGoJob({ machine, service })
    expectSuccess(job3)
    const key3 = outputs(job3)['module-cache-key']!
    expect(key3).not.toBe(key1)
    expect(key3.slice(0, key3.lastIndexOf('-'))).toBe(key1.slice(0, key1.lastIndexOf('-')))
    expect(outputs(job3)['module-cache-hit']).toBe('false')
    expect(outputs(job3)['module-cache-matched-key']).toBe(key1)
    expect(job3.summary).toContain('| Restore | restored from a fallback key |')
    expect(
      finalized()
        .map((e) => e.key)
        .sort(),
    ).toEqual([key1, key3].sort())
    expect(await downloadCacheModules(machine)).toContain('github.com/google/go-cmp/@v/v0.7.0.zip')

    // Job 4: a self-hosted runner whose GOMODCACHE is already populated (read-only module trees).
    // The restore extracts over it without "Cannot open: File exists".
    const job4 = await runGoJob({ machine, service, steps: [offlineBuildStep], runner: { environment: 'self-hosted' } })
    expectSuccess(job4)
    expect(outputs(job4)['module-cache-hit']).toBe('true')
    expect(warnings(job4)).toEqual([])
    expect(job4.log).not.toMatch(/Cannot open|File exists|Failed to restore/)
    // Four jobs, each a cold build on a fresh runner (each post also saves a build-cache bundle).
  }, 600_000)

  it('never writes on a fork pull request, but still restores', async () => {
    const m = await newMachine(root, 'fork')
    await checkoutSample(m)
    // Seed main's scope.
    expectSuccess(await runGoJob({ machine: m, service }))
    const before = finalized().length
    await wipeHome(m)
    await writeFile(path.join(m.workspace, 'go.sum'), `${await readFile(path.join(m.workspace, 'go.sum'), 'utf8')}\n`)
    const job = await runGoJob({
      machine: m,
      service,
      ref: 'refs/pull/7/merge',
      event: {
        name: 'pull_request',
        payload: {
          repository: { full_name: 'octo-org/octo-repo' },
          pull_request: { number: 7, head: { repo: { full_name: 'mallory/octo-repo' } }, base: { repo: { full_name: 'octo-org/octo-repo' } } },
        },
      },
    })
    expectSuccess(job)
    expect(outputs(job)['module-cache-matched-key']).not.toBe('')
    expect(job.summary).toContain('not saved: untrusted event: pull_request from the fork mallory/octo-repo')
    expect(finalized()).toHaveLength(before)
    expect(service.calls().filter((c) => c.method === 'CreateCacheEntry' && c.key === outputs(job)['module-cache-key'])).toEqual([])
  })

  it('restores but cannot save with a read-only token, and the job succeeds', async () => {
    const m = await newMachine(root, 'readonly')
    await checkoutSample(m)
    await writeFile(path.join(m.workspace, 'go.sum'), `${await readFile(path.join(m.workspace, 'go.sum'), 'utf8')}\n\n`)
    const job = await runGoJob({ machine: m, service, readOnlyToken: true })
    expectSuccess(job)
    const key = outputs(job)['module-cache-key']!
    expect(finalized().map((e) => e.key)).not.toContain(key)
    expect(job.summary).toContain('not saved: the cache service did not accept the entry')
  })

  it('runs two parallel matrix jobs with the same key without failures', async () => {
    const a = await newMachine(root, 'matrix-a')
    const b = await newMachine(root, 'matrix-b')
    await checkoutSample(a)
    await checkoutSample(b)
    // Same HOME path for both, as on two hosted runners: the cache version includes the path.
    b.home = a.home
    const matrix = { 'key-suffix': 'matrix' }
    const [ja, jb] = await Promise.all([runGoJob({ machine: a, service, with: matrix }), runGoJob({ machine: b, service, with: matrix })])
    expectSuccess(ja)
    expectSuccess(jb)
    const key = outputs(ja)['module-cache-key']!
    expect(outputs(jb)['module-cache-key']).toBe(key)
    expect(finalized().filter((e) => e.key === key)).toHaveLength(1)
    expect([...warnings(ja), ...warnings(jb)]).toEqual([])
  })

  it.each([
    ['a service that is down', { kind: 'down' } as const],
    ['a service that accepts connections but never answers', { kind: 'hang' } as const],
  ])(
    'builds anyway, with a warning, against %s',
    async (_name, fault) => {
      const m = await newMachine(root, `fault-${fault.kind}`)
      await checkoutSample(m)
      service.setFault(fault)
      try {
        const job = await runGoJob({ machine: m, service })
        expectSuccess(job)
        expect(job.step('build').conclusion).toBe('success')
        expect(warnings(job).length).toBeGreaterThan(0)
        expect(outputs(job)['module-cache-hit']).toBe('false')
      } finally {
        service.setFault(null)
      }
    },
    300_000,
  )

  it('fails the step with a fix when there is no go on PATH', async () => {
    const m = await newMachine(root, 'nogo')
    await checkoutSample(m)
    const job = await runGoJob({
      machine: m,
      service,
      steps: [],
      runner: { inheritEnv: ['HOME'], baseEnv: { PATH: '/usr/bin:/bin' } },
    })
    expect(job.conclusion).toBe('failure')
    expect(job.step('cache', 'main').conclusion).toBe('failure')
    const errors = job.annotations.filter((a) => a.level === 'error').map((a) => a.message)
    expect(errors.join('\n')).toMatch(/No `go` on PATH\. Add a Go toolchain before this step[\s\S]*actions\/setup-go/)
    // The post step ran and did not fail the job further.
    expect(job.step('cache', 'post').conclusion).toBe('success')
  })
})

/**
 * Pruning before the save, with real go and modules from the proxy, through
 * saveModCache (src/, not dist/: the bundled action is rebuilt separately).
 * Each "runner" gets a GOMODCACHE holding only a download cache, as a restore
 * gives it; the last one builds and tests with the proxy off.
 */
describe('pruning the module cache to the build list', () => {
  const goEnv = (modCache: string, extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    HOME: path.join(root, 'prune-home'),
    GOMODCACHE: modCache,
    GOCACHE: path.join(root, 'prune-gocache'),
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-mod=mod',
    ...extra,
  })
  const goIn = (cwd: string, args: string[], env: Record<string, string>) => execFileP('go', args, { cwd, env })
  /** A fresh runner: a new GOMODCACHE with only the download cache of `from`. */
  async function restoreInto(from: string, to: string): Promise<void> {
    await mkdir(path.join(to, 'cache'), { recursive: true })
    await cp(path.join(from, 'cache', 'download'), path.join(to, 'cache', 'download'), { recursive: true })
  }
  const present = (file: string) =>
    access(file).then(
      () => true,
      () => false,
    )
  const saved: string[] = []
  const fakeCache: ArchiveCache = {
    isAvailable: () => true,
    restore: async () => undefined,
    exists: async () => false,
    save: async (_paths, key) => {
      saved.push(key)
      return true
    },
  }
  const log = { info: () => {}, warning: () => {}, debug: () => {} }
  async function restoredReport(modCache: string): Promise<ModCacheRestoreReport> {
    const dir = path.join(modCache, 'cache', 'download')
    const set = await snapshotModuleSet(dir)
    return {
      key: 'new-key',
      restoreKeys: ['stem-'],
      path: dir,
      dependencyFiles: ['go.sum'],
      matchedKey: 'old-key',
      restoreAllowed: true,
      files: set.files,
      bytes: set.bytes,
      fingerprint: set.fingerprint,
      restoreMs: 0,
    }
  }

  it('drops the zip of a version the build list no longer selects, and the next runner builds offline', async () => {
    const work = path.join(root, 'prune-work')
    await cp(SAMPLE_MODULE, work, { recursive: true })
    const original = { mod: await readFile(path.join(work, 'go.mod')), sum: await readFile(path.join(work, 'go.sum')) }

    // Release 1 used uuid v1.5.0.
    const mc1 = path.join(root, 'prune-mc1')
    await goIn(work, ['get', 'github.com/google/uuid@v1.5.0'], goEnv(mc1))
    await goIn(work, ['build', './...'], goEnv(mc1))
    await writeFile(path.join(work, 'go.mod'), original.mod)
    await writeFile(path.join(work, 'go.sum'), original.sum)

    // Release 2 (uuid v1.6.0) on a fresh runner that restored release 1's entry through the fallback key.
    const mc2 = path.join(root, 'prune-mc2')
    await restoreInto(mc1, mc2)
    const restored = await restoredReport(mc2)
    await goIn(work, ['build', './...'], goEnv(mc2))
    await goIn(work, ['test', '-count=1', './...'], goEnv(mc2))
    const download2 = path.join(mc2, 'cache', 'download')
    expect(await present(path.join(download2, 'github.com/google/uuid/@v/v1.5.0.zip'))).toBe(true)
    expect(await present(path.join(download2, 'github.com/google/uuid/@v/v1.6.0.zip'))).toBe(true)

    const report = await saveModCache({
      cache: fakeCache,
      log,
      restored,
      write: { allowed: true },
      now: () => 0,
      prune: { workspace: work, env: goEnv(mc2) },
    })
    expect(report.saved).toBe(true)
    // .zip, .ziphash and the .lock go made for the download.
    expect(report.prune).toMatchObject({ pruned: true, roots: ['go.mod'], versions: 1, files: 3 })
    expect(saved).toEqual(['new-key'])
    // The zip went; the go.mod stays (the module graph may read it).
    expect(await present(path.join(download2, 'github.com/google/uuid/@v/v1.5.0.zip'))).toBe(false)
    expect(await present(path.join(download2, 'github.com/google/uuid/@v/v1.5.0.ziphash'))).toBe(false)
    expect(await present(path.join(download2, 'github.com/google/uuid/@v/v1.5.0.mod'))).toBe(true)
    expect(await present(path.join(download2, 'github.com/google/uuid/@v/v1.6.0.zip'))).toBe(true)
    expect(await present(path.join(download2, 'github.com/google/uuid/@v/list'))).toBe(true)

    // Release 2 again on a fresh runner, from the pruned entry, with the proxy off.
    const mc3 = path.join(root, 'prune-mc3')
    await restoreInto(mc2, mc3)
    const offline = goEnv(mc3, { GOPROXY: 'off', GOCACHE: path.join(root, 'prune-gocache-3') })
    await goIn(work, ['build', './...'], offline)
    const { stdout } = await goIn(work, ['test', '-count=1', '-run', 'XXX', './...'], offline)
    expect(stdout).toMatch(/ok\s+example\.com\/sample/)
  })

  it('unpacks the restored zips the packages and their tests import, offline, and says why when go cannot list', async () => {
    const work = path.join(root, 'unpack-work')
    await cp(SAMPLE_MODULE, work, { recursive: true })
    const mc1 = path.join(root, 'unpack-mc1')
    await goIn(work, ['mod', 'download'], goEnv(mc1))
    const mc2 = path.join(root, 'unpack-mc2')
    await restoreInto(mc1, mc2)
    expect(await extractedModules(mc2)).toEqual([])
    const report = await unpackModules({ modCache: mc2, workspace: work, dependencyFiles: ['go.sum'], env: goEnv(mc2), now: () => Date.now() })
    expect(report.error).toBeUndefined()
    expect(report.roots).toBe(1)
    const unpacked = await extractedModules(mc2)
    expect(report.unpacked).toBe(unpacked.length)
    // The sample's imports (cobra) and its tests' (testify).
    expect(unpacked).toEqual(
      expect.arrayContaining([expect.stringMatching(/^github\.com\/spf13\/cobra@/), expect.stringMatching(/^github\.com\/stretchr\/testify@/)]),
    )

    // go.mod that go cannot parse: reported, not thrown (-e covers packages and modules go cannot load, not this).
    const broken = path.join(root, 'unpack-broken')
    await cp(SAMPLE_MODULE, broken, { recursive: true })
    await writeFile(path.join(broken, 'go.mod'), 'module example.com/sample\n\nnot a directive\n')
    const failed = await unpackModules({ modCache: mc2, workspace: broken, dependencyFiles: ['go.sum'], env: goEnv(mc2), now: () => Date.now() })
    expect(failed.error).toMatch(/^go list -e -deps -test .* in .*unpack-broken: go: errors parsing go\.mod/)
  })

  it('keeps what every module of a go.work workspace needs', async () => {
    const ws = path.join(root, 'prune-ws')
    await cp(SAMPLE_MODULE, path.join(ws, 'app'), { recursive: true })
    await mkdir(path.join(ws, 'tool'), { recursive: true })
    await writeFile(path.join(ws, 'tool', 'go.mod'), 'module example.com/tool\n\ngo 1.24\n')
    await writeFile(path.join(ws, 'tool', 'tool.go'), 'package tool\n\nimport "github.com/google/go-cmp/cmp"\n\nvar Diff = cmp.Diff\n')
    await writeFile(path.join(ws, 'go.work'), 'go 1.24\n\nuse (\n\t./app\n\t./tool\n)\n')
    // An earlier release used an old go-cmp; this job restores that entry on a fresh runner.
    const earlier = path.join(root, 'prune-mc-ws0')
    await goIn(path.join(ws, 'tool'), ['get', 'github.com/google/go-cmp@v0.6.0'], goEnv(earlier, { GOWORK: 'off' }))
    await goIn(path.join(ws, 'tool'), ['get', 'github.com/google/go-cmp@v0.7.0'], goEnv(earlier, { GOWORK: 'off' }))
    const mc = path.join(root, 'prune-mc-ws')
    await restoreInto(earlier, mc)
    await goIn(ws, ['build', './app/...', './tool/...'], goEnv(mc, { GOFLAGS: '' }))
    const download = path.join(mc, 'cache', 'download')
    expect(await present(path.join(download, 'github.com/google/go-cmp/@v/v0.6.0.zip'))).toBe(true)

    const restored = { ...(await restoredReport(mc)), dependencyFiles: ['app/go.sum', 'tool/go.sum'] }
    const report = await saveModCache({
      cache: fakeCache,
      log,
      restored,
      write: { allowed: true },
      now: () => 0,
      prune: { workspace: ws, env: goEnv(mc, { GOFLAGS: '' }) },
    })
    expect(report.prune).toMatchObject({ pruned: true, roots: ['app/go.mod', 'tool/go.mod'], versions: 1 })
    expect(await present(path.join(download, 'github.com/google/go-cmp/@v/v0.6.0.zip'))).toBe(false)
    expect(await present(path.join(download, 'github.com/google/go-cmp/@v/v0.7.0.zip'))).toBe(true)

    const mc2 = path.join(root, 'prune-mc-ws2')
    await restoreInto(mc, mc2)
    await goIn(ws, ['build', './app/...', './tool/...'], goEnv(mc2, { GOFLAGS: '', GOPROXY: 'off', GOCACHE: path.join(root, 'prune-gocache-ws') }))
  })

  it('leaves the cache as it is when the build list cannot be read', async () => {
    const work = path.join(root, 'prune-broken')
    await cp(SAMPLE_MODULE, work, { recursive: true })
    const mc = path.join(root, 'prune-mc-broken')
    await goIn(work, ['build', './...'], goEnv(mc))
    // A go.mod the graph needs is gone, and go may not fetch it (the job's GOPROXY is off).
    await rm(path.join(mc, 'cache/download/github.com/spf13/cobra/@v/v1.9.1.mod'))
    await mkdir(path.join(mc, 'cache/download/example.com/old/@v'), { recursive: true })
    await writeFile(path.join(mc, 'cache/download/example.com/old/@v/v1.0.0.zip'), 'old')
    const logged: string[] = []
    const report = await saveModCache({
      cache: fakeCache,
      log: { ...log, info: (m: string) => logged.push(m) },
      restored: await restoredReport(mc),
      write: { allowed: true },
      now: () => 0,
      prune: { workspace: work, env: goEnv(mc, { GOPROXY: 'off' }) },
    })
    expect(report.prune).toMatchObject({ pruned: false, roots: ['go.mod'] })
    expect(logged.join('\n')).toMatch(/Module cache not pruned: could not read the build list/)
    expect(await present(path.join(mc, 'cache/download/example.com/old/@v/v1.0.0.zip'))).toBe(true)
  })
})
