import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { cacheProgCommand, findShim, installClient, shimFile, type ToolCache } from '../../../src/buildcache/client-install.ts'
import { gocacheDirKeys } from '../../../src/buildcache/directory.ts'
import { buildCacheFigures, remoteWarning, storeWarnings } from '../../../src/buildcache/finish.ts'
import { setupBuildCache, type BuildCacheIO } from '../../../src/buildcache/setup.ts'
import { parseGoRelease, supportsCacheProg } from '../../../src/go/go-version.ts'
import { splitGoCommandLine } from '../../../src/gocacheprog/command-line.ts'
import type { GoEnv } from '../../../src/go/go-env.ts'
import { startDaemon, type RunningDaemon } from '../../../src/daemon/daemon.ts'
import { finishClient } from '../../../src/buildcache/finish.ts'
import { remoteTier } from '../../../src/daemon/remote.ts'
import { decodeRemoteSettings, remoteSettings } from '../../../src/remote/config.ts'
import { REMOTE_ENV } from '../../../src/common/env.ts'

describe('supportsCacheProg', () => {
  it.each([
    ['go1.24.0', true],
    ['go1.26.8', true],
    ['go1.24rc1', true],
    ['go1.23.12', false],
    ['go1.21.0', false],
    ['devel go1.27-abc123 Mon Nov 2 2026', true],
    ['go2.0.0', true],
    ['something odd', true],
  ])('%s → %s', (version, supported) => {
    expect(supportsCacheProg(version)).toBe(supported)
  })

  it('parses releases', () => {
    expect(parseGoRelease('go1.23.4')).toEqual({ major: 1, minor: 23 })
    expect(parseGoRelease('weird')).toBeUndefined()
  })
})

describe('cacheProgCommand', () => {
  it('builds an absolute command line that Go splits back into the same fields', () => {
    const paths = {
      node: '/home/runner/runners/2.336.0/externals/node24/bin/node',
      client: '/opt/hostedtoolcache/go-cache-setup/0.1.0/x64/index.js',
      store: '/home/runner/work/_temp/go-cache-setup/store',
      socket: '/home/runner/work/_temp/go-cache-setup/d-1a2b3c4d.sock',
    }
    const line = cacheProgCommand(paths)
    expect(line).toBe(
      '/home/runner/runners/2.336.0/externals/node24/bin/node /opt/hostedtoolcache/go-cache-setup/0.1.0/x64/index.js serve --store /home/runner/work/_temp/go-cache-setup/store --daemon /home/runner/work/_temp/go-cache-setup/d-1a2b3c4d.sock',
    )
    expect(splitGoCommandLine(line)).toEqual([paths.node, paths.client, 'serve', '--store', paths.store, '--daemon', paths.socket])
  })

  it('quotes paths with spaces so Go keeps them whole', () => {
    const paths = { node: 'C:/Program Files/node.exe', client: "/it's here/index.js", store: '/a b/store', socket: '/s.sock' }
    const line = cacheProgCommand(paths)
    expect(line).toBe(`'C:/Program Files/node.exe' "/it's here/index.js" serve --store '/a b/store' --daemon /s.sock`)
    expect(splitGoCommandLine(line)).toEqual([paths.node, paths.client, 'serve', '--store', paths.store, '--daemon', paths.socket])
  })
})

