/**
 * The remote cache's settings: parsed from the action's inputs (pure, so every
 * rule is unit-tested), and handed to the daemon, the only process that talks
 * to the remote, through its environment. Never through argv, a file, state or
 * GITHUB_ENV: the Authorization header is in here.
 */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { array, boolean, check, enums, type Infer, literal, number, object, optional, parse, record, type Same, string, tagged } from '../common/schema.ts'
import { REMOTE_ENV } from '../common/env.ts'
import type { S3Config } from './s3.ts'
import type { RemoteScopes } from '../policy/write-policy.ts'

export type Compression = 'zstd' | 'none'

export interface RemoteInputs {
  /** `http(s)://host[:port][/instance]`, `grpc(s)://host[:port][/instance]` or `s3://bucket[/prefix]`; empty: no remote. */
  url: string
  token: string
  /** How the token is sent (AUTH_PRESETS); empty: auto. */
  auth: string
  /** `Name: value` lines. */
  headers: string
  caCert: string
  clientCert: string
  clientKey: string
  timeoutSeconds: string
  compression: string
  /** S3 only: the bucket's region (else AWS_REGION, AWS_DEFAULT_REGION). */
  region: string
  /** S3 only: a custom endpoint (MinIO, R2, Ceph RGW): path-style addressing then. */
  endpoint: string
}

/** Every input empty: what a caller that sets only some of them (the kit, tests) starts from. */
export const NO_REMOTE_INPUTS: Readonly<RemoteInputs> = {
  url: '',
  token: '',
  auth: '',
  headers: '',
  caCert: '',
  clientCert: '',
  clientKey: '',
  timeoutSeconds: '',
  compression: '',
  region: '',
  endpoint: '',
}

/**
 * The remote cache, parsed once from the inputs (or the kit's config), and
 * the form the daemon receives: a Bazel HTTP cache, a REAPI server over gRPC,
 * or an S3 bucket.
 */
export type RemoteConfig = HttpRemoteConfig | GrpcRemoteConfig | S3RemoteConfig

/** What a server reached by address and headers takes: the Bazel HTTP cache, and REAPI over gRPC. */
interface EndpointConfig {
  /** Sent on every request: cache-headers, and the token's header (cache-auth) when a token is set. */
  headers: Record<string, string>
  /** Absolute PEM paths; read by the daemon. */
  caFile?: string
  certFile?: string
  keyFile?: string
  /** Per request. */
  timeoutMs: number
  compression: Compression
}

/** A Bazel HTTP cache (bazel-http.ts). */
export interface HttpRemoteConfig extends EndpointConfig {
  kind: 'http'
  /** Origin plus the instance prefix, no trailing slash; no credentials. */
  url: string
}

/** A REAPI server over gRPC (reapi.ts): bazel-remote, BuildBuddy, NativeLink, Buildbarn, Depot Cache. */
export interface GrpcRemoteConfig extends EndpointConfig {
  kind: 'grpc'
  /** `grpc://host:port` or `grpcs://host:port`, the port always written; no path, no credentials. */
  url: string
  /** The REAPI instance name (the URL's path, without its slashes at either end); '' for none. */
  instance: string
}

/** An S3 bucket in go-cache-plugin's layout (s3.ts). Credentials are not here: the daemon reads AWS_* from its environment. */
export interface S3RemoteConfig extends S3Config {
  kind: 's3'
  /** `s3://bucket[/prefix]`, for logs and the summary. */
  url: string
}

/** What the daemon gets: the config, and this job's part in it. */
export interface RemoteSettings {
  config: RemoteConfig
  /** Which scopes this job reads, in order, and the one it writes, if any (policy/write-policy.ts decideWrites; remote/scope.ts keys them). */
  scopes: RemoteScopes
  uploadConcurrency: number
  /** The AC key of this job's manifest (store/remote-tier.ts prefetch); absent: no prefetch. */
  manifestKey?: string
}

