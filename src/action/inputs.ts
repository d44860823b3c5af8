/**
 * The one place inputs are read and validated. Everything downstream takes the
 * typed `Inputs`; nothing else calls getInput.
 */
import path from 'node:path'
import { splitGoCommandLine } from '../gocacheprog/command-line.ts'
import { DEFAULT_DEPENDENCY_PATTERNS } from '../modcache/dependency-files.ts'
import { parseByteSize } from '../store/byte-size.ts'
import { DEFAULT_PANTS_AUTH_HEADER, pantsAuthHeader } from '../pants/config.ts'
import { headerEnvNames, HeaderError, parseHeaderLine, parseHeaderLines, type Header } from '../pants/headers.ts'
import { CACHE_WRITE_SETTINGS, type CacheWriteSetting, parseRefPatterns, type RefPattern, RefPatternError } from '../policy/write-policy.ts'
import { AUTH_PRESETS, parseRemoteInputs, RemoteConfigError, type RemoteConfig } from '../remote/config.ts'
import type { SaveThreshold } from '../buildcache/bundle-restore.ts'
import { Input } from './constants.ts'
import { ConfigError } from '../common/errors.ts'

/** auto: native without a remote, gocacheprog with one; native: go's own GOCACHE; gocacheprog: our client always. */
export const BUILD_CACHE_MODES = ['auto', 'native', 'gocacheprog'] as const
export type BuildCacheMode = (typeof BUILD_CACHE_MODES)[number]

export interface Inputs {
  /** Restore GOMODCACHE in main and save it in post. */
  moduleCache: boolean
  /** Globs relative to the workspace; `!` excludes. Defaults to every go.sum and go.work.sum. */
  dependencyPatterns: string[]
  /** Whether this job may write to shared caches; `auto` refuses on untrusted events. */
  cacheWrite: CacheWriteSetting
  /** Refs besides the default branch that write the remote's trusted scope. */
  trustedRefs: RefPattern[]
  /** Partitions the module cache; empty for none. */
  keySuffix: string
  /** Absolute; where `go env` runs, so go.mod's toolchain line is honoured. */
  workingDirectory: string
  /** Serve Go's build cache (GOCACHEPROG, or GOCACHE as a directory before Go 1.24). */
  buildCache: boolean
  /** Another GOCACHEPROG client to export instead of ours; empty for ours. */
  goCacheProg: string
  /** auto: go's own GOCACHE without a remote, our GOCACHEPROG client with one (docs/decisions.md#d27). */
  buildCacheMode: BuildCacheMode
  /** Absolute; empty for the default under RUNNER_TEMP. */
  storePath: string
  /** The local store is trimmed to this many bytes at the end of the job. */
  storeMaxBytes: number
  /** The remote cache (cache-url and the inputs that go with it), with its Authorization header; absent for none. */
  remote?: RemoteConfig
  /** cache-token, a secret: masked by main; the daemon gets it as remote's header, Pants reads it from a variable it names. '' for none. */
  cacheToken: string
  /** The auto-configure input; undefined when empty, so the org's levels decide (policy/auto-configure.ts). */
  autoConfigure: boolean | undefined
  pants: PantsInputs
  /** Object bytes a saved build-cache bundle may hold. */
  bundleMaxBytes: number
  /** How much of a job's bundle must be new before it is saved. */
  bundleSaveThreshold: SaveThreshold
  /** The matrix cell as JSON; part of the bundle key. */
  matrix: string
  /** Give tracked, unmodified files canonical mtimes so that go test results carry across checkouts (testcache/). */
  testCache: boolean
}

export interface PantsInputs {
  /** Configure Pants' remote cache when the repository has Pants. */
  remoteCache: boolean
  /** grpc:// or grpcs://; empty: derived from cacheUrl. */
  storeAddress: string
  instanceName: string
  /** Extra headers then the auth header, as written into the config file. */
  headers: Header[]
  /** Variables the headers read through %(env.NAME)s. */
  headerEnvNames: string[]
}

export type GetInput = (name: string) => string

const MAX_SUFFIX_LENGTH = 100

