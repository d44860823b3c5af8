import { grpcAddressFromCacheUrl, registerConfigFile, renderPantsConfig, type PantsCacheSettings } from '../../../src/pants/config.ts'
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
