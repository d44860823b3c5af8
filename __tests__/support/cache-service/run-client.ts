// Runs cache-client.ts (the real @actions/cache) in a child Node process and parses
// its stdout: workflow commands (::warning:: etc.) and the final result line.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const RESULT_MARKER = 'CACHE_CLIENT_RESULT '
const CLIENT = fileURLToPath(new URL('./cache-client.ts', import.meta.url))

export type ClientRequest =
  | { op: 'save'; paths: string[]; key: string; enableCrossOsArchive?: boolean }
  | { op: 'restore'; paths: string[]; key: string; restoreKeys?: string[]; lookupOnly?: boolean; enableCrossOsArchive?: boolean }

export type ClientResult = { op: 'save'; cacheId: number } | { op: 'restore'; key: string | null } | { op: 'save' | 'restore'; error: string; name: string }

export interface RunClientOptions {
  /** cache env from CacheService.env() (or hand-made) */
  env: Record<string, string>
  /** GITHUB_WORKSPACE and cwd: relative cache paths resolve (and extract) here */
  workspace: string
  /** Multiply the twirp client's retry back-off (e.g. 0.01); see cache-client.ts */
  retryScale?: number
  timeoutMs?: number
}

export interface ClientRun {
  exitCode: number | null
  timedOut: boolean
  result?: ClientResult
  /** messages of ::warning:: / ::error:: workflow commands */
  warnings: string[]
  errors: string[]
  /** plain stdout lines (core.info) */
  info: string[]
  stdout: string
  stderr: string
}

function unescapeData(s: string): string {
  return s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%')
}

export function parseClientOutput(stdout: string): Pick<ClientRun, 'result' | 'warnings' | 'errors' | 'info'> {
  const out: Pick<ClientRun, 'result' | 'warnings' | 'errors' | 'info'> = { warnings: [], errors: [], info: [] }
  for (const line of stdout.split(/\r?\n/)) {
    if (line.startsWith(RESULT_MARKER)) {
      out.result = JSON.parse(line.slice(RESULT_MARKER.length)) as ClientResult
      continue
    }
    const cmd = /^::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line)
    if (cmd) {
      if (cmd[1] === 'warning') out.warnings.push(unescapeData(cmd[2]!))
      else if (cmd[1] === 'error') out.errors.push(unescapeData(cmd[2]!))
    } else if (line.trim()) out.info.push(line)
  }
  return out
}

export async function runCacheClient(req: ClientRequest, opts: RunClientOptions): Promise<ClientRun> {
  const runnerTemp = await mkdtemp(join(tmpdir(), 'cache-client-temp-'))
  // A minimal environment: nothing from the outer job (ACTIONS_CACHE_MODE, GITHUB_SERVER_URL,
  // proxies, NODE_OPTIONS from jest) may leak into the client.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? runnerTemp,
    LANG: 'C.UTF-8',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: runnerTemp,
    ...opts.env,
  }
  if (opts.retryScale) env.CACHE_CLIENT_RETRY_SCALE = String(opts.retryScale)
  try {
    return await new Promise<ClientRun>((resolve, reject) => {
      const child = spawn(process.execPath, [CLIENT, JSON.stringify(req)], {
        cwd: opts.workspace,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      let timedOut = false
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      const timer = setTimeout(() => {
        timedOut = true
        child.kill('SIGKILL')
      }, opts.timeoutMs ?? 60_000)
      child.once('error', (err) => {
        clearTimeout(timer)
        reject(err)
      })
      child.once('close', (code) => {
        clearTimeout(timer)
        resolve({ exitCode: code, timedOut, stdout, stderr, ...parseClientOutput(stdout) })
      })
    })
  } finally {
    await rm(runnerTemp, { recursive: true, force: true })
  }
}