export function readInputs(getInput: GetInput, workspace: string): Inputs {
  const patterns = getInput(Input.CacheDependencyPath)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  for (const pattern of patterns) {
    const bare = pattern.replace(/^!/, '')
    if (path.isAbsolute(bare) || bare.split('/').includes('..')) {
      throw new ConfigError(`${Input.CacheDependencyPath}: "${pattern}" must be a glob relative to the workspace, without "..", for example "**/go.sum".`)
    }
  }

  const keySuffix = getInput(Input.KeySuffix).trim()
  if (keySuffix.length > MAX_SUFFIX_LENGTH) {
    throw new ConfigError(`${Input.KeySuffix}: at most ${MAX_SUFFIX_LENGTH} characters, got ${keySuffix.length}.`)
  }
  if (/[\r\n]/.test(keySuffix)) throw new ConfigError(`${Input.KeySuffix}: must be a single line.`)

  const workingDirectory = path.resolve(workspace, getInput(Input.WorkingDirectory).trim() || '.')

  const goCacheProg = getInput(Input.GoCacheProg).trim()
  if (goCacheProg !== '') {
    try {
      splitGoCommandLine(goCacheProg)
    } catch (error) {
      throw new ConfigError(
        `${Input.GoCacheProg}: Go cannot split ${JSON.stringify(goCacheProg)}: ${(error as Error).message}. Quote a field with spaces whole, like '/opt/my tools/gocache' serve.`,
      )
    }
  }

  const cacheToken = getInput(Input.CacheToken).trim()
  let remote: RemoteConfig | undefined
  try {
    remote = parseRemoteInputs(
      {
        url: getInput(Input.CacheUrl),
        token: cacheToken,
        auth: getInput(Input.CacheAuth),
        headers: getInput(Input.CacheHeaders),
        caCert: getInput(Input.CacheCaCert),
        clientCert: getInput(Input.CacheClientCert),
        clientKey: getInput(Input.CacheClientKey),
        timeoutSeconds: getInput(Input.CacheTimeout),
        compression: getInput(Input.CacheCompression),
        region: getInput(Input.CacheRegion),
        endpoint: getInput(Input.CacheEndpoint),
      },
      {
        url: Input.CacheUrl,
        token: Input.CacheToken,
        auth: Input.CacheAuth,
        headers: Input.CacheHeaders,
        caCert: Input.CacheCaCert,
        clientCert: Input.CacheClientCert,
        clientKey: Input.CacheClientKey,
        timeout: Input.CacheTimeout,
        compression: Input.CacheCompression,
        region: Input.CacheRegion,
        endpoint: Input.CacheEndpoint,
      },
      workspace,
      process.env,
    )
  } catch (error) {
    if (error instanceof RemoteConfigError) throw new ConfigError(error.message)
    throw error
  }

  const buildCacheMode = readChoice(getInput, Input.BuildCacheMode, BUILD_CACHE_MODES, 'auto')
  if (buildCacheMode === 'native' && remote !== undefined) {
    throw new ConfigError(
      `${Input.BuildCacheMode}: native cannot use ${Input.CacheUrl}: go reaches a remote cache only through a GOCACHEPROG client. Set ${Input.BuildCacheMode} to auto (or gocacheprog), or drop ${Input.CacheUrl}.`,
    )
  }
  if (buildCacheMode === 'native' && goCacheProg !== '') {
    throw new ConfigError(`${Input.BuildCacheMode}: native contradicts ${Input.GoCacheProg}, which names a client to use. Set one of them, not both.`)
  }

  return {
    ...(remote && { remote }),
    cacheToken,
    moduleCache: readBoolean(getInput, Input.ModuleCache, true),
    dependencyPatterns: patterns.length > 0 ? patterns : [...DEFAULT_DEPENDENCY_PATTERNS],
    cacheWrite: readChoice(getInput, Input.CacheWrite, CACHE_WRITE_SETTINGS, 'auto'),
    trustedRefs: readRefPatterns(getInput),
    keySuffix,
    workingDirectory,
    buildCache: readBoolean(getInput, Input.BuildCache, true),
    goCacheProg,
    buildCacheMode,
    storePath: getInput(Input.StorePath).trim() === '' ? '' : path.resolve(workspace, getInput(Input.StorePath).trim()),
    storeMaxBytes: readSize(getInput, Input.StoreMaxSize, DEFAULT_STORE_MAX_BYTES),
    autoConfigure: getInput(Input.AutoConfigure).trim() === '' ? undefined : readBoolean(getInput, Input.AutoConfigure, true),
    pants: readPantsInputs(getInput, cacheToken),
    bundleMaxBytes: readSize(getInput, Input.BundleMaxSize, DEFAULT_BUNDLE_MAX_BYTES),
    bundleSaveThreshold: readThreshold(getInput, Input.BundleSaveThreshold, DEFAULT_BUNDLE_SAVE_THRESHOLD),
    matrix: getInput(Input.Matrix).trim(),
    testCache: readBoolean(getInput, Input.TestCache, true),
  }
}

function readRefPatterns(getInput: GetInput): RefPattern[] {
  try {
    return parseRefPatterns(getInput(Input.TrustedRefs), Input.TrustedRefs)
  } catch (error) {
    if (error instanceof RefPatternError) throw new ConfigError(error.message)
    throw error
  }
}

