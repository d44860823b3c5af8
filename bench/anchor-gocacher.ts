/**
 * The Go-written GOCACHEPROG anchor of the benchmarks: `go-cacher` from
 * bradfitz/go-tool-cache, in local-disk mode (`--cache-dir`, no server; its
 * cmd/go-cacher/cacher.go). It answers go from files in one directory, with no
 * daemon and nothing else in the request path: a fair floor for what any
 * GOCACHEPROG client costs on top of go's native GOCACHE.
 *
 * Installed through the Go module proxy at a pinned pseudo-version (`@latest`
 * can be refused by the proxy here), into the caller's directory.
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { joinGoCommandLine } from '../src/gocacheprog/command-line.ts'

const execFileP = promisify(execFile)

export const GO_CACHER_MODULE = 'github.com/bradfitz/go-tool-cache'
/** `go list -m github.com/bradfitz/go-tool-cache@latest` on 2026-12-06 (commit 0bb331e19f64, 2026-07-22). */
export const GO_CACHER_VERSION = 'v0.0.0-20260722201841-0bb331e19f64'

/** `go install`s go-cacher into DIR/bin and returns the binary's path. */
export async function installGoCacher(dir: string, env: Record<string, string | undefined> = process.env): Promise<string> {
  const bin = path.join(dir, 'bin')
  await execFileP('go', ['install', `${GO_CACHER_MODULE}/cmd/go-cacher@${GO_CACHER_VERSION}`], {
    env: {
      ...env,
      GOBIN: bin,
      GOFLAGS: '-mod=mod',
      GOPROXY: env.GOPROXY && env.GOPROXY !== 'off' ? env.GOPROXY : 'https://proxy.golang.org,direct',
      GOTOOLCHAIN: 'local',
    },
  })
  return path.join(bin, 'go-cacher')
}

/** The GOCACHEPROG value for go-cacher on a local directory, as a user would write it. */
export function goCacherCommand(bin: string, cacheDir: string): string {
  return joinGoCommandLine([bin, '--cache-dir', cacheDir])
}
