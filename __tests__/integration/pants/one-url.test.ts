/**
 * One cache-url for Go and Pants: `cache-url: grpc://127.0.0.1:<port>/ci`, a
 * real bazel-remote serving REAPI over gRPC, the bundled action (dist/) run by
 * the runner harness, real go, and real Pants 2.17.1 in the same job. Job 1
 * builds with both and writes the server; job 2, on a fresh runner, compiles
 * no Go package and gets every Pants test result from the same server.
 *
 * bazel-remote checks every request (htpasswd, no unauthenticated reads), so
 * a hit in job 2 proves that Go's client and Pants both sent the token.
 * htpasswd means HTTP Basic; Pants cannot base64 a `user:password` itself,
 * and with cache-auth auto it would send `Authorization: Bearer <token>`,
 * which bazel-remote refuses. So the workflow keeps the whole header value,
 * `Basic <base64>`, in its one secret: cache-auth auto sends a token that
 * names its scheme as it is, and pants-auth-header has Pants send the same
 * value from the variable. A realistic setup for a team's own bazel-remote,
 * with one secret and one URL.
 */
import { readFile, rm, mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startBazelRemote, type BazelRemote } from '../../support/bazel-remote/index.ts'
import { checkoutSample, newMachine, REPO_ROOT, wipeHome, type Machine } from '../../support/go-jobs.ts'
import { checkoutPantsProject, pantsCounters, pantsStepEnv, pantsTestResults, requirePants } from '../../support/pants.ts'
import { runJob, type JobResult } from '../../support/runner/index.ts'
import { buildAndRun, filesContaining, remoteFigure, summaryRow } from '../../support/remote-jobs.ts'
import { compiledPackages, execFileP, expectSuccess, prepareModCache } from '../client/helpers.ts'

/** The first Pants run resolves pytest from PyPI: minutes on a cold machine. */
const JOB_TIMEOUT_MS = 15 * 60_000

const USER = 'ci'
const PASSWORD = 'one-url-Pa55-4e1b9d'
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
/** The secret: the Authorization value itself, so that Go and Pants send the same header (see above). */
const TOKEN = `Basic ${BASIC}`
const TOKEN_ENV = 'GO_CACHE_SETUP_CACHE_TOKEN'
const INSTANCE = 'ci'
const TESTS = ['src/calc/add_test.py:tests', 'src/calc/both_test.py:tests', 'src/calc/mul_test.py:tests']

let root: string
let modCache: string
let server: BazelRemote
let machine: Machine