export const DEFAULT_TIMEOUT_SECONDS = 10
export const DEFAULT_UPLOAD_CONCURRENCY = 8

/** Input names, passed in so messages name what the user wrote. */
export interface RemoteInputNames {
  url: string
  token: string
  auth: string
  headers: string
  caCert: string
  clientCert: string
  clientKey: string
  timeout: string
  compression: string
  region: string
  endpoint: string
}

export class RemoteConfigError extends Error {}

/** Headers our client sets itself, or that would break the protocol if a user set them. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'accept-encoding',
  'transfer-encoding',
  'connection',
  'x-digest-sizebytes',
])
/** gRPC's own metadata besides `grpc-*` (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): set by the transport. */
const RESERVED_GRPC_HEADERS = new Set(['te', 'user-agent'])
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const INSTANCE_SEGMENT = /^[A-Za-z0-9._-]+$/
/** Path segments REAPI gives meaning to in resource names (remote_execution.proto, ByteStream): not part of an instance name. */
const REAPI_RESERVED_SEGMENTS = new Set(['blobs', 'compressed-blobs', 'uploads', 'actions', 'actionResults', 'operations', 'capabilities'])

/**
 * How cache-token is sent (cache-auth), for Go and Pants alike:
 *   auto        `user:password` as Basic (bazel-remote's htpasswd), a value naming its scheme as it is, else Bearer
 *   bearer      Authorization: Bearer <token>
 *   buildbuddy  x-buildbuddy-api-key: <token> (https://www.buildbuddy.io/docs/guide-auth)
 *   depot       Authorization: <token> (https://depot.dev/docs/cache/integrations/bazel: --remote_header=authorization=DEPOT_TOKEN)
 */
export const AUTH_PRESETS = ['auto', 'bearer', 'buildbuddy', 'depot'] as const
export type AuthPreset = (typeof AUTH_PRESETS)[number]

/**
 * The validated remote inputs, or undefined when no cache-url is set. Throws
 * RemoteConfigError with a message saying how to fix the input.
 */
export function parseRemoteInputs(
  raw: RemoteInputs,
  names: RemoteInputNames,
  workspace: string,
  env: Record<string, string | undefined> = {},
): RemoteConfig | undefined {
  const url = raw.url.trim()
  if (url.startsWith('s3://')) return parseS3Inputs(raw, names, env)
  const others: [string, string][] = [
    [names.token, raw.token],
    [names.headers, raw.headers],
    [names.caCert, raw.caCert],
    [names.clientCert, raw.clientCert],
    [names.clientKey, raw.clientKey],
  ]
  // Checked whether a URL is set or not: a bad value is the user's to fix either way.
  const timeoutMs = parseTimeout(raw.timeoutSeconds, names.timeout)
  const compression = parseCompression(raw.compression, names.compression)
  const auth = parseAuthPreset(raw.auth, names.auth)
  // Pants sends the token by cache-auth too, so it stands without cache-url; never without the token.
  if (raw.auth.trim() !== '' && raw.token.trim() === '') {
    throw new RemoteConfigError(
      `${names.auth} says how ${names.token} is sent, and ${names.token} is empty; set ${names.token} from a secret, or remove ${names.auth}.`,
    )
  }
  if (url === '') {
    // cache-token alone is fine: Pants may use it with its own store address (pants/).
    const set = [
      ...others,
      [names.timeout, raw.timeoutSeconds],
      [names.compression, raw.compression],
      [names.region, raw.region],
      [names.endpoint, raw.endpoint],
    ]
      .filter(([n, v]) => n !== names.token && v!.trim() !== '')
      .map(([n]) => n)
    if (set.length > 0)
      throw new RemoteConfigError(
        `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but ${names.url} is empty; set ${names.url} to your cache server, like https://cache.example.com:8080.`,
      )
    return undefined
  }
  const grpc = /^grpcs?:/i.test(url)
  const endpoint = grpc ? parseGrpcUrl(url, names.url) : { url: parseCacheUrl(url, names.url) }
  const headers = parseHeaders(raw.headers, names.headers, grpc)
  const token = raw.token.trim()
  if (token !== '') {
    const [name, value] = tokenHeader(token, auth, names.token)
    if (Object.keys(headers).some((h) => h.toLowerCase() === name.toLowerCase())) {
      throw new RemoteConfigError(`${names.headers} sets ${name} and ${names.token} is set too (sent as ${name}); use one of them.`)
    }
    headers[name] = value
  }
  const file = (value: string): string | undefined => (value.trim() === '' ? undefined : path.resolve(workspace, value.trim()))
  const caFile = file(raw.caCert)
  const certFile = file(raw.clientCert)
  const keyFile = file(raw.clientKey)
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new RemoteConfigError(`${names.clientCert} and ${names.clientKey} go together: set both (PEM files) for mutual TLS, or neither.`)
  }
  if ((caFile || certFile) && !/^(https|grpcs):/.test(endpoint.url)) {
    throw new RemoteConfigError(`${names.caCert}/${names.clientCert} need an https:// or grpcs:// ${names.url}, got ${endpoint.url}.`)
  }
  for (const [name, value] of [
    [names.region, raw.region],
    [names.endpoint, raw.endpoint],
  ]) {
    if (value!.trim() !== '') throw new RemoteConfigError(`${name} is for an s3:// ${names.url}; remove it, or make ${names.url} s3://bucket/prefix.`)
  }
  const common = { headers, ...(caFile && { caFile }), ...(certFile && { certFile }), ...(keyFile && { keyFile }), timeoutMs, compression }
  return 'instance' in endpoint ? { kind: 'grpc', ...endpoint, ...common } : { kind: 'http', url: endpoint.url, ...common }
}

