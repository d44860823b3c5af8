/**
 * Pants remote caching end to end: the bundled action (dist/) run by the
 * runner harness writes and registers the config, then real Pants 2.17.1
 * (pip, Python 3.9) runs `pants test ::` against a real bazel-remote over
 * gRPC. bazel-remote checks the token (HTTP Basic through htpasswd), so a
 * write that lands proves the `%(env.NAME)s` header reached it.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startBazelRemote, type BazelRemote } from '../../support/bazel-remote/index.ts'
import { newMachine, REPO_ROOT, wipeHome, type Machine } from '../../support/go-jobs.ts'
import { checkoutPantsProject, pantsCounters, pantsStepEnv, pantsTestResults, requirePants } from '../../support/pants.ts'
import { runJob, type JobResult, type JobSpec } from '../../support/runner/index.ts'
import { expectSuccess } from '../client/helpers.ts'

/** The first Pants run resolves pytest from PyPI: minutes on a cold machine. */
const PANTS_TIMEOUT_MS = 15 * 60_000

const USER = 'ci'
const PASSWORD = 'pants-cache-pass-7731'
/** What a workflow keeps in a secret: the Basic credentials bazel-remote's htpasswd checks. */
const TOKEN = Buffer.from(`${USER}:${PASSWORD}`).toString('base64')
const TOKEN_ENV = 'GO_CACHE_SETUP_CACHE_TOKEN'
const TESTS = ['src/calc/add_test.py:tests', 'src/calc/both_test.py:tests', 'src/calc/mul_test.py:tests']

let root: string
let server: BazelRemote
let machine: Machine

beforeAll(async () => {
  requirePants()
  root = await mkdtemp(path.join(os.tmpdir(), 'pants-e2e-'))
  const htpasswd = path.join(root, 'htpasswd')
  await writeFile(htpasswd, `${USER}:{SHA}${createHash('sha1').update(PASSWORD).digest('base64')}\n`)
  // Reads stay open, as for a fork's pull request that gets no secret; writes need the token.
  server = await startBazelRemote({
    dir: path.join(root, 'bazel-remote'),
    grpc: true,
    extraArgs: ['--htpasswd_file', htpasswd, '--allow_unauthenticated_reads'],
  })
  machine = await newMachine(root, 'pants')
  await checkoutPantsProject(machine.workspace)
})
afterAll(async () => {
  await server?.stop()
  await rm(root, { recursive: true, force: true })
})

interface PantsJob {
  event?: JobSpec['event']
  ref?: string
  /** The secret, as a trusted job has it; a fork's job has none. */
  token?: string
}

/** An init-pants-like step, the action, then `pants test ::` with the token in its env. */
function pantsJob(opts: PantsJob): Promise<JobResult> {
  return runJob({
    workspace: machine.workspace,
    ref: opts.ref ?? 'refs/heads/main',
    event: opts.event,
    env: { GOTOOLCHAIN: 'local' },
    // Kept after the job (emptied when the next starts), so the test can read the config file.
    runner: { home: machine.home, temp: path.join(root, 'runner-temp') },
    secrets: opts.token === undefined ? {} : { CACHE_TOKEN: opts.token },
    steps: [
      { id: 'init', run: 'echo "PANTS_CONFIG_FILES=pants.ci.toml" >> "$GITHUB_ENV"' },
      {
        id: 'cache',
        uses: REPO_ROOT,
        with: {
          'build-cache': 'false',
          'module-cache': 'false',
          'pants-remote-store-address': server.grpcAddress,
          'pants-remote-instance-name': 'ci',
          ...(opts.token !== undefined && { 'cache-token': opts.token, 'pants-auth-header': `Authorization: Basic %(env.${TOKEN_ENV})s` }),
        },
      },
      {
        id: 'pants',
        run: '"$PANTS_BIN" --stats-log test ::',
        env: { ...pantsStepEnv(), ...(opts.token !== undefined && { [TOKEN_ENV]: opts.token }) },
      },
    ],
  })
}

/** Every file under `dir`, for a search of the token. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

/** A fresh runner at the same paths: no HOME (so no Pants local store), no .pants.d. */
async function freshRunner(): Promise<void> {
  await wipeHome(machine)
  await rm(path.join(machine.workspace, '.pants.d'), { recursive: true, force: true })
}

