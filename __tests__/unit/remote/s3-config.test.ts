import { RemoteConfigError } from '../../../src/remote/config.ts'
import { parseS3Url } from '../../../src/remote/config.ts'

const names = { url: 'cache-url', region: 'cache-region', endpoint: 'cache-endpoint' }
const parse = (url: string, region = '', endpoint = '', env: Record<string, string> = {}) => parseS3Url(url, { region, endpoint }, names, env, 10_000)

describe('parseS3Url', () => {
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
