/**
 * Windows programs under Wine, for the Windows tests and bench/wine.ts:
 * scripts/install-wine-tools.sh installs Wine, a Windows go.exe and node.exe
 * into .tmp/wine and writes env.sh; this reads it, runs programs, and starts
 * the client's daemon on a named pipe as the action would on Windows.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ControlReply } from '../../src/daemon/control.ts'
import { planEndpoint } from '../../src/daemon/endpoint.ts'
import { REPO_ROOT } from './go-jobs.ts'

const WINE_DIR = path.join(REPO_ROOT, '.tmp', 'wine')

/** What scripts/install-wine-tools.sh exported in env.sh, or why it could not install. */
export function wineEnv(): { env: Record<string, string> } | { unavailable: string } {
  const file = path.join(WINE_DIR, 'env.sh')
  if (!existsSync(file)) {
    const reason = existsSync(path.join(WINE_DIR, 'UNAVAILABLE')) ? readFileSync(path.join(WINE_DIR, 'UNAVAILABLE'), 'utf8').trim() : 'not installed'
    return { unavailable: `Wine (scripts/install-wine-tools.sh): ${reason}` }
  }
  const env: Record<string, string> = {}
  for (const m of readFileSync(file, 'utf8').matchAll(/^export (\w+)=(?:'([^']*)'|(\S*))$/gm)) env[m[1]!] = m[2] ?? m[3] ?? ''
  return { env }
}

/** A Linux path as Windows programs under Wine see it (drive Z: is /). */
export function win(p: string): string {
  return `Z:${p.replaceAll('/', '\\')}`
}

export interface WineResult {
  code: number
  stdout: string
  stderr: string
  /** Where stderr went: a GOCACHEPROG may write to it after go has exited (it reports after closing stdout). */
  stderrFile: string
}

/**
 * A Windows program under Wine. Its stdout and stderr go to files: Node for
 * Windows cannot take a Linux pipe as its stdio under Wine (EBADF).
 */
export async function runWine(
  wine: Record<string, string>,
  dir: string,
  program: string,
  args: string[],
  env: Record<string, string>,
  cwd = dir,
  timeoutMs = 240_000,
): Promise<WineResult> {
  const id = randomBytes(4).toString('hex')
  const out = path.join(dir, `${id}.out`)
  const err = path.join(dir, `${id}.err`)
  const [o, e] = [openSync(out, 'w'), openSync(err, 'w')]
  try {
    const child = spawn('wine', [program, ...args], {
      env: { ...process.env, ...wine, ...env },
      cwd,
      stdio: ['ignore', o, e],
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (c) => resolve(c ?? -1))
    })
    clearTimeout(timer)
    return { code, stdout: await readFile(out, 'utf8'), stderr: await readFile(err, 'utf8'), stderrFile: err }
  } finally {
    closeSync(o)
    closeSync(e)
  }
}

export interface WineDaemon {
  pipe: string
  control(op: string): Promise<ControlReply>
  /** Polls `stats` until `done` holds (a report may land after go.exe exits), or 60 s. */
  statsWhen(done: (reply: ControlReply) => boolean): Promise<ControlReply>
  stop(): Promise<void>
  /** Its log so far. */
  log(): string
}

/**
 * node.exe running the client (`client`, a Windows path) as the daemon on the
 * pipe daemon/endpoint.ts names for win32, `daemonEnv` added to its
 * environment; its log and its programs' output files go in `root`.
 */
export async function startWineDaemon(
  wine: Record<string, string>,
  root: string,
  client: string,
  store: string,
  daemonEnv: Record<string, string> = {},
): Promise<WineDaemon> {
  const node = wine.WINE_NODE!
  const endpoint = planEndpoint({ platform: 'win32', stateDir: win(root), id: randomBytes(8).toString('hex') })
  if (endpoint.kind !== 'pipe') throw new Error(endpoint.kind)
  const pipe = endpoint.path
  const log = path.join(root, `daemon-${path.basename(store).replaceAll(' ', '-')}.log`)
  const running = runWine(wine, root, node, [client, 'daemon', '--store', win(store), '--socket', pipe, '--log', win(log)], daemonEnv, root, 600_000)
  const control = async (op: string): Promise<ControlReply> => {
    const r = await runWine(wine, root, node, [client, op, '--socket', pipe], {})
    if (r.code !== 0) throw new Error(`${op}: exit ${r.code}\n${r.stdout}${r.stderr}`)
    return JSON.parse(r.stdout) as ControlReply
  }
  let up = false
  for (const until = Date.now() + 60_000; !up && Date.now() < until; )
    up = await control('ping').then(
      () => true,
      () => false,
    )
  if (!up) throw new Error(`the daemon did not answer on ${pipe}: ${existsSync(log) ? readFileSync(log, 'utf8') : 'no log'}`)
  if (!readFileSync(log, 'utf8').includes(`listening on ${pipe}`)) throw new Error(`the daemon's log does not say it listens on ${pipe}`)
  return {
    pipe,
    control,
    statsWhen: async (done) => {
      let reply: ControlReply = { ok: false, error: 'no stats yet' }
      for (const until = Date.now() + 60_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 500))) {
        reply = await control('stats')
        if (done(reply)) break
      }
      return reply
    },
    stop: async () => {
      await control('stop').catch(() => undefined)
      const { code } = await running
      if (code !== 0) throw new Error(`the daemon exited ${code}: ${readFileSync(log, 'utf8')}`)
    },
    log: () => readFileSync(log, 'utf8'),
  }
}

/** A module with one main package that imports `imports` (standard library only: the builds run offline). */
export async function writeWineModule(dir: string, imports: string[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'go.mod'), 'module example.com/wine\n\ngo 1.24\n')
  await writeFile(path.join(dir, 'main.go'), `package main\n\n${imports.map((name) => `import _ "${name}"\n`).join('')}\nfunc main() {}\n`)
}

/**
 * go.exe build -work -x `targets` (by default `-o out.exe .`) in `moduleDir`,
 * offline, with its caches and temp directory in `root`, and `env` on top;
 * rejects with go's error lines when the build fails. -work: Wine 8 fails
 * go's cleanup of its work directory (os.RemoveAll: "Invalid function"),
 * docs/decisions.md#d35.
 */
export async function wineGoBuild(
  wine: Record<string, string>,
  root: string,
  moduleDir: string,
  env: Record<string, string>,
  targets: string[] = ['-o', win(path.join(root, 'out.exe')), '.'],
): Promise<WineResult> {
  const tmp = path.join(root, 'gotmp')
  await mkdir(tmp, { recursive: true })
  const goEnv = {
    GOCACHE: win(path.join(root, 'gocache')),
    GOTMPDIR: win(tmp),
    GOENV: 'off',
    GOFLAGS: '',
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOTELEMETRY: 'off',
    ...env,
  }
  const r = await runWine(wine, root, wine.WINE_GO!, ['build', '-work', '-x', ...targets], goEnv, moduleDir)
  if (r.code !== 0) {
    // go's own error lines, wherever -x's command lines put them, then the end of its output.
    const errors = r.stderr.split('\n').filter((line) => /^go: |GOCACHEPROG|cacheprog/i.test(line))
    throw new Error(`go build failed (exit ${r.code}):\n${errors.join('\n')}\n…\n${r.stderr.slice(-3000)}`)
  }
  return r
}
