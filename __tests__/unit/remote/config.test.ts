import {
  authorizationHeader,
  decodeRemoteSettings,
  encodeRemoteSettings,
  parseCacheUrl,
  parseGrpcUrl,
  parseHeaders,
  NO_REMOTE_INPUTS,
  parseRemoteInputs,
  parseS3Url,
  RemoteConfigError,
  remoteSettings,
  secretValues,
  tokenHeader,
  type RemoteInputs,
} from '../../../src/remote/config.ts'

const names = {
  url: 'cache-url',
  token: 'cache-token',
  auth: 'cache-auth',
  headers: 'cache-headers',
  caCert: 'cache-ca-cert',
  clientCert: 'cache-client-cert',
  clientKey: 'cache-client-key',
  timeout: 'cache-timeout',
  compression: 'cache-compression',
  region: 'cache-region',
  endpoint: 'cache-endpoint',
}
const empty = NO_REMOTE_INPUTS
const parse = (raw: Partial<RemoteInputs>) => parseRemoteInputs({ ...empty, ...raw }, names, '/work/repo')

describe('parseRemoteInputs', () => {
  it('is off without cache-url', () => {
    expect(parse({})).toBeUndefined()
  })

  it('refuses remote settings without cache-url', () => {
    expect(() => parse({ token: 'x:y', caCert: 'ca.pem' })).toThrow(
      'cache-ca-cert is set but cache-url is empty; set cache-url to your cache server, like https://cache.example.com:8080.',
    )
  })

  it('takes a token without cache-url: Pants may use it with its own store address', () => {
    expect(parse({ token: 'x:y' })).toBeUndefined()
  })

  it('refuses a timeout or compression without cache-url, and a bad one either way', () => {
    expect(() => parse({ timeoutSeconds: '5' })).toThrow('cache-timeout is set but cache-url is empty')
    expect(() => parse({ compression: 'none' })).toThrow('cache-compression is set but cache-url is empty')
    expect(() => parse({ compression: 'gzip' })).toThrow('cache-compression: "gzip" is not one of zstd, none.')
    expect(() => parse({ timeoutSeconds: '-1' })).toThrow('cache-timeout: "-1" is not a number of seconds between 0 and 600')
  })

  it('reads everything, with defaults', () => {
    expect(parse({ url: 'http://127.0.0.1:8080/' })).toEqual({
      kind: 'http',
      url: 'http://127.0.0.1:8080',
      headers: {},
      timeoutMs: 10_000,
      compression: 'zstd',
    })
    expect(
      parse({
        url: 'https://Cache.Example.com:443/team-a/go',
        token: ' user:pass ',
        headers: 'X-Org: acme\n# a comment\n\nX-Trace:  on ',
        caCert: 'certs/ca.pem',
        clientCert: '/etc/c.pem',
        clientKey: 'k.pem',
        timeoutSeconds: '2.5',
        compression: 'NONE',
      }),
    ).toEqual({
      kind: 'http',
      url: 'https://cache.example.com/team-a/go',
      headers: { 'X-Org': 'acme', 'X-Trace': 'on', Authorization: 'Basic dXNlcjpwYXNz' },
      caFile: '/work/repo/certs/ca.pem',
      certFile: '/etc/c.pem',
      keyFile: '/work/repo/k.pem',
      timeoutMs: 2500,
      compression: 'none',
    })
  })

  it.each([
    [{ clientCert: 'c.pem' }, 'cache-client-cert and cache-client-key go together'],
    [{ caCert: 'ca.pem' }, 'need an https:// or grpcs:// cache-url'],
    [{ timeoutSeconds: '0' }, 'cache-timeout: "0" is not a number of seconds'],
    [{ timeoutSeconds: 'ten' }, 'cache-timeout: "ten"'],
    [{ compression: 'gzip' }, 'cache-compression: "gzip" is not one of zstd, none.'],
    [{ token: 'a:b', headers: 'authorization: Bearer x' }, 'cache-headers sets Authorization and cache-token is set too'],
    [{ token: 'a\nb' }, 'cache-token: must be a single line without control characters.'],
  ])('rejects %p', (raw, message) => {
    expect(() => parse({ url: 'http://127.0.0.1:8080', ...raw })).toThrow(message)
  })
})

