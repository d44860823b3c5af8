/**
 * The one place inputs are read and validated. Everything downstream takes the
 * typed `Inputs`; nothing else calls getInput.
 */
import path from 'node:path'
import { splitGoCommandLine } from '../gocacheprog/command-line.ts'
import { DEFAULT_DEPENDENCY_PATTERNS } from '../modcache/dependency-files.ts'
import { CACHE_WRITE_SETTINGS, type CacheWriteSetting } from '../policy/write-policy.ts'
import type { SaveThreshold } from '../bundle/restore.ts'
import { Input } from './constants.ts'
import { ConfigError } from './errors.ts'

export interface Inputs {
  /** Restore GOMODCACHE in main and save it in post. */
  moduleCache: boolean
  /** Globs relative to the workspace; `!` excludes. Defaults to every go.sum and go.work.sum. */
  dependencyPatterns: string[]
  /** Whether this job may write to shared caches; `auto` refuses on untrusted events. */
  cacheWrite: CacheWriteSetting
  /** Partitions the module cache; empty for none. */
  keySuffix: string
  /** Absolute; where `go env` runs, so go.mod's toolchain line is honoured. */
  workingDirectory: string
  /** Serve Go's build cache (GOCACHEPROG, or GOCACHE as a directory before Go 1.24). */
  buildCache: boolean
  /** Another GOCACHEPROG client to export instead of ours; empty for ours. */
  goCacheProg: string
  /** Absolute; empty for the default under RUNNER_TEMP. */
  storePath: string
  /** The local store is trimmed to this many bytes at the end of the job. */
  storeMaxBytes: number
  /** Object bytes a saved build-cache bundle may hold. */
  bundleMaxBytes: number
  /** How much of a job's bundle must be new before it is saved. */
  bundleSaveThreshold: SaveThreshold
  /** The matrix cell as JSON; part of the bundle key. */
  matrix: string
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
      throw new ConfigError(
        `${Input.CacheDependencyPath}: "${pattern}" must be a glob relative to the workspace, without "..", for example "**/go.sum".`,
      )
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

  return {
    moduleCache: readBoolean(getInput, Input.ModuleCache, true),
    dependencyPatterns: patterns.length > 0 ? patterns : [...DEFAULT_DEPENDENCY_PATTERNS],
    cacheWrite: readChoice(getInput, Input.CacheWrite, CACHE_WRITE_SETTINGS, 'auto'),
    keySuffix,
    workingDirectory,
    buildCache: readBoolean(getInput, Input.BuildCache, true),
    goCacheProg,
    storePath: getInput(Input.StorePath).trim() === '' ? '' : path.resolve(workspace, getInput(Input.StorePath).trim()),
    storeMaxBytes: readSize(getInput, Input.StoreMaxSize, DEFAULT_STORE_MAX_BYTES),
    bundleMaxBytes: readSize(getInput, Input.BundleMaxSize, DEFAULT_BUNDLE_MAX_BYTES),
    bundleSaveThreshold: readThreshold(getInput, Input.BundleSaveThreshold, DEFAULT_BUNDLE_SAVE_THRESHOLD),
    matrix: getInput(Input.Matrix).trim(),
  }
}

export const DEFAULT_BUNDLE_MAX_BYTES = 2 * 1024 ** 3
/** Measured on edit sequences: docs/decisions.md D14. */
export const DEFAULT_BUNDLE_SAVE_THRESHOLD: SaveThreshold = { kind: 'percent', value: 5 }

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
const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }

/** `5GiB`, `512MiB`, `10G`, `1073741824`: binary multiples; at least 1 MiB. */
function readSize(getInput: GetInput, name: string, fallback: number): number {
  const value = getInput(name).trim()
  if (value === '') return fallback
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(value)
  const bytes = m ? Math.floor(Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!) : NaN
  if (!Number.isSafeInteger(bytes) || bytes < 1024 ** 2) {
    throw new ConfigError(`${name}: "${value}" is not a size of at least 1MiB; write it like 5GiB or 512MiB.`)
  }
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
