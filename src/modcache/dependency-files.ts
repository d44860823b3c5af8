/**
 * Finds the files that pin the module set (go.sum, go.work.sum) and hashes
 * them into one key part.
 */
import { createHash } from 'node:crypto'
import { glob, readFile } from 'node:fs/promises'
import path from 'node:path'
import { NO_DEPENDENCY_FILES } from './key.ts'

/** By default every go.sum and go.work.sum in the workspace. */
export const DEFAULT_DEPENDENCY_PATTERNS = ['**/go.sum', '**/go.work.sum']

/** Directories never searched: vendored copies and JavaScript trees carry go.sum files that are not this build's. */
const SKIPPED_DIRS = new Set(['vendor', 'node_modules', '.git'])

export interface DependencyFiles {
  /** Workspace-relative, `/`-separated, sorted. */
  files: string[]
  /** sha256 over (path, content hash) pairs, or NO_DEPENDENCY_FILES. */
  hash: string
}

/**
 * Patterns are globs relative to the workspace; a leading `!` excludes.
 * Only files count (a pattern matching a directory adds nothing).
 */
export async function findDependencyFiles(workspace: string, patterns: readonly string[]): Promise<DependencyFiles> {
  const include = patterns.filter((p) => !p.startsWith('!'))
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
  const found = new Set<string>()
  if (include.length > 0) {
    for await (const entry of glob(include, {
      cwd: workspace,
      withFileTypes: true,
      exclude: (dirent) => SKIPPED_DIRS.has(dirent.name),
    })) {
      if (!entry.isFile()) continue
      const relative = keyPath(workspace, path.join(entry.parentPath, entry.name))
      if (relative === undefined) continue
      if (exclude.some((pattern) => path.matchesGlob(relative, pattern))) continue
      found.add(relative)
    }
  }
  const files = [...found].sort()
  return { files, hash: await hashFiles(workspace, files) }
}

/**
 * Pure: `file` as the key names it, relative to the workspace and
 * `/`-separated on every platform, so a Windows job's key reads like a Linux
 * one's; undefined outside the workspace (above it, or on another drive).
 */
export function keyPath(workspace: string, file: string, p: path.PlatformPath = path): string | undefined {
  const relative = p.relative(workspace, file)
  if (relative === '' || relative === '..' || relative.startsWith(`..${p.sep}`) || p.isAbsolute(relative)) return undefined
  return relative.split(p.sep).join('/')
}

/** Paths take part in the hash, so moving a go.sum changes the key as editing it does. */
export async function hashFiles(workspace: string, files: readonly string[]): Promise<string> {
  if (files.length === 0) return NO_DEPENDENCY_FILES
  const outer = createHash('sha256')
  for (const file of files) {
    const content = await readFile(path.join(workspace, file))
    outer.update(`${file}\0${createHash('sha256').update(content).digest('hex')}\n`)
  }
  return outer.digest('hex')
}