/** S3's bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), the common part. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
/** us-east-1, eu-central-2, auto (R2), … */
const REGION = /^[a-z0-9][a-z0-9-]{0,30}$/
/** Key prefixes stay printable and unambiguous: no control characters, no backslash, no dot segments. */
const PREFIX_SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/

/**
 * `s3://bucket[/prefix…]` with a region (the input, else AWS_REGION or
 * AWS_DEFAULT_REGION from `env`) and an optional endpoint (MinIO-likes:
 * path-style addressing then). Throws RemoteConfigError saying how to fix it.
 */
export function parseS3Url(
  value: string,
  raw: { region: string; endpoint: string },
  names: Pick<RemoteInputNames, 'url' | 'region' | 'endpoint'>,
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

/** An s3:// cache-url: only the inputs S3 uses may be set; credentials come from the AWS environment variables. */
function parseS3Inputs(raw: RemoteInputs, names: RemoteInputNames, env: Record<string, string | undefined>): S3RemoteConfig {
  const httpOnly: [string, string][] = [
    [names.token, raw.token],
    [names.auth, raw.auth],
    [names.headers, raw.headers],
    [names.caCert, raw.caCert],
    [names.clientCert, raw.clientCert],
    [names.clientKey, raw.clientKey],
    [names.compression, raw.compression],
  ]
  const set = httpOnly.filter(([, v]) => v.trim() !== '').map(([n]) => n)
  if (set.length > 0) {
    throw new RemoteConfigError(
      `${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} not used with an s3:// ${names.url}: S3 credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (aws-actions/configure-aws-credentials sets them); remove ${set.length === 1 ? 'it' : 'them'}.`,
    )
  }
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    throw new RemoteConfigError(
      `${names.url} is ${raw.url.trim()} but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: run aws-actions/configure-aws-credentials (OIDC or keys from secrets) before this step.`,
    )
  }
  const config = parseS3Url(raw.url, raw, names, env, parseTimeout(raw.timeoutSeconds, names.timeout))
  return { kind: 's3', url: `s3://${config.bucket}${config.prefix === '' ? '' : `/${config.prefix}`}`, ...config }
}

