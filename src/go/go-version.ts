/** Which Go releases do what, from GOVERSION. Pure. */

export interface GoRelease {
  major: number
  minor: number
}

/** `go1.23.4`, `go1.24rc1`, `devel go1.27-abc X:foo` → {1, 23}, …; undefined when unrecognisable. */
export function parseGoRelease(version: string): GoRelease | undefined {
  const m = /go(\d+)\.(\d+)/.exec(version)
  if (m === null) return undefined
  return { major: Number(m[1]), minor: Number(m[2]) }
}

/**
 * GOCACHEPROG is on by default from Go 1.24 (golang/go#64876). Go 1.21–1.23
 * ignore it silently unless the toolchain itself was built with
 * GOEXPERIMENT=cacheprog. An unrecognisable version is assumed new (devel).
 */
export function supportsCacheProg(version: string): boolean {
  const release = parseGoRelease(version)
  if (release === undefined) return true
  return release.major > 1 || release.minor >= 24
}
