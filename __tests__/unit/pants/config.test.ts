import {
  DEFAULT_PANTS_AUTH_HEADER,
  grpcAddressFromCacheUrl,
  pantsAuthHeader,
  registerConfigFile,
  renderPantsConfig,
  type PantsCacheSettings,
} from '../../../src/pants/config.ts'
import { parseHeaderLine } from '../../../src/pants/headers.ts'
import { AUTH_PRESETS, tokenHeader } from '../../../src/remote/config.ts'
import { parsePantsVersion } from '../../../src/pants/pants-toml.ts'

const settings: PantsCacheSettings = {
  storeAddress: 'grpcs://cache.example.com:443',
  instanceName: 'main',
  headers: [
    ['x-depot-org', 'org-1'],
    ['Authorization', 'Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
  ],
  write: true,
}

describe('renderPantsConfig', () => {
  it('writes only keys Pants 2.17 accepts: no remote_provider', () => {
    expect(renderPantsConfig(settings, parsePantsVersion('2.17.1'))).toBe(
      [
        '# Written by go-cache-setup: Pants remote caching over REAPI, for Pants 2.17.1.',
        "# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;",
        '# pants.toml is not changed.',
        '[GLOBAL]',
        'remote_cache_read = true',
        'remote_cache_write = true',
        'remote_store_address = "grpcs://cache.example.com:443"',
        'remote_instance_name = "main"',
        '# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).',
        'session_end_tasks_timeout = 60.0',
        "# `.add` merges into the repository's own headers and Pants' user-agent (the default before 2.25) instead of replacing them.",
        'remote_store_headers.add = { "x-depot-org" = "org-1", "Authorization" = "Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s" }',
        '',
      ].join('\n'),
    )
  })

  it('pins remote_provider to reapi from Pants 2.20; read only when writes are not allowed', () => {
    expect(renderPantsConfig({ ...settings, write: false, instanceName: '' }, parsePantsVersion('2.20.0rc1'))).toBe(
      [
        '# Written by go-cache-setup: Pants remote caching over REAPI, for Pants 2.20.0rc1.',
        "# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;",
        '# pants.toml is not changed.',
        '[GLOBAL]',
        'remote_cache_read = true',
        'remote_cache_write = false',
        '# The repository may have chosen another remote provider; this address is REAPI (Pants 2.20+).',
        'remote_provider = "reapi"',
        'remote_store_address = "grpcs://cache.example.com:443"',
        '# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).',
        'session_end_tasks_timeout = 60.0',
        "# `.add` merges into the repository's own headers and Pants' user-agent (the default before 2.25) instead of replacing them.",
        'remote_store_headers.add = { "x-depot-org" = "org-1", "Authorization" = "Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s" }',
        '',
      ].join('\n'),
    )
  })

  it('for Pants 2.25 and later: Pants adds its user-agent itself', () => {
    const expected = [
      '# Written by go-cache-setup: Pants remote caching over REAPI, for Pants 2.25.0.',
      "# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;",
      '# pants.toml is not changed.',
      '[GLOBAL]',
      'remote_cache_read = true',
      'remote_cache_write = true',
      '# The repository may have chosen another remote provider; this address is REAPI (Pants 2.20+).',
      'remote_provider = "reapi"',
      'remote_store_address = "grpcs://cache.example.com:443"',
      'remote_instance_name = "main"',
      '# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).',
      'session_end_tasks_timeout = 60.0',
      "# `.add` merges into the repository's own headers instead of replacing them.",
      'remote_store_headers.add = { "x-depot-org" = "org-1", "Authorization" = "Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s" }',
      '',
    ].join('\n')
    expect(renderPantsConfig(settings, parsePantsVersion('2.25.0'))).toBe(expected)
    expect(renderPantsConfig(settings, parsePantsVersion('2.33.0'))).toBe(expected.replace('2.25.0', '2.33.0'))
  })

  it('without a readable version: only the keys every Pants from 2.17 accepts, and no headers line without headers', () => {
    expect(renderPantsConfig({ storeAddress: 'grpc://10.0.0.5:9092', instanceName: '', headers: [], write: true }, undefined)).toBe(
      [
        '# Written by go-cache-setup: Pants remote caching over REAPI. pants.toml names no Pants version we could read,',
        '# so this file holds only keys that every Pants from 2.17 on accepts.',
        "# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;",
        '# pants.toml is not changed.',
        '[GLOBAL]',
        'remote_cache_read = true',
        'remote_cache_write = true',
        'remote_store_address = "grpc://10.0.0.5:9092"',
        '# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).',
        'session_end_tasks_timeout = 60.0',
        '',
      ].join('\n'),
    )
  })

  it('escapes quotes and backslashes in TOML strings', () => {
    const text = renderPantsConfig({ ...settings, headers: [['x-a', 'say "hi" \\ bye']] }, parsePantsVersion('2.17.0'))
    expect(text).toContain('remote_store_headers.add = { "x-a" = "say \\"hi\\" \\\\ bye" }\n')
  })
})

describe('registerConfigFile', () => {
  const file = '/home/runner/work/_temp/go-cache-setup/pants-remote-cache.toml'
  it.each([
    ['nothing yet', undefined, `+['${file}']`],
    ['empty', '  ', `+['${file}']`],
    ['a bare file (init-pants writes pants.ci.toml)', 'pants.ci.toml', `+['pants.ci.toml', '${file}']`],
    ['an appending list', "+['pants.ci.toml']", `+['pants.ci.toml'],+['${file}']`],
    ['modifiers', "+['a.toml'],-['b.toml']", `+['a.toml'],-['b.toml'],+['${file}']`],
    ['a replacing list', "['pants.toml', 'pants.ci.toml']", `['pants.toml', 'pants.ci.toml', '${file}']`],
    ['a replacing list with a trailing comma', "['pants.toml',]", `['pants.toml', '${file}']`],
    ['an empty replacing list', '[]', `['${file}']`],
    ['a tuple', "('pants.toml',)", `['pants.toml', '${file}']`],
    ['already registered (a second run of the action)', `+['pants.ci.toml'],+['${file}']`, `+['pants.ci.toml'],+['${file}']`],
  ])('%s', (_what, existing, expected) => {
    expect(registerConfigFile(existing, file)).toBe(expected)
  })

  it('quotes odd paths as Python strings', () => {
    expect(registerConfigFile('', "/tmp/it's here/x.toml")).toBe("+['/tmp/it\\'s here/x.toml']")
  })
})

describe('grpcAddressFromCacheUrl', () => {
  it.each([
    ['http://127.0.0.1:8080', 'grpc://127.0.0.1:9092'],
    ['http://cache.internal:8080/prefix', 'grpc://cache.internal:9092'],
    ['https://cache.example.com', 'grpcs://cache.example.com:9092'],
    ['http://[::1]:8080', 'grpc://[::1]:9092'],
    ['s3://bucket/x', undefined],
    ['not a url', undefined],
  ])('%s → %s', (url, expected) => {
    expect(grpcAddressFromCacheUrl(url)).toBe(expected)
  })
})

describe("renderPantsConfig with the store's CA (cache-ca-cert)", () => {
  it('writes remote_ca_certs_path after the instance name, for Pants 2.17', () => {
    const text = renderPantsConfig(
      { ...settings, storeAddress: 'grpcs://cache.internal:9092', caCertsPath: '/home/runner/work/app/app/certs/ca.pem', headers: [] },
      parsePantsVersion('2.17.1'),
    )
    expect(text).toBe(
      [
        '# Written by go-cache-setup: Pants remote caching over REAPI, for Pants 2.17.1.',
        "# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;",
        '# pants.toml is not changed.',
        '[GLOBAL]',
        'remote_cache_read = true',
        'remote_cache_write = true',
        'remote_store_address = "grpcs://cache.internal:9092"',
        'remote_instance_name = "main"',
        'remote_ca_certs_path = "/home/runner/work/app/app/certs/ca.pem"',
        '# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).',
        'session_end_tasks_timeout = 60.0',
        '',
      ].join('\n'),
    )
  })

  it('writes it for Pants 2.20+ too, without an instance name, and escapes the path as a TOML string', () => {
    const text = renderPantsConfig(
      { storeAddress: 'grpcs://cache.internal:443', instanceName: '', caCertsPath: 'C:\\certs\\"ca".pem', headers: [], write: false },
      parsePantsVersion('2.25.0'),
    )
    expect(text).toBe(
      [
        '# Written by go-cache-setup: Pants remote caching over REAPI, for Pants 2.25.0.',
        "# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;",
        '# pants.toml is not changed.',
        '[GLOBAL]',
        'remote_cache_read = true',
        'remote_cache_write = false',
        '# The repository may have chosen another remote provider; this address is REAPI (Pants 2.20+).',
        'remote_provider = "reapi"',
        'remote_store_address = "grpcs://cache.internal:443"',
        'remote_ca_certs_path = "C:\\\\certs\\\\\\"ca\\".pem"',
        '# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).',
        'session_end_tasks_timeout = 60.0',
        '',
      ].join('\n'),
    )
  })

  it('writes no remote_ca_certs_path without one', () => {
    expect(renderPantsConfig(settings, parsePantsVersion('2.17.1'))).not.toContain('remote_ca_certs_path')
  })
})

describe('grpcAddressFromCacheUrl with a REAPI cache-url', () => {
  it.each([
    // What remote/config.ts parseGrpcUrl writes: the port always there, the instance dropped.
    ['grpc://127.0.0.1:9092', 'grpc://127.0.0.1:9092'],
    ['grpcs://remote.buildbuddy.io:443', 'grpcs://remote.buildbuddy.io:443'],
    ['grpc://cache.internal:9092/ci/linux', 'grpc://cache.internal:9092'],
    ['grpcs://cache.depot.dev:443/', 'grpcs://cache.depot.dev:443'],
    ['grpc://[::1]:9092/x', 'grpc://[::1]:9092'],
    // Pants takes grpcs://host without a port as well.
    ['grpcs://remote.buildbuddy.io', 'grpcs://remote.buildbuddy.io'],
  ])('%s → %s', (url, expected) => {
    expect(grpcAddressFromCacheUrl(url)).toBe(expected)
  })
})

describe('pantsAuthHeader', () => {
  it.each([
    ['auto', 'Authorization: Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
    ['bearer', 'Authorization: Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
    ['buildbuddy', 'x-buildbuddy-api-key: %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
    ['depot', 'Authorization: %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
  ] as const)('%s → %s', (preset, expected) => {
    expect(pantsAuthHeader(preset)).toBe(expected)
  })

  it('auto and bearer are the header Pants got before cache-auth existed', () => {
    expect(pantsAuthHeader('auto')).toBe(DEFAULT_PANTS_AUTH_HEADER)
    expect(pantsAuthHeader('bearer')).toBe(DEFAULT_PANTS_AUTH_HEADER)
  })

  it("names the header Go's client sends the token in, for every preset (auto: Pants cannot make Basic, so Bearer)", () => {
    for (const preset of AUTH_PRESETS) {
      const [name, value] = parseHeaderLine(pantsAuthHeader(preset))
      const token = 'tok-123'
      const [goName, goValue] = tokenHeader(token, preset, 'cache-token')
      expect([preset, name]).toEqual([preset, goName])
      expect([preset, value.replace('%(env.GO_CACHE_SETUP_CACHE_TOKEN)s', token)]).toEqual([preset, goValue])
    }
  })
})
