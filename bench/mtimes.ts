/**
 * How long the main step's canonical mtimes take (test-cache input): a git
 * repository of N tracked files in D directories, then canonicalizeMtimes
 * against it, R rounds, with the git commands the action runs.
 *
 *   node bench/mtimes.ts [--files 50000] [--dirs 500] [--rounds 7] [--json FILE]
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import type { CommandRunner } from '../src/go/go-env.ts'
import { canonicalizeMtimes, type MtimeReport } from '../src/testcache/canonicalize.ts'

const execFileP = promisify(execFile)
const { values: args } = parseArgs({
  options: {
    files: { type: 'string', default: '50000' },
    dirs: { type: 'string', default: '500' },
    rounds: { type: 'string', default: '7' },
    json: { type: 'string' },
  },
})
const files = Number(args.files)
const dirs = Number(args.dirs)
const rounds = Number(args.rounds)

const run: CommandRunner = async (command, argv, { cwd }) => {
  try {
    const { stdout, stderr } = await execFileP(command, argv, { cwd, maxBuffer: 1 << 30, encoding: 'utf8' })
    return { exitCode: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string }
    return { exitCode: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) }
  }
}

const root = await mkdtemp(path.join(os.tmpdir(), 'bench-mtimes-'))
try {
  const repo = path.join(root, 'repo')
  for (let d = 0; d < dirs; d++) await mkdir(path.join(repo, `pkg${d}`, 'testdata'), { recursive: true })
  for (let i = 0; i < files; i++) {
    const d = i % dirs
    const dir = i % 5 === 0 ? path.join(repo, `pkg${d}`, 'testdata') : path.join(repo, `pkg${d}`)
    await writeFile(path.join(dir, `f${i}.go`), `package p${d}\n\n// file ${i}\n`)
  }
  const git = (argv: string[]) => execFileP('git', argv, { cwd: repo, maxBuffer: 1 << 30 })
  await git(['init', '-q'])
  await git(['config', 'gc.auto', '0'])
  await git(['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'add', '-A'])
  await git(['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'gc.auto=0', 'commit', '-q', '-m', 'files'])
  const times: number[] = []
  let last: MtimeReport | undefined
  const load = async () => (await readFile('/proc/loadavg', 'utf8')).trim().split(' ').slice(0, 3).join(' ')
  const loadStart = await load()
  for (let r = 0; r < rounds; r++) {
    // A fresh checkout each round: every file written anew, the index's stat data matching.
    await git(['checkout-index', '-a', '-f', '-u'])
    const started = performance.now()
    last = await canonicalizeMtimes(repo, run, () => performance.now())
    times.push(performance.now() - started)
  }
  const sorted = [...times].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  const result = {
    files,
    dirs,
    rounds,
    report: last,
    medianMs: Math.round(median),
    minMs: Math.round(sorted[0]!),
    maxMs: Math.round(sorted.at(-1)!),
    loadStart,
    loadEnd: await load(),
  }
  console.log(
    `canonical mtimes for ${last?.files} files and ${last?.dirs} directories: median ${result.medianMs} ms (${result.minMs}–${result.maxMs}) over ${rounds} rounds; load ${loadStart} → ${result.loadEnd}`,
  )
  if (args.json) await writeFile(args.json, JSON.stringify(result, null, 2))
} finally {
  await rm(root, { recursive: true, force: true })
}
