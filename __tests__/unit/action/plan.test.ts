/** planMain is pure: every path, key and decision of the main step, from facts given as values. */
import { readInputs } from '../../../src/action/inputs.ts'
import { planMain, type MainFacts } from '../../../src/action/plan.ts'
import type { GoEnv } from '../../../src/go/go-env.ts'
import { resolveAutoConfigure, type KitToggle } from '../../../src/policy/auto-configure.ts'

const goEnv: GoEnv = {
  goVersion: 'go1.26.8',
  hostOS: 'linux',
  hostArch: 'amd64',
  modCache: '/home/runner/go/pkg/mod',
  buildCache: '/home/runner/.cache/go-build',
  toolchain: 'auto',
  fetch: { GOPROXY: '', GOPRIVATE: '', GONOPROXY: '', GONOSUMDB: '', GOSUMDB: '', GOFLAGS: '' },
}

const env = {
  GITHUB_REPOSITORY: 'acme/app',
  GITHUB_WORKFLOW: 'ci',
  GITHUB_JOB: 'test',
  GITHUB_RUN_ID: '77',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_REF_NAME: 'main',
  GITHUB_REF: 'refs/heads/main',
  RUNNER_TEMP: '/runner/temp',
}
const push = { name: 'push', payload: { repository: { full_name: 'acme/app', default_branch: 'main' } } }

function facts(
  over: { inputs?: Record<string, string>; env?: Record<string, string>; event?: MainFacts['event']; kit?: KitToggle; cacheAvailable?: boolean } = {},
): MainFacts {
  const values = over.inputs ?? {}
  const inputs = readInputs((name) => values[name] ?? '', '/ws')
  const allEnv: Record<string, string> = { ...env, ...over.env }
  return {
    inputs,
    goEnv,
    workspace: '/ws',
    env: allEnv,
    event: over.event ?? push,
    // As run-main.ts resolves it, before go runs.
    auto: resolveAutoConfigure({ input: inputs.autoConfigure, env: allEnv.GO_CACHE_SETUP_AUTO_CONFIGURE, kit: over.kit ?? { found: false } }),
    cacheAvailable: over.cacheAvailable ?? true,
  }
}

