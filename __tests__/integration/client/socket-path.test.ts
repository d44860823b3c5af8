/**
 * macOS allows a socket path of 103 bytes (104 with its NUL), Linux 107; a
 * long RUNNER_TEMP can pass the first and not the second. Here, on Linux,
 * with macOS' limit forced: the daemon falls back to a fresh owner-only
 * directory under /tmp (daemon/endpoint.ts), the compiled shim reaches it
 * there, and it is gone when the daemon stops. The fallback is the same code
 * on both systems.
 */
import { existsSync, statSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { startClientDaemon } from '../../../src/buildcache/client-daemon.ts'
import { controlRequest } from '../../../src/daemon/control.ts'
import { SHORT_SOCKET_NAME, socketPathLimit } from '../../../src/daemon/endpoint.ts'
import { spawnDetachedProcess } from '../../../src/daemon/launch.ts'
import { splitGoCommandLine } from '../../../src/gocacheprog/command-line.ts'
import { SAMPLE_MODULE } from '../../support/go-jobs.ts'
import { CLIENT, compiledPackages, go, prepareModCache } from './helpers.ts'

let root: string
let module: string
beforeAll(async () => {
  root = await mkdtemp('/tmp/socket-path-')
  // A copy: go build writes the sample's binary into the module's directory.
  module = path.join(root, 'sample')
  await cp(SAMPLE_MODULE, module, { recursive: true })
  await prepareModCache(path.join(root, 'modcache'))
})
afterAll(async () => {
  await go(['clean', '-modcache'], module, { GOMODCACHE: path.join(root, 'modcache') }).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

it('a state directory too long for a macOS socket: the daemon listens in a private directory under /tmp, go builds through it, and it is removed at stop', async () => {
  // `<stateDir>/d-<16 hex>.sock` is 105 bytes: within Linux's 107, over macOS' 103.
  const socketName = 'd-0123456789abcdef.sock'
  const stateDir = path.join(root, 's'.repeat(105 - root.length - 2 - socketName.length))
  expect(Buffer.byteLength(path.join(stateDir, socketName))).toBe(105)
  await mkdir(stateDir, { recursive: true })
  const client = await startClientDaemon(spawnDetachedProcess, {
    node: process.execPath,
    client: CLIENT,
    stateDir,
    store: path.join(stateDir, 'store'),
    maxBytes: 1 << 30,
    startTimeoutMs: 15_000,
    socketPathLimit: socketPathLimit('darwin'),
  })
  try {
    expect(client.daemonStarted).toBe(true)
    expect(client.socket).toMatch(/^\/tmp\/gcs-[A-Za-z0-9]{6}\/d\.sock$/)
    expect(path.basename(client.socket)).toBe(SHORT_SOCKET_NAME)
    expect(statSync(path.dirname(client.socket)).mode & 0o777).toBe(0o700)
    expect(statSync(client.socket).mode & 0o777).toBe(0o600)
    // The compiled shim, given the fallback path in GOCACHEPROG.
    const args = splitGoCommandLine(client.command)
    expect(path.basename(args[0]!)).toBe(`go-cache-shim-linux-${process.arch === 'arm64' ? 'arm64' : 'amd64'}`)
    expect(args[args.indexOf('--daemon') + 1]).toBe(client.socket)

    const env = { GOCACHEPROG: client.command, GOMODCACHE: path.join(root, 'modcache'), GOPROXY: 'off', GOFLAGS: '-mod=mod' }
    const cold = await go(['build', '-x', './...'], module, env)
    expect(compiledPackages(cold.stderr).length).toBeGreaterThan(10)
    const warm = await go(['build', '-x', './...'], module, env)
    expect(compiledPackages(warm.stderr)).toEqual([])
    // Both go processes reported to the daemon over the fallback socket.
    const reply = await controlRequest(client.socket, { op: 'stats' }, 30_000)
    if (!reply.ok || reply.stats === undefined) throw new Error(JSON.stringify(reply))
    expect(reply.stats.sessions).toBe(2)
    expect(reply.stats.hits).toBeGreaterThan(10)
  } finally {
    await controlRequest(client.socket, { op: 'stop' }, 5_000).catch(() => undefined)
  }
  const deadline = Date.now() + 10_000
  while (existsSync(path.dirname(client.socket)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  expect(existsSync(path.dirname(client.socket))).toBe(false)
})
