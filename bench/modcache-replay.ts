/**
 * Replays N consecutive releases of a real module, each as a fresh runner that
 * restores the previous run's module cache, and measures:
 *
 * 1. growth: the archive after each release when the download cache is saved
 *    whole (a fallback restore carries every old version forward) and when it
 *    is pruned to the build list first (src/modcache/prune.ts);
 * 2. layout: for the pruned cache of each release, three archives
 *      zips      $GOMODCACHE/cache/download (what we archive now)
 *      full      cache/download + the extracted module trees
 *      extracted the extracted trees + cache/download without the .zip of
 *                extracted versions (Go does not open a zip whose tree exists;
 *                it does need the .ziphash)
 *    each restored into an empty GOMODCACHE with tar + zstd as @actions/cache
 *    runs them (toolkit cache/src/internal/tar.ts: `zstdmt --long=30`,
 *    `unzstd --long=30`), then `go list -deps -test ./...` offline with a cold
 *    GOCACHE. Interleaved, rotating the order each round.
 *
 *   node bench/modcache-replay.ts [--module M] [--versions v1,v2,...] [--rounds N] [--json FILE]
 *
 * A job's own downloads are `go list -deps -test ./...` with the proxy on: the
 * modules a build and test of the release fetch.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { pruneModCache } from '../src/modcache/prune.ts'

const execFileP = promisify(execFile)
const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: 'github.com/cli/cli/v2' },
    // Consecutive releases the module proxy serves here (v2.81.0 and v2.82.1 it refuses).
    versions: { type: 'string', default: 'v2.80.0,v2.82.0,v2.83.0,v2.83.2' },
    rounds: { type: 'string', default: '3' },
    json: { type: 'string' },
  },
})
const versions = args.versions!.split(',')
const rounds = Number(args.rounds)

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-modcache-replay-'))
const mc = path.join(tmp, 'gomodcache')
const baseEnv: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  HOME: path.join(tmp, 'home'),
  GOMODCACHE: mc,
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-mod=mod',
  GONOSUMDB: '',
}
let gocaches = 0
const freshGoCache = () => path.join(tmp, `gocache-${gocaches++}`)

async function go(cwd: string, goArgs: string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileP('go', goArgs, { cwd, env: { ...baseEnv, GOCACHE: freshGoCache(), ...env }, maxBuffer: 256 << 20 })
  return stdout
}
async function wipe(dir: string): Promise<void> {
  // Go makes extracted module trees read-only.
  await execFileP('chmod', ['-R', 'u+w', dir]).catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
}
async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const r = await f()
  return [r, performance.now() - t0]
}

/** tar + zstd as @actions/cache creates an archive: paths relative to `base`. */
async function createArchive(base: string, files: string[] | 'cache/download', out: string): Promise<number> {
  const list = `${out}.files`
  await writeFile(list, files === 'cache/download' ? 'cache/download\n' : `${files.join('\n')}\n`)
  await execFileP('tar', ['--posix', '-cf', out, '--use-compress-program', 'zstdmt --long=30', '-P', '-C', base, '--files-from', list])
  return (await stat(out)).size
}
async function extractArchive(base: string, archive: string): Promise<void> {
  await mkdir(base, { recursive: true })
  await execFileP('tar', ['-xf', archive, '-P', '-C', base, '--use-compress-program', 'unzstd --long=30'])
}