function parseTimeout(text: string, inputName: string): number {
  const value = text.trim()
  const seconds = value === '' ? DEFAULT_TIMEOUT_SECONDS : Number(value)
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw new RemoteConfigError(`${inputName}: "${value}" is not a number of seconds between 0 and 600, like 10 or 2.5.`)
  }
  return Math.round(seconds * 1000)
}

function parseCompression(text: string, inputName: string): Compression {
  const value = text.trim().toLowerCase() || 'zstd'
  if (value !== 'zstd' && value !== 'none') throw new RemoteConfigError(`${inputName}: "${text.trim()}" is not one of zstd, none.`)
  return value
}

/** The daemon's settings: the config, this job's scopes (policy/write-policy.ts), and its manifest. */
export function remoteSettings(config: RemoteConfig, scopes: RemoteScopes, manifestKey?: string): RemoteSettings {
  return { config, scopes, uploadConcurrency: DEFAULT_UPLOAD_CONCURRENCY, ...(manifestKey && { manifestKey }) }
}

/** Whose manifest: the job of a workflow, with its toolchain. */
export interface ManifestScope {
  repository: string
  workflow: string
  job: string
  hostOS: string
  hostArch: string
  goVersion: string
}

/**
 * The manifest's key: one per job of a workflow, OS, arch and Go version (the
 * next run of the same job builds much the same). Prefixed so that it cannot
 * be a Go ActionID or a Pants action digest by accident.
 */
export function manifestKey(scope: ManifestScope): string {
  const text = `go-cache-setup manifest v1\n${[scope.repository, scope.workflow, scope.job, scope.hostOS, scope.hostArch, scope.goVersion].join('\n')}`
  return createHash('sha256').update(text).digest('hex')
}

