import { readInputs } from '../../../src/action/inputs.ts'

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''

describe('readInputs', () => {
  it('applies defaults', () => {
    expect(readInputs(reader({}), '/ws')).toEqual({
      moduleCache: true,
      dependencyPatterns: ['**/go.sum', '**/go.work.sum'],
      cacheWrite: 'auto',
      keySuffix: '',
      workingDirectory: '/ws',
      buildCache: true,
      goCacheProg: '',
      buildCacheMode: 'auto',
      storePath: '',
      storeMaxBytes: 5 * 1024 ** 3,
      cacheToken: '',
      autoConfigure: undefined,
      pants: { remoteCache: true, storeAddress: '', instanceName: '', headers: [], headerEnvNames: [] },
      bundleMaxBytes: 2 * 1024 ** 3,
      bundleSaveThreshold: { kind: 'percent', value: 1 },
      matrix: '',
      testCache: true,
      trustedRefs: [],
    })
  })

  it('reads every input', () => {
    expect(
      readInputs(
        reader({
          'module-cache': 'FALSE',
          'cache-dependency-path': 'go.sum\n\n  tools/go.sum  \n# a comment\n!vendor/**\r\n',
          'cache-write': 'False',
          'trusted-refs': 'refs/tags/v*',
          'key-suffix': ' race ',
          'working-directory': 'services/api',
          'build-cache': 'false',
          gocacheprog: " '/opt/my tools/gocache' serve ",
          'store-path': '.cache/store',
          'store-max-size': '512MiB',
          'cache-url': 'https://cache.example.com:8443/go/',
          'cache-token': 'ci:pw',
          'cache-headers': 'X-Org: acme',
          'cache-ca-cert': 'ca.pem',
          'cache-client-cert': 'c.pem',
          'cache-client-key': 'c.key',
          'cache-timeout': '3',
          'cache-compression': 'none',
          'bundle-max-size': '1GiB',
          'bundle-save-threshold': '20',
          matrix: ' {"go": "1.26"} ',
          'test-cache': 'false',
          'build-cache-mode': 'gocacheprog',
        }),
        '/ws',
      ),
    ).toEqual({
      moduleCache: false,
      dependencyPatterns: ['go.sum', 'tools/go.sum', '!vendor/**'],
      cacheWrite: 'false',
      keySuffix: 'race',
      workingDirectory: '/ws/services/api',
      buildCache: false,
      goCacheProg: "'/opt/my tools/gocache' serve",
      buildCacheMode: 'gocacheprog',
      storePath: '/ws/.cache/store',
      storeMaxBytes: 512 * 1024 ** 2,
      remote: {
        kind: 'http',
        url: 'https://cache.example.com:8443/go',
        headers: { 'X-Org': 'acme', Authorization: 'Basic Y2k6cHc=' },
        caFile: '/ws/ca.pem',
        certFile: '/ws/c.pem',
        keyFile: '/ws/c.key',
        timeoutMs: 3000,
        compression: 'none',
      },
      cacheToken: 'ci:pw',
      autoConfigure: undefined,
      pants: {
        remoteCache: true,
        storeAddress: '',
        instanceName: '',
        headers: [['Authorization', 'Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s']],
        headerEnvNames: ['GO_CACHE_SETUP_CACHE_TOKEN'],
      },
      bundleMaxBytes: 1024 ** 3,
      bundleSaveThreshold: { kind: 'count', value: 20 },
      matrix: '{"go": "1.26"}',
      testCache: false,
      trustedRefs: [{ text: 'refs/tags/v*', regexp: /^refs\/tags\/v[^/]*$/ }],
    })
  })

  it.each([
    [{ 'module-cache': 'yes' }, 'module-cache: "yes" is not a boolean; use true or false.'],
    [
      { 'trusted-refs': 'main' },
      'trusted-refs: "main" is not a ref pattern; write full ref names like refs/heads/release/* or refs/tags/v*, one per line (* stays within one segment, ** crosses them).',
    ],
    [{ 'cache-write': 'sometimes' }, 'cache-write: "sometimes" is not one of auto, true, false.'],
    [{ 'key-suffix': 'x'.repeat(101) }, 'key-suffix: at most 100 characters, got 101.'],
    [
      { 'cache-dependency-path': '/etc/go.sum' },
      'cache-dependency-path: "/etc/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".',
    ],
    [
      { 'cache-dependency-path': '../other/go.sum' },
      'cache-dependency-path: "../other/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".',
    ],
    [{ 'store-max-size': 'lots' }, 'store-max-size: "lots" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    [{ 'store-max-size': '100KiB' }, 'store-max-size: "100KiB" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    [{ 'cache-url': 'grpc://127.0.0.1' }, "cache-url: a grpc:// address needs its port (bazel-remote's is 9092)"],
    [
      { 'cache-headers': 'X-Org: acme' },
      'cache-headers is set but cache-url is empty; set cache-url to your cache server, like https://cache.example.com:8080.',
    ],
    [{ 'bundle-max-size': '1KiB' }, 'bundle-max-size: "1KiB" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    ...['150%', '-1', '2.5', 'half', '5 %%'].map((value): [Record<string, string>, string] => [
      { 'bundle-save-threshold': value },
      `bundle-save-threshold: "${value}" is neither a percentage from 0% to 100% (the share of the bundle's entries that must be new) nor a whole number of new entries; write it like 5% or 20.`,
    ]),
    [
      { gocacheprog: "'/opt/tools/gocache serve" },
      `gocacheprog: Go cannot split "'/opt/tools/gocache serve": unterminated ' string. Quote a field with spaces whole, like '/opt/my tools/gocache' serve.`,
    ],
    [{ 'build-cache-mode': 'fast' }, 'build-cache-mode: "fast" is not one of auto, native, gocacheprog.'],
    [
      { 'build-cache-mode': 'native', 'cache-url': 'https://cache.example.com' },
      'build-cache-mode: native cannot use cache-url: go reaches a remote cache only through a GOCACHEPROG client. Set build-cache-mode to auto (or gocacheprog), or drop cache-url.',
    ],
    [
      { 'build-cache-mode': 'native', gocacheprog: 'depot gocache' },
      'build-cache-mode: native contradicts gocacheprog, which names a client to use. Set one of them, not both.',
    ],
  ])('rejects %o with a message that says how to fix it', (values, message) => {
    expect(() => readInputs(reader(values), '/ws')).toThrow(message)
  })
})