describe('Pants remote caching through the action, against bazel-remote over gRPC', () => {
  it(
    'a trusted job writes its results; a fresh runner then gets every test from the remote cache',
    async () => {
      const first = await pantsJob({ token: TOKEN })
      expectSuccess(first)
      const file = first.step('cache').outputs['pants-config']!
      expect(first.step('cache').outputs['auto-configure']).toBe('true')
      expect(file).toBe(path.join(first.paths.temp, 'go-cache-setup', 'pants-remote-cache.toml'))
      // Registered after what the earlier step had put there, which still applies.
      expect(first.env.PANTS_CONFIG_FILES).toBe(`+['pants.ci.toml', '${file}']`)
      const config = await readFile(file, 'utf8')
      expect(config).toContain('remote_cache_write = true\n')
      expect(config).toContain(`remote_store_headers.add = { "Authorization" = "Basic %(env.${TOKEN_ENV})s" }\n`)

      // The token is in no file the job left, no GITHUB_ENV export and no log line.
      for (const f of [...(await filesUnder(first.paths.temp)), ...(await filesUnder(first.paths.fileCommands))]) {
        expect({ file: f, hasToken: (await readFile(f, 'utf8')).includes(TOKEN) }).toEqual({ file: f, hasToken: false })
      }
      expect(first.steps.flatMap((s) => Object.values(s.envAdded)).filter((v) => v.includes(TOKEN))).toEqual([])
      expect(first.log).not.toContain(TOKEN)

      const pants = first.step('pants').rawOutput
      expect(pantsTestResults(pants)).toEqual(Object.fromEntries(TESTS.map((t) => [t, 'succeeded'])))
      // biome-ignore lint/suspicious/noControlCharactersInRegex: an escape sequence is what must be absent
      expect(pants).not.toMatch(/\x1b\[/) // pants.ci.toml's colors = false still applies
      const written = pantsCounters(pants)
      expect(written.remote_cache_requests_cached).toBe(0)
      expect(written.remote_cache_write_successes).toBeGreaterThanOrEqual(TESTS.length)
      expect(written.remote_cache_write_errors).toBe(0)
      const stored = await server.entries()
      expect(stored.ac).toBeGreaterThanOrEqual(TESTS.length)

      await freshRunner()
      const second = await pantsJob({ token: TOKEN })
      expectSuccess(second)
      const output = second.step('pants').rawOutput
      expect(pantsTestResults(output)).toEqual(Object.fromEntries(TESTS.map((t) => [t, 'succeeded (cached remotely)'])))
      const read = pantsCounters(output)
      expect(read.local_cache_requests_cached).toBe(0)
      // The cache had every result: no lookup came back empty. A lookup can
      // still lose its race against the same process run locally (Pants 2.17
      // speculates, remote_cache_speculation_delay), and then counts as neither
      // cached nor uncached. One loaded CI run saw 10 of 11 cached; its other
      // counters were not kept, and such a race is the likely cause.
      expect(read.remote_cache_requests_uncached).toBe(0)
      expect(read.remote_cache_requests_cached! + read.remote_cache_speculation_local_completed_first!).toBe(read.remote_cache_requests)
      expect(read.remote_cache_requests_cached).toBeGreaterThanOrEqual(TESTS.length)
    },
    PANTS_TIMEOUT_MS,
  )

  it(
    'a fork pull request reads the cache but sends no write to the server',
    async () => {
      // Runs after the test above: the server holds main's results.
      await freshRunner()
      const before = await server.entries()
      expect(before.ac).toBeGreaterThan(0)
      // The fork changes one test: a miss that a trusted job would write back.
      const changed = path.join(machine.workspace, 'src', 'calc', 'mul_test.py')
      await writeFile(changed, `${await readFile(changed, 'utf8')}\n\ndef test_mul_zero() -> None:\n    assert mul(0, 9) == 0\n`)
      const job = await pantsJob({
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
      expect(job.step('cache').log).toContain('Cache writes are off for this job: untrusted event: pull_request from the fork mallory/octo-repo')
      const file = job.step('cache').outputs['pants-config']!
      expect(await readFile(file, 'utf8')).toContain('remote_cache_write = false\n')
      expect(job.summary).toContain(`Pants remote cache: \`${server.grpcAddress}\` instance \`ci\`, read only; \`${file}\` added to PANTS_CONFIG_FILES.`)
      const output = job.step('pants').rawOutput
      expect(pantsTestResults(output)).toEqual({
        'src/calc/add_test.py:tests': 'succeeded (cached remotely)',
        'src/calc/both_test.py:tests': 'succeeded (cached remotely)',
        'src/calc/mul_test.py:tests': 'succeeded',
      })
      const counters = pantsCounters(output)
      expect(counters.remote_cache_requests_uncached).toBeGreaterThan(0)
      expect(counters.remote_cache_write_attempts).toBe(0)
      expect(await server.entries()).toEqual(before)
    },
    PANTS_TIMEOUT_MS,
  )
})
