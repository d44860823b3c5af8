/**
 * Pruning the download cache to what the job's build list needs, before it is
 * saved. Without it a fallback restore carries every old module version
 * forward and the entry grows release after release.
 *
 * What is kept (https://go.dev/ref/mod#module-cache):
 * - every `.mod` and `.info` file. Go reads the go.mod of every module version
 *   in the module graph, not only of the selected ones (`go list -m all`
 *   prints only those), and with graph pruning which go.mod files a command
 *   reads depends on the command. They are small, so all are kept. The `list`
 *   files stay consistent: Go writes them as "every version with a .mod file"
 *   (cmd/go/internal/modfetch/cache.go, rewriteVersionList).
 * - the `.zip`/`.ziphash` of every version in the build list of a module root
 *   (`go list -m all`, which also covers the modules a package import must be
 *   checked against for ambiguity, test dependencies of the main modules, and
 *   the dependencies of other GOOS/GOARCH and build tags, which a build on
 *   this runner never loads).
 * - the `.zip`/`.ziphash` of every version Go extracted into GOMODCACHE in this
 *   job: a `go install tool@v` or `go run tool@v` outside the build list used it.
 *   On a hosted runner the extracted trees are exactly what this job used, since
 *   only the download cache is archived.
 * What goes: the zips of every other version (with their lock and partial
 * files), and `sumdb` (checksum tiles: Go fetches what it lacks, and with a
 * complete go.sum it asks nothing).
 */