describe('planMain', () => {
  it('works out every path and key once, from the defaults', () => {
    const plan = planMain(facts())
    expect(plan.run).toEqual({
      repository: 'acme/app',
      workflow: 'ci',
      job: 'test',
      runId: '77',
      runAttempt: '2',
      ref: 'refs/heads/main',
      branch: 'main',
      defaultBranch: 'main',
      stateDir: '/runner/temp/go-cache-setup',
    })
    expect(plan.writes).toEqual({
      trust: { level: 'trusted', reason: 'push on refs/heads/main, the default branch', scope: 'trusted' },
      actionsCache: { allowed: true },
      remote: { read: ['trusted'], write: 'trusted' },
    })
    expect(plan.auto).toEqual({ value: true, source: 'default', warnings: [] })
    expect(plan.kitDaemon).toBeUndefined()
    expect(plan.remote).toBeUndefined()
    expect(plan.buildCache).toEqual({ enabled: true, customCommand: '', storePath: '', storeMaxBytes: 5 * 1024 ** 3, bundle: true, native: true })
    expect(plan.directoryKeys).toEqual({
      primary: 'go-cache-setup-gocache-v1-linux-amd64-go1.26.8-77-2-test',
      restore: ['go-cache-setup-gocache-v1-linux-amd64-go1.26.8-'],
    })
    const stem = 'go-cache-setup-build-v3-linux-amd64-go1.26.8'
    expect(plan.bundle.keys.primary).toMatch(new RegExp(`^${stem}-main-test-m[0-9a-f]{8}-77-2$`))
    expect(plan.bundle.file).toBe('/runner/temp/go-cache-setup/build-cache.bundle')
    expect(plan.bundle).toMatchObject({
      canRead: true,
      maxImportBytes: 5 * 1024 ** 3,
      settings: { enabled: true, maxBytes: 2 * 1024 ** 3, threshold: { kind: 'percent', value: 1 } },
    })
    expect(plan.pants).toMatchObject({
      enabled: true,
      workingDirectory: '/ws',
      workspace: '/ws',
      cacheUrl: '',
      write: true,
      register: true,
      configDir: '/runner/temp/go-cache-setup',
    })
    expect(plan.modCache).toEqual({ dependencyPatterns: ['**/go.sum', '**/go.work.sum'], keySuffix: '' })
  })

  // One row per fact that changes the plan: [what, facts, what the plan must say].
  it.each<[string, Parameters<typeof facts>[0], (plan: ReturnType<typeof planMain>) => unknown, unknown]>([
    [
      'a remote turns the bundle off, and names the manifest',
      { inputs: { 'cache-url': 'https://cache.example.com' } },
      (p) => [p.bundle.settings.enabled, p.buildCache.bundle, p.remote?.manifest],
      [false, false, { repository: 'acme/app', workflow: 'ci', job: 'test', hostOS: 'linux', hostArch: 'amd64', goVersion: 'go1.26.8' }],
    ],
    ['the Pants address comes from the remote', { inputs: { 'cache-url': 'https://cache.example.com' } }, (p) => p.pants.cacheUrl, 'https://cache.example.com'],
    ['no cache service: no bundle can come', { cacheAvailable: false }, (p) => [p.buildCache.bundle, p.bundle.settings.enabled], [false, true]],
    [
      'ACTIONS_CACHE_MODE=none: no reads, no writes',
      { env: { ACTIONS_CACHE_MODE: 'none' } },
      (p) => [p.buildCache.bundle, p.bundle.canRead, p.bundle.readSkipReason, p.writes.actionsCache.allowed],
      [false, false, 'ACTIONS_CACHE_MODE=none forbids cache reads', false],
    ],
    [
      'a fork pull request may not write',
      { event: { name: 'pull_request', payload: { pull_request: { head: { repo: { full_name: 'fork/app' } }, base: { repo: { full_name: 'acme/app' } } } } } },
      (p) => [p.writes.actionsCache.allowed, p.writes.remote.write, p.pants.write],
      [false, undefined, false],
    ],
    [
      'a same-repository pull request writes its GitHub cache scope, not the remote nor Pants',
      {
        env: { GITHUB_REF: 'refs/pull/3/merge' },
        event: {
          name: 'pull_request',
          payload: { pull_request: { number: 3, head: { repo: { full_name: 'acme/app' } }, base: { repo: { full_name: 'acme/app' } } } },
        },
      },
      (p) => [p.writes.trust.level, p.writes.actionsCache.allowed, p.writes.remote.write, p.pants.write],
      ['pull-request', true, undefined, false],
    ],
    [
      'cache-write true on a pull request writes its own scope; Pants, unscoped, still does not write',
      {
        inputs: { 'cache-write': 'true' },
        env: { GITHUB_REF: 'refs/pull/3/merge' },
        event: {
          name: 'pull_request',
          payload: { pull_request: { number: 3, head: { repo: { full_name: 'acme/app' } }, base: { repo: { full_name: 'acme/app' } } } },
        },
      },
      (p) => [p.writes.remote, p.pants.write],
      [{ read: ['pr:acme/app#3', 'trusted'], write: 'pr:acme/app#3' }, false],
    ],
    [
      'a release branch named in trusted-refs writes the trusted scope',
      { inputs: { 'trusted-refs': 'refs/heads/release/*' }, env: { GITHUB_REF: 'refs/heads/release/2.x' } },
      (p) => [p.writes.trust.level, p.writes.remote.write, p.pants.write],
      ['trusted', 'trusted', true],
    ],
    [
      'a pull request keys on its head branch',
      { env: { GITHUB_HEAD_REF: 'feature/x', GITHUB_REF_NAME: '7/merge' } },
      (p) => p.bundle.keys.restore[0]!.includes('-feature_x-test-'),
      true,
    ],
    [
      'the auto-configure input turns wiring off',
      { inputs: { 'auto-configure': 'false' } },
      (p) => [p.auto.value, p.auto.source, p.pants.register],
      [false, 'input', false],
    ],
    [
      'the organisation variable turns wiring off',
      { env: { GO_CACHE_SETUP_AUTO_CONFIGURE: 'off' } },
      (p) => [p.auto.value, p.auto.source],
      [false, 'environment'],
    ],
    [
      'the kit config turns wiring off',
      { kit: { found: true, config: { autoConfigure: false } } },
      (p) => [p.auto.value, p.auto.source],
      [false, 'kit-config'],
    ],
    [
      'a kit daemon, from what the job-started hook exported',
      { env: { GO_CACHE_SETUP_DAEMON_SOCKET: '/k/d.sock', GOCACHEPROG: 'node /k/index.js serve' } },
      (p) => p.kitDaemon,
      { socket: '/k/d.sock', command: 'node /k/index.js serve' },
    ],
    ['no kit daemon without its GOCACHEPROG', { env: { GO_CACHE_SETUP_DAEMON_SOCKET: '/k/d.sock' } }, (p) => p.kitDaemon, undefined],
    [
      "the kit's Pants config is rewritten in place",
      { env: { GO_CACHE_SETUP_KIT_PANTS_CONFIG: '/k/state/pants-remote-cache.toml' } },
      (p) => p.pants.configDir,
      '/k/state',
    ],
    ['module-cache off', { inputs: { 'module-cache': 'false' } }, (p) => p.modCache, undefined],
    ['no remote: native GOCACHE', {}, (p) => p.buildCache.native, true],
    ['a remote needs our client', { inputs: { 'cache-url': 'https://cache.example.com' } }, (p) => p.buildCache.native, false],
    ['build-cache-mode gocacheprog: our client without a remote', { inputs: { 'build-cache-mode': 'gocacheprog' } }, (p) => p.buildCache.native, false],
    [
      "a kit runner's daemon keeps its store: our client",
      { env: { GO_CACHE_SETUP_DAEMON_SOCKET: '/k/d.sock', GOCACHEPROG: 'node /k/index.js serve' } },
      (p) => p.buildCache.native,
      false,
    ],
    [
      'build-cache-mode native wins over a kit daemon',
      { inputs: { 'build-cache-mode': 'native' }, env: { GO_CACHE_SETUP_DAEMON_SOCKET: '/k/d.sock', GOCACHEPROG: 'node /k/index.js serve' } },
      (p) => p.buildCache.native,
      true,
    ],
    [
      'no RUNNER_TEMP, GITHUB_JOB or run: the defaults the keys have always used',
      { env: { RUNNER_TEMP: '', GITHUB_JOB: '', GITHUB_RUN_ID: '', GITHUB_RUN_ATTEMPT: '' } },
      (p) => p.directoryKeys.primary,
      'go-cache-setup-gocache-v1-linux-amd64-go1.26.8-0-1-job',
    ],
    [
      'store and bundle sizes and the matrix',
      { inputs: { 'store-max-size': '1GiB', 'bundle-max-size': '512MiB', 'bundle-save-threshold': '20', matrix: '{"go":"1.26"}' } },
      (p) => [
        p.buildCache.storeMaxBytes,
        p.bundle.maxImportBytes,
        p.bundle.settings.maxBytes,
        p.bundle.settings.threshold,
        p.bundle.keys.primary === planMain(facts()).bundle.keys.primary,
      ],
      [1024 ** 3, 1024 ** 3, 512 * 1024 ** 2, { kind: 'count', value: 20 }, false],
    ],
  ])('%s', (_what, over, pick, expected) => {
    expect(pick(planMain(facts(over)))).toEqual(expected)
  })
})