/** `http(s)://host[:port][/instance/…]` → origin + instance path, without a trailing slash. */
export function parseCacheUrl(value: string, inputName: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new RemoteConfigError(`${inputName}: "${value}" is not a URL; write it like https://cache.example.com:8080 or http://127.0.0.1:8080/my-instance.`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteConfigError(
      `${inputName}: the scheme must be http(s) (the Bazel HTTP cache protocol), grpc(s) (REAPI) or s3, got ${url.protocol.replace(/:$/, '')}.`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new RemoteConfigError(`${inputName}: do not put credentials in the URL (it is logged and saved); pass them in cache-token from a secret.`)
  }
  if (url.search !== '' || url.hash !== '') throw new RemoteConfigError(`${inputName}: no query or fragment, got ${value}.`)
  const segments = url.pathname.split('/').filter((s) => s !== '')
  for (const segment of segments) {
    if (!INSTANCE_SEGMENT.test(segment) || segment === '.' || segment === '..' || segment === 'ac' || segment === 'cas') {
      throw new RemoteConfigError(
        `${inputName}: the path "${url.pathname}" must be an instance name made of letters, digits, ".", "_" and "-" (not ac or cas).`,
      )
    }
  }
  return `${url.origin}${segments.map((s) => `/${s}`).join('')}`
}

/**
 * `grpc://host:port` or `grpcs://host[:port]` (443 by default), with the
 * instance name as its path (`grpcs://remote.buildbuddy.io/my-instance`;
 * REAPI instance names may have several segments).
 */
export function parseGrpcUrl(value: string, inputName: string): { url: string; instance: string } {
  const example = 'like grpcs://cache.example.com, grpc://127.0.0.1:9092 or grpcs://cache.example.com:443/instance-name'
  const match = /^(grpcs?):\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(value)
  let url: URL | undefined
  try {
    // URL leaves a grpc: URL's host unparsed (not a special scheme); as http it is checked like any host.
    if (match !== null) url = new URL(`http://${match[2]}`)
  } catch {
    url = undefined
  }
  if (match === null || url === undefined || url.hostname === '')
    throw new RemoteConfigError(`${inputName}: "${value}" is not a gRPC address; write it ${example}.`)
  if (url.username !== '' || url.password !== '') {
    throw new RemoteConfigError(`${inputName}: do not put credentials in the URL (it is logged and saved); pass them in cache-token from a secret.`)
  }
  const scheme = match[1]!.toLowerCase()
  const port = url.port !== '' ? url.port : scheme === 'grpcs' ? '443' : ''
  if (port === '') throw new RemoteConfigError(`${inputName}: a grpc:// address needs its port (bazel-remote's is 9092); write it ${example}.`)
  const segments = (match[3] ?? '').split('/').filter((s) => s !== '')
  for (const segment of segments) {
    if (!INSTANCE_SEGMENT.test(segment) || segment === '.' || segment === '..' || REAPI_RESERVED_SEGMENTS.has(segment)) {
      throw new RemoteConfigError(
        `${inputName}: the path "${match[3]}" must be an instance name: segments of letters, digits, ".", "_" and "-" (not ${[...REAPI_RESERVED_SEGMENTS].join(', ')}).`,
      )
    }
  }
  const instance = segments.join('/')
  if (instance.length > 200) throw new RemoteConfigError(`${inputName}: the instance name is longer than 200 characters.`)
  return { url: `${scheme}://${url.hostname}:${port}`, instance }
}

function parseAuthPreset(text: string, inputName: string): AuthPreset {
  const value = text.trim().toLowerCase() || 'auto'
  if (!(AUTH_PRESETS as readonly string[]).includes(value))
    throw new RemoteConfigError(`${inputName}: "${text.trim()}" is not one of ${AUTH_PRESETS.join(', ')}.`)
  return value as AuthPreset
}

/** The header that carries cache-token, by cache-auth (AUTH_PRESETS). */
export function tokenHeader(token: string, preset: AuthPreset, inputName: string): [name: string, value: string] {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(token)) throw new RemoteConfigError(`${inputName}: must be a single line without control characters.`)
  switch (preset) {
    case 'auto':
      return ['Authorization', authorizationHeader(token, inputName)]
    case 'bearer':
      return ['Authorization', /^bearer \S/i.test(token) ? token : `Bearer ${token}`]
    case 'buildbuddy':
      return ['x-buildbuddy-api-key', token]
    case 'depot':
      return ['Authorization', token]
  }
}

/** `Name: value` per line; blank lines and `#` comments skipped. `grpc`: gRPC's own metadata names are reserved too. */
export function parseHeaders(text: string, inputName: string, grpc = false): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#')) continue
    const colon = line.indexOf(':')
    const name = colon === -1 ? '' : line.slice(0, colon).trim()
    const value = colon === -1 ? '' : line.slice(colon + 1).trim()
    if (!HEADER_NAME.test(name) || value === '') {
      throw new RemoteConfigError(`${inputName}: line ${index + 1} is not "Name: value" (header names are letters, digits and -).`)
    }
    const lower = name.toLowerCase()
    if (RESERVED_HEADERS.has(lower) || (grpc && (RESERVED_GRPC_HEADERS.has(lower) || lower.startsWith('grpc-') || lower.startsWith(':')))) {
      throw new RemoteConfigError(`${inputName}: ${name} is set by the client itself; remove it.`)
    }
    if (grpc && lower.endsWith('-bin')) throw new RemoteConfigError(`${inputName}: ${name} is binary gRPC metadata (-bin), which a text input cannot carry.`)
    if (Object.keys(headers).some((h) => h.toLowerCase() === name.toLowerCase())) throw new RemoteConfigError(`${inputName}: ${name} is given twice.`)
    headers[name] = value
  }
  return headers
}

/**
 * The Authorization value for a cache-token: `user:password` (bazel-remote's
 * htpasswd) becomes Basic, a value that already names its scheme (`Basic …`,
 * `Bearer …`) is sent as it is, anything else is a Bearer token (a proxy in
 * front of the server).
 */
