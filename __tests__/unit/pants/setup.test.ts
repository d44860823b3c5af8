/** setupPants against a real temp workspace, with a recording logger and exporter. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { readInputs } from '../../../src/action/inputs.ts'
import { planMain } from '../../../src/action/plan.ts'
import { setupPants, type PantsSetupOptions } from '../../../src/pants/setup.ts'

let root: string
let workspace: string
let logs: string[]
let exported: Record<string, string>

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pants-setup-'))
  workspace = path.join(root, 'ws')
  await mkdir(path.join(workspace, 'services', 'api'), { recursive: true })
  logs = []
  exported = {}
})
afterEach(() => rm(root, { recursive: true, force: true }))

function options(extra: Partial<PantsSetupOptions> = {}): PantsSetupOptions {
  return {
    enabled: true,
    workingDirectory: workspace,
    workspace,
    storeAddress: '',
    cacheUrl: 'http://cache.internal:8080',
    instanceName: '',
    headers: [],
    headerEnvNames: [],
    write: true,
    register: true,
    configDir: path.join(root, 'temp', 'go-cache-setup'),
    ...extra,
  }
}

const run = (opts: PantsSetupOptions, env: Record<string, string> = {}) =>
  setupPants(opts, {
    log: { info: (m) => void logs.push(`info: ${m}`), warning: (m) => void logs.push(`warning: ${m}`), debug: () => {} },
    env,
    exportVariable: (name, value) => void (exported[name] = value),
  })

describe('setupPants', () => {
  it('does nothing, in one line, when the repository has no Pants', async () => {
    expect(await run(options())).toEqual({ status: 'no-pants' })
    expect(logs).toEqual([`info: Pants: no pants.toml in ${workspace} or above it in the workspace; nothing to configure.`])
    expect(exported).toEqual({})
  })

  it('finds pants.toml above the working directory, writes the config for its version and appends it to PANTS_CONFIG_FILES', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.20.1"\n')
    const result = await run(options({ workingDirectory: path.join(workspace, 'services', 'api') }), { PANTS_CONFIG_FILES: 'pants.ci.toml' })
    const file = path.join(root, 'temp', 'go-cache-setup', 'pants-remote-cache.toml')
    expect(result).toEqual({
      status: 'configured',
      buildroot: workspace,
      version: { major: 2, minor: 20, text: '2.20.1' },
      file,
      address: 'grpc://cache.internal:9092',
      registered: true,
    })
    const text = await readFile(file, 'utf8')
    expect(text).toContain('remote_provider = "reapi"\nremote_store_address = "grpc://cache.internal:9092"\n')
    expect(exported).toEqual({ PANTS_CONFIG_FILES: `+['pants.ci.toml', '${file}']` })
    expect(logs).toEqual([
      `info: Pants: remote cache grpc://cache.internal:9092, read and write (gRPC address derived from cache-url); ${file} added to PANTS_CONFIG_FILES.`,
    ])
  })

  it('auto-configure off: writes the file and returns its path, registers nothing', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.17.1"\n')
    const result = await run(options({ register: false, storeAddress: 'grpcs://cache.depot.dev', write: false }))
    expect(result).toMatchObject({ status: 'configured', registered: false, address: 'grpcs://cache.depot.dev' })
    expect(exported).toEqual({})
    const text = await readFile(path.join(root, 'temp', 'go-cache-setup', 'pants-remote-cache.toml'), 'utf8')
    expect(text).toContain('remote_cache_write = false\n')
    expect(logs[0]).toMatch(/auto-configure is off, so it is not registered: use the pants-config output\.$/)
  })

  it('says which header variables the Pants steps must have, when this step does not see them', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.25.0"\n')
    const headers = [
      ['Authorization', 'Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
      ['x-org', '%(env.ORG)s'],
    ] as const
    await run(options({ headers, headerEnvNames: ['GO_CACHE_SETUP_CACHE_TOKEN', 'ORG'] }), { ORG: 'set at job level' })
    expect(logs.filter((l) => l.includes('which this step does not see'))).toEqual([
      'info: Pants reads a header from $GO_CACHE_SETUP_CACHE_TOKEN, which this step does not see: set it on every step that runs Pants, or Pants stops with "Unknown value for placeholder".',
    ])
  })

  it('needs an address: none given and no cache-url', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.17.1"\n')
    expect(await run(options({ cacheUrl: '' }))).toMatchObject({ status: 'no-address' })
    expect(logs[0]).toContain('but no remote store: set pants-remote-store-address (grpc:// or grpcs://), or cache-url to a bazel-remote.')
    expect(exported).toEqual({})
  })

  it('leaves Pants older than 2.17 alone, with a warning', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.16.1"\n')
    expect(await run(options())).toMatchObject({ status: 'unsupported-version' })
    expect(logs[0]).toMatch(/^warning: Pants 2\.16\.1 is older than 2\.17/)
    expect(exported).toEqual({})
  })

  it('is off when pants-remote-cache is false, without looking for Pants', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.17.1"\n')
    expect(await run(options({ enabled: false }))).toEqual({ status: 'off' })
    expect(exported).toEqual({})
  })
})

describe('setupPants with a grpc(s):// cache-url', () => {
  it('uses the address as it is, with the instance and the CA, and says where they came from', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.17.1"\n')
    const result = await run(options({ cacheUrl: 'grpcs://cache.example.com:443', instanceName: 'team-a/ci', caCertsPath: path.join(workspace, 'ca.pem') }))
    const file = path.join(root, 'temp', 'go-cache-setup', 'pants-remote-cache.toml')
    expect(result).toMatchObject({ status: 'configured', address: 'grpcs://cache.example.com:443', file })
    expect(await readFile(file, 'utf8')).toContain(
      `remote_store_address = "grpcs://cache.example.com:443"\nremote_instance_name = "team-a/ci"\nremote_ca_certs_path = "${path.join(workspace, 'ca.pem')}"\n`,
    )
    expect(logs).toEqual([
      `info: Pants: remote cache grpcs://cache.example.com:443, instance team-a/ci, read and write (cache-url); ${file} added to PANTS_CONFIG_FILES.`,
    ])
  })

  it('from the inputs, through the plan: one cache-url configures Pants', async () => {
    await writeFile(path.join(workspace, 'pants.toml'), '[GLOBAL]\npants_version = "2.20.0"\n')
    const values: Record<string, string> = {
      'cache-url': 'grpc://127.0.0.1:9092/ci',
      'cache-token': 'bb-key',
      'cache-auth': 'buildbuddy',
      'module-cache': 'false',
    }
    const plan = planMain({
      inputs: readInputs((name) => values[name] ?? '', workspace),
      goEnv: {
        goVersion: 'go1.26.8',
        hostOS: 'linux',
        hostArch: 'amd64',
        modCache: '/m',
        buildCache: '/b',
        toolchain: 'auto',
        fetch: { GOPROXY: '', GOPRIVATE: '', GONOPROXY: '', GONOSUMDB: '', GOSUMDB: '', GOFLAGS: '' },
      },
      workspace,
      env: { GITHUB_REPOSITORY: 'acme/app', GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', RUNNER_TEMP: path.join(root, 'temp') },
      event: { name: 'push', payload: { repository: { full_name: 'acme/app', default_branch: 'main' } } },
      auto: { value: true, source: 'default', warnings: [] },
      cacheAvailable: true,
    })
    const result = await run(plan.pants, { GO_CACHE_SETUP_CACHE_TOKEN: 'bb-key' })
    expect(result).toMatchObject({ status: 'configured', address: 'grpc://127.0.0.1:9092' })
    const text = await readFile(path.join(root, 'temp', 'go-cache-setup', 'pants-remote-cache.toml'), 'utf8')
    expect(text).toContain('remote_provider = "reapi"\nremote_store_address = "grpc://127.0.0.1:9092"\nremote_instance_name = "ci"\n# Pants waits')
    expect(text).not.toContain('remote_ca_certs_path')
    expect(text).toContain('remote_store_headers.add = { "x-buildbuddy-api-key" = "%(env.GO_CACHE_SETUP_CACHE_TOKEN)s" }\n')
    expect(text).not.toContain('bb-key')
  })
})