describe('the compiled shim', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shim-unit-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('runs in place of node and the client when there is one', () => {
    const line = cacheProgCommand({ node: '/n', client: '/t/x64/index.js', shim: '/t/x64/shim/go-cache-shim-linux-amd64', store: '/s', socket: '/k.sock' })
    expect(line).toBe('/t/x64/shim/go-cache-shim-linux-amd64 serve --store /s --daemon /k.sock')
  })

  it('on Windows: backslashes as they are (cmd/go has no escapes), a path with a space or quote quoted, the pipe name bare', () => {
    const shim = "C:\\Users\\O'Brien\\tool cache\\go-cache-setup\\0.1.0\\x64\\shim\\go-cache-shim-windows-amd64.exe"
    const paths = { store: 'D:\\a\\_temp\\go-cache-setup\\store', socket: '\\\\.\\pipe\\go-cache-setup-0123456789abcdef' }
    const compiled = cacheProgCommand({ node: 'C:\\Program Files\\nodejs\\node.exe', client: 'C:\\t\\index.js', shim, ...paths })
    expect(compiled).toBe(`"${shim}" serve --store ${paths.store} --daemon ${paths.socket}`)
    expect(splitGoCommandLine(compiled)).toEqual([shim, 'serve', '--store', paths.store, '--daemon', paths.socket])
    const node = cacheProgCommand({ node: 'C:\\Program Files\\nodejs\\node.exe', client: 'C:\\t\\index.js', ...paths })
    expect(node).toBe(`'C:\\Program Files\\nodejs\\node.exe' C:\\t\\index.js serve --store ${paths.store} --daemon ${paths.socket}`)
  })

  it.each([
    ['linux', 'x64', 'shim/go-cache-shim-linux-amd64'],
    ['linux', 'arm64', 'shim/go-cache-shim-linux-arm64'],
    ['darwin', 'x64', 'shim/go-cache-shim-darwin-amd64'],
    ['darwin', 'arm64', 'shim/go-cache-shim-darwin-arm64'],
    ['win32', 'x64', 'shim/go-cache-shim-windows-amd64.exe'],
    ['win32', 'arm64', 'shim/go-cache-shim-windows-arm64.exe'],
    // Not built.
    ['linux', 'ia32', undefined],
    ['freebsd', 'x64', undefined],
  ])('is shipped for %s/%s as %s', (platform, arch, file) => {
    expect(shimFile(platform, arch)).toBe(file)
  })

  it('is found beside the installed client, made runnable if a copy lost its mode, and absent otherwise', async () => {
    const client = path.join(dir, 'index.js')
    expect(findShim(client, 'linux', 'x64')).toBeUndefined()
    await mkdir(path.join(dir, 'shim'))
    const shim = path.join(dir, 'shim', 'go-cache-shim-linux-amd64')
    await writeFile(shim, '#!/bin/sh\n', { mode: 0o644 })
    expect(findShim(client, 'linux', 'x64')).toBe(shim)
    expect((await stat(shim)).mode & 0o111).not.toBe(0)
    // None shipped for it here.
    expect(findShim(client, 'win32', 'x64')).toBeUndefined()
  })
})

describe('gocacheDirKeys', () => {
  it('is unique per run, attempt and job, and restores the newest of the same Go', () => {
    expect(gocacheDirKeys({ hostOS: 'linux', hostArch: 'amd64', goVersion: 'go1.23.12', runId: '42', runAttempt: '2', job: 'test (ubuntu, 1.23)' })).toEqual({
      primary: 'go-cache-setup-gocache-v1-linux-amd64-go1.23.12-42-2-test_ubuntu_1.23_',
      restore: ['go-cache-setup-gocache-v1-linux-amd64-go1.23.12-'],
    })
  })
})

describe('storeWarnings', () => {
  it('says nothing when nothing went wrong, and one line per kind otherwise', () => {
    expect(storeWarnings({ sessions: 9, readOnly: 0, putErrors: 0 })).toEqual([])
    expect(storeWarnings({ sessions: 9, readOnly: 9, putErrors: 3 })).toEqual([
      '9 of 9 go processes found the local store read-only to this user: they were served its hits and stored nothing (go sends no puts to a read-only GOCACHEPROG).',
      '3 puts were not stored (the store was full or not writable, or a body was not its OutputID; set GO_CACHE_SETUP_DEBUG=1 to see each): where the store had no room, go was handed a temporary copy and went on; the next go process misses them.',
    ])
  })
})