async function walkFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.relative(root, path.join(e.parentPath, e.name)))
}
const du = async (root: string) => {
  let n = 0
  for (const f of await walkFiles(root)) n += (await stat(path.join(root, f))).size
  return n
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const spread = (xs: number[]) => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`
const mib = (b: number) => (b / 1024 / 1024).toFixed(1)
const load = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')

const log = { info: (m: string) => console.error(`  ${m}`), warning: (m: string) => console.error(`  warning: ${m}`), debug: () => {} }

try {
  // Sources of each release, through the module proxy, kept apart from the measured cache.
  const sources: string[] = []
  for (const v of versions) {
    const json = await go(tmp, ['mod', 'download', '-json', `${args.module}@${v}`], { GOMODCACHE: path.join(tmp, 'src-modcache') })
    const dir = path.join(tmp, `src-${v}`)
    await cp(JSON.parse(json).Dir, dir, { recursive: true })
    await execFileP('chmod', ['-R', 'u+w', dir])
    sources.push(dir)
  }
  await wipe(path.join(tmp, 'src-modcache'))

  type Growth = { version: string; files: number; bytes: number; archive: number; prunedVersions: number }
  const growth: Record<'whole' | 'pruned', Growth[]> = { whole: [], pruned: [] }
  type Layout = { version: string; name: string; files: number; archive: number; restoreMs: number[]; listMs: number[] }
  const layouts: Layout[] = []
  const archives = path.join(tmp, 'archives')
  await mkdir(archives)

  for (const [i, v] of versions.entries()) {
    const src = sources[i]!
    console.error(`release ${v}`)
    for (const chain of ['whole', 'pruned'] as const) {
      // A fresh runner: restore the previous run's entry (the restore key's fallback), then the job.
      await wipe(mc)
      if (i > 0) await extractArchive(mc, path.join(archives, `${chain}-${i - 1}.tzst`))
      await go(src, ['list', '-deps', '-test', './...'])
      let prunedVersions = 0
      if (chain === 'pruned') {
        const r = await pruneModCache({ log, modCache: mc, workspace: src, dependencyFiles: ['go.sum'], env: baseEnv })
        if (!r.pruned) throw new Error(`prune skipped: ${r.reason}`)
        prunedVersions = r.versions
      }
      const download = path.join(mc, 'cache', 'download')
      const files = (await walkFiles(download)).filter((f) => /\.(mod|info|zip)$/.test(f))
      const archive = await createArchive(mc, 'cache/download', path.join(archives, `${chain}-${i}.tzst`))
      growth[chain].push({ version: v, files: files.length, bytes: await du(download), archive, prunedVersions })

      if (chain === 'pruned') {
        // The layouts of this pruned cache. Extracted trees are those this job's go list made.
        const all = await walkFiles(mc)
        const extractedVersions = new Set(
          all.filter((f) => !f.startsWith('cache/')).map((f) => f.slice(0, f.indexOf('@') + 1 + f.slice(f.indexOf('@') + 1).indexOf('/'))),
        )
        const isExtractedZip = (f: string) => {
          // The .ziphash stays: Go treats a tree without one as a partial extraction and downloads again
          // (cmd/go/internal/modfetch/cache.go, DownloadDir).
          const m = /^cache\/download\/(.+)\/@v\/(.+)\.zip$/.exec(f)
          return m !== null && extractedVersions.has(`${m[1]}@${m[2]}`)
        }
        const variants: [string, string[] | 'cache/download'][] = [
          ['zips', 'cache/download'],
          ['full', all],
          ['extracted', all.filter((f) => !isExtractedZip(f))],
        ]
        const measured: Layout[] = []
        for (const [name, list] of variants) {
          const file = path.join(archives, `layout-${name}-${i}.tzst`)
          const size = await createArchive(mc, list, file)
          measured.push({ version: v, name, files: list === 'cache/download' ? files.length : list.length, archive: size, restoreMs: [], listMs: [] })
        }
        for (let round = 0; round < rounds; round++) {
          const order = [...measured.slice(round % 3), ...measured.slice(0, round % 3)]
          for (const l of order) {
            await wipe(mc)
            const [, restoreMs] = await timed(() => extractArchive(mc, path.join(archives, `layout-${l.name}-${i}.tzst`)))
            const [, listMs] = await timed(() => go(src, ['list', '-deps', '-test', './...'], { GOPROXY: 'off' }))
            l.restoreMs.push(restoreMs)
            l.listMs.push(listMs)
          }
        }
        layouts.push(...measured)
        // Leave the pruned job's own cache for nothing: the next release restores the archive.
      }
      console.error(`  ${chain}: ${files.length} files, ${mib(growth[chain].at(-1)!.bytes)} MiB, archive ${mib(archive)} MiB`)
    }
    await wipe(path.join(tmp, 'gocache-dummy'))
    for (let g = 0; g < gocaches; g++) await wipe(path.join(tmp, `gocache-${g}`))
  }

  const lines = [
    `Module ${args.module} at ${versions.join(', ')}; Go ${(await execFileP('go', ['env', 'GOVERSION'])).stdout.trim()}, ${os.cpus().length} cores; load at end ${await load()}.`,
    '',
    'Growth: the archive (tar + zstd) saved after each release, each job a fresh runner restoring the previous entry.',
    '',
    '| release | whole: files | whole: archive MiB | pruned: files | pruned: archive MiB | versions pruned |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...versions.map((v, i) => {
      const w = growth.whole[i]!
      const p = growth.pruned[i]!
      return `| ${v} | ${w.files} | ${mib(w.archive)} | ${p.files} | ${mib(p.archive)} | ${p.prunedVersions} |`
    }),
    '',
    `Layout: restore into an empty GOMODCACHE, then \`go list -deps -test ./...\` offline, cold GOCACHE; ms, median (min–max) of ${rounds} rounds.`,
    '',
    '| release | layout | files | archive MiB | restore ms | go list ms | restore + list ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...layouts.map(
      (l) =>
        `| ${l.version} | ${l.name} | ${l.files} | ${mib(l.archive)} | ${spread(l.restoreMs)} | ${spread(l.listMs)} | ${spread(l.restoreMs.map((r, k) => r + l.listMs[k]!))} |`,
    ),
  ]
  console.log(lines.join('\n'))
  if (args.json) await writeFile(args.json, JSON.stringify({ module: args.module, versions, rounds, growth, layouts }, null, 2))
} finally {
  await wipe(tmp)
}