function readPantsInputs(getInput: GetInput, cacheToken: string): PantsInputs {
  const storeAddress = getInput(Input.PantsRemoteStoreAddress).trim()
  if (storeAddress !== '') {
    const m = /^grpcs?:\/\/([^/?#@\s]+)\/?$/.exec(storeAddress)
    let hostOk = false
    try {
      hostOk = m !== null && new URL(storeAddress.replace(/^grpcs?:/, 'http:')).hostname !== ''
    } catch {
      hostOk = false
    }
    if (!hostOk) {
      throw new ConfigError(
        `${Input.PantsRemoteStoreAddress}: "${storeAddress}" must be grpc://host:port or grpcs://host[:port], without a path or credentials (Pants' REAPI client takes no other form).`,
      )
    }
  }
  const instanceName = getInput(Input.PantsRemoteInstanceName).trim()
  if (instanceName !== '' && (instanceName.length > 200 || !/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/.test(instanceName))) {
    throw new ConfigError(
      `${Input.PantsRemoteInstanceName}: "${instanceName}" must be path segments of letters, digits, '.', '_' or '-' joined by '/', at most 200 characters.`,
    )
  }
  const headerInput = (name: string, parse: () => Header[]): Header[] => {
    try {
      return parse()
    } catch (error) {
      if (error instanceof HeaderError) throw new ConfigError(`${name}: ${error.message}.`)
      throw error
    }
  }
  const headers = headerInput(Input.PantsRemoteHeaders, () => parseHeaderLines(getInput(Input.PantsRemoteHeaders)))
  const authText = getInput(Input.PantsAuthHeader).trim()
  // cache-auth says how the token is sent, to Go's remote and to Pants alike.
  const pantsAuth = parseHeaderLine(pantsAuthHeader(readChoice(getInput, Input.CacheAuth, AUTH_PRESETS, 'auto')))
  const auth = headerInput(Input.PantsAuthHeader, () =>
    authText !== ''
      ? [parseHeaderLine(authText)]
      : // A token and no header of the user's own by the name it goes under: cache-auth's, reading the token from its variable.
        cacheToken !== '' && !headers.some(([name]) => name.toLowerCase() === pantsAuth[0].toLowerCase())
        ? [pantsAuth]
        : [],
  )
  if (authText !== '' && headerEnvNames(auth).length === 0) {
    throw new ConfigError(
      `${Input.PantsAuthHeader}: "${authText}" must read the token from a variable, like ${DEFAULT_PANTS_AUTH_HEADER}; the file is on disk, the token must not be.`,
    )
  }
  const all = [...headers, ...auth]
  const names = all.map(([name]) => name.toLowerCase())
  if (new Set(names).size !== names.length) {
    throw new ConfigError(`${Input.PantsAuthHeader}: ${auth[0]![0]} is also in ${Input.PantsRemoteHeaders}; give it once.`)
  }
  if (cacheToken !== '' && all.some(([, value]) => value.includes(cacheToken))) {
    throw new ConfigError(
      `${Input.PantsRemoteHeaders}/${Input.PantsAuthHeader}: a header holds the cache token itself; write %(env.NAME)s instead and set NAME on the steps that run Pants.`,
    )
  }
  return {
    remoteCache: readBoolean(getInput, Input.PantsRemoteCache, true),
    storeAddress: storeAddress.replace(/\/$/, ''),
    instanceName,
    headers: all,
    headerEnvNames: headerEnvNames(all),
  }
}

export const DEFAULT_BUNDLE_MAX_BYTES = 2 * 1024 ** 3
/** 1%: most saves are layers, cheap enough that a stale bundle costs more than a save (measured: docs/decisions.md#d14, #d24). */
export const DEFAULT_BUNDLE_SAVE_THRESHOLD: SaveThreshold = { kind: 'percent', value: 1 }

/** `5%` (a share of the bundle's entries that must be new) or `20` (a number of new entries). */
function readThreshold(getInput: GetInput, name: string, fallback: SaveThreshold): SaveThreshold {
  const value = getInput(name).trim()
  if (value === '') return fallback
  const m = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(value)
  const n = m ? Number(m[1]) : NaN
  if (m !== null && m[2] === '%' && n <= 100) return { kind: 'percent', value: n }
  if (m !== null && m[2] === '' && Number.isSafeInteger(n)) return { kind: 'count', value: n }
  throw new ConfigError(
    `${name}: "${value}" is neither a percentage from 0% to 100% (the share of the bundle's entries that must be new) nor a whole number of new entries; write it like 5% or 20.`,
  )
}

export const DEFAULT_STORE_MAX_BYTES = 5 * 1024 ** 3
/** At least 1 MiB (store/byte-size.ts). */
function readSize(getInput: GetInput, name: string, fallback: number): number {
  const value = getInput(name).trim()
  if (value === '') return fallback
  const bytes = parseByteSize(value)
  if (bytes === undefined) throw new ConfigError(`${name}: "${value}" is not a size of at least 1MiB; write it like 5GiB or 512MiB.`)
  return bytes
}

/** YAML 1.2 core-schema booleans, as @actions/core getBooleanInput accepts; empty takes the default. */
function readBoolean(getInput: GetInput, name: string, fallback: boolean): boolean {
  const value = getInput(name).trim()
  if (value === '') return fallback
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new ConfigError(`${name}: "${value}" is not a boolean; use true or false.`)
}

function readChoice<T extends string>(getInput: GetInput, name: string, choices: readonly T[], fallback: T): T {
  const value = getInput(name).trim().toLowerCase()
  if (value === '') return fallback
  const match = choices.find((choice) => choice === value)
  if (match === undefined) throw new ConfigError(`${name}: "${value}" is not one of ${choices.join(', ')}.`)
  return match
}