describe('planMain with a grpc(s):// cache-url: one URL for Go and Pants', () => {
  it('gives Pants the address and the instance from the URL', () => {
    const plan = planMain(facts({ inputs: { 'cache-url': 'grpc://cache.internal:9092/team-a/ci', 'cache-token': 'tok' } }))
    expect(plan.remote?.config).toMatchObject({ kind: 'grpc', url: 'grpc://cache.internal:9092', instance: 'team-a/ci' })
    expect(plan.pants).toMatchObject({ storeAddress: '', cacheUrl: 'grpc://cache.internal:9092', instanceName: 'team-a/ci', write: true })
    expect(plan.pants.caCertsPath).toBeUndefined()
  })

  it("grpcs without a port: 443, and cache-ca-cert becomes Pants' CA", () => {
    const plan = planMain(facts({ inputs: { 'cache-url': 'grpcs://cache.example.com/main', 'cache-ca-cert': 'certs/ca.pem' } }))
    expect(plan.pants).toMatchObject({ cacheUrl: 'grpcs://cache.example.com:443', instanceName: 'main', caCertsPath: '/ws/certs/ca.pem' })
  })

  it("pants-remote-instance-name wins over the URL's instance", () => {
    const plan = planMain(facts({ inputs: { 'cache-url': 'grpc://cache.internal:9092/go', 'pants-remote-instance-name': 'pants' } }))
    expect(plan.pants).toMatchObject({ cacheUrl: 'grpc://cache.internal:9092', instanceName: 'pants' })
  })

  it('pants-remote-store-address: another store, so neither the instance nor the CA of cache-url', () => {
    const plan = planMain(
      facts({
        inputs: { 'cache-url': 'grpcs://cache.example.com/go', 'cache-ca-cert': 'ca.pem', 'pants-remote-store-address': 'grpcs://remote.buildbuddy.io' },
      }),
    )
    expect(plan.pants).toMatchObject({ storeAddress: 'grpcs://remote.buildbuddy.io', instanceName: '' })
    expect(plan.pants.caCertsPath).toBeUndefined()
  })

  it('an http(s) cache-url keeps its instance and CA to itself', () => {
    const plan = planMain(facts({ inputs: { 'cache-url': 'https://cache.example.com/go', 'cache-ca-cert': 'ca.pem' } }))
    expect(plan.pants).toMatchObject({ cacheUrl: 'https://cache.example.com/go', instanceName: '' })
    expect(plan.pants.caCertsPath).toBeUndefined()
  })

  it('cache-auth depot: the token reaches Go and Pants in the same raw Authorization header', () => {
    const plan = planMain(facts({ inputs: { 'cache-url': 'grpcs://cache.depot.dev', 'cache-token': 'depot-tok', 'cache-auth': 'depot' } }))
    expect(plan.remote?.config).toMatchObject({ url: 'grpcs://cache.depot.dev:443', headers: { Authorization: 'depot-tok' } })
    expect(plan.pants).toMatchObject({
      cacheUrl: 'grpcs://cache.depot.dev:443',
      headers: [['Authorization', '%(env.GO_CACHE_SETUP_CACHE_TOKEN)s']],
      headerEnvNames: ['GO_CACHE_SETUP_CACHE_TOKEN'],
    })
  })
})
