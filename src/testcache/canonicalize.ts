/**
 * Main step: give the workspace's tracked, unmodified files and their
 * directories canonical mtimes (mtimes.ts says why and how), before go runs.
 * Anything that goes wrong leaves the mtimes as they were: test results then
 * miss as they would without this, and nothing else changes.
 */
import { lutimesSync, utimesSync } from 'node:fs'
import path from 'node:path'
import type { CommandRunner } from '../go/go-env.ts'
import { parseLsFiles, parsePathList, planMtimes } from './mtimes.ts'

export interface MtimeReport {
  status: 'done' | 'off' | 'not-git'
  /** Files (and symlinks) and directories given canonical mtimes. */
  files: number
  dirs: number
  /** Tracked paths left with their real mtimes: changed by an earlier step, or submodules. */
  skipped: number
  /** Paths whose mtime could not be set (permissions, say): they keep their real ones. */
  failed: number
  ms: number
  /** Why it is off or could not run. */
  reason?: string
}

/**
 * A file that says it is generated: Go's convention (https://go.dev/s/generatedcode),
 * which protoc-gen-go, stringer, mockgen, sqlc and buf write in every language's
 * comment syntax, or `@generated` (Phabricator's marker, used by many generators).
 */
const GENERATED = 'Code generated .* DO NOT EDIT|@generated'

export async function canonicalizeMtimes(dir: string, run: CommandRunner, now: () => number): Promise<MtimeReport> {
  const started = now()
  const done = (status: MtimeReport['status'], rest: Partial<MtimeReport> = {}): MtimeReport => ({
    status,
    files: 0,
    dirs: 0,
    skipped: 0,
    failed: 0,
    ...rest,
    ms: Math.round(now() - started),
  })
  const git = (args: string[], cwd: string) => run('git', args, { cwd })
  const top = await git(['rev-parse', '--show-toplevel'], dir).catch((error: unknown) => ({ exitCode: -1, stdout: '', stderr: String(error) }))
  if (top.exitCode !== 0) {
    // -1: git itself could not be run; otherwise git says the directory is not in a work tree.
    return done('not-git', { reason: top.exitCode === -1 ? `git could not be run: ${top.stderr}` : `${dir} is not in a git work tree` })
  }
  const root = top.stdout.trim()
  const [listed, changed, grep] = await Promise.all([
    git(['ls-files', '-s', '-z'], root),
    // Compares the index's stat data and content with the work tree: a file an
    // earlier step changed, or only touched, is listed, and keeps its mtime.
    git(['diff-files', '--name-only', '-z'], root),
    git(['grep', '-l', '-z', '-I', '-E', GENERATED], root),
  ])
  if (listed.exitCode !== 0 || changed.exitCode !== 0 || grep.exitCode > 1) {
    const failed = listed.exitCode !== 0 ? listed : changed.exitCode !== 0 ? changed : grep
    return done('not-git', { reason: `git failed: ${failed.stderr.trim().split('\n')[0]}` })
  }
  const plan = planMtimes(parseLsFiles(listed.stdout), parsePathList(changed.stdout), parsePathList(grep.stdout))
  let files = 0
  let failed = 0
  let skipped = plan.skipped
  for (const file of plan.files) {
    try {
      // atime too: nothing reads it, and one value is simpler to reason about.
      if (file.symlink) lutimesSync(path.join(root, file.path), file.seconds, file.seconds)
      else utimesSync(path.join(root, file.path), file.seconds, file.seconds)
      files++
    } catch (error) {
      // Not in the work tree (a sparse checkout's skip-worktree entries): nothing to set.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') skipped++
      else failed++
    }
  }
  let dirs = 0
  for (const d of plan.dirs) {
    try {
      utimesSync(path.join(root, d.path), d.seconds, d.seconds)
      dirs++
    } catch {
      failed++
    }
  }
  return done('done', { files, dirs, skipped, failed })
}
