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
import { mkdir, writeFile } from 'node:fs/promises'
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

/**
 * go-cacher cross-built for another system (go install will not put a
 * cross-built binary in GOBIN): a throwaway module requires the pinned
 * version, and `go build -o` builds it into DIR/bin.
 */
export async function buildGoCacher(dir: string, goos: string, goarch: string, env: Record<string, string | undefined> = process.env): Promise<string> {
  const mod = path.join(dir, 'go-cacher-build')
  await mkdir(mod, { recursive: true })
  const goEnv = {
    ...env,
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
    GOPROXY: env.GOPROXY && env.GOPROXY !== 'off' ? env.GOPROXY : 'https://proxy.golang.org,direct',
  }
  await writeFile(path.join(mod, 'go.mod'), 'module example.com/go-cacher-build\n\ngo 1.24\n')
  await execFileP('go', ['get', `${GO_CACHER_MODULE}@${GO_CACHER_VERSION}`], { cwd: mod, env: goEnv })
  const out = path.join(dir, 'bin', `go-cacher-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}`)
  await execFileP('go', ['build', '-o', out, `${GO_CACHER_MODULE}/cmd/go-cacher`], {
    cwd: mod,
    env: { ...goEnv, GOOS: goos, GOARCH: goarch, CGO_ENABLED: '0' },
  })
  return out
}

/** The GOCACHEPROG value for go-cacher on a local directory, as a user would write it. */
export function goCacherCommand(bin: string, cacheDir: string): string {
  return joinGoCommandLine([bin, '--cache-dir', cacheDir])
}
