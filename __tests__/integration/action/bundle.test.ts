/**
 * The build cache persisted between runs as a bundle: the bundled action
 * (dist/) run by the runner harness, the real @actions/cache against the local
 * cache service (blobs in azurite), real go. Each job is a fresh runner: an
 * empty HOME and an emptied RUNNER_TEMP (so an empty local store), at the same
 * paths, as on hosted runners. Modules come from a GOMODCACHE downloaded once
 * (GOPROXY=off, module-cache off), so only the build cache varies.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { runCacheClient } from '../../support/cache-service/run-client.ts'
import { checkoutSample, newMachine, REPO_ROOT, wipeHome, type Machine } from '../../support/go-jobs.ts'
import { runJob, type JobResult, type JobSpec } from '../../support/runner/index.ts'
import { compiledPackages, expectSuccess, useServiceFixture } from '../client/helpers.ts'

const fx = useServiceFixture('bundle-e2e-')

const PREFIX = 'go-cache-setup-build-v3-'
const bundles = () => fx.service.entries().filter((e) => e.finalized && e.key.startsWith(PREFIX))
const warnings = (job: JobResult) => job.annotations.filter((a) => a.level === 'warning' || a.level === 'error').map((a) => a.message)
const summaryKey = (job: JobResult) => /\| Key \| `(go-cache-setup-build-v3-[^`]+)` \|/.exec(job.summary)?.[1]
const savedEntries = (job: JobResult) => Number(/\| Save \| saved (\d+) entries/.exec(job.summary)?.[1] ?? NaN)

/** The sample module plus internal/app, which imports internal/greet and internal/count. */
async function checkoutLayered(m: Machine): Promise<void> {
  await checkoutSample(m)
  const pkg = async (name: string, source: string) => {
    await mkdir(path.join(m.workspace, 'internal', name), { recursive: true })
    await writeFile(path.join(m.workspace, 'internal', name, `${name}.go`), source)
  }
  await pkg('greet', editGreet(0))
  await pkg('count', 'package count\n\nfunc N() int { return 3 }\n')
  await pkg(
    'app',
    'package app\n\nimport (\n\t"strings"\n\n\t"example.com/sample/internal/count"\n\t"example.com/sample/internal/greet"\n)\n\nfunc Banner() string { return strings.Repeat(greet.Hello(), count.N()) }\n',
  )
}

const editGreet = (n: number) => `package greet\n\nfunc Hello() string { return "hello ${n}" }\n`

interface BundleJob {
  machine: Machine
  runId: number
  with?: Record<string, string>
  ref?: string
  event?: JobSpec['event']
  readOnlyToken?: boolean
  matrix?: Record<string, unknown>
}

/** A fresh runner (empty HOME, RUNNER_TEMP at the machine's fixed path, emptied by the harness) running the action, then a build. */
async function runBundleJob(j: BundleJob): Promise<JobResult> {
  await wipeHome(j.machine)
  const ref = j.ref ?? 'refs/heads/main'
  return runJob({
    workspace: j.machine.workspace,
    ref,
    event: j.event,
    matrix: j.matrix,
    env: { GOTOOLCHAIN: 'local', GOMODCACHE: fx.modCache, GOPROXY: 'off', GOFLAGS: '-mod=mod' },
    runner: { home: j.machine.home, temp: path.join(path.dirname(j.machine.home), 'temp') },
    github: { runId: j.runId },
    actionsRuntime: fx.service.env({ ref, defaultRef: 'refs/heads/main', readOnly: j.readOnlyToken }),
    steps: [
      { id: 'cache', uses: REPO_ROOT, with: { 'module-cache': 'false', ...j.with } },
      { id: 'build', run: 'go build -x ./... 2> build-x.txt && go test ./...' },
    ],
  })
}

const compiled = async (job: JobResult) => compiledPackages(await readFile(path.join(job.paths.workspace, 'build-x.txt'), 'utf8'))

