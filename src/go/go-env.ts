/**
 * Facts about the Go toolchain the job will use, read from `go env -json`.
 *
 * `go env` is run in the workspace so that a `toolchain` line in go.mod
 * (GOTOOLCHAIN=auto) is honoured: the version we key on is the version that
 * will actually build. https://go.dev/doc/toolchain#select
 */

/** The variables we ask `go env -json` for. */
export const GO_ENV_VARS = [
  'GOVERSION',
  'GOHOSTOS',
  'GOHOSTARCH',
  'GOMODCACHE',
  'GOCACHE',
  'GOFLAGS',
  'GOPROXY',
  'GOPRIVATE',
  'GONOPROXY',
  'GONOSUMDB',
  'GOSUMDB',
  'GOTOOLCHAIN',
] as const

export type GoEnvVar = (typeof GO_ENV_VARS)[number]

/**
 * The toolchain every cache key is partitioned by: the host, not GOOS/GOARCH
 * (a job that cross-compiles still fills the host's caches), and the version.
 */
export interface Toolchain {
  hostOS: string
  hostArch: string
  /** `go1.26.8`, as `go env GOVERSION` prints it. */
  goVersion: string
}

export interface GoEnv extends Toolchain {
  modCache: string
  buildCache: string
  /** The settings that decide where modules come from and how they are verified. */
  fetch: ModuleFetchSettings
  toolchain: string
}

export interface ModuleFetchSettings {
  GOPROXY: string
  GOPRIVATE: string
  GONOPROXY: string
  GONOSUMDB: string
  GOSUMDB: string
  GOFLAGS: string
}

/** Parses the output of `go env -json <GO_ENV_VARS>`. Throws on anything that is not what go prints. */
export function parseGoEnv(json: string): GoEnv {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch {
    throw new Error(`could not parse \`go env -json\` output: ${truncate(json)}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`\`go env -json\` did not print an object: ${truncate(json)}`)
  }
  const record = raw as Record<string, unknown>
  const get = (name: GoEnvVar): string => {
    const value = record[name]
    if (value === undefined) return ''
    if (typeof value !== 'string') throw new Error(`\`go env -json\` gave a non-string ${name}`)
    return value
  }
  const version = get('GOVERSION')
  if (!version) throw new Error('`go env` reported no GOVERSION; is this Go 1.16 or newer?')
  const modCache = get('GOMODCACHE')
  if (!modCache) throw new Error('`go env` reported no GOMODCACHE')
  return {
    goVersion: version,
    hostOS: get('GOHOSTOS'),
    hostArch: get('GOHOSTARCH'),
    modCache,
    buildCache: get('GOCACHE'),
    toolchain: get('GOTOOLCHAIN'),
    fetch: {
      GOPROXY: get('GOPROXY'),
      GOPRIVATE: get('GOPRIVATE'),
      GONOPROXY: get('GONOPROXY'),
      GONOSUMDB: get('GONOSUMDB'),
      GOSUMDB: get('GOSUMDB'),
      GOFLAGS: get('GOFLAGS'),
    },
  }
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine
}

/** Runs a command and returns its exit code and output; injected so orchestration tests need no real go. */
export type CommandRunner = (command: string, args: string[], options: { cwd: string }) => Promise<{ exitCode: number; stdout: string; stderr: string }>

/** Thrown when the job has no usable Go: a misconfiguration the user must fix. */
export class GoNotFoundError extends Error {
  override name = 'GoNotFoundError'
}

/** Reads the Go environment by running `go env -json` in `cwd`. */
export async function readGoEnv(run: CommandRunner, cwd: string): Promise<GoEnv> {
  let result: Awaited<ReturnType<CommandRunner>>
  try {
    result = await run('go', ['env', '-json', ...GO_ENV_VARS], { cwd })
  } catch (error) {
    if (isNotFound(error)) {
      throw new GoNotFoundError(
        'No `go` on PATH. Add a Go toolchain before this step, for example:\n' +
          '  - uses: actions/setup-go@v6\n' +
          '    with: { go-version-file: go.mod, cache: false }\n' +
          '  - uses: org/go-cache-setup@v1',
      )
    }
    throw error
  }
  if (result.exitCode !== 0) {
    throw new GoNotFoundError(
      `\`go env\` failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}\n` +
        'Fix the Go environment (GOFLAGS, GOTOOLCHAIN, go.mod) so that `go env` runs in the workspace.',
    )
  }
  return parseGoEnv(result.stdout)
}

function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const { code, message } = error as { code?: unknown; message?: unknown }
  // @actions/exec throws "Unable to locate executable file: go" before spawning.
  return code === 'ENOENT' || (typeof message === 'string' && /Unable to locate executable file/.test(message))
}
