/**
 * `cache-url: s3://bucket/prefix`, its region and endpoint, parsed and
 * checked (pure). Not yet read from the action's inputs: issue 21.
 */
import path from 'node:path'
import { RemoteConfigError } from './config.ts'
import type { S3Config } from './s3.ts'

/** S3's bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), the common part. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
/** us-east-1, eu-central-2, auto (R2), … */
const REGION = /^[a-z0-9][a-z0-9-]{0,30}$/
/** Key prefixes stay printable and unambiguous: no control characters, no backslash, no dot segments. */
const PREFIX_SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/

export interface S3InputNames {
  url: string
  region: string
  endpoint: string
}

/**
 * `s3://bucket[/prefix…]` with a region (the input, else AWS_REGION or
 * AWS_DEFAULT_REGION from `env`) and an optional endpoint (MinIO-likes:
 * path-style addressing then). Throws RemoteConfigError saying how to fix it.
 */
export function parseS3Url(
  value: string,
  raw: { region: string; endpoint: string },
  names: S3InputNames,
  env: Record<string, string | undefined>,
  timeoutMs: number,
): S3Config {
  const match = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(value.trim())
  if (match === null) throw new RemoteConfigError(`${names.url}: "${value}" is not s3://bucket or s3://bucket/prefix (no query or fragment).`)
  const bucket = match[1]!
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    throw new RemoteConfigError(`${names.url}: "${bucket}" is not an S3 bucket name (3–63 lowercase letters, digits, "." and "-").`)
  }
  const segments = (match[2] ?? '').split('/').filter((s) => s !== '')
  for (const segment of segments) {
    if (!PREFIX_SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw new RemoteConfigError(`${names.url}: the prefix segment "${segment}" may hold only letters, digits and !_.*'()- (and no . or .. segments).`)
    }
  }
  const region = (raw.region.trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION || '').trim()
  if (region === '') {
    throw new RemoteConfigError(
      `${names.region}: the bucket's region is needed (like us-east-1); set ${names.region}, or AWS_REGION (aws-actions/configure-aws-credentials sets it).`,
    )
  }
  if (!REGION.test(region)) throw new RemoteConfigError(`${names.region}: "${region}" is not a region name like us-east-1.`)
  const endpointText = raw.endpoint.trim()
  let endpoint: string | undefined
  if (endpointText !== '') {
    let url: URL
    try {
      url = new URL(endpointText)
    } catch {
      throw new RemoteConfigError(
        `${names.endpoint}: "${endpointText}" is not a URL; write it like http://127.0.0.1:9000 or https://<account>.r2.cloudflarestorage.com.`,
      )
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RemoteConfigError(`${names.endpoint}: the scheme must be http or https.`)
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || url.pathname !== '/') {
      throw new RemoteConfigError(`${names.endpoint}: give only the scheme, host and port (credentials come from the AWS environment variables).`)
    }
    endpoint = url.origin
  }
  // go-cache-plugin joins its --prefix with Go's path.Join; the segments were checked, so this is their plain join.
  return {
    bucket,
    prefix: path.posix.join(...segments, '.').replace(/^\.$/, ''),
    region,
    ...(endpoint && { endpoint }),
    pathStyle: endpoint !== undefined,
    timeoutMs,
  }
}
