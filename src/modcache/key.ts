/**
 * Module cache keys: pure, versioned, and always valid for @actions/cache
 * (at most 512 characters, no commas; toolkit packages/cache/src/cache.ts).
 *
 * primary:  go-cache-setup-modcache-v1-linux-amd64-go1.26.8-s<settings>-<go.sum hash>
 * restore:  go-cache-setup-modcache-v1-linux-amd64-go1.26.8-s<settings>-
 *           (a key-suffix joins the name: go-cache-setup-modcache-v1+<suffix>-...)
 *
 * The restore key stops before the go.sum hash, so a changed go.sum starts
 * from the newest entry of the same platform, Go and fetch settings instead of
 * from nothing (actions/setup-go has no restore keys: setup-go#404).
 */
import { createHash } from 'node:crypto'
import type { ModuleFetchSettings } from '../go/go-env.ts'
import { keyPart } from '../actions-cache/key-part.ts'

/** Bump to invalidate every module cache entry at once. */
export const MODCACHE_KEY_VERSION = 'v1'
export const MODCACHE_KEY_PREFIX = `go-cache-setup-modcache-${MODCACHE_KEY_VERSION}`
/** Stands in for the go.sum hash when the workspace has no go.sum, so such jobs never share an entry with real ones. */
export const NO_DEPENDENCY_FILES = 'nosum'

const MAX_KEY_LENGTH = 512

export interface ModCacheKeyParts {
  hostOS: string
  hostArch: string
  goVersion: string
  /** From settingsHash(). */
  settings: string
  /** From hashing the dependency files, or NO_DEPENDENCY_FILES. */
  dependencies: string
  /** A user-chosen suffix; encoded so it cannot break the key. */
  suffix?: string
}

export interface ModCacheKeys {
  primary: string
  restore: string[]
}

export function modCacheKeys(parts: ModCacheKeyParts): ModCacheKeys {
  // A suffix partitions the cache, so it joins the name itself: no restore
  // key of another partition (or of none) can prefix-match across it. `-` is
  // encoded for the same reason ("a" must not match "a-b").
  const name = parts.suffix ? `${MODCACHE_KEY_PREFIX}+${encodeURIComponent(parts.suffix).replaceAll('-', '%2D')}` : MODCACHE_KEY_PREFIX
  const segments = [name, keyPart(parts.hostOS), keyPart(parts.hostArch), keyPart(parts.goVersion), `s${parts.settings}`]
  const stem = `${segments.join('-')}-`
  const primary = `${stem}${parts.dependencies}`
  if (primary.length > MAX_KEY_LENGTH) {
    throw new Error(`the module cache key would be ${primary.length} characters, over the cache service's ${MAX_KEY_LENGTH}: shorten key-suffix`)
  }
  return { primary, restore: [stem] }
}

/**
 * A short hash of the settings that change what lands in GOMODCACHE or how it
 * is verified, so that, say, a GOPROXY=direct job never restores modules a
 * private proxy served. Empty values are hashed too: unset and set differ.
 */
export function settingsHash(settings: ModuleFetchSettings): string {
  const canonical = (['GOPROXY', 'GOPRIVATE', 'GONOPROXY', 'GONOSUMDB', 'GOSUMDB', 'GOFLAGS'] as const)
    .map((name) => `${name}=${settings[name].trim().replace(/\s+/g, ' ')}`)
    .join('\n')
  return createHash('sha256').update(canonical).digest('hex').slice(0, 12)
}