beforeAll(async () => {
  requirePants()
  root = await mkdtemp(path.join(os.tmpdir(), 'one-url-e2e-'))
  modCache = path.join(root, 'modcache')
  ;[server] = await Promise.all([
    startBazelRemote({ dir: path.join(root, 'bazel-remote'), grpc: true, htpasswd: { user: USER, password: PASSWORD } }),
    prepareModCache(modCache),
  ])
  // One repository with a Go module and a Pants project side by side.
  machine = await newMachine(root, 'runner')
  await checkoutSample(machine)
  await checkoutPantsProject(machine.workspace)
}, 120_000)
afterAll(async () => {
  await server?.stop()
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

const cacheUrl = (): string => `${server.grpcAddress}/${INSTANCE}`

/** An init-pants-like step, the action with the one cache-url, a Go build, then `pants test ::` with the token in its env. */
function oneUrlJob(): Promise<JobResult> {
  const base = path.dirname(path.dirname(machine.workspace))
  return runJob({
    workspace: machine.workspace,
    ref: 'refs/heads/main',
    env: { GOTOOLCHAIN: 'local', GOMODCACHE: modCache, GOPROXY: 'off', GOFLAGS: '' },
    runner: { home: machine.home, temp: path.join(base, 'runner-temp'), toolCache: path.join(base, 'tool-cache') },
    secrets: { CACHE_TOKEN: TOKEN },
    steps: [
      { id: 'init', run: 'echo "PANTS_CONFIG_FILES=pants.ci.toml" >> "$GITHUB_ENV"' },
      {
        id: 'cache',
        uses: REPO_ROOT,
        // The harness has no `secrets` context: the value is passed as `${{ secrets.CACHE_TOKEN }}` would expand, and masked as a secret is.
        with: {
          'module-cache': 'false',
          'cache-url': cacheUrl(),
          'cache-token': TOKEN,
          'pants-auth-header': `Authorization: %(env.${TOKEN_ENV})s`,
        },
      },
      buildAndRun,
      {
        id: 'pants',
        run: '"$PANTS_BIN" --stats-log test ::',
        env: { ...pantsStepEnv(), [TOKEN_ENV]: TOKEN },
      },
    ],
  })
}

describe('one grpc:// cache-url for Go and Pants, against bazel-remote', () => {
  it('the server turns away a request without the credentials', async () => {
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    expect((await fetch(`${server.httpUrl}/cas/${empty}`, { method: 'HEAD' })).status).toBe(401)
    expect((await fetch(`${server.httpUrl}/cas/${empty}`, { method: 'HEAD', headers: { Authorization: TOKEN } })).status).toBe(200)
  })

  it(
    'job 1 writes Go packages and Pants results to the server; job 2 on a fresh runner compiles nothing and gets every test from it',
    async () => {
      const first = await oneUrlJob()
      expectSuccess(first)

      // Pants got the cache-url's address and instance, and the header from the variable.
      const file = first.step('cache').outputs['pants-config']!
      expect(file).toBe(path.join(first.paths.temp, 'go-cache-setup', 'pants-remote-cache.toml'))
      expect(first.env.PANTS_CONFIG_FILES).toBe(`+['pants.ci.toml', '${file}']`)
      const config = await readFile(file, 'utf8')
      expect(config).toContain(`remote_cache_write = true\nremote_store_address = "${server.grpcAddress}"\nremote_instance_name = "${INSTANCE}"\n`)
      expect(config).toContain(`remote_store_headers.add = { "Authorization" = "%(env.${TOKEN_ENV})s" }\n`)
      expect(first.step('cache').log).toContain(`Pants: remote cache ${server.grpcAddress}, instance ${INSTANCE}, read and write (cache-url);`)

      // Go: built everything, and every entry reached the server.
      expect(compiledPackages(await readFile(path.join(machine.workspace, 'build-x.txt'), 'utf8')).length).toBeGreaterThan(10)
      expect(remoteFigure(first, 'uploads')).toBeGreaterThan(100)
      expect(remoteFigure(first, 'unsent')).toBe(0)
      expect(remoteFigure(first, 'errors')).toBe(0)
      expect(remoteFigure(first, 'hits')).toBe(0)

      // Pants: ran every test and wrote the results to the same server.
      const pants = first.step('pants').rawOutput
      expect(pantsTestResults(pants)).toEqual(Object.fromEntries(TESTS.map((t) => [t, 'succeeded'])))
      const written = pantsCounters(pants)
      expect(written.remote_cache_requests_cached).toBe(0)
      expect(written.remote_cache_write_successes).toBeGreaterThanOrEqual(TESTS.length)
      expect(written.remote_cache_write_errors).toBe(0)

      // Both wrote to the one server: Go's entries and, beyond them, Pants' action results.
      expect((await server.entries()).ac).toBeGreaterThan(remoteFigure(first, 'uploads'))
      expect(summaryRow(first, 'Remote cache')).toBe(`| Remote cache | \`${server.grpcAddress}\` instance \`${INSTANCE}\` |`)

      // The token, and the credentials in it, are in no log line and no file of ours.
      for (const needle of [TOKEN, BASIC, PASSWORD]) expect(first.log).not.toContain(needle)
      expect(await filesContaining(first.paths.temp, [BASIC, PASSWORD])).toEqual([])
      expect(await filesContaining(first.paths.fileCommands, [BASIC, PASSWORD])).toEqual([])

      // A fresh runner at the same paths: no HOME (GOCACHE, Pants' local store), no runner temp (our store), no .pants.d.
      await wipeHome(machine)
      for (const dir of [first.paths.temp, path.join(machine.workspace, '.pants.d'), path.join(machine.workspace, 'bin')]) {
        await rm(dir, { recursive: true, force: true })
      }
      const second = await oneUrlJob()
      expectSuccess(second)

      // Go: every package from the server.
      expect(compiledPackages(await readFile(path.join(machine.workspace, 'build-x.txt'), 'utf8'))).toEqual([])
      expect(remoteFigure(second, 'hits')).toBeGreaterThan(100)
      expect(remoteFigure(second, 'errors')).toBe(0)
      expect(summaryRow(second, 'Remote health')).toBe('| Remote health | reads circuit never opened; writes circuit never opened |')

      // Pants: every test result from the server (see remote-cache.test.ts on the speculation race).
      const output = second.step('pants').rawOutput
      expect(pantsTestResults(output)).toEqual(Object.fromEntries(TESTS.map((t) => [t, 'succeeded (cached remotely)'])))
      const read = pantsCounters(output)
      expect(read.local_cache_requests_cached).toBe(0)
      expect(read.remote_cache_requests_uncached).toBe(0)
      expect(read.remote_cache_requests_cached! + read.remote_cache_speculation_local_completed_first!).toBe(read.remote_cache_requests)
      expect(read.remote_cache_requests_cached).toBeGreaterThanOrEqual(TESTS.length)
    },
    JOB_TIMEOUT_MS,
  )
})
