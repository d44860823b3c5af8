/**
 * The generated Pants config: pure text from settings and the repository's
 * Pants version, plus the PANTS_CONFIG_FILES value that registers it.
 *
 * Pants rejects unknown config keys ("Invalid config entries detected"), and
 * the valid keys change between versions, so every key written here is one
 * the target version accepts (docs/decisions.md#d18). The token is never in
 * the text: a header value says `%(env.NAME)s` and Pants reads the variable
 * when it runs.
 */
import { atLeast, type PantsVersion } from './pants-toml.ts'
import { PANTS_TOKEN_ENV } from '../common/env.ts'
import type { AuthPreset } from '../remote/config.ts'

export const DEFAULT_PANTS_AUTH_HEADER = `Authorization: Bearer %(env.${PANTS_TOKEN_ENV})s`

/** The header Pants sends the token in, by cache-auth (remote/config.ts tokenHeader): the same header Go's client sends, read from the variable. */
export function pantsAuthHeader(preset: AuthPreset): string {
  const token = `%(env.${PANTS_TOKEN_ENV})s`
  switch (preset) {
    // auto: Pants cannot base64 a user:password into Basic; Bearer, as before cache-auth existed.
    case 'auto':
    case 'bearer':
      return DEFAULT_PANTS_AUTH_HEADER
    case 'buildbuddy':
      return `x-buildbuddy-api-key: ${token}`
    case 'depot':
      return `Authorization: ${token}`
  }
}

/** The oldest Pants this config is checked against (2.17, the last line on PyPI). */
export const MIN_PANTS = { major: 2, minor: 17 } as const

/**
 * Pants waits at exit only `session_end_tasks_timeout` for its async cache
 * writes (default 3 s), and drops the rest (pantsbuild/pants#16947). A CI job
 * would rather wait than lose its last writes; a dead server is cut off sooner
 * by Pants' own RPC timeouts.
 */
export const SESSION_END_TASKS_TIMEOUT_SECONDS = 60

export interface PantsCacheSettings {
  /** `grpc://host:port` or `grpcs://host[:port]`: Pants' REAPI provider takes nothing else. */
  storeAddress: string
  /** Empty for none. */
  instanceName: string
  /** A PEM file of the CA that signed the store's certificate (remote_ca_certs_path); absent: the system's roots. */
  caCertsPath?: string
  /** Merged into the repository's headers; values may hold `%(env.NAME)s`, never a secret. */
  headers: ReadonlyArray<readonly [name: string, value: string]>
  /** False on untrusted events (policy/write-policy.ts). */
  write: boolean
}

/** The config file's text for `version` (undefined: pants.toml names none we could read). */
export function renderPantsConfig(settings: PantsCacheSettings, version: PantsVersion | undefined): string {
  const lines = [
    version === undefined
      ? '# Written by go-cache-setup: Pants remote caching over REAPI. pants.toml names no Pants version we could read,'
      : `# Written by go-cache-setup: Pants remote caching over REAPI, for Pants ${version.text}.`,
  ]
  if (version === undefined) lines.push('# so this file holds only keys that every Pants from 2.17 on accepts.')
  lines.push(
    "# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;",
    '# pants.toml is not changed.',
    '[GLOBAL]',
    'remote_cache_read = true',
    `remote_cache_write = ${settings.write}`,
  )
  if (version !== undefined && atLeast(version, 2, 20)) {
    // From 2.20 the address scheme depends on remote_provider, which the
    // repository may have set to the GitHub Actions cache; ours is REAPI.
    lines.push('# The repository may have chosen another remote provider; this address is REAPI (Pants 2.20+).', 'remote_provider = "reapi"')
  }
  lines.push(`remote_store_address = ${tomlString(settings.storeAddress)}`)
  if (settings.instanceName !== '') lines.push(`remote_instance_name = ${tomlString(settings.instanceName)}`)
  if (settings.caCertsPath !== undefined) lines.push(`remote_ca_certs_path = ${tomlString(settings.caCertsPath)}`)
  lines.push(
    '# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).',
    `session_end_tasks_timeout = ${SESSION_END_TASKS_TIMEOUT_SECONDS.toFixed(1)}`,
  )
  if (settings.headers.length > 0) {
    lines.push(
      version !== undefined && atLeast(version, 2, 25)
        ? "# `.add` merges into the repository's own headers instead of replacing them."
        : "# `.add` merges into the repository's own headers and Pants' user-agent (the default before 2.25) instead of replacing them.",
      `remote_store_headers.add = { ${settings.headers.map(([name, value]) => `${tomlString(name)} = ${tomlString(value)}`).join(', ')} }`,
    )
  }
  return `${lines.join('\n')}\n`
}

/** A TOML basic string. Inputs are validated to one line without control characters. */
function tomlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

/**
 * The PANTS_CONFIG_FILES value that adds `file` after what is already there
 * (pants.ci.toml from an earlier step, say). Pants 2.17 splits comma-joined
 * modifiers only when the value starts with `+` or `-`
 * (ListValueComponent._split_modifier_expr), so a bare value or a replacing
 * list is rewritten into one form instead of being joined with a comma.
 */
export function registerConfigFile(existing: string | undefined, file: string): string {
  const current = (existing ?? '').trim()
  const quoted = pythonString(file)
  if (current === '') return `+[${quoted}]`
  if (current.includes(quoted) || current === file) return current
  if (current.startsWith('+') || current.startsWith('-')) return `${current},+[${quoted}]`
  const list = /^([[(])([\s\S]*?)\s*,?\s*([\])])$/.exec(current)
  if (list !== null) {
    // A replacing list (`['a.toml']`): the new file goes inside it.
    const body = list[2]!.trim()
    return body === '' ? `[${quoted}]` : `[${body}, ${quoted}]`
  }
  // A bare value appends one file.
  return `+[${pythonString(current)}, ${quoted}]`
}

/** A Python string literal, as Pants parses list values. */
function pythonString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * bazel-remote serves the same store over HTTP and gRPC, on port 8080 and
 * 9092 unless told otherwise. From the HTTP cache-url we keep the host and
 * TLS-ness and take the default gRPC port; anything else needs the address
 * given explicitly (pants-remote-store-address).
 */
export const BAZEL_REMOTE_GRPC_PORT = 9092

export function grpcAddressFromCacheUrl(cacheUrl: string): string | undefined {
  let url: URL
  try {
    url = new URL(cacheUrl)
  } catch {
    return undefined
  }
  // A REAPI cache-url is Pants' address as it is (remote/config.ts parseGrpcUrl wrote it without its instance).
  if (url.protocol === 'grpc:' || url.protocol === 'grpcs:') return `${url.protocol}//${url.host}`
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined
  return `${url.protocol === 'https:' ? 'grpcs' : 'grpc'}://${url.hostname}:${BAZEL_REMOTE_GRPC_PORT}`
}
