/**
 * The one place inputs are read and validated. Everything downstream takes the
 * typed `Inputs`; nothing else calls getInput.
 */
import path from 'node:path'
import { splitGoCommandLine } from '../gocacheprog/command-line.ts'
import { DEFAULT_DEPENDENCY_PATTERNS } from '../modcache/dependency-files.ts'
import { parseByteSize } from '../store/byte-size.ts'
import { CACHE_WRITE_SETTINGS, type CacheWriteSetting } from '../policy/write-policy.ts'
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
  }
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
