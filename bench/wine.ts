/**
 * Windows programs under Wine (scripts/install-wine-tools.sh): a warm go.exe
 * build whose every package is in the cache, four ways, interleaved
 * (Williams order) in one run:
 *   native      go's own GOCACHE
 *   shim        our compiled Windows shim as GOCACHEPROG, its daemon (node.exe) on a named pipe
 *   node        our Node client as GOCACHEPROG (what serves where no shim is shipped)
 *   go-cacher   bradfitz/go-tool-cache's go-cacher.exe on a local directory: the Go-written anchor
 * The package is a library (no link), so the time is go's start, its cache
 * lookups and the GOCACHEPROG's start. Wine is not Windows: a file system
 * call, a process start and a pipe cost what Wine's emulation costs on Linux,
 * so these figures rank the clients on the same emulation, no more.
 *
 *   node bench/wine.ts [--rounds N]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { cacheProgCommand, shimFile } from '../src/buildcache/client-install.ts'
import { joinGoCommandLine } from '../src/gocacheprog/command-line.ts'
import { startWineDaemon, win, wineEnv, wineGoBuild } from '../__tests__/support/wine.ts'
import { buildGoCacher } from './anchor-gocacher.ts'
import { compileCount, load1, median, positiveInt, williams } from './report.ts'

const repo = path.resolve(import.meta.dirname, '..')
const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '8' } } })
const rounds = positiveInt(args.rounds, '--rounds')
const found = wineEnv()
if ('unavailable' in found) throw new Error(found.unavailable)
const wine = found.env

// A library of the standard library's larger packages: about 150 packages to look up, none to link.
const IMPORTS = ['net/http', 'encoding/json', 'crypto/tls', 'text/template', 'archive/zip', 'compress/gzip', 'database/sql', 'go/parser']

const root = await mkdtemp(path.join(os.tmpdir(), 'bench-wine-'))
const mod = path.join(root, 'mod')
await mkdir(mod)
await writeFile(path.join(mod, 'go.mod'), 'module example.com/winebench\n\ngo 1.24\n')
await writeFile(path.join(mod, 'lib.go'), `package lib\n\n${IMPORTS.map((name) => `import _ "${name}"\n`).join('')}`)
const client = win(path.join(repo, 'dist', 'client', 'index.js'))
const shim = win(path.join(repo, 'dist', 'client', shimFile('win32', 'x64')!))
const goCacher = win(await buildGoCacher(root, 'windows', 'amd64'))

const store = path.join(root, 'store')
await mkdir(store)
const daemon = await startWineDaemon(wine, root, client, store)
const arms: Record<string, Record<string, string>> = {
  native: { GOCACHE: win(path.join(root, 'native')) },
  shim: { GOCACHEPROG: cacheProgCommand({ node: wine.WINE_NODE!, client, shim, store: win(store), socket: daemon.pipe }) },
  node: { GOCACHEPROG: cacheProgCommand({ node: win(wine.WINE_NODE!), client, store: win(path.join(root, 'node-store')), socket: daemon.pipe }) },
  'go-cacher': { GOCACHEPROG: joinGoCommandLine([goCacher, '--cache-dir', win(path.join(root, 'go-cacher'))]) },
}

/** One go.exe build ./... in the module; its wall time in ms, and its compiles. */
async function build(arm: string): Promise<{ ms: number; compiles: number }> {
  const t0 = performance.now()
  const r = await wineGoBuild(wine, root, mod, arms[arm]!, ['./...']).catch((error: unknown) => {
    throw new Error(`${arm}: ${String(error)}`)
  })
  return { ms: performance.now() - t0, compiles: compileCount(r.stderr) }
}

try {
  // Fill each arm's cache (the cold build), then time warm builds only.
  const cold: Record<string, number> = {}
  for (const arm of Object.keys(arms)) cold[arm] = (await build(arm)).compiles
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(arms).map((arm) => [arm, []]))
  const ratios: Record<string, number[]> = Object.fromEntries(Object.keys(arms).map((arm) => [arm, []]))
  const loads: number[] = []
  const orders = williams(Object.keys(arms))
  for (let round = 0; round < rounds; round++) {
    const these: Record<string, number> = {}
    for (const arm of orders[round % orders.length]!) {
      loads.push(await load1())
      const { ms, compiles } = await build(arm)
      if (compiles !== 0) throw new Error(`${arm}: a warm build compiled ${compiles} packages`)
      these[arm] = ms
      times[arm]!.push(ms)
    }
    for (const arm of Object.keys(arms)) ratios[arm]!.push(these[arm]! / these.native!)
  }
  const range = (xs: number[], f: (n: number) => string) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`
  const s = (n: number) => `${(n / 1000).toFixed(2)} s`
  const r = (n: number) => n.toFixed(2)
  console.log(`Warm go.exe build ./... under ${wine.WINE_GO}, ${cold.native} packages compiled cold; ${rounds} rounds, Williams order`)
  console.log(`load average (1 min) during the run: ${range(loads, (n) => n.toFixed(2))}\n`)
  console.log('| arm | warm build, median (min–max) | ÷ native, per round |')
  console.log('| --- | ---: | ---: |')
  for (const arm of Object.keys(arms)) console.log(`| ${arm} | ${range(times[arm]!, s)} | ${range(ratios[arm]!, r)} |`)
} finally {
  await daemon.stop().catch((error: unknown) => console.error(String(error)))
  await rm(root, { recursive: true, force: true })
}
