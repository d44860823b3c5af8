/**
 * AWS Signature Version 4 for S3 requests, pure: what a request must carry
 * so that S3 (and MinIO, R2, Ceph RGW, SeaweedFS, GCS's interoperability
 * API) accepts it. https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 *
 * The payload is named by its sha256 (or UNSIGNED-PAYLOAD) in
 * x-amz-content-sha256, which S3 requires on every request.
 */
import { createHash, createHmac } from 'node:crypto'

export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  /** Temporary credentials (OIDC, assumed roles) carry one. */
  sessionToken?: string
}

export interface SigningRequest {
  method: string
  /** The host header's value (with a port when it is not the scheme's default). */
  host: string
  /** The path as sent: each segment already URI-encoded (RFC 3986), '/' kept. */
  path: string
  /** Query parameters, unencoded. */
  query?: Record<string, string>
  /** Other headers to sign (names in any case). */
  headers?: Record<string, string>
  /** Lowercase hex sha256 of the body, or 'UNSIGNED-PAYLOAD'. */
  payloadHash: string
  region: string
  /** `YYYYMMDDTHHMMSSZ` */
  amzDate: string
}

/** SHA-256 of the empty body. */
export const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** `YYYYMMDDTHHMMSSZ` for a time. */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** RFC 3986 encoding, as SigV4 wants it: everything but A–Z a–z 0–9 - . _ ~ */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** The headers to add to the request: Authorization, x-amz-date, x-amz-content-sha256, and the session token's. */
export function signV4(request: SigningRequest, credentials: AwsCredentials): Record<string, string> {
  const added: Record<string, string> = {
    'x-amz-date': request.amzDate,
    'x-amz-content-sha256': request.payloadHash,
    ...(credentials.sessionToken !== undefined && { 'x-amz-security-token': credentials.sessionToken }),
  }
  const all = new Map<string, string>()
  for (const [name, value] of Object.entries({ host: request.host, ...request.headers, ...added })) {
    all.set(name.toLowerCase(), value.trim().replace(/\s+/g, ' '))
  }
  const names = [...all.keys()].sort()
  const signedHeaders = names.join(';')
  const query = Object.entries(request.query ?? {})
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const canonical = [request.method, request.path, query, ...names.map((n) => `${n}:${all.get(n)}`), '', signedHeaders, request.payloadHash].join('\n')
  const day = request.amzDate.slice(0, 8)
  const scope = `${day}/${request.region}/s3/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', request.amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join('\n')
  const signature = createHmac('sha256', signingKey(credentials.secretAccessKey, day, request.region))
    .update(toSign)
    .digest('hex')
  return { ...added, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}` }
}

/**
 * The day's signing key, derived once and kept until the day, region or
 * secret changes: four HMACs a request less (a warm build from a bucket
 * signs thousands; the daemon's profile showed the key derivation at about
 * 8% of its CPU).
 */
let lastKey: { secret: string; day: string; region: string; key: Buffer } | undefined
function signingKey(secret: string, day: string, region: string): Buffer {
  if (lastKey?.secret !== secret || lastKey.day !== day || lastKey.region !== region) {
    let key: Buffer = hmac(`AWS4${secret}`, day)
    for (const part of [region, 's3', 'aws4_request']) key = hmac(key, part)
    lastKey = { secret, day, region, key }
  }
  return lastKey.key
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest()
}