describe('remoteWarning', () => {
  it('says nothing for a remote that had no trouble, and counts each kind with the first error otherwise', () => {
    expect(remoteWarning({ errors: 0, uploadErrors: 0, rejected: 0, firstErrors: [] })).toBeUndefined()
    expect(remoteWarning({ errors: 3, uploadErrors: 0, rejected: 1, firstErrors: ['GET ci/action/ab/ab…: HTTP 403; check the AWS credentials'] })).toBe(
      'Remote cache: 3 lookups failed, 1 rejected answers (digest or format); go built what it could not get (see the job summary). First: GET ci/action/ab/ab…: HTTP 403; check the AWS credentials',
    )
    expect(remoteWarning({ errors: 0, uploadErrors: 2, rejected: 0, firstErrors: [] })).toBe(
      'Remote cache: 2 upload requests failed; go built what it could not get (see the job summary).',
    )
  })
})

describe('buildCacheFigures', () => {
  it('formats the outputs', () => {
    const stats = {
      gets: 810,
      hits: 800,
      misses: 10,
      puts: 20,
      bytesIn: 1234,
      bytesOut: 56789,
      putErrors: 0,
      readOnly: 0,
      busyMs: 412.6,
      sessions: 3,
      usedEntries: 800,
      addedEntries: 20,
    }
    expect(buildCacheFigures(stats)).toEqual({
      gets: '810',
      hits: '800',
      misses: '10',
      puts: '20',
      bytesIn: '1234',
      bytesOut: '56789',
      hitRatio: '0.9877',
      timeMs: '413',
    })
    expect(buildCacheFigures({ ...stats, gets: 0, hits: 0 }).hitRatio).toBe('0')
  })
})

