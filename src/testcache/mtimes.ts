/**
 * Canonical mtimes for the workspace, so that Go's test results carry across
 * fresh checkouts. Pure: from git's listing to the mtime of every path.
 *
 * go test caches a result under a key that holds the size, mode and mtime of
 * every file and directory entry the test opened (cmd/go/internal/test
 * hashOpen → hashWriteStat, which prints ModTime() to the nanosecond), and a
 * file younger than 2 s (modTimeCutoff) makes the result uncacheable. A fresh
 * checkout gives every file a new mtime, so each test that reads testdata
 * misses on every run (golang/go#58571).
 *
 * The scheme (docs/decisions.md#d26): a tracked, unmodified file's mtime is a
 * fixed instant plus an offset drawn from its git blob hash, so
 *   - the same content has the same mtime on every runner and checkout depth
 *     (no history is read: actions/checkout fetches one commit by default);
 *   - any change of content changes the mtime (40 bits of the blob hash: a
 *     same-size edit keeps it with odds of 1 in 10^12);
 *   - every canonical mtime is years old, so nothing the job writes looks
 *     older than the sources, and Go's 2 s cutoff never applies;
 *   - a file that says it is generated (Go's `Code generated … DO NOT EDIT`
 *     line, https://go.dev/s/generatedcode, or `@generated`) is placed after
 *     every source, so `make` does not see a committed generated file as older
 *     than what it came from.
 * Directories (go test hashes their entries when a test lists one) get an
 * mtime drawn from what they hold, the same way.
 */
import { createHash } from 'node:crypto'

/** 2001-01-01T00:00:00Z: sources fall in [BASE, BASE + SPAN), generated files in [BASE + SPAN, BASE + 2 SPAN). */
export const BASE_SECONDS = 978_307_200
/** 2^20 s (about 12 days) of whole seconds from the hash, times 10^6 microseconds below them. */
export const SPAN_SECONDS = 1 << 20

/** A file as `git ls-files -s` lists it. */
export interface TrackedFile {
  /** Octal, as git prints it: 100644, 100755, 120000 (symlink), 160000 (submodule). */
  mode: string
  /** The blob's object ID: sha1 or sha256 hex. */
  blob: string
  /** Relative to the repository root, `/`-separated. */
  path: string
}

export interface MtimePlan {
  /** Files and symlinks to set, and what to. */
  files: { path: string; seconds: number; symlink: boolean }[]
  /** Directories to set, deepest first (setting a child's mtime does not touch its parent's, but this keeps it obvious). */
  dirs: { path: string; seconds: number }[]
  /** Tracked paths left alone: changed, or not a file. */
  skipped: number
}

/** Parses `git ls-files -s -z`: `<mode> <blob> <stage>\t<path>\0` per entry. A path in conflict (stage > 0) is left out. */
export function parseLsFiles(output: string): TrackedFile[] {
  const files: TrackedFile[] = []
  for (const record of output.split('\0')) {
    if (record === '') continue
    const tab = record.indexOf('\t')
    const m = /^([0-7]{6}) ([0-9a-f]{40}|[0-9a-f]{64}) ([0-3])$/.exec(record.slice(0, tab))
    if (tab === -1 || m === null) throw new Error(`unexpected git ls-files line: ${JSON.stringify(record.slice(0, 120))}`)
    if (m[3] !== '0') continue
    files.push({ mode: m[1]!, blob: m[2]!, path: record.slice(tab + 1) })
  }
  return files
}

/** The NUL-separated paths git prints with -z (diff-files --name-only, grep -l). */
export function parsePathList(output: string): Set<string> {
  return new Set(output.split('\0').filter((p) => p !== ''))
}

/**
 * The mtime for a hash, in seconds since the epoch with microseconds: whole
 * seconds from 20 bits of the hash and microseconds from the next 20, so Node's
 * utimes (which takes a double) writes the same value on every machine.
 */
export function canonicalSeconds(hash: string, generated: boolean): number {
  const h = createHash('sha256').update(hash).digest()
  const seconds = h.readUInt32BE(0) >>> 12 // 20 bits
  const micros = (h.readUInt32BE(4) >>> 12) % 1_000_000 // 20 bits, below a second
  return BASE_SECONDS + (generated ? SPAN_SECONDS : 0) + seconds + micros / 1_000_000
}

/**
 * Every tracked, unmodified file's mtime, and every directory's that holds
 * only such files (as far as git knows). `modified` are paths git reports as
 * changed in the work tree (diff-files: content or stat); they keep their real
 * mtimes, and so do their directories.
 */
export function planMtimes(files: TrackedFile[], modified: ReadonlySet<string>, generated: ReadonlySet<string>): MtimePlan {
  const plan: MtimePlan = { files: [], dirs: [], skipped: 0 }
  // Each directory's entries, to hash: files by blob and mode, subdirectories by their own hash.
  const children = new Map<string, Map<string, string>>()
  const dirty = new Set<string>()
  const entry = (dir: string): Map<string, string> => {
    const map = children.get(dir) ?? new Map<string, string>()
    children.set(dir, map)
    return map
  }
  for (const file of files) {
    const dir = parentOf(file.path)
    // Every directory above the file is an entry of its own parent.
    entry(dir)
    for (let d = dir; d !== ''; d = parentOf(d)) entry(parentOf(d)).set(`${baseOf(d)}/`, '')
    const regular = file.mode === '100644' || file.mode === '100755'
    const symlink = file.mode === '120000'
    if (modified.has(file.path) || !(regular || symlink)) {
      // Its directory lists it with its real mtime: leave the directory's real one too.
      plan.skipped++
      dirty.add(dir)
      continue
    }
    entry(dir).set(baseOf(file.path), `${file.mode} ${file.blob}`)
    plan.files.push({ path: file.path, seconds: canonicalSeconds(file.blob, regular && generated.has(file.path)), symlink })
  }
  // Deepest first, so a directory's hash can name its subdirectories' hashes.
  const dirs = [...children.keys()].sort((a, b) => depth(b) - depth(a) || (a < b ? -1 : a > b ? 1 : 0))
  const hashes = new Map<string, string>()
  for (const dir of dirs) {
    const h = createHash('sha256').update('dir\n')
    for (const [name, value] of [...children.get(dir)!].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const sub = name.endsWith('/') ? hashes.get(dir === '' ? name.slice(0, -1) : `${dir}/${name.slice(0, -1)}`) : undefined
      h.update(`${name}\0${sub ?? value}\n`)
    }
    const hash = h.digest('hex')
    hashes.set(dir, hash)
    if (!dirty.has(dir)) plan.dirs.push({ path: dir === '' ? '.' : dir, seconds: canonicalSeconds(hash, false) })
  }
  return plan
}

function parentOf(p: string): string {
  const slash = p.lastIndexOf('/')
  return slash === -1 ? '' : p.slice(0, slash)
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1)
}

function depth(p: string): number {
  return p === '' ? 0 : p.split('/').length
}
