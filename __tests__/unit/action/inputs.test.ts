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
      storePath: '',
      storeMaxBytes: 5 * 1024 ** 3,
      cacheUrl: '',
      cacheToken: '',
      cacheHeaders: {},
      cacheCaCert: '',
      cacheClientCert: '',
      cacheClientKey: '',
      cacheTimeoutMs: 10_000,
      cacheCompression: 'zstd',
    })
  })

  it('reads every input', () => {
    expect(
      readInputs(
        reader({
          'module-cache': 'FALSE',
          'cache-dependency-path': 'go.sum\n\n  tools/go.sum  \n# a comment\n!vendor/**\r\n',
          'cache-write': 'False',
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
      storePath: '/ws/.cache/store',
      storeMaxBytes: 512 * 1024 ** 2,
      cacheUrl: 'https://cache.example.com:8443/go',
      cacheToken: 'ci:pw',
      cacheHeaders: { 'X-Org': 'acme' },
      cacheCaCert: '/ws/ca.pem',
      cacheClientCert: '/ws/c.pem',
      cacheClientKey: '/ws/c.key',
      cacheTimeoutMs: 3000,
      cacheCompression: 'none',
    })
  })

  it.each([
    [{ 'module-cache': 'yes' }, 'module-cache: "yes" is not a boolean; use true or false.'],
    [{ 'cache-write': 'sometimes' }, 'cache-write: "sometimes" is not one of auto, true, false.'],
    [{ 'key-suffix': 'x'.repeat(101) }, 'key-suffix: at most 100 characters, got 101.'],
    [{ 'cache-dependency-path': '/etc/go.sum' }, 'cache-dependency-path: "/etc/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".'],
    [{ 'cache-dependency-path': '../other/go.sum' }, 'cache-dependency-path: "../other/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".'],
    [{ 'store-max-size': 'lots' }, 'store-max-size: "lots" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    [{ 'store-max-size': '100KiB' }, 'store-max-size: "100KiB" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    [{ 'cache-url': 'grpc://127.0.0.1:9092' }, 'cache-url: the scheme must be http or https (the Bazel HTTP cache protocol), got grpc. For gRPC servers, give bazel-remote\'s HTTP port.'],
    [{ 'cache-token': 'ci:pw' }, 'cache-token is set but cache-url is empty; set cache-url to your cache server, like https://cache.example.com:8080.'],
    [{ gocacheprog: "'/opt/tools/gocache serve" }, `gocacheprog: Go cannot split "'/opt/tools/gocache serve": unterminated ' string. Quote a field with spaces whole, like '/opt/my tools/gocache' serve.`],
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
