/**
 * Build-cache bundle keys: pure, versioned, always valid for @actions/cache
 * (at most 512 characters, no commas; toolkit packages/cache/src/cache.ts).
 *
 * primary:  go-cache-setup-build-v3-linux-amd64-go1.26.8-<branch>-<job>-m<matrix>-<run>-<attempt>
 * restore:  …-<branch>-<job>-m<matrix>-     this job and matrix cell on this branch
 *           …-<default>-<job>-m<matrix>-    the same cell on the default branch
 *           …-<branch>-                     any job on this branch
 *           …-<default>-                    any job on the default branch
 *
 * Every run saves under its own key (cache entries are immutable, and
 * `…-<run>-<attempt>` plus the job and matrix cell make parallel jobs never
 * collide: no 409, setup-go#558/#672). Restore keys are prefixes, so the
 * newest bundle of the closest kind wins. Job and matrix come before the run
 * so the closest kind is this very job: a lint job's bundle is a poor start
 * for a test job. The branch is in the key although GitHub already scopes
 * entries by branch: cache services without branch scopes (Depot: "no branch
 * isolation") then still prefer this branch, then the default one.
 */
import { createHash } from 'node:crypto'
import { keyPart } from '../actions-cache/key-part.ts'
import type { RunFacts } from '../common/run.ts'
import type { Toolchain } from '../go/go-env.ts'

/** Bump to invalidate every bundle at once (a format change, say). */
export const BUNDLE_KEY_VERSION = 'v3'
export const BUNDLE_KEY_PREFIX = `go-cache-setup-build-${BUNDLE_KEY_VERSION}`

const MAX_KEY_LENGTH = 512
/** Branch and job names longer than this are cut and given a hash, so keys stay far below 512. */
const MAX_PART_LENGTH = 64

export interface BundleKeyParts extends Toolchain, Pick<RunFacts, 'branch' | 'defaultBranch' | 'job' | 'runId' | 'runAttempt'> {
  /** The matrix cell as JSON (the `matrix` input, default `${{ toJSON(matrix) }}`). */
  matrix: string
}

export interface BundleKeys {
  primary: string
  restore: string[]
  /** What every bundle key of this OS, arch and Go version starts with (followed by `-`). */
  stem: string
}

export function bundleKeys(p: BundleKeyParts): BundleKeys {
  const stem = [BUNDLE_KEY_PREFIX, keyPart(p.hostOS), keyPart(p.hostArch), keyPart(p.goVersion)].join('-')
  const cell = `${shortPart(p.job)}-m${matrixHash(p.matrix)}`
  const branch = shortPart(p.branch)
  const primary = `${stem}-${branch}-${cell}-${keyPart(p.runId)}-${keyPart(p.runAttempt)}`
  if (primary.length > MAX_KEY_LENGTH) throw new Error(`the bundle key would be ${primary.length} characters, over ${MAX_KEY_LENGTH}`)
  const branches = p.defaultBranch.trim() === '' ? [branch] : [branch, shortPart(p.defaultBranch)]
  const restore = [...branches.map((b) => `${stem}-${b}-${cell}-`), ...branches.map((b) => `${stem}-${b}-`)]
  return { primary, restore: [...new Set(restore)], stem }
}

/**
 * Whether a base key named inside a restored bundle (remote bytes) may be
 * restored: a bundle key of this very toolchain, in key characters only.
 */
export function isBaseKey(key: string, keys: BundleKeys): boolean {
  return key.length <= MAX_KEY_LENGTH && key.startsWith(`${keys.stem}-`) && /^[A-Za-z0-9._+-]+$/.test(key)
}

/** 8 hex of sha256 over the matrix JSON with surrounding space removed; `null` and empty (no matrix) hash alike. */
export function matrixHash(matrix: string): string {
  const text = matrix.trim()
  const canonical = text === '' || text === 'null' ? '' : text
  return createHash('sha256').update(canonical).digest('hex').slice(0, 8)
}

function shortPart(value: string): string {
  const part = keyPart(value)
  if (part.length <= MAX_PART_LENGTH) return part
  return `${part.slice(0, MAX_PART_LENGTH - 9)}_${createHash('sha256').update(value).digest('hex').slice(0, 8)}`
}
