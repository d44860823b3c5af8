/**
 * Main step, native mode: has go unpack the restored modules that the
 * workspace's packages and their tests import, while the build cache bundle
 * imports into GOCACHE (the main step waits for that import anyway, and it
 * keeps one core busy). The archive holds zips only (docs/decisions.md#d29), so
 * otherwise the build step unpacks them: listing yq v4.53.6's packages took
 * 0.7–1.4 s from zips against 0.1 s unpacked. go unpacks them itself, checking
 * each zip against go.sum as the build would; with GOPROXY=off, so nothing is
 * fetched here: what the cache lacks is the build's to fetch.
 */
import path from 'node:path'
import { errorMessage } from '../common/errors.ts'
import { execGo, extractedModules, moduleRoots, withoutModFlag, type GoLister } from './prune.ts'

export interface UnpackParams {
  modCache: string
  workspace: string
  /** Workspace-relative dependency files the key was made from: their directories are the module roots. */
  dependencyFiles: readonly string[]
  /** The step's environment (GOFLAGS, GOWORK, GOTOOLCHAIN are the job's). */
  env: Readonly<Record<string, string | undefined>>
  now: () => number
  go?: GoLister
}

export interface UnpackReport {
  roots: number
  /** Module versions unpacked by the listing. */
  unpacked: number
  ms: number
  /** The first listing that failed: the build unpacks what it needs, as without this. */
  error?: string
}

/** `go list -e -deps -test ./...` in every module root. Never throws. */
export async function unpackModules(p: UnpackParams): Promise<UnpackReport> {
  const started = p.now()
  const go = p.go ?? execGo
  let error: string | undefined
  // A go.work and the go.mod beside it are one directory to list.
  const roots = [...new Set((await moduleRoots(p.workspace, p.dependencyFiles).catch(() => [])).map((root) => path.dirname(root)))]
  const before = new Set(await extractedModules(p.modCache).catch(() => []))
  // go's own default for -mod (vendor when there is a vendor directory, else readonly): never -mod=mod, which edits go.mod.
  const env = { ...p.env, GOMODCACHE: p.modCache, GOPROXY: 'off', GOFLAGS: withoutModFlag(p.env.GOFLAGS ?? '') }
  for (const root of roots) {
    try {
      await go(['list', '-e', '-deps', '-test', '-f', '{{.ImportPath}}', './...'], { cwd: path.join(p.workspace, root), env })
    } catch (failure) {
      error ??= errorMessage(failure).split('\n')[0]
    }
  }
  const after = await extractedModules(p.modCache).catch(() => [])
  return { roots: roots.length, unpacked: after.filter((m) => !before.has(m)).length, ms: p.now() - started, ...(error !== undefined && { error }) }
}
