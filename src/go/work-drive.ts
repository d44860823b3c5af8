/**
 * Windows runners: where go's caches should live. Go puts GOCACHE under
 * %LocalAppData% (os.UserCacheDir) and GOMODCACHE under %USERPROFILE%\go
 * (GOPATH's default), both on the profile's drive; a hosted runner's work
 * drive (RUNNER_TEMP, the workspace) is another, and much faster: a 1.7 GB
 * module cache took 13-15 min to restore on C: against about 1 min on D:
 * (https://github.com/actions/setup-go/pull/515). Pure: the step that reads
 * the environment and exports the result is in action/run-main.ts.
 */
import path from 'node:path'
import type { Env } from '../common/run.ts'

export interface GoDirsPlan {
  /** Variables to set for go in this step and every later one; empty when nothing moves. */
  set: Partial<Record<'GOCACHE' | 'GOMODCACHE', string>>
  /** For the log: what moved where, or why nothing did. */
  reason: string
}

/** The drive a Windows path is on (`D:`), upper case; '' when it names none (a UNC path, a relative one). */
export function driveOf(windowsPath: string): string {
  const m = /^([a-zA-Z]):/.exec(windowsPath)
  return m ? `${m[1]!.toUpperCase()}:` : ''
}

/**
 * The names a `go env -w` file sets (GOENV, or %AppData%\go\env): one
 * NAME=VALUE per line (cmd/go/internal/cfg). Those count as the user's choice too.
 */
export function goEnvFileNames(text: string): Set<string> {
  const names = new Set<string>()
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*\S/.exec(line)
    if (m) names.add(m[1]!)
  }
  return names
}

/**
 * The go env file's path per cmd/go (cfg.EnvFile): GOENV when set ('off':
 * none), else os.UserConfigDir()/go/env, which is %AppData% on Windows.
 */
export function goEnvFilePath(env: Env): string | undefined {
  if (env.GOENV !== undefined && env.GOENV !== '') return env.GOENV === 'off' ? undefined : env.GOENV
  return env.APPDATA ? path.win32.join(env.APPDATA, 'go', 'env') : undefined
}

/**
 * On Windows, GOCACHE and GOMODCACHE move to the work drive when the profile
 * is on another one and the user has not set them (in the environment or
 * with `go env -w`; GOPATH set counts for GOMODCACHE). They go beside the
 * runner's temp directory (its work folder: `D:\a\_go\…`), short, so that
 * deep module paths stay far from MAX_PATH. Elsewhere nothing moves: one disk.
 */
export function planGoDirs(platform: string, env: Env, goEnvFile: ReadonlySet<string>): GoDirsPlan {
  if (platform !== 'win32') return { set: {}, reason: 'not Windows' }
  const runnerTemp = env.RUNNER_TEMP ?? ''
  const work = driveOf(runnerTemp)
  if (work === '') return { set: {}, reason: 'RUNNER_TEMP names no drive' }
  const base = path.win32.join(path.win32.dirname(runnerTemp), '_go')
  const userSet = (name: string) => Boolean(env[name]) || goEnvFile.has(name)
  const set: GoDirsPlan['set'] = {}
  const notes: string[] = []
  const consider = (name: 'GOCACHE' | 'GOMODCACHE', profileDir: string | undefined, chosen: string[], target: string) => {
    if (chosen.some(userSet)) return notes.push(`${name} is yours`)
    const profile = driveOf(profileDir ?? '')
    if (profile === '' || profile === work) return notes.push(`${name} is on the work drive already`)
    set[name] = target
    notes.push(`${name} moves from ${profile} to ${target}`)
  }
  consider('GOCACHE', env.LOCALAPPDATA, ['GOCACHE'], path.win32.join(base, 'build'))
  consider('GOMODCACHE', env.USERPROFILE, ['GOMODCACHE', 'GOPATH'], path.win32.join(base, 'mod'))
  return { set, reason: notes.join('; ') }
}
