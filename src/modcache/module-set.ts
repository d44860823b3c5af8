/**
 * A snapshot of which module files the download cache holds, so that the post
 * step can tell whether the job added anything worth saving.
 *
 * We archive `$GOMODCACHE/cache/download` (see docs/decisions.md): the `.mod`,
 * `.info`, `.zip` and `.ziphash` files Go needs to rebuild every extracted
 * module directory offline. Lock files and the `list` files are noise.
 */
import { createHash } from 'node:crypto'
import type { Dir } from 'node:fs'
import { opendir, stat } from 'node:fs/promises'
import path from 'node:path'

export interface ModuleSet {
  /** Count of module files (.mod, .info, .zip). */
  files: number
  /** Their total size in bytes. */
  bytes: number
  /** sha256 of the sorted relative paths and sizes: equal fingerprints, same module set. */
  fingerprint: string
}

const COUNTED = /\.(mod|info|zip)$/

/** The directory we archive: go's download cache (https://go.dev/ref/mod#module-cache). */
export function downloadCacheDir(modCache: string): string {
  return path.join(modCache, 'cache', 'download')
}

/** The directory opened for a walk, or undefined when it does not exist (a walk of nothing). */
export async function openDirIfAny(dir: string): Promise<Dir | undefined> {
  try {
    return await opendir(dir)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Walks the download cache. A missing directory is an empty set. */
export async function snapshotModuleSet(downloadDir: string): Promise<ModuleSet> {
  const entries: string[] = []
  let bytes = 0
  const walk = async (dir: string): Promise<void> => {
    const handle = await openDirIfAny(dir)
    if (handle === undefined) return
    for await (const entry of handle) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        // sumdb holds checksum-database tiles, not modules; they ride along in
        // the archive but do not make a save worthwhile on their own.
        if (dir === downloadDir && entry.name === 'sumdb') continue
        await walk(full)
      } else if (entry.isFile() && COUNTED.test(entry.name)) {
        const { size } = await stat(full)
        bytes += size
        entries.push(`${path.relative(downloadDir, full)}\0${size}`)
      }
    }
  }
  await walk(downloadDir)
  entries.sort()
  const fingerprint = createHash('sha256').update(entries.join('\n')).digest('hex')
  return { files: entries.length, bytes, fingerprint }
}