describe('parseCacheUrl', () => {
  it.each([
    ['grpc://127.0.0.1:9092', 'the scheme must be http(s) (the Bazel HTTP cache protocol), grpc(s) (REAPI) or s3, got grpc.'],
    ['http://user:pw@host:8080', 'do not put credentials in the URL'],
    ['http://host:8080/?x=1', 'no query or fragment'],
    ['http://host:8080/ac', 'must be an instance name'],
    ['http://host:8080/a%20b', 'must be an instance name'],
    ['host:8080', 'the scheme must be http(s) (the Bazel HTTP cache protocol), grpc(s) (REAPI) or s3, got host.'],
    ['not a url', 'is not a URL'],
  ])('rejects %s', (url, message) => {
    expect(() => parseCacheUrl(url, 'cache-url')).toThrow(message)
  })

  it('keeps the instance path', () => {
    expect(parseCacheUrl('http://[::1]:8080//x/y.z_1-2//', 'cache-url')).toBe('http://[::1]:8080/x/y.z_1-2')
  })
})

describe('parseHeaders', () => {
  it.each([
    ['no colon', 'line 1 is not "Name: value"'],
    ['X-A:', 'line 1 is not "Name: value"'],
    ['Bad Name: v', 'line 1 is not "Name: value"'],
    ['Content-Encoding: zstd', 'Content-Encoding is set by the client itself'],
    ['X-A: 1\nx-a: 2', 'x-a is given twice'],
  ])('rejects %p', (text, message) => {
    expect(() => parseHeaders(text, 'cache-headers')).toThrow(message)
  })
})

describe('authorizationHeader', () => {
  it('Basic for user:password, Bearer otherwise, a named scheme as it is', () => {
    expect(authorizationHeader('ci:s3cret', 'cache-token')).toBe('Basic Y2k6czNjcmV0')
    expect(authorizationHeader('abc.def', 'cache-token')).toBe('Bearer abc.def')
    expect(authorizationHeader('Bearer tok', 'cache-token')).toBe('Bearer tok')
    expect(authorizationHeader('basic Y2k6czNjcmV0', 'cache-token')).toBe('basic Y2k6czNjcmV0')
  })
})

describe('remote settings for the daemon', () => {
  it('carries the parsed config, Authorization made once from the token, and the write policy; round-trips through the environment', () => {
    const config = parse({ url: 'http://127.0.0.1:8080', token: 'ci:s3cret', headers: 'X-Api-Key: k-123' })!
    const settings = remoteSettings(config, { read: ['pr:acme/app#3', 'trusted'] })
    expect(settings).toEqual({
      config: {
        kind: 'http',
        url: 'http://127.0.0.1:8080',
        headers: { 'X-Api-Key': 'k-123', Authorization: 'Basic Y2k6czNjcmV0' },
        timeoutMs: 10_000,
        compression: 'zstd',
      },
      scopes: { read: ['pr:acme/app#3', 'trusted'] },
      uploadConcurrency: 8,
    })
    expect(decodeRemoteSettings(encodeRemoteSettings(settings))).toEqual(settings)
    expect(() => decodeRemoteSettings('{"config":{"url":"file:///etc"}}')).toThrow('not valid remote settings')
  })

  it('masks the token, its header forms and every header value', () => {
    const config = parse({ url: 'http://127.0.0.1:8080', token: 'ci:s3cret', headers: 'X-Api-Key: k-123' })!
    expect(secretValues('ci:s3cret', config).sort()).toEqual(['Basic Y2k6czNjcmV0', 'Y2k6czNjcmV0', 'ci:s3cret', 'k-123'])
  })
})