describe('the build cache bundle through the GitHub Actions cache', () => {
  let machine: Machine
  const sizes: number[] = []
  const entries: number[] = []

  it('saves after a cold build; the next fresh runner hits everything except the edited package and its dependents', async () => {
    machine = await newMachine(fx.root, 'sequence')
    await checkoutLayered(machine)
    const job1 = await runBundleJob({ machine, runId: 1, with: { 'bundle-save-threshold': '0' } })
    expectSuccess(job1)
    expect(warnings(job1)).toEqual([])
    expect(await compiled(job1)).toEqual(expect.arrayContaining(['example.com/sample/internal/app', 'github.com/spf13/cobra', 'gopkg.in/yaml.v3']))
    const key1 = summaryKey(job1)!
    expect(key1).toMatch(/^go-cache-setup-build-v3-linux-(amd64|arm64)-go1\.\d+(\.\d+)?-main-build-m[0-9a-f]{8}-1-1$/)
    expect(bundles().map((e) => e.key)).toEqual([key1])
    expect(job1.summary).toContain('| Restore | miss: the build started cold |')
    expect(job1.summary).toMatch(/\| Save \| saved \d+ entries, [\d.]+ [KM]iB \([\d.]+ [KM]iB compressed\), in /)
    sizes.push(bundles()[0]!.sizeBytes)
    entries.push(savedEntries(job1))

    await writeFile(path.join(machine.workspace, 'internal', 'greet', 'greet.go'), editGreet(2))
    const job2 = await runBundleJob({ machine, runId: 2, with: { 'bundle-save-threshold': '0' } })
    expectSuccess(job2)
    expect(warnings(job2)).toEqual([])
    expect(job2.summary).toContain(`| Restore | from \`${key1}\` |`)
    expect(job2.summary).toMatch(new RegExp(`\\| Restored \\| ${entries[0]} entries, `))
    // Native by default without a remote (D27): imported into go's own GOCACHE before go ran, and no GOCACHEPROG.
    expect(job2.summary).toMatch(/\| Restored \| \d+ entries, .* in [\d.]+ m?s \(download [\d.]+ m?s, import [\d.]+ m?s\), before go ran \|/)
    expect(job2.summary).toContain("### Build cache (go's own GOCACHE, no GOCACHEPROG)")
    expect(job2.step('cache').outputs).toMatchObject({ 'build-cache-mode': 'native', gocacheprog: '' })
    expect(job2.env.GOCACHEPROG).toBeUndefined()
    // Only the edited package and the one that imports it compile; count, main and every module come from the bundle.
    expect(await compiled(job2)).toEqual(['example.com/sample/internal/app', 'example.com/sample/internal/greet'])
    expect(job2.step('build').log).toMatch(/ok\s+example\.com\/sample\s+\(cached\)/)
    const post = job2.step('cache', 'post').outputs
    // Counted per entry from GOCACHE's mtimes: the two packages compiled again, their links and vet and test entries.
    expect(Number(post['build-cache-misses'])).toBeLessThan(15)
    expect(Number(post['build-cache-hit-ratio'])).toBeGreaterThan(0.9)
    expect(post['test-results-cached']).toBe('1')
    // It used nearly all of run 1's bundle, so it saves a layer on it: only what that lacks (D24).
    expect(job2.summary).toMatch(new RegExp(`\\| Save \\| saved \\d+ entries, .*, as a layer on \`${key1}\` `))
    sizes.push(bundles().find((e) => e.key.endsWith('-2-1'))!.sizeBytes + sizes[0]!)
    entries.push(savedEntries(job2))
    expect(entries[1]).toBeLessThan(entries[0]! / 10)
    // Post kept the summary in the state directory, with the line e2e.yml's check (.github/actions/e2e-summary) reads.
    const kept = await readFile(path.join(path.dirname(machine.home), 'temp', 'go-cache-setup', 'summary.md'), 'utf8')
    expect(job2.summary).toContain(kept)
    expect(Number(/\| Hit ratio \| [\d.]+% \((\d+) of /.exec(kept)?.[1])).toBeGreaterThan(0)
  }, 300_000)

  it('keeps the saved bundle bounded over ten successive runs with edits', async () => {
    for (let run = 3; run <= 10; run++) {
      await writeFile(path.join(machine.workspace, 'internal', 'greet', 'greet.go'), editGreet(run))
      const job = await runBundleJob({ machine, runId: run, with: { 'bundle-save-threshold': '0' } })
      expectSuccess(job)
      expect(warnings(job)).toEqual([])
      // Restored the previous run's layer with run 1's bundle under it; saves a layer on that again (one deep).
      const key1 = bundles().find((e) => e.key.endsWith('-1-1'))!.key
      expect(job.summary).toContain(`-${run - 1}-1\`, a layer on \`${key1}\` |`)
      expect(job.summary).toContain(`, as a layer on \`${key1}\``)
      expect(await compiled(job)).toEqual(['example.com/sample/internal/app', 'example.com/sample/internal/greet'])
      sizes.push(bundles().find((e) => e.key.endsWith(`-${run}-1`))!.sizeBytes + sizes[0]!)
      entries.push(savedEntries(job))
    }
    expect(bundles()).toHaveLength(10)
    // Each layer holds what its job used or produced that the base lacks: the same
    // packages every run, so about the same number of entries, and never the outputs of
    // earlier edits (those would add a dozen entries a run). What a restore downloads,
    // layer and base, stays within 5% of run 1's bundle.
    for (const n of entries.slice(1)) expect(Math.abs(n - entries[1]!)).toBeLessThanOrEqual(2)
    for (const size of sizes) expect(size).toBeLessThanOrEqual(sizes[0]! * 1.05)
  }, 600_000)

  it('does not save when only a little is new, under the threshold', async () => {
    await writeFile(path.join(machine.workspace, 'internal', 'greet', 'greet.go'), editGreet(11))
    const job = await runBundleJob({ machine, runId: 11, with: { 'bundle-save-threshold': '5%' } })
    expectSuccess(job)
    expect(job.summary).toMatch(/\| Save \| not saved: only \d+ new entries, below bundle-save-threshold \(5% of the bundle's \d+ entries new\) \|/)
    expect(bundles().find((e) => e.key.endsWith('-11-1'))).toBeUndefined()
  }, 300_000)

  it('runs two parallel matrix jobs that both save, without errors', async () => {
    const a = await newMachine(fx.root, 'matrix-a')
    const b = await newMachine(fx.root, 'matrix-b')
    await checkoutLayered(a)
    await checkoutLayered(b)
    const [ja, jb] = await Promise.all([
      runBundleJob({ machine: a, runId: 50, matrix: { os: 'linux', shard: 1 } }),
      runBundleJob({ machine: b, runId: 50, matrix: { os: 'linux', shard: 2 } }),
    ])
    expectSuccess(ja)
    expectSuccess(jb)
    expect([...warnings(ja), ...warnings(jb)]).toEqual([])
    const [ka, kb] = [summaryKey(ja)!, summaryKey(jb)!]
    expect(ka).not.toBe(kb)
    expect(ka.replace(/-m[0-9a-f]{8}-/, '-')).toBe(kb.replace(/-m[0-9a-f]{8}-/, '-'))
    expect(bundles().map((e) => e.key)).toEqual(expect.arrayContaining([ka, kb]))
    expect(fx.service.calls().filter((c) => c.method === 'CreateCacheEntry' && c.status !== 200)).toEqual([])
  }, 300_000)

  it('restores but does not save with a read-only token, and not on a fork pull request', async () => {
    const readOnly = await runBundleJob({ machine, runId: 60, readOnlyToken: true, with: { 'bundle-save-threshold': '0' } })
    expectSuccess(readOnly)
    expect(readOnly.summary).toMatch(/\| Restore \| from `go-cache-setup-build-v3-[^`]+-10-1`, a layer on `[^`]+-1-1` \|/)
    expect(readOnly.summary).toContain('| Save | not saved: the cache service did not accept the entry (see the log above) |')
    expect(bundles().find((e) => e.key === summaryKey(readOnly))).toBeUndefined()

    const fork = await runBundleJob({
      machine,
      runId: 61,
      ref: 'refs/pull/7/merge',
      with: { 'bundle-save-threshold': '0' },
      event: {
        name: 'pull_request',
        payload: {
          repository: { full_name: 'octo-org/octo-repo', default_branch: 'main' },
          pull_request: { number: 7, head: { ref: 'feature', repo: { full_name: 'mallory/octo-repo' } }, base: { repo: { full_name: 'octo-org/octo-repo' } } },
        },
      },
    })
    expectSuccess(fork)
    expect(fork.summary).toMatch(/\| Restore \| from `go-cache-setup-build-v3-[^`]+-main-build-m[0-9a-f]{8}-10-1`, a layer on `[^`]+-1-1` \|/)
    expect(fork.summary).toContain('| Save | not saved: untrusted event: pull_request from the fork mallory/octo-repo |')
    expect(fx.service.calls().filter((c) => c.method === 'CreateCacheEntry' && c.key === summaryKey(fork))).toEqual([])
  }, 300_000)

  it('treats a corrupted bundle as a miss with a warning, and the build succeeds', async () => {
    // A newer entry under the sequence's restore prefix and cache version (the
    // path is part of it), holding garbage, saved through the real @actions/cache.
    const file = path.join(path.dirname(machine.home), 'temp', 'go-cache-setup', 'build-cache.bundle')
    await mkdir(path.dirname(file), { recursive: true })
    await writeFile(file, randomBytes(4096))
    const garbageKey = bundles()
      .find((e) => e.key.endsWith('-10-1'))!
      .key.replace(/-10-1$/, '-71-1')
    const saved = await runCacheClient(
      { op: 'save', paths: [file], key: garbageKey },
      { env: fx.service.env({ ref: 'refs/heads/main' }), workspace: machine.workspace },
    )
    expect(saved.result).toMatchObject({ op: 'save' })

    const job2 = await runBundleJob({ machine, runId: 72 })
    expectSuccess(job2)
    expect(job2.step('build').conclusion).toBe('success')
    const w = warnings(job2)
    expect(w).toHaveLength(1)
    expect(w[0]).toMatch(new RegExp(`^Build cache bundle: the bundle ${garbageKey} is unreadable \\(.+\\); treated as a miss$`))
    expect(job2.summary).toContain(`| Restore | the bundle ${garbageKey} is unreadable (`)
    // Cold: nothing came from the garbage.
    expect(await compiled(job2)).toEqual(expect.arrayContaining(['example.com/sample/internal/app', 'github.com/spf13/cobra']))
  }, 300_000)

  it('with build-cache-mode gocacheprog, our client serves the same bundle: the daemon imports it while go runs', async () => {
    const m = await newMachine(fx.root, 'client-mode')
    await checkoutLayered(m)
    const inputs = { 'bundle-save-threshold': '0', 'build-cache-mode': 'gocacheprog' }
    const job1 = await runBundleJob({ machine: m, runId: 80, with: inputs, matrix: { mode: 'client' } })
    expectSuccess(job1)
    expect(warnings(job1)).toEqual([])
    expect(job1.step('cache').outputs['build-cache-mode']).toBe('client')
    expect(job1.env.GOCACHEPROG).toMatch(/ serve --store /)
    await writeFile(path.join(m.workspace, 'internal', 'greet', 'greet.go'), editGreet(2))
    const job2 = await runBundleJob({ machine: m, runId: 81, with: inputs, matrix: { mode: 'client' } })
    expectSuccess(job2)
    expect(warnings(job2)).toEqual([])
    // The daemon imported it while go ran (D22); the main step only downloaded it.
    expect(job2.summary).toMatch(/downloaded in [\d.]+ m?s, imported while go ran in [\d.]+ m?s; \d+ lookups waited for entries still arriving/)
    expect(await compiled(job2)).toEqual(['example.com/sample/internal/app', 'example.com/sample/internal/greet'])
    expect(job2.step('build').log).toMatch(/ok\s+example\.com\/sample\s+\(cached\)/)
    expect(Number(job2.step('cache', 'post').outputs['build-cache-misses'])).toBeLessThan(10)
  }, 300_000)
})
