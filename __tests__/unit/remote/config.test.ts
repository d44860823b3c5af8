import {
  authorizationHeader,
  decodeRemoteSettings,
  encodeRemoteSettings,
  parseCacheUrl,
  parseHeaders,
  NO_REMOTE_INPUTS,
  parseRemoteInputs,
  parseS3Url,
  RemoteConfigError,
  remoteSettings,
  secretValues,
  type RemoteInputs,
} from '../../../src/remote/config.ts'

const names = {
  url: 'cache-url',
  token: 'cache-token',
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
    [{ caCert: 'ca.pem' }, 'need an https:// cache-url'],
    [{ timeoutSeconds: '0' }, 'cache-timeout: "0" is not a number of seconds'],
    [{ timeoutSeconds: 'ten' }, 'cache-timeout: "ten"'],
    [{ compression: 'gzip' }, 'cache-compression: "gzip" is not one of zstd, none.'],
    [{ token: 'a:b', headers: 'authorization: Bearer x' }, 'cache-headers sets Authorization and cache-token is set too'],
    [{ token: 'a\nb' }, 'cache-token: must be a single line.'],
  ])('rejects %p', (raw, message) => {
    expect(() => parse({ url: 'http://127.0.0.1:8080', ...raw })).toThrow(message)
  })
})

describe('parseCacheUrl', () => {
  it.each([
    ['grpc://127.0.0.1:9092', 'the scheme must be http or https'],
    ['http://user:pw@host:8080', 'do not put credentials in the URL'],
    ['http://host:8080/?x=1', 'no query or fragment'],
    ['http://host:8080/ac', 'must be an instance name'],
    ['http://host:8080/a%20b', 'must be an instance name'],
    ['host:8080', 'the scheme must be http or https'],
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
