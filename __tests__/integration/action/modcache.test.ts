/**
 * The module cache end to end: the bundled action (dist/) run by the runner
 * harness, the real @actions/cache against the local cache service (blobs in
 * azurite), real `go` and real modules from the module proxy.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startCacheService, type CacheService } from '../../support/cache-service/server.ts'
import { checkoutSample, newMachine, offlineBuildStep, runGoJob, wipeHome, type Machine } from '../../support/go-jobs.ts'
import type { JobResult } from '../../support/runner/index.ts'

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
