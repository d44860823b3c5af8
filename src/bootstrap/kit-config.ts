/**
 * The bootstrap kit's config file: what a platform team decides once per
 * runner (or per image), read by the job hooks and by the action itself.
 *
 * The runner puts every line of its `.env` into each job's environment
 * (github-actions-runtime.md section 4), so `bootstrap install` registers
 * GO_CACHE_SETUP_KIT_CONFIG there, and that is how both find the file.
 * JSON, not YAML: the hooks run on a bare runner, and JSON needs no parser
 * that the client bundle does not already have.
 *
 * The file holds no secret: the token stays in its own file (tokenFile),
 * readable by the runner's user only.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseCacheUrl, parseGrpcUrl } from '../remote/config.ts'
import { parseByteSize } from '../store/byte-size.ts'
import { CACHE_WRITE_SETTINGS, type CacheWriteSetting, parseRefPatterns } from '../policy/write-policy.ts'
import { KIT_CONFIG_ENV } from '../common/env.ts'

export interface KitConfig {
  version: 1
  /** The remote build cache (bazel-remote over HTTP); absent for the local store only. */
  cacheUrl?: string
  /** Absolute path of a file holding the cache token; absent for none. */
  tokenFile?: string
  /** Off: the hooks configure nothing, and the action does not export either (issue 6's toggle). */
  autoConfigure: boolean
  /** `owner/name` patterns; `*` matches within one segment. An empty include list includes every repository. */
  repositories: { include: string[]; exclude: string[] }
  cacheWrite: CacheWriteSetting
  /**
   * Refs besides the default branch whose jobs are trusted (the trusted-refs
   * input): they write the shared store and the remote's trusted scope. Kept as
   * written, so the file round-trips; checked here with parseRefPatterns.
   */
  trustedRefs: string[]
  /** Absolute; self-hosted runners keep their disk, so this store persists between jobs. */
  storePath: string
  /** Trim target for the store, like the store-max-size input (`5GiB`). */
  storeMaxSize: string
}

export class KitConfigError extends Error {}

const KEYS = new Set(['version', 'cacheUrl', 'tokenFile', 'autoConfigure', 'repositories', 'cacheWrite', 'trustedRefs', 'storePath', 'storeMaxSize'])
const REPO_PATTERN = /^[A-Za-z0-9_.*-]+\/[A-Za-z0-9_.*-]+$/

