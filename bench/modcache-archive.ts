/**
 * What should the module cache archive hold: the whole GOMODCACHE tree, or only
 * $GOMODCACHE/cache/download (zips, far fewer files)?
 *
 * Both variants go through the real @actions/cache and the local cache service
 * (blobs in azurite), in one run, interleaved round by round. For each we
 * measure the archive size, the save time, and restore-to-usable: restore into
 * an empty GOMODCACHE, then `go list -deps -test ./...` offline (GOPROXY=off,
 * GOFLAGS=-mod=mod), which makes Go extract every module the build needs.
 *
 *   node bench/modcache-archive.ts [--module DIR] [--rounds N] [--json FILE]
 */
import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import { runCacheClient } from '../__tests__/support/cache-service/run-client.ts'
import { startCacheService } from '../__tests__/support/cache-service/server.ts'

const execFileP = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({
  options: {
    module: { type: 'string', default: path.join(root, '__tests__/fixtures/sample-module') },
    rounds: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
})
const moduleDir = path.resolve(args.module!)
const rounds = Number(args.rounds)

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bench-modcache-'))
const modCache = path.join(tmp, 'home', 'go', 'pkg', 'mod')
const baseEnv = {
  PATH: process.env.PATH ?? '',
  HOME: path.join(tmp, 'home'),
  GOMODCACHE: modCache,
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-mod=mod',
}

async function go(goArgs: string[], env: Record<string, string>): Promise<void> {
  await execFileP('go', goArgs, { cwd: moduleDir, env: { ...baseEnv, ...env }, maxBuffer: 64 << 20 })
}

async function wipe(dir: string): Promise<void> {
  // Go makes extracted module trees read-only.
  await execFileP('chmod', ['-R', 'u+w', dir]).catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
}

async function countFiles(dir: string): Promise<number> {
  let n = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) n++
  return n
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const service = await startCacheService()
try {
  const cacheEnv = service.env({ ref: 'refs/heads/main' })
  const client = (req: Parameters<typeof runCacheClient>[0]) => runCacheClient(req, { env: cacheEnv, workspace: moduleDir })

  console.error(`populating GOMODCACHE for ${moduleDir} from the module proxy…`)
  await mkdir(modCache, { recursive: true })
  await go(['mod', 'download'], { GOCACHE: path.join(tmp, 'gocache-populate') })
  await go(['list', '-deps', '-test', './...'], { GOCACHE: path.join(tmp, 'gocache-populate') })
  await chmod(modCache, 0o755)

  const variants = [
    { name: 'full tree', paths: [modCache], key: 'bench-full' },
    { name: 'cache/download only', paths: [path.join(modCache, 'cache', 'download')], key: 'bench-download' },
  ]
  const results = []
  for (const v of variants) {
    const files = await countFiles(v.paths[0]!)
    const t0 = performance.now()
    const save = await client({ op: 'save', paths: v.paths, key: v.key })
    const saveMs = performance.now() - t0
    if (!save.result || !('cacheId' in save.result) || save.result.cacheId === -1) throw new Error(`save failed: ${save.stdout}${save.stderr}`)
    const entry = service.entries().find((e) => e.key === v.key && e.finalized)!
    results.push({ ...v, files, archiveBytes: entry.sizeBytes, saveMs, restoreMs: [] as number[], usableMs: [] as number[] })
  }

  for (let round = 0; round < rounds; round++) {
    // Alternate the order so neither variant always runs on a warmer page cache.
    const order = round % 2 === 0 ? results : [...results].reverse()
    for (const r of order) {
      await wipe(modCache)
      const gocache = path.join(tmp, `gocache-${round}-${r.key}`)
      const t0 = performance.now()
      const restore = await client({ op: 'restore', paths: r.paths, key: r.key })
      const t1 = performance.now()
      if (!restore.result || !('key' in restore.result) || restore.result.key !== r.key) throw new Error(`restore failed: ${restore.stdout}${restore.stderr}`)
      await go(['list', '-deps', '-test', './...'], { GOCACHE: gocache, GOPROXY: 'off' })
      const t2 = performance.now()
      r.restoreMs.push(t1 - t0)
      r.usableMs.push(t2 - t0)
      await wipe(gocache)
    }
  }

  const [full, download] = results as [(typeof results)[0], (typeof results)[0]]
  const mib = (b: number) => (b / 1024 / 1024).toFixed(1)
  const ms = (x: number) => `${Math.round(x)} ms`
  const lines = [
    `Module: ${path.relative(root, moduleDir) || moduleDir}; ${rounds} rounds; medians; Go ${(await execFileP('go', ['env', 'GOVERSION'])).stdout.trim()}, ${os.cpus().length} cores.`,
    '',
    '| archive holds | files | archive | save | restore | restore-to-usable |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.name} | ${r.files} | ${mib(r.archiveBytes)} MiB | ${ms(r.saveMs)} | ${ms(median(r.restoreMs))} | ${ms(median(r.usableMs))} |`),
    `| **ratio download/full** | ${(download.files / full.files).toFixed(2)}× | ${(download.archiveBytes / full.archiveBytes).toFixed(2)}× | ${(download.saveMs / full.saveMs).toFixed(2)}× | ${(median(download.restoreMs) / median(full.restoreMs)).toFixed(2)}× | ${(median(download.usableMs) / median(full.usableMs)).toFixed(2)}× |`,
  ]
  console.log(lines.join('\n'))
  if (args.json) {
    await writeFile(args.json, JSON.stringify({ module: moduleDir, rounds, results }, null, 2))
  }
} finally {
  await service.stop()
  await wipe(tmp)
}
