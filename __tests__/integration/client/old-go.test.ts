/**
 * Go before 1.24 ignores GOCACHEPROG, so the action caches GOCACHE as a
 * directory instead. The job runs go1.23.12 through GOTOOLCHAIN: the local go
 * downloads that toolchain from the module proxy once, into a GOMODCACHE the
 * jobs of this file share, and the jobs then run offline.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startCacheService, type CacheService } from '../../support/cache-service/server.ts'
import { checkoutSample, newMachine, wipeHome, type Machine } from '../../support/go-jobs.ts'
import type { JobResult } from '../../support/runner/index.ts'
import { compiledPackages, execFileP, expectSuccess, runClientJob } from './helpers.ts'

const OLD_GO = 'go1.23.12'
const KEY_PREFIX = 'go-cache-setup-gocache-v1-'

let root: string
let service: CacheService
let modCache: string
let machine: Machine

/** The sample module, declared for Go 1.23 (it needs nothing newer). */
async function checkoutForOldGo(m: Machine): Promise<void> {
  await checkoutSample(m)
  const goMod = path.join(m.workspace, 'go.mod')
  await writeFile(goMod, (await readFile(goMod, 'utf8')).replace(/^go 1\.24$/m, 'go 1.23.0'))
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'client-oldgo-'))
  modCache = path.join(root, 'modcache')
  machine = await newMachine(root, 'old-go')
  await checkoutForOldGo(machine)
  const download = { ...process.env, GOTOOLCHAIN: OLD_GO, GOMODCACHE: modCache, GOFLAGS: '' }
  service = await startCacheService()
  // The toolchain (golang.org/toolchain) and the sample's modules, once for the file.
  const { stdout } = await execFileP('go', ['version'], { cwd: machine.workspace, env: download })
  expect(stdout).toContain(OLD_GO)
  await execFileP('go', ['mod', 'download'], { cwd: machine.workspace, env: download })
}, 300_000)
afterAll(async () => {
  await service?.stop()
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

const file = (job: JobResult, name: string) => readFile(path.join(job.paths.workspace, name), 'utf8')
const gocacheEntries = () => service.entries().filter((e) => e.finalized && e.key.startsWith(KEY_PREFIX))

describe(`the build cache with ${OLD_GO}`, () => {
  it('says GOCACHEPROG is ignored, exports none, and caches GOCACHE as a directory across jobs', async () => {
    // The module proxy stays on: the toolchain switch checks the toolchain against the checksum
    // database (through the proxy) on every run; the modules are all in GOMODCACHE already.
    const env = { GOTOOLCHAIN: OLD_GO, GOMODCACHE: modCache }
    const steps = [
      {
        id: 'build',
        run: [
          'go version > version.txt',
          'printf "[%s]" "${GOCACHEPROG-}" > gocacheprog.txt',
          'go build -x -o bin/ ./... 2> build-x.txt',
          'go test ./... > test.txt',
        ].join('\n'),
      },
    ]

    const job1 = await runClientJob({ machine, service, env, with: { 'module-cache': 'false' }, github: { runId: 9001 }, steps })
    expectSuccess(job1)
    expect(await file(job1, 'version.txt')).toContain(`go version ${OLD_GO} `)
    expect(job1.step('cache').outputs['go-version']).toBe(OLD_GO)
    const notices = job1.annotations.filter((a) => a.level === 'notice').map((a) => a.message)
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain(`${OLD_GO} ignores GOCACHEPROG (it is on by default from Go 1.24)`)
    expect(notices[0]).toContain(`GOCACHE=${path.join(machine.home, '.cache', 'go-build')}`)
    // No GOCACHEPROG anywhere.
    expect(job1.step('cache').outputs.gocacheprog).toBe('')
    expect(job1.env.GOCACHEPROG).toBeUndefined()
    expect(await file(job1, 'gocacheprog.txt')).toBe('[]')
    expect(compiledPackages(await file(job1, 'build-x.txt'))).toContain('github.com/google/uuid')
    // GOCACHE saved under a per-run key.
    const [entry1, ...others] = gocacheEntries()
    expect(others).toEqual([])
    expect(entry1!.key).toMatch(new RegExp(`^${KEY_PREFIX}linux-(amd64|arm64)-${OLD_GO.replaceAll('.', '\\.')}-9001-1-build$`))
    expect(job1.summary).toContain('### Build cache (GOCACHE as a directory: Go before 1.24 ignores GOCACHEPROG)')
    expect(job1.summary).toContain('| Restore | miss |')
    expect(job1.summary).toContain(`| Save | saved as \`${entry1!.key}\` |`)
    expect(job1.summary).not.toContain('### Build cache (GOCACHEPROG)')
    expect(Object.keys(job1.step('cache', 'post').outputs).filter((k) => k.startsWith('build-cache-'))).toEqual([])

    // A fresh runner: GOCACHE comes back from job 1's entry, and nothing is compiled.
    await wipeHome(machine)
    const job2 = await runClientJob({ machine, service, env, with: { 'module-cache': 'false' }, github: { runId: 9002 }, steps })
    expectSuccess(job2)
    expect(job2.summary).toContain(`| Restore | from \`${entry1!.key}\` |`)
    expect(compiledPackages(await file(job2, 'build-x.txt'))).toEqual([])
    expect(await file(job2, 'test.txt')).toMatch(/^ok\s+example\.com\/sample\s+\(cached\)$/m)
    expect(
      gocacheEntries()
        .map((e) => e.key)
        .sort(),
    ).toEqual([entry1!.key, entry1!.key.replace('-9001-', '-9002-')].sort())
  })
})