describe('parseRemoteInputs with an s3:// cache-url', () => {
  const env = { AWS_ACCESS_KEY_ID: 'AKIA…', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' }
  const s3 = (raw: Partial<RemoteInputs>, e: Record<string, string> = env) => parseRemoteInputs({ ...empty, ...raw }, names, '/work/repo', e)

  it('reads the bucket, prefix, region and endpoint; the credentials stay in the environment', () => {
    expect(s3({ url: 's3://gocache/ci/', endpoint: 'http://127.0.0.1:9000', timeoutSeconds: '5' })).toEqual({
      kind: 's3',
      url: 's3://gocache/ci',
      bucket: 'gocache',
      prefix: 'ci',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9000',
      pathStyle: true,
      timeoutMs: 5000,
    })
    expect(JSON.stringify(s3({ url: 's3://gocache' }))).not.toContain('secret')
  })

  it.each([
    [{ url: 's3://gocache', token: 'x' }, env, 'cache-token is not used with an s3:// cache-url'],
    [{ url: 's3://gocache', compression: 'zstd', headers: 'A: b' }, env, 'cache-headers, cache-compression are not used'],
    [{ url: 's3://gocache' }, { AWS_REGION: 'us-east-1' }, 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set'],
    [{ url: 'https://cache.example.com', region: 'us-east-1' }, env, 'cache-region is for an s3:// cache-url'],
    [{ url: '', endpoint: 'http://127.0.0.1:9000' }, env, 'cache-endpoint is set but cache-url is empty'],
  ])('refuses %j', (raw, e, message) => {
    expect(() => s3(raw, e)).toThrow(RemoteConfigError)
    expect(() => s3(raw, e)).toThrow(message)
  })
})

describe('parseS3Url', () => {
  const s3Names = { url: 'cache-url', region: 'cache-region', endpoint: 'cache-endpoint' }
  const parse = (url: string, region = '', endpoint = '', env: Record<string, string> = {}) => parseS3Url(url, { region, endpoint }, s3Names, env, 10_000)

  it.each([
    ['s3://gocache', 'us-east-1', '', {}, { bucket: 'gocache', prefix: '', region: 'us-east-1', pathStyle: false, timeoutMs: 10_000 }],
    [
      's3://go.cache-1/ci/linux/',
      '',
      '',
      { AWS_REGION: 'eu-west-1' },
      { bucket: 'go.cache-1', prefix: 'ci/linux', region: 'eu-west-1', pathStyle: false, timeoutMs: 10_000 },
    ],
    [
      's3://gocache//ci',
      '',
      '',
      { AWS_DEFAULT_REGION: 'us-west-2' },
      { bucket: 'gocache', prefix: 'ci', region: 'us-west-2', pathStyle: false, timeoutMs: 10_000 },
    ],
    [
      's3://gocache/ci',
      'us-east-1',
      'http://127.0.0.1:9000',
      {},
      { bucket: 'gocache', prefix: 'ci', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000', pathStyle: true, timeoutMs: 10_000 },
    ],
  ])('%s (region %s, endpoint %s)', (url, region, endpoint, env, expected) => {
    expect(parse(url, region, endpoint, env)).toEqual(expected)
  })

  it.each([
    ['s3:/gocache', 'us-east-1', '', 'cache-url: "s3:/gocache" is not s3://bucket'],
    ['s3://Go_Cache', 'us-east-1', '', 'is not an S3 bucket name'],
    ['s3://gocache/../x', 'us-east-1', '', 'no . or .. segments'],
    ['s3://gocache?x=1', 'us-east-1', '', 'no query or fragment'],
    ['s3://gocache', '', '', "cache-region: the bucket's region is needed"],
    ['s3://gocache', 'US East', '', 'is not a region name'],
    ['s3://gocache', 'us-east-1', 'ftp://x', 'the scheme must be http or https'],
    ['s3://gocache', 'us-east-1', 'http://key:secret@127.0.0.1:9000', 'credentials come from the AWS environment variables'],
    ['s3://gocache', 'us-east-1', 'http://127.0.0.1:9000/bucket', 'give only the scheme, host and port'],
  ])('refuses %s (region %s, endpoint %s): %s', (url, region, endpoint, message) => {
    expect(() => parse(url, region, endpoint)).toThrow(RemoteConfigError)
    expect(() => parse(url, region, endpoint)).toThrow(message)
  })
})

describe('parseGrpcUrl', () => {
  it.each([
    ['grpc://127.0.0.1:9092', { url: 'grpc://127.0.0.1:9092', instance: '' }],
    ['grpcs://remote.buildbuddy.io', { url: 'grpcs://remote.buildbuddy.io:443', instance: '' }],
    ['grpcs://cache.depot.dev:443/', { url: 'grpcs://cache.depot.dev:443', instance: '' }],
    ['grpcs://Cache.Example.com:8980/main', { url: 'grpcs://cache.example.com:8980', instance: 'main' }],
    ['GRPC://cache.internal:9092/ci', { url: 'grpc://cache.internal:9092', instance: 'ci' }],
    ['grpc://cache.internal:9092//team-a/linux.x86_64//', { url: 'grpc://cache.internal:9092', instance: 'team-a/linux.x86_64' }],
    ['grpc://[::1]:9092/a/b/c', { url: 'grpc://[::1]:9092', instance: 'a/b/c' }],
  ])('%s', (value, expected) => {
    expect(parseGrpcUrl(value, 'cache-url')).toEqual(expected)
  })

  it.each([
    ['grpc://127.0.0.1', "cache-url: a grpc:// address needs its port (bazel-remote's is 9092)"],
    ['grpc://cache.internal/ci', "cache-url: a grpc:// address needs its port (bazel-remote's is 9092)"],
    ['grpcs://user:pw@cache.example.com', 'cache-url: do not put credentials in the URL'],
    ['grpcs://token@cache.example.com', 'cache-url: do not put credentials in the URL'],
    ['grpc://cache.internal:9092/blobs', 'cache-url: the path "/blobs" must be an instance name'],
    ['grpc://cache.internal:9092/ci/compressed-blobs', 'must be an instance name'],
    ['grpc://cache.internal:9092/uploads/x', 'must be an instance name'],
    ['grpc://cache.internal:9092/actionResults', 'must be an instance name'],
    ['grpc://cache.internal:9092/ci/../x', 'must be an instance name'],
    ['grpc://cache.internal:9092/a%20b', 'must be an instance name'],
    ['grpc://cache.internal:9092/?x=1', 'is not a gRPC address'],
    ['grpc://cache.internal:9092#frag', 'is not a gRPC address'],
    ['grpc:cache.internal:9092', 'is not a gRPC address'],
    ['grpc://', 'is not a gRPC address'],
    ['grpc://cache.internal:99999', 'is not a gRPC address'],
  ])('rejects %s', (value, message) => {
    expect(() => parseGrpcUrl(value, 'cache-url')).toThrow(RemoteConfigError)
    expect(() => parseGrpcUrl(value, 'cache-url')).toThrow(message)
  })

  it('names the reserved segments', () => {
    expect(() => parseGrpcUrl('grpc://h:1/blobs', 'cache-url')).toThrow(
      '(not blobs, compressed-blobs, uploads, actions, actionResults, operations, capabilities)',
    )
  })

  it('refuses an instance name longer than 200 characters', () => {
    expect(parseGrpcUrl(`grpc://h:1/${'a'.repeat(200)}`, 'cache-url').instance).toHaveLength(200)
    expect(() => parseGrpcUrl(`grpc://h:1/${'a'.repeat(100)}/${'b'.repeat(100)}`, 'cache-url')).toThrow('the instance name is longer than 200 characters')
  })
})

describe('parseRemoteInputs with a grpc(s):// cache-url', () => {
  it('reads the address and instance, with the defaults', () => {
    expect(parse({ url: 'grpc://127.0.0.1:9092' })).toEqual({
      kind: 'grpc',
      url: 'grpc://127.0.0.1:9092',
      instance: '',
      headers: {},
      timeoutMs: 10_000,
      compression: 'zstd',
    })
    expect(
      parse({
        url: ' grpcs://remote.buildbuddy.io/team-a/ci ',
        token: 'bb-key-1',
        auth: 'buildbuddy',
        headers: 'x-org: acme',
        caCert: 'certs/ca.pem',
        clientCert: 'c.pem',
        clientKey: 'k.pem',
        timeoutSeconds: '30',
        compression: 'none',
      }),
    ).toEqual({
      kind: 'grpc',
      url: 'grpcs://remote.buildbuddy.io:443',
      instance: 'team-a/ci',
      headers: { 'x-org': 'acme', 'x-buildbuddy-api-key': 'bb-key-1' },
      caFile: '/work/repo/certs/ca.pem',
      certFile: '/work/repo/c.pem',
      keyFile: '/work/repo/k.pem',
      timeoutMs: 30_000,
      compression: 'none',
    })
  })

  it.each([
    [{ url: 'grpc://127.0.0.1' }, "cache-url: a grpc:// address needs its port (bazel-remote's is 9092)"],
    [{ url: 'grpcs://ci:pw@cache.example.com' }, 'cache-url: do not put credentials in the URL'],
    [{ url: 'grpc://127.0.0.1:9092/blobs' }, 'must be an instance name'],
    [{ url: 'grpc://127.0.0.1:9092', caCert: 'ca.pem' }, 'cache-ca-cert/cache-client-cert need an https:// or grpcs:// cache-url, got grpc://127.0.0.1:9092.'],
    [{ url: 'grpc://127.0.0.1:9092', region: 'us-east-1' }, 'cache-region is for an s3:// cache-url'],
  ])('rejects %j', (raw, message) => {
    expect(() => parse(raw)).toThrow(RemoteConfigError)
    expect(() => parse(raw)).toThrow(message)
  })

  it.each([
    ['grpc-timeout: 5S', 'cache-headers: grpc-timeout is set by the client itself; remove it.'],
    ['grpc-encoding: gzip', 'cache-headers: grpc-encoding is set by the client itself; remove it.'],
    ['grpc-whatever: 1', 'cache-headers: grpc-whatever is set by the client itself; remove it.'],
    ['TE: trailers', 'cache-headers: TE is set by the client itself; remove it.'],
    ['user-agent: mine', 'cache-headers: user-agent is set by the client itself; remove it.'],
    ['content-type: application/grpc', 'cache-headers: content-type is set by the client itself; remove it.'],
    ['x-trace-bin: AAEC', 'cache-headers: x-trace-bin is binary gRPC metadata (-bin), which a text input cannot carry.'],
  ])('rejects the gRPC header %p', (headers, message) => {
    expect(() => parse({ url: 'grpc://127.0.0.1:9092', headers })).toThrow(message)
    expect(() => parseHeaders(headers, 'cache-headers', true)).toThrow(message)
  })

  it('takes those names in headers for an http:// cache-url, where they mean nothing special', () => {
    expect(parse({ url: 'http://127.0.0.1:8080', headers: 'grpc-timeout: 5S\nx-trace-bin: AAEC' })).toMatchObject({
      headers: { 'grpc-timeout': '5S', 'x-trace-bin': 'AAEC' },
    })
  })
})

describe('cache-auth', () => {
  const grpc = (auth: string, token = 'tok-123', headers = '') => parse({ url: 'grpcs://cache.example.com', token, auth, headers })

  it.each([
    ['', 'tok-123', { Authorization: 'Bearer tok-123' }],
    ['auto', 'ci:pw', { Authorization: 'Basic Y2k6cHc=' }],
    ['AUTO', 'Basic Y2k6cHc=', { Authorization: 'Basic Y2k6cHc=' }],
    ['bearer', 'tok-123', { Authorization: 'Bearer tok-123' }],
    // A user:password token is not turned into Basic when the preset says Bearer.
    ['bearer', 'ci:pw', { Authorization: 'Bearer ci:pw' }],
    ['bearer', 'Bearer tok-123', { Authorization: 'Bearer tok-123' }],
    [' BuildBuddy ', 'bb-key', { 'x-buildbuddy-api-key': 'bb-key' }],
    ['depot', 'depot-org-token', { Authorization: 'depot-org-token' }],
    ['depot', 'Bearer x', { Authorization: 'Bearer x' }],
  ])('cache-auth %p with cache-token %p', (auth, token, headers) => {
    expect(grpc(auth, token)).toMatchObject({ headers })
    expect(parse({ url: 'https://cache.example.com', token, auth })).toMatchObject({ headers })
  })

  it('tokenHeader: the header each preset sends', () => {
    expect(tokenHeader('t', 'auto', 'cache-token')).toEqual(['Authorization', 'Bearer t'])
    expect(tokenHeader('t', 'bearer', 'cache-token')).toEqual(['Authorization', 'Bearer t'])
    expect(tokenHeader('t', 'buildbuddy', 'cache-token')).toEqual(['x-buildbuddy-api-key', 't'])
    expect(tokenHeader('t', 'depot', 'cache-token')).toEqual(['Authorization', 't'])
    expect(() => tokenHeader('t\u0007', 'depot', 'cache-token')).toThrow('cache-token: must be a single line without control characters.')
  })

  it.each([
    [{ auth: 'oauth', token: 't' }, 'cache-auth: "oauth" is not one of auto, bearer, buildbuddy, depot.'],
    [{ auth: 'buildbuddy' }, 'cache-auth says how cache-token is sent, and cache-token is empty; set cache-token from a secret, or remove cache-auth.'],
    [{ auth: 'bearer', token: '  ' }, 'cache-auth says how cache-token is sent, and cache-token is empty'],
    [
      { auth: 'buildbuddy', token: 't', headers: 'X-BuildBuddy-API-Key: other' },
      'cache-headers sets x-buildbuddy-api-key and cache-token is set too (sent as x-buildbuddy-api-key); use one of them.',
    ],
    [{ auth: 'depot', token: 't', headers: 'authorization: x' }, 'cache-headers sets Authorization and cache-token is set too'],
  ])('rejects %j', (raw, message) => {
    expect(() => parse({ url: 'grpcs://cache.example.com', ...raw })).toThrow(RemoteConfigError)
    expect(() => parse({ url: 'grpcs://cache.example.com', ...raw })).toThrow(message)
  })

  it("keeps an Authorization header of the user's own when the token goes in x-buildbuddy-api-key", () => {
    expect(grpc('buildbuddy', 'bb-key', 'Authorization: Bearer proxy-1')).toMatchObject({
      headers: { Authorization: 'Bearer proxy-1', 'x-buildbuddy-api-key': 'bb-key' },
    })
  })

  it('stands without cache-url (Pants sends the token by it too), but never without the token', () => {
    expect(parse({ token: 'bb-key', auth: 'buildbuddy' })).toBeUndefined()
    expect(() => parse({ auth: 'buildbuddy' })).toThrow('cache-auth says how cache-token is sent, and cache-token is empty')
    expect(() => parse({ token: 't', auth: 'oauth' })).toThrow('cache-auth: "oauth" is not one of auto, bearer, buildbuddy, depot.')
  })

  it('is not used with an s3:// cache-url', () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKIA…', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' }
    expect(() => parseRemoteInputs({ ...empty, url: 's3://gocache', auth: 'bearer' }, names, '/work/repo', env)).toThrow(
      'cache-auth is not used with an s3:// cache-url',
    )
  })
})

describe('remote settings for the daemon, over gRPC', () => {
  it('masks the token and every gRPC header value, with and without its scheme', () => {
    const bb = parse({ url: 'grpcs://remote.buildbuddy.io', token: 'bb-key-1', auth: 'buildbuddy', headers: 'x-org-secret: s-9' })!
    expect(secretValues('bb-key-1', bb).sort()).toEqual(['bb-key-1', 's-9'])
    const basic = parse({ url: 'grpc://127.0.0.1:9092', token: 'ci:s3cret', headers: 'Authorization-Proxy: Bearer p-1' })!
    expect(secretValues('ci:s3cret', basic).sort()).toEqual(['Basic Y2k6czNjcmV0', 'Bearer p-1', 'Y2k6czNjcmV0', 'ci:s3cret', 'p-1'])
  })

  it('round-trips a grpc config through the environment', () => {
    const config = parse({
      url: 'grpcs://cache.example.com:8980/team-a/ci',
      token: 'tok',
      auth: 'depot',
      headers: 'x-org: acme',
      caCert: 'ca.pem',
      timeoutSeconds: '2',
    })!
    const settings = remoteSettings(config, { read: ['trusted'], write: 'trusted' }, 'a'.repeat(64))
    expect(settings).toEqual({
      config: {
        kind: 'grpc',
        url: 'grpcs://cache.example.com:8980',
        instance: 'team-a/ci',
        headers: { 'x-org': 'acme', Authorization: 'tok' },
        caFile: '/work/repo/ca.pem',
        timeoutMs: 2000,
        compression: 'zstd',
      },
      scopes: { read: ['trusted'], write: 'trusted' },
      uploadConcurrency: 8,
      manifestKey: 'a'.repeat(64),
    })
    expect(decodeRemoteSettings(encodeRemoteSettings(settings))).toEqual(settings)
  })

  it('refuses a grpc config whose address has a path or no port, or that has no instance field', () => {
    const settings = remoteSettings(parse({ url: 'grpc://127.0.0.1:9092' })!, { read: ['trusted'] })
    const text = encodeRemoteSettings(settings)
    const change = (f: (config: Record<string, unknown>) => void): string => {
      const value = JSON.parse(text) as { config: Record<string, unknown> }
      f(value.config)
      return JSON.stringify(value)
    }
    expect(() => decodeRemoteSettings(change((c) => void (c.url = 'grpc://127.0.0.1:9092/ci')))).toThrow('not valid remote settings')
    expect(() => decodeRemoteSettings(change((c) => void (c.url = 'grpc://127.0.0.1')))).toThrow('not valid remote settings')
    expect(() => decodeRemoteSettings(change((c) => void (c.url = 'http://127.0.0.1:9092')))).toThrow('not valid remote settings')
    expect(() => decodeRemoteSettings(change((c) => void delete c.instance))).toThrow('not valid remote settings')
  })
})