import { execFile } from 'node:child_process'
import { access, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { errorMessage } from '../common/errors.ts'
import type { Logger } from '../common/logger.ts'
import { openDirIfAny } from './module-set.ts'

export interface ModuleVersion {
  /** Module path as Go prints it (not escaped). */
  path: string
  version: string
}

export interface CachedFile {
  /** Relative to the download cache, `/`-separated. */
  path: string
  size: number
}

export interface PruneInput {
  /** Every file under $GOMODCACHE/cache/download. */
  files: readonly CachedFile[]
  /** The build list of every module root, unescaped. */
  buildList: readonly ModuleVersion[]
  /** Extracted module trees in GOMODCACHE, as their escaped `path@version` directory names. */
  extracted: readonly string[]
}

export interface PrunePlan {
  /** Files to delete, relative to the download cache, sorted. */
  remove: string[]
  /** Whole directories to delete (sumdb), relative to the download cache. */
  removeDirs: string[]
  /** `escapedPath@escapedVersion` whose zip goes, sorted. */
  prunedVersions: string[]
  /** Bytes the removed files (not counting removeDirs) take. */
  bytes: number
}

/** Files of one version that only a build of that version needs. */
const ZIP_FILE = /^(.+)\.(zip|ziphash|partial|lock)$/

/**
 * Pure: which files of the download cache to delete. Only files inside a
 * `<module>/@v/` directory whose name is `<version>.zip|ziphash|partial|lock`
 * are candidates; anything it does not recognise is kept.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const keep = new Set<string>(input.extracted)
  for (const m of input.buildList) keep.add(`${escapeModulePath(m.path)}@${escapeModulePath(m.version)}`)
  const remove: string[] = []
  const pruned = new Set<string>()
  const removeDirs = new Set<string>()
  let bytes = 0
  for (const file of input.files) {
    if (file.path.startsWith('sumdb/')) {
      removeDirs.add('sumdb')
      continue
    }
    const at = file.path.lastIndexOf('/@v/')
    if (at <= 0) continue
    const name = file.path.slice(at + 4)
    const match = ZIP_FILE.exec(name)
    if (match === null || name.includes('/')) continue
    const version = `${file.path.slice(0, at)}@${match[1]}`
    if (keep.has(version)) continue
    remove.push(file.path)
    bytes += file.size
    // A lone lock file marks no download; it does not make a version "pruned".
    if (match[2] !== 'lock') pruned.add(version)
  }
  return { remove: remove.sort(), removeDirs: [...removeDirs].sort(), prunedVersions: [...pruned].sort(), bytes }
}

/**
 * Go's module path (and version) escaping for file names: each upper-case
 * letter becomes `!` and its lower case (golang.org/x/mod/module EscapePath).
 */
export function escapeModulePath(p: string): string {
  return p.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`)
}

/**
 * Parses `go list -m -f <BUILD_LIST_FORMAT> all`: one `path@version` per line,
 * and after a space the replacement when it is a module (a directory
 * replacement has no version and needs nothing from the cache). Main modules
 * have no version.
 */
export function parseBuildList(stdout: string): ModuleVersion[] {
  const out: ModuleVersion[] = []
  for (const line of stdout.split('\n')) {
    for (const field of line.trim().split(/\s+/)) {
      const at = field.lastIndexOf('@')
      if (at <= 0 || at === field.length - 1) continue
      out.push({ path: field.slice(0, at), version: field.slice(at + 1) })
    }
  }
  return out
}

export const BUILD_LIST_FORMAT = '{{.Path}}@{{.Version}}{{with .Replace}} {{.Path}}@{{.Version}}{{end}}'

/** Runs go; injected so that a test can make it fail. */
export type GoLister = (args: string[], options: { cwd: string; env: Record<string, string | undefined> }) => Promise<string>

/**
 * A listing that fetches go.mod files goes where the job's GOPROXY says, which
 * for GOPROXY=direct means a VCS fetch per module; the post step does not wait
 * on that for long: past this, the listing fails and nothing is pruned.
 */
export const LIST_TIMEOUT_MS = 30_000

export const execGo: GoLister = (args, options) =>
  new Promise((resolve, reject) => {
    execFile('go', args, { cwd: options.cwd, env: options.env, maxBuffer: 64 << 20, timeout: LIST_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error) reject(new Error(`go ${args.join(' ')} in ${options.cwd}: ${stderr.trim() || error.message}`))
      else resolve(stdout)
    })
  })

export interface PruneParams {
  log: Logger
  /** GOMODCACHE of the job (from main's `go env`). */
  modCache: string
  workspace: string
  /** Workspace-relative go.sum / go.work.sum files the key was made from: their directories are the module roots. */
  dependencyFiles: readonly string[]
  /** The environment go runs in (the step's, so GOFLAGS, GOWORK, GOTOOLCHAIN are the job's). */
  env: Readonly<Record<string, string | undefined>>
  go?: GoLister
}

export interface PruneReport {
  pruned: boolean
  /** Why nothing was pruned. */
  reason?: string
  roots: string[]
  versions: number
  files: number
  bytes: number
  /** Roots whose listing needed go.mod files the job had not fetched. */
  fetched: number
}

/**
 * Prunes the download cache in place. Never throws for a build list it
 * cannot read: it logs why and leaves the cache as it is.
 */
export async function pruneModCache(p: PruneParams): Promise<PruneReport> {
  const go = p.go ?? execGo
  const roots = await moduleRoots(p.workspace, p.dependencyFiles)
  const skip = (reason: string): PruneReport => {
    p.log.info(`Module cache not pruned: ${reason}`)
    return { pruned: false, reason, roots, versions: 0, files: 0, bytes: 0, fetched: 0 }
  }
  if (roots.length === 0) return skip('no go.mod or go.work next to the dependency files')
  // -mod=readonly: go never edits go.mod here, and lists the graph even with a
  // vendor directory. A -mod in GOFLAGS is dropped: workspace mode rejects
  // -mod=mod (https://go.dev/ref/mod#workspaces), and the flag is ours to set.
  const env = { ...p.env, GOMODCACHE: p.modCache, GOFLAGS: withoutModFlag(p.env.GOFLAGS ?? '') }
  const args = ['list', '-mod=readonly', '-m', '-f', BUILD_LIST_FORMAT, 'all']
  const buildList: ModuleVersion[] = []
  let fetched = 0
  for (const root of roots) {
    const cwd = path.join(p.workspace, path.dirname(root))
    let stdout: string
    try {
      // First from the cache alone.
      stdout = await go(args, { cwd, env: { ...env, GOPROXY: 'off' } })
    } catch {
      // `go list -m all` loads the whole (pruned) module graph, while a build
      // loads requirements lazily (https://go.dev/ref/mod#lazy-loading), so
      // the job may not have fetched every go.mod the listing reads. Go then
      // fetches those go.mod files, not zips, checked against go.sum.
      try {
        stdout = await go(args, { cwd, env })
        fetched++
      } catch (error) {
        return skip(`could not read the build list (${errorMessage(error).split('\n')[0]})`)
      }
    }
    buildList.push(...parseBuildList(stdout))
  }
  const downloadDir = path.join(p.modCache, 'cache', 'download')
  const plan = planPrune({ files: await listFiles(downloadDir), buildList, extracted: await extractedModules(p.modCache) })
  for (const dir of plan.removeDirs) await rm(path.join(downloadDir, dir), { recursive: true, force: true })
  for (const file of plan.remove) await rm(path.join(downloadDir, file), { force: true })
  p.log.info(
    `Module cache pruned to the build list of ${roots.join(', ')}${fetched > 0 ? ` (go fetched go.mod files for ${fetched} of them)` : ''}: removed ${plan.prunedVersions.length} module version(s), ${plan.remove.length} files, ${plan.bytes} bytes` +
      (plan.removeDirs.length > 0 ? `, and ${plan.removeDirs.join(', ')}` : ''),
  )
  return { pruned: true, roots, versions: plan.prunedVersions.length, files: plan.remove.length, bytes: plan.bytes, fetched }
}

/**
 * The go.mod / go.work files next to the dependency files, workspace-relative.
 * One go.work stands for all its modules; its modules are listed too (cheap,
 * and right when a module is also built on its own with GOWORK=off).
 */
export async function moduleRoots(workspace: string, dependencyFiles: readonly string[]): Promise<string[]> {
  const roots = new Set<string>()
  for (const dir of new Set(dependencyFiles.map((f) => path.posix.dirname(f)))) {
    for (const name of ['go.work', 'go.mod']) {
      const rel = dir === '.' ? name : `${dir}/${name}`
      if (await exists(path.join(workspace, rel))) roots.add(rel)
    }
  }
  return [...roots].sort()
}

export function withoutModFlag(goflags: string): string {
  return goflags
    .split(/\s+/)
    .filter((f) => f !== '' && !/^--?mod=/.test(f))
    .join(' ')
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

async function listFiles(root: string): Promise<CachedFile[]> {
  const out: CachedFile[] = []
  const walk = async (dir: string): Promise<void> => {
    const handle = await openDirIfAny(dir)
    if (handle === undefined) return
    for await (const entry of handle) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile()) out.push({ path: path.relative(root, full).split(path.sep).join('/'), size: (await stat(full)).size })
    }
  }
  await walk(root)
  return out
}

/** Directory names `escapedPath@version` under GOMODCACHE (not cache/): Go's extracted module trees. */
export async function extractedModules(modCache: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string, rel: string): Promise<void> => {
    const handle = await openDirIfAny(dir)
    if (handle === undefined) return
    for await (const entry of handle) {
      if (!entry.isDirectory()) continue
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (name === 'cache') continue
      if (entry.name.includes('@')) out.push(name)
      else await walk(path.join(dir, entry.name), name)
    }
  }
  await walk(modCache, '')
  return out.sort()
}