export function authorizationHeader(token: string, inputName: string): string {
  if (/[\r\n]/.test(token)) throw new RemoteConfigError(`${inputName}: must be a single line.`)
  if (/^(basic|bearer) \S/i.test(token)) return token
  if (token.includes(':')) return `Basic ${Buffer.from(token, 'utf8').toString('base64')}`
  return `Bearer ${token}`
}

/**
 * Every value to mask in logs: the token, and every header value with and
 * without its scheme (the Authorization made from the token among them; an
 * API key travels in a header as often as in a token).
 */
export function secretValues(token: string, config: RemoteConfig | undefined): string[] {
  const values = new Set<string>([token])
  for (const value of Object.values(config !== undefined && config.kind !== 's3' ? config.headers : {})) {
    values.add(value)
    values.add(value.replace(/^(basic|bearer) /i, ''))
  }
  return [...values].filter((v) => v.length > 0)
}

export function encodeRemoteSettings(settings: RemoteSettings): string {
  return JSON.stringify(settings)
}

const hexId = check(string, (v) => /^[0-9a-f]{64}$/.test(v), '64 lowercase hex digits')
const positiveInteger = check(number, (n) => Number.isSafeInteger(n) && n > 0, 'a positive whole number')
const httpRemoteConfig = object({
  kind: literal('http'),
  url: check(string, (v) => /^https?:\/\//.test(v), 'an http(s):// URL'),
  headers: record(string),
  caFile: optional(string),
  certFile: optional(string),
  keyFile: optional(string),
  timeoutMs: positiveInteger,
  compression: enums(['zstd', 'none']),
})
const grpcRemoteConfig = object({
  kind: literal('grpc'),
  url: check(string, (v) => /^grpcs?:\/\/[^/]+:\d+$/.test(v), 'a grpc(s)://host:port address'),
  instance: string,
  headers: record(string),
  caFile: optional(string),
  certFile: optional(string),
  keyFile: optional(string),
  timeoutMs: positiveInteger,
  compression: enums(['zstd', 'none']),
})
const s3RemoteConfig = object({
  kind: literal('s3'),
  url: check(string, (v) => v.startsWith('s3://'), 'an s3:// URL'),
  bucket: string,
  prefix: string,
  region: string,
  endpoint: optional(check(string, (v) => /^https?:\/\//.test(v), 'an http(s):// URL')),
  pathStyle: boolean,
  timeoutMs: positiveInteger,
})
const remoteConfig = tagged('kind', { http: httpRemoteConfig, grpc: grpcRemoteConfig, s3: s3RemoteConfig })
const scopeName = check(string, (v) => v !== '' && v.length <= 1024 && !/[\n\r]/.test(v), 'a scope name')
/** RemoteScopes as the daemon, the saved state and the kit's job record read them back. */
export const remoteScopes = object({
  read: check(array(scopeName), (v) => v.length > 0, 'at least one scope'),
  write: optional(scopeName),
  reason: optional(string),
})
const remoteSettingsSchema = object({ config: remoteConfig, scopes: remoteScopes, uploadConcurrency: positiveInteger, manifestKey: optional(hexId) })
const exact: [
  Same<Infer<typeof remoteConfig>, RemoteConfig>,
  Same<Infer<typeof remoteSettingsSchema>, RemoteSettings>,
  Same<Infer<typeof remoteScopes>, RemoteScopes>,
] = [true, true, true]
void exact

/** The daemon's side; throws on anything but what encodeRemoteSettings wrote, naming the first field that is not. */
export function decodeRemoteSettings(text: string): RemoteSettings {
  try {
    return parse(remoteSettingsSchema, JSON.parse(text), REMOTE_ENV)
  } catch (error) {
    throw new Error(`${REMOTE_ENV} is not valid remote settings: ${(error as Error).message}`)
  }
}