/** Parses and validates the file's text; every problem names the key and says what is expected. */
export function parseKitConfig(text: string, file = 'the kit config'): KitConfig {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    throw new KitConfigError(`${file} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new KitConfigError(`${file} must hold a JSON object`)
  const v = raw as Record<string, unknown>
  const fail = (key: string, expected: string): never => {
    throw new KitConfigError(`${file}: "${key}" ${expected}`)
  }
  for (const key of Object.keys(v)) if (!KEYS.has(key)) fail(key, `is not a known key (known: ${[...KEYS].join(', ')})`)
  if (v.version !== 1) fail('version', 'must be 1')

  let cacheUrl: string | undefined
  if (v.cacheUrl !== undefined && v.cacheUrl !== '') {
    if (typeof v.cacheUrl !== 'string') fail('cacheUrl', 'must be a string')
    try {
      // The same rules as the action's cache-url input: a Bazel HTTP cache, or REAPI over gRPC.
      const text = v.cacheUrl as string
      const name = `${file}: "cacheUrl"`
      if (/^grpcs?:/i.test(text)) {
        const { url, instance } = parseGrpcUrl(text, name)
        cacheUrl = instance === '' ? url : `${url}/${instance}`
      } else cacheUrl = parseCacheUrl(text, name)
    } catch (error) {
      throw new KitConfigError(`${(error as Error).message.replace('pass them in cache-token from a secret', 'put the token in tokenFile')}`)
    }
  }
  const tokenFile = optionalAbsolute(v, 'tokenFile', fail)
  const autoConfigure = v.autoConfigure ?? true
  if (typeof autoConfigure !== 'boolean') fail('autoConfigure', 'must be true or false')

  const repos = (v.repositories ?? {}) as Record<string, unknown>
  if (typeof repos !== 'object' || repos === null || Array.isArray(repos)) fail('repositories', 'must be an object with "include" and "exclude" lists')
  for (const key of Object.keys(repos)) if (key !== 'include' && key !== 'exclude') fail(`repositories.${key}`, 'is not a known key (include, exclude)')
  const list = (key: 'include' | 'exclude'): string[] => {
    const value = repos[key] ?? []
    if (!Array.isArray(value) || !value.every((p) => typeof p === 'string' && REPO_PATTERN.test(p))) {
      fail(`repositories.${key}`, 'must be a list of owner/name patterns, like "my-org/*"')
    }
    return value as string[]
  }

  const cacheWrite = v.cacheWrite ?? 'auto'
  if (!CACHE_WRITE_SETTINGS.includes(cacheWrite as CacheWriteSetting)) fail('cacheWrite', `must be one of ${CACHE_WRITE_SETTINGS.join(', ')}`)
  const refs = v.trustedRefs ?? []
  if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string')) fail('trustedRefs', 'must be a list of ref patterns, like ["refs/heads/release/*"]')
  try {
    parseRefPatterns((refs as string[]).join('\n'), `${file}: "trustedRefs"`)
  } catch (error) {
    throw new KitConfigError((error as Error).message)
  }
  const storePath = optionalAbsolute(v, 'storePath', fail)
  if (storePath === undefined) fail('storePath', 'is required: an absolute directory on the runner for the persistent local store')
  const storeMaxSize = v.storeMaxSize ?? '5GiB'
  if (typeof storeMaxSize !== 'string' || parseByteSize(storeMaxSize) === undefined) fail('storeMaxSize', 'must be a size of at least 1MiB, like "5GiB"')

  return {
    version: 1,
    ...(cacheUrl !== undefined && { cacheUrl }),
    ...(tokenFile !== undefined && { tokenFile }),
    autoConfigure: autoConfigure as boolean,
    repositories: { include: list('include'), exclude: list('exclude') },
    cacheWrite: cacheWrite as CacheWriteSetting,
    trustedRefs: refs as string[],
    storePath: storePath as string,
    storeMaxSize: storeMaxSize as string,
  }
}

function optionalAbsolute(v: Record<string, unknown>, key: string, fail: (key: string, expected: string) => never): string | undefined {
  const value = v[key]
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || !path.isAbsolute(value)) fail(key, 'must be an absolute path')
  return path.normalize(value as string)
}

/** Whether the kit configures jobs of `repository` (`owner/name`, from GITHUB_REPOSITORY). Exclude wins. */
export function repositoryIncluded(config: KitConfig, repository: string): boolean {
  const matches = (pattern: string): boolean => globToRegExp(pattern).test(repository)
  if (config.repositories.exclude.some(matches)) return false
  return config.repositories.include.length === 0 || config.repositories.include.some(matches)
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
    .join('[^/]*')
  // GitHub owner and repository names are case-insensitive.
  return new RegExp(`^${body}$`, 'i')
}

export type KitConfigLookup = { found: false } | { found: true; file: string; config: KitConfig } | { found: true; file: string; problem: string }

/** The kit config named by GO_CACHE_SETUP_KIT_CONFIG; a broken one is a problem to report, never a throw. */
export async function readKitConfig(env: Readonly<Record<string, string | undefined>>): Promise<KitConfigLookup> {
  const file = env[KIT_CONFIG_ENV]
  if (!file) return { found: false }
  try {
    return { found: true, file, config: parseKitConfig(await readFile(file, 'utf8'), file) }
  } catch (error) {
    const problem = error instanceof KitConfigError ? error.message : `cannot read ${file}: ${(error as Error).message}`
    return { found: true, file, problem }
  }
}