describe('setupBuildCache', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'setup-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  const goEnv = (version: string): GoEnv => ({
    goVersion: version,
    hostOS: 'linux',
    hostArch: 'amd64',
    modCache: '/m',
    buildCache: '/home/runner/.cache/go-build',
    toolchain: 'local',
    fetch: { GOPROXY: '', GOPRIVATE: '', GONOPROXY: '', GONOSUMDB: '', GOSUMDB: '', GOFLAGS: '' },
  })
  const settings = { enabled: true, customCommand: '', storePath: '', storeMaxBytes: 1 << 30 }
  const io = (overrides: Partial<BuildCacheIO> = {}): BuildCacheIO & { notices: string[]; spawned: unknown[] } => {
    const notices: string[] = []
    const spawned: unknown[] = []
    return {
      notices,
      spawned,
      log: { info: () => undefined, warning: () => undefined, debug: () => undefined },
      notice: (m) => void notices.push(m),
      tools: { find: () => '', cacheDir: async () => dir },
      spawnDetached: (...args) => void spawned.push(args),
      nodePath: '/usr/bin/node',
      clientSourceDir: dir,
      clientVersion: '1.2.3',
      stateDir: path.join(dir, 'go-cache-setup'),
      restoreDirectory: async (d) => ({ key: 'k', path: d, restoreAllowed: true }),
      wallClock: () => Date.now(),
      ...overrides,
    }
  }

  it('does nothing when off', async () => {
    const x = io()
    expect(await setupBuildCache({ ...settings, enabled: false }, goEnv('go1.26.8'), x)).toEqual({ mode: 'off' })
    expect(x.spawned).toEqual([])
  })

  it("native: go's own GOCACHE, made ready, with nothing started and no GOCACHEPROG", async () => {
    const gocache = path.join(dir, 'go-build')
    const i = io({ wallClock: () => 1_800_000_000_500 })
    const state = await setupBuildCache({ ...settings, native: true }, { ...goEnv('go1.26.8'), buildCache: gocache }, i)
    expect(state).toEqual({ mode: 'native', dir: gocache, startedAtMs: 1_800_000_000_500 })
    expect(await readFile(path.join(gocache, 'trim.txt'), 'utf8')).toBe('1800000000')
    expect(i.spawned).toEqual([])
  })

  it('native with GOCACHE=off: nothing to cache, said in a notice', async () => {
    const i = io()
    expect(await setupBuildCache({ ...settings, native: true }, { ...goEnv('go1.26.8'), buildCache: 'off' }, i)).toEqual({ mode: 'off' })
    expect(i.notices).toEqual(['GOCACHE is "off": go builds without a build cache, so there is nothing to cache. Unset GOCACHE, or set build-cache: false.'])
  })

  it('passes a custom client through and starts nothing', async () => {
    const x = io()
    expect(await setupBuildCache({ ...settings, customCommand: 'depot gocache' }, goEnv('go1.26.8'), x)).toEqual({ mode: 'custom', command: 'depot gocache' })
    expect(x.spawned).toEqual([])
  })

  it('with a remote: the daemon alone gets the settings, through its environment; post gets its figures', async () => {
    await writeFile(path.join(dir, 'index.js'), 'client')
    const settingsForRemote = remoteSettings(
      {
        kind: 'http',
        url: 'http://127.0.0.1:9',
        headers: { 'X-Api-Key': 'key-123', Authorization: 'Basic Y2k6czNjcmV0LXRva2Vu' },
        timeoutMs: 500,
        compression: 'zstd',
      },
      { read: ['trusted'], write: 'trusted' },
    )
    let daemon: RunningDaemon | undefined
    let daemonEnv: Record<string, string> | undefined
    const x = io({
      // The spawned daemon, run in this process: what the real one would be given.
      spawnDetached: (_command, args, logFile, env) => {
        daemonEnv = env
        const flag = (name: string) => args[args.indexOf(name) + 1]!
        void remoteTier(decodeRemoteSettings(env![REMOTE_ENV]!), () => undefined)
          .then((remote) =>
            startDaemon({ store: flag('--store'), socket: flag('--socket'), maxBytes: 1 << 30, idleTimeoutMs: 60_000, log: () => undefined, remote }),
          )
          .then((d) => (daemon = d))
        expect(args.join(' ')).not.toMatch(/s3cret|key-123|Y2k6czNjcmV0/)
        expect(logFile).toBe(path.join(dir, 'go-cache-setup', 'daemon.log'))
      },
    })
    try {
      const state = await setupBuildCache({ ...settings, remote: settingsForRemote }, goEnv('go1.26.8'), x)
      // The remote's settings, and its temporary directory beside the store (client-daemon.ts tempEnv).
      expect(daemonEnv).toEqual({ [REMOTE_ENV]: expect.any(String), TMPDIR: path.join(dir, 'go-cache-setup', 'tmp') })
      expect(decodeRemoteSettings(daemonEnv![REMOTE_ENV]!)).toEqual(settingsForRemote)
      if (state.mode !== 'client') throw new Error(state.mode)
      expect(state.daemonStarted).toBe(true)
      // State (saved for post, and GOCACHEPROG, exported to GITHUB_ENV) holds no secret.
      expect(JSON.stringify(state)).not.toMatch(/s3cret|key-123|Y2k6czNjcmV0|X-Api-Key/)
      expect(state.remote).toEqual({ url: 'http://127.0.0.1:9', scopes: { read: ['trusted'], write: 'trusted' } })
      expect(splitGoCommandLine(state.command).slice(-2)).toEqual(['--remote-wait-ms', '3000'])
      const report = await finishClient(state.socket, state.store, { remote: state.remote })
      expect(report.remote?.settings).toEqual({ url: 'http://127.0.0.1:9', scopes: { read: ['trusted'], write: 'trusted' } })
      expect(report.remote?.stats).toMatchObject({
        gets: 0,
        uploads: 0,
        unsent: 0,
        health: { read: { breaker: 'closed' }, write: { breaker: 'closed' } },
        scopes: { read: ['trusted'], write: 'trusted' },
      })
    } finally {
      await daemon?.close()
    }
  })

  it('falls back to a GOCACHE directory before Go 1.24, with a notice', async () => {
    const x = io()
    const state = await setupBuildCache(settings, goEnv('go1.23.12'), x)
    expect(state).toEqual({ mode: 'directory', restore: { key: 'k', path: '/home/runner/.cache/go-build', restoreAllowed: true } })
    expect(x.notices).toEqual([
      'go1.23.12 ignores GOCACHEPROG (it is on by default from Go 1.24), so the build cache is cached as a directory (GOCACHE=/home/runner/.cache/go-build) instead. Use Go 1.24 or newer for the cache client.',
    ])
    expect(x.spawned).toEqual([])
  })

  it("reuses the bootstrap kit's daemon when it answers, and starts none", async () => {
    // A stand-in for the kit's daemon: answers ping on a real unix socket.
    const socket = path.join(dir, 'kit.sock')
    const server = net.createServer((c) => c.once('data', () => c.end(`${JSON.stringify({ ok: true, pid: 1, store: '/srv/store' })}\n`)))
    await new Promise<void>((resolve) => server.listen(socket, resolve))
    try {
      const infos: string[] = []
      const x = io({
        kitDaemon: { socket, command: `node /t/index.js serve --store /srv/store --daemon ${socket}` },
        log: { info: (m) => void infos.push(m), warning: () => undefined, debug: () => undefined },
      })
      expect(await setupBuildCache(settings, goEnv('go1.26.8'), x)).toEqual({
        mode: 'client',
        store: '/srv/store',
        socket,
        command: `node /t/index.js serve --store /srv/store --daemon ${socket}`,
        daemonStarted: true,
        logFile: '',
        owner: 'kit',
      })
      expect(x.spawned).toEqual([])
      expect(infos).toEqual(["Using the cache daemon the runner's bootstrap kit started (store /srv/store); its job hooks finish it."])

      // A cache-url given to the action cannot reach a daemon the kit started: said, not silently dropped.
      const warnings: string[] = []
      const y = io({
        kitDaemon: { socket, command: `node /t/index.js serve --store /srv/store --daemon ${socket}` },
        log: { info: () => undefined, warning: (m) => void warnings.push(m), debug: () => undefined },
      })
      const withRemote = {
        ...settings,
        remote: remoteSettings(
          { kind: 'http', url: 'https://cache.example.com/go', headers: {}, timeoutMs: 500, compression: 'zstd' },
          { read: ['trusted'], write: 'trusted' },
        ),
      }
      expect((await setupBuildCache(withRemote, goEnv('go1.26.8'), y)).mode).toBe('client')
      expect(warnings).toEqual([
        "cache-url (https://cache.example.com/go) is not used for Go here: the bootstrap kit's daemon serves the build cache with the kit's own remote settings. Set cacheUrl in the kit's config (bootstrap install --cache-url), or drop cache-url from this workflow on kit runners.",
      ])
    } finally {
      server.close()
    }
  })
})