describe('store-max-size', () => {
  it.each([
    ['5GiB', 5 * 1024 ** 3],
    ['10G', 10 * 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['512mib', 512 * 1024 ** 2],
    ['2097152', 2097152],
    ['1 TiB', 1024 ** 4],
  ])('%s', (value, bytes) => {
    expect(readInputs(reader({ 'store-max-size': value }), '/ws').storeMaxBytes).toBe(bytes)
  })
})

describe('auto-configure and the Pants inputs', () => {
  it('reads auto-configure as true, false or not set', () => {
    expect(readInputs(reader({ 'auto-configure': 'false' }), '/ws').autoConfigure).toBe(false)
    expect(readInputs(reader({ 'auto-configure': 'True' }), '/ws').autoConfigure).toBe(true)
    expect(readInputs(reader({ 'auto-configure': '  ' }), '/ws').autoConfigure).toBeUndefined()
  })

  it('reads every Pants input; the token becomes an env reference, never the value', () => {
    const inputs = readInputs(
      reader({
        'cache-url': 'https://cache.example.com',
        'cache-token': 's3cr3t-token',
        'pants-remote-cache': 'true',
        'pants-remote-store-address': 'grpcs://remote.buildbuddy.io/',
        'pants-remote-instance-name': 'ci/linux',
        'pants-remote-headers': 'x-depot-org: org-1\n# a comment\n\nx-team: "core"\n',
      }),
      '/ws',
    )
    expect(inputs.remote?.url).toBe('https://cache.example.com')
    expect(inputs.cacheToken).toBe('s3cr3t-token')
    expect(inputs.pants).toEqual({
      remoteCache: true,
      storeAddress: 'grpcs://remote.buildbuddy.io',
      instanceName: 'ci/linux',
      headers: [
        ['x-depot-org', 'org-1'],
        ['x-team', '"core"'],
        ['Authorization', 'Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
      ],
      headerEnvNames: ['GO_CACHE_SETUP_CACHE_TOKEN'],
    })
  })

  it("takes another auth header (BuildBuddy) and keeps an authorization header of the user's own", () => {
    expect(readInputs(reader({ 'cache-token': 't', 'pants-auth-header': 'x-buildbuddy-api-key: %(env.BUILDBUDDY_API_KEY)s' }), '/ws').pants.headers).toEqual([
      ['x-buildbuddy-api-key', '%(env.BUILDBUDDY_API_KEY)s'],
    ])
    expect(readInputs(reader({ 'cache-token': 't', 'pants-remote-headers': 'authorization: %(env.DEPOT_TOKEN)s' }), '/ws').pants).toMatchObject({
      headers: [['authorization', '%(env.DEPOT_TOKEN)s']],
      headerEnvNames: ['DEPOT_TOKEN'],
    })
  })

  it('sends no auth header without a token', () => {
    expect(readInputs(reader({ 'pants-remote-store-address': 'grpc://127.0.0.1:9092' }), '/ws').pants.headers).toEqual([])
  })

  it.each([
    [{ 'auto-configure': 'off' }, 'auto-configure: "off" is not a boolean; use true or false.'],
    [{ 'pants-remote-cache': 'maybe' }, 'pants-remote-cache: "maybe" is not a boolean; use true or false.'],
    [{ 'cache-url': 'ftp://cache' }, 'cache-url: the scheme must be http(s) (the Bazel HTTP cache protocol), grpc(s) (REAPI) or s3, got ftp.'],
    [{ 'cache-url': 'https://u:p@cache' }, 'cache-url: do not put credentials in the URL'],
    [{ 'pants-remote-store-address': 'http://cache:8080' }, 'pants-remote-store-address: "http://cache:8080" must be grpc://host:port or grpcs://host[:port]'],
    [{ 'pants-remote-store-address': 'grpc://cache:9092/path' }, 'pants-remote-store-address: "grpc://cache:9092/path" must be grpc://host:port'],
    [{ 'pants-remote-store-address': 'grpcs://user:pw@cache' }, 'pants-remote-store-address: "grpcs://user:pw@cache" must be grpc://host:port'],
    [{ 'pants-remote-instance-name': 'a b' }, 'pants-remote-instance-name: "a b" must be path segments'],
    [{ 'pants-remote-instance-name': '/lead' }, 'pants-remote-instance-name: "/lead" must be path segments'],
    [{ 'pants-remote-headers': 'no colon here' }, 'pants-remote-headers: "no colon here" is not "name: value" with a valid header name.'],
    [{ 'pants-remote-headers': 'x-a: 1\nX-A: 2' }, 'pants-remote-headers: header "X-A" is given twice.'],
    [{ 'pants-remote-headers': 'x-a:' }, 'pants-remote-headers: header "x-a" has no value.'],
    [{ 'pants-remote-headers': 'x-a: 100%' }, 'pants-remote-headers: header "x-a": "%" may appear only as %(env.NAME)s'],
    [
      { 'pants-auth-header': 'Authorization: Bearer abc' },
      'pants-auth-header: "Authorization: Bearer abc" must read the token from a variable, like Authorization: Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s',
    ],
    [
      { 'pants-auth-header': 'Authorization: %(env.T)s', 'pants-remote-headers': 'authorization: x' },
      'pants-auth-header: Authorization is also in pants-remote-headers; give it once.',
    ],
    [
      { 'cache-token': 'tok-123456', 'pants-remote-headers': 'x-key: tok-123456' },
      'pants-remote-headers/pants-auth-header: a header holds the cache token itself; write %(env.NAME)s instead',
    ],
  ])('rejects %o with a message that says how to fix it', (values, message) => {
    expect(() => readInputs(reader(values), '/ws')).toThrow(message)
  })
})

describe('bundle-save-threshold', () => {
  it.each([
    ['5%', { kind: 'percent', value: 5 }],
    ['0.5 %', { kind: 'percent', value: 0.5 }],
    ['100%', { kind: 'percent', value: 100 }],
    ['0', { kind: 'count', value: 0 }],
    ['200', { kind: 'count', value: 200 }],
  ])('%s', (value, threshold) => {
    expect(readInputs(reader({ 'bundle-save-threshold': value }), '/ws').bundleSaveThreshold).toEqual(threshold)
  })
})

describe('cache-auth: the header Pants sends the token in', () => {
  const pants = (values: Record<string, string>) => readInputs(reader({ 'cache-url': 'grpcs://cache.example.com', 'cache-token': 'tok-1', ...values }), '/ws')

  it.each([
    ['', ['Authorization', 'Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'], { Authorization: 'Bearer tok-1' }],
    ['auto', ['Authorization', 'Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'], { Authorization: 'Bearer tok-1' }],
    ['bearer', ['Authorization', 'Bearer %(env.GO_CACHE_SETUP_CACHE_TOKEN)s'], { Authorization: 'Bearer tok-1' }],
    ['buildbuddy', ['x-buildbuddy-api-key', '%(env.GO_CACHE_SETUP_CACHE_TOKEN)s'], { 'x-buildbuddy-api-key': 'tok-1' }],
    ['BuildBuddy', ['x-buildbuddy-api-key', '%(env.GO_CACHE_SETUP_CACHE_TOKEN)s'], { 'x-buildbuddy-api-key': 'tok-1' }],
    ['depot', ['Authorization', '%(env.GO_CACHE_SETUP_CACHE_TOKEN)s'], { Authorization: 'tok-1' }],
  ])('cache-auth %p: Pants and Go send the same header', (auth, pantsHeader, goHeaders) => {
    const inputs = pants({ 'cache-auth': auth })
    expect(inputs.pants.headers).toEqual([pantsHeader])
    expect(inputs.pants.headerEnvNames).toEqual(['GO_CACHE_SETUP_CACHE_TOKEN'])
    expect(inputs.remote).toMatchObject({ kind: 'grpc', headers: goHeaders })
  })

  it('applies to Pants with its own store address and no cache-url', () => {
    const inputs = readInputs(
      reader({ 'cache-token': 'tok-1', 'cache-auth': 'buildbuddy', 'pants-remote-store-address': 'grpcs://remote.buildbuddy.io' }),
      '/ws',
    )
    expect(inputs.remote).toBeUndefined()
    expect(inputs.pants.headers).toEqual([['x-buildbuddy-api-key', '%(env.GO_CACHE_SETUP_CACHE_TOKEN)s']])
  })

  it('pants-auth-header wins over the preset', () => {
    expect(pants({ 'cache-auth': 'buildbuddy', 'pants-auth-header': 'x-buildbuddy-api-key: %(env.BUILDBUDDY_API_KEY)s' }).pants.headers).toEqual([
      ['x-buildbuddy-api-key', '%(env.BUILDBUDDY_API_KEY)s'],
    ])
  })

  it("keeps a header of the user's own by the preset's name, and adds the preset's beside one by another name", () => {
    expect(pants({ 'cache-auth': 'buildbuddy', 'pants-remote-headers': 'X-BuildBuddy-API-Key: %(env.BB)s' }).pants.headers).toEqual([
      ['X-BuildBuddy-API-Key', '%(env.BB)s'],
    ])
    expect(pants({ 'cache-auth': 'buildbuddy', 'pants-remote-headers': 'authorization: Bearer %(env.PROXY)s' }).pants.headers).toEqual([
      ['authorization', 'Bearer %(env.PROXY)s'],
      ['x-buildbuddy-api-key', '%(env.GO_CACHE_SETUP_CACHE_TOKEN)s'],
    ])
  })

  it('needs the token, with or without cache-url', () => {
    expect(() => readInputs(reader({ 'cache-auth': 'depot', 'pants-remote-store-address': 'grpc://127.0.0.1:9092' }), '/ws')).toThrow(
      'cache-auth says how cache-token is sent, and cache-token is empty; set cache-token from a secret, or remove cache-auth.',
    )
  })

  it.each([
    [{ 'cache-auth': 'oauth' }, 'cache-auth: "oauth" is not one of auto, bearer, buildbuddy, depot.'],
    [{ 'cache-auth': 'depot', 'cache-token': '' }, 'cache-auth says how cache-token is sent, and cache-token is empty'],
    [{ 'cache-headers': 'grpc-timeout: 1S' }, 'cache-headers: grpc-timeout is set by the client itself; remove it.'],
  ])('rejects %o', (values, message) => {
    expect(() => pants(values)).toThrow(message)
  })
})
