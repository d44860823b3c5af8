/**
 * The Windows code path, run as Windows programs under Wine on this Linux
 * machine (scripts/install-wine-tools.sh: Debian's Wine 8, a Windows go.exe
 * built from go1.26.8's source, Node 24 for Windows from the npm registry):
 * the daemon (dist/client, node.exe) listens on the named pipe
 * daemon/endpoint.ts names; go.exe runs the compiled Windows shim (then the
 * Node client) as GOCACHEPROG, quoted as the action quotes it; a cold build
 * compiles, a warm one nothing, and every go process reports to the daemon
 * over the pipe.
 *
 * Wine is not Windows: its timings say nothing of a Windows runner's (the
 * README's platform table says what runs only in e2e.yml). What Wine 8 lacks
 * and how the install works around it: docs/decisions.md#d35.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fetchWaitMs } from '../../../src/buildcache/client-daemon.ts'
import { cacheProgCommand, shimFile } from '../../../src/buildcache/client-install.ts'
import { REMOTE_ENV } from '../../../src/common/env.ts'
import { encodeRemoteSettings, type RemoteConfig, remoteSettings } from '../../../src/remote/config.ts'
import { startBazelRemote } from '../../support/bazel-remote/index.ts'
import { REPO_ROOT } from '../../support/go-jobs.ts'
import { startWineDaemon, type WineResult, win, wineEnv, wineGoBuild, writeWineModule } from '../../support/wine.ts'
import { compiledPackages } from '../client/helpers.ts'

const wine = wineEnv()
// CI installs Wine (scripts/test-tools.sh): there, a missing Wine is a failure, not a skip.
if ('unavailable' in wine && process.env.CI) throw new Error(wine.unavailable)
const describeWine = 'env' in wine ? describe : describe.skip
if ('unavailable' in wine) console.warn(`skipping the Wine tests: ${wine.unavailable}`)

describeWine('under Wine: the daemon on a named pipe, go.exe through the shims', () => {
  let root: string
  let env: Record<string, string>
  let client: string
  let shim: string
  let node: string
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'wine-'))
    env = (wine as { env: Record<string, string> }).env
    node = env.WINE_NODE!
    client = win(path.join(REPO_ROOT, 'dist', 'client', 'index.js'))
    shim = win(path.join(REPO_ROOT, 'dist', 'client', shimFile('win32', 'x64')!))
    await writeWineModule(path.join(root, 'mod'), ['fmt', 'strings'])
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  /** go.exe build -x of the module with this GOCACHEPROG, the shims' debug lines on; a failed build throws with go's output. */
  const build = (gocacheprog: string): Promise<WineResult> =>
    wineGoBuild(env, root, path.join(root, 'mod'), { GOCACHEPROG: gocacheprog, GO_CACHE_SETUP_DEBUG: '1' })

  /** Each report went over the pipe: a shim that could not reach the daemon says so (GO_CACHE_SETUP_DEBUG) before it journals. */
  async function expectReportsOverThePipe(builds: WineResult[]): Promise<void> {
    for (const r of builds) expect(await readFile(r.stderrFile, 'utf8')).not.toMatch(/daemon unavailable/)
  }

  it('go builds through the compiled shim and the Node client, every report reaching the daemon over the pipe', async () => {
    // The action's choices: the pipe name, the shim's file, the GOCACHEPROG quoting; a store path with a space.
    const store = path.join(root, 'the store')
    await mkdir(store)
    const daemon = await startWineDaemon(env, root, client, store)
    try {
      const viaShim = cacheProgCommand({ node, client, shim, store: win(store), socket: daemon.pipe })
      expect(viaShim).toBe(`${shim} serve --store '${win(store)}' --daemon ${daemon.pipe}`)
      const cold = await build(viaShim)
      const compiled = compiledPackages(cold.stderr).length
      expect(compiled).toBeGreaterThan(10)
      const warm = await build(viaShim)
      expect(compiledPackages(warm.stderr)).toEqual([])
      // The Node client as GOCACHEPROG (where no compiled shim is shipped), from the store the shim filled.
      const viaNode = await build(cacheProgCommand({ node: win(node), client, store: win(store), socket: daemon.pipe }))
      expect(compiledPackages(viaNode.stderr)).toEqual([])

      const stats = await daemon.statsWhen((r) => r.ok && (r.stats?.sessions ?? 0) >= 3)
      if (!stats.ok || stats.stats === undefined) throw new Error(JSON.stringify(stats))
      expect(stats.stats.sessions).toBe(3)
      // Every compile put its output; the two warm builds were served every one of them.
      expect(stats.stats.puts).toBeGreaterThanOrEqual(compiled)
      expect(stats.stats.hits).toBeGreaterThanOrEqual(2 * compiled)
      await expectReportsOverThePipe([cold, warm, viaNode])
    } finally {
      await daemon.stop()
    }
  }, 900_000)

  it('with a remote: what the shim sends over the pipe starts uploads before any flush, and a fresh store fills from the remote', async () => {
    const server = await startBazelRemote()
    try {
      const config: RemoteConfig = { kind: 'http', url: server.httpUrl, headers: {}, timeoutMs: 10_000, compression: 'zstd' }
      const daemonEnv = { [REMOTE_ENV]: encodeRemoteSettings(remoteSettings(config, { read: ['trusted'], write: 'trusted' })) }
      const command = (store: string, pipe: string) =>
        cacheProgCommand({ node, client, shim, store: win(store), socket: pipe, remoteWaitMs: fetchWaitMs(config) })

      const first = path.join(root, 'first')
      await mkdir(first)
      const writer = await startWineDaemon(env, root, client, first, daemonEnv)
      let compiled: number
      try {
        const cold = await build(command(first, writer.pipe))
        compiled = compiledPackages(cold.stderr).length
        expect(compiled).toBeGreaterThan(10)
        // Before any flush, uploads start from what the shim sent over the pipe: its `queue` lines while go
        // built (daemon.go putNotifier, which waits for every line's acknowledgement before it closes the
        // pipe) and its report. (Which of the two queued an entry first is not visible from here.)
        const stats = await writer.statsWhen((r) => r.ok && (r.remote?.uploads ?? 0) >= compiled)
        if (!stats.ok || stats.remote === undefined) throw new Error(JSON.stringify(stats))
        expect(stats.remote.uploads).toBeGreaterThanOrEqual(compiled)
        expect(stats.remote.uploadErrors).toBe(0)
        await expectReportsOverThePipe([cold])
        const flushed = await writer.control('flush')
        expect(flushed.ok && flushed.remote?.unsent).toBe(0)
      } finally {
        await writer.stop()
      }
      expect((await server.entries()).ac).toBeGreaterThanOrEqual(compiled)

      // A fresh runner: an empty store, the shim's `fetch` over the pipe, the daemon's remote reads.
      const second = path.join(root, 'second')
      await mkdir(second)
      await rm(path.join(root, 'gocache'), { recursive: true, force: true })
      const reader = await startWineDaemon(env, root, client, second, daemonEnv)
      try {
        const fresh = await build(command(second, reader.pipe))
        expect(compiledPackages(fresh.stderr)).toEqual([])
        const stats = await reader.statsWhen((r) => r.ok && (r.stats?.sessions ?? 0) >= 1)
        if (!stats.ok || stats.remote === undefined) throw new Error(JSON.stringify(stats))
        expect(stats.remote.demandHits).toBeGreaterThanOrEqual(compiled)
        expect(stats.remote.rejected).toBe(0)
        await expectReportsOverThePipe([fresh])
      } finally {
        await reader.stop()
      }
    } finally {
      await server.stop()
    }
  }, 900_000)
})