describe('installClient', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'install-'))
    await mkdir(path.join(dir, 'src'))
    await writeFile(path.join(dir, 'src', 'index.js'), 'client v2')
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  function fakeToolCache(installed: Record<string, string>): ToolCache & { copies: number } {
    const tc = {
      copies: 0,
      find: (tool: string, version: string) => installed[`${tool}@${version}`] ?? '',
      cacheDir: async (source: string, tool: string, version: string) => {
        tc.copies++
        const target = path.join(dir, 'toolcache', tool, version)
        await mkdir(target, { recursive: true })
        const { cp } = await import('node:fs/promises')
        await cp(source, target, { recursive: true })
        installed[`${tool}@${version}`] = target
        return target
      },
    }
    return tc
  }

  it('installs into the tool cache once, and reuses an identical copy', async () => {
    const tc = fakeToolCache({})
    const first = await installClient(tc, path.join(dir, 'src'), '0.1.0')
    expect(first).toBe(path.join(dir, 'toolcache', 'go-cache-setup', '0.1.0', 'index.js'))
    expect(await installClient(tc, path.join(dir, 'src'), '0.1.0')).toBe(first)
    expect(tc.copies).toBe(1)
  })

  it('replaces an installed copy whose bundle differs (a self-hosted runner with an old one)', async () => {
    const old = path.join(dir, 'old')
    await mkdir(old)
    await writeFile(path.join(old, 'index.js'), 'client v1')
    const tc = fakeToolCache({ 'go-cache-setup@0.1.0': old })
    await installClient(tc, path.join(dir, 'src'), '0.1.0')
    expect(tc.copies).toBe(1)
  })
})
