/**
 * Another local user on a self-hosted runner (docs/security.md, "Local"): the
 * daemon and go's shims, started under umask 000 in a directory anyone may
 * enter, still leave a socket and a store that only their user can use. Real
 * OS users: as root (CI runs as root) the test creates an unprivileged user
 * and attacks as it; without root it cannot switch users, and is skipped.
 */
import { execFile, spawn } from 'node:child_process'
import { chmodSync, lstatSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { findShim } from '../../../src/buildcache/client-install.ts'
import { controlRequest, waitForDaemon } from '../../../src/daemon/control.ts'
import { CLIENT } from '../client/helpers.ts'

const execFileP = promisify(execFile)
const OTHER = 'gcs-other-user'
const asRoot = process.getuid?.() === 0 ? describe : describe.skip

let root: string
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'other-user-'))
  // A directory anyone may enter and write, like /tmp where a long socket path falls back to.
  chmodSync(root, 0o1777)
  if (process.getuid?.() === 0) await execFileP('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER]).catch(() => undefined)
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

/** Runs `args` with umask 000, the loosest a runner could have. */
function loose(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ stdout: string; stderr: string }> {
  return execFileP('sh', ['-c', 'umask 000; exec "$0" "$@"', command, ...args], { env })
}

/** What the other user gets when it tries each attack; an error code, or 'ok' if it worked. */
async function attackAs(socket: string, store: string): Promise<Record<string, string>> {
  const script = `
const fs = require('node:fs'), net = require('node:net'), path = require('node:path')
const store = ${JSON.stringify(store)}, out = {}
const attempt = (name, fn) => { try { fn(); out[name] = 'ok' } catch (e) { out[name] = e.code || String(e) } }
attempt('list the store', () => fs.readdirSync(store))
attempt('write into tmp', () => fs.writeFileSync(path.join(store, 'tmp', 'planted'), 'x'))
attempt('add a fan-out directory', () => fs.mkdirSync(path.join(store, 'a', 'zz')))
attempt('replace the entries directory', () => fs.renameSync(path.join(store, 'a'), path.join(store, 'a-moved')))
const s = net.connect(${JSON.stringify(socket)})
s.on('connect', () => { out['talk to the daemon'] = 'ok'; s.end(); done() })
s.on('error', (e) => { out['talk to the daemon'] = e.code; done() })
function done() { process.stdout.write(JSON.stringify(out)) }
`
  const { stdout } = await execFileP('runuser', ['-u', OTHER, '--', process.execPath, '-e', script])
  return JSON.parse(stdout) as Record<string, string>
}

/** Every directory and file under `dir` with its permission bits. */
function modes(dir: string): Map<string, number> {
  const found = new Map<string, number>([[dir, lstatSync(dir).mode & 0o777]])
  for (const name of readdirSync(dir, { recursive: true }) as string[]) found.set(path.join(dir, name), lstatSync(path.join(dir, name)).mode & 0o777)
  return found
}

asRoot('another local user', () => {
  it.each([
    ['the Node shim', 'node'],
    ['the compiled shim', 'compiled'],
  ] as const)(
    'can neither talk to the daemon nor write the store, with %s and umask 000',
    async (_name, shim) => {
      const dir = path.join(root, shim)
      await mkdir(dir)
      chmodSync(dir, 0o777)
      const store = path.join(dir, 'store')
      const socket = path.join(dir, 'd.sock')
      const daemon = spawn('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, CLIENT, 'daemon', '--store', store, '--socket', socket], {
        detached: true,
        stdio: 'ignore',
      })
      try {
        expect(await waitForDaemon(socket, 10_000)).toBe(true)
        // A real go build through GOCACHEPROG, every process under umask 000: the store fills with entries.
        const module = path.join(dir, 'm')
        await mkdir(path.join(module, 'a'), { recursive: true })
        await writeFile(path.join(module, 'go.mod'), 'module example.com/m\n\ngo 1.24\n')
        await writeFile(path.join(module, 'a', 'a.go'), 'package a\n\nfunc A() int { return 1 }\n')
        const compiled = findShim(CLIENT)
        if (shim === 'compiled') expect(compiled).toBeDefined()
        const prog = shim === 'compiled' ? [compiled!] : [process.execPath, CLIENT]
        const env = {
          ...process.env,
          GOCACHEPROG: `${prog.join(' ')} serve --store ${store} --daemon ${socket}`,
          GOFLAGS: '',
          GOTOOLCHAIN: 'local',
          GOPROXY: 'off',
        }
        await loose('go', ['-C', module, 'build', './...'], env)
        const tree = modes(store)
        expect([...tree.keys()].some((p) => p.includes(`${path.sep}a${path.sep}`))).toBe(true)
        for (const [p, mode] of tree) expect([p, mode]).toEqual([p, lstatSync(p).isDirectory() ? 0o700 : 0o600])
        expect(lstatSync(socket).mode & 0o777).toBe(0o600)

        const results = await attackAs(socket, store)
        expect(results).toEqual({
          'list the store': 'EACCES',
          'write into tmp': 'EACCES',
          'add a fan-out directory': 'EACCES',
          'replace the entries directory': 'EACCES',
          'talk to the daemon': 'EACCES',
        })
      } finally {
        await controlRequest(socket, { op: 'stop' }, 2000).catch(() => daemon.kill())
      }
    },
    120_000,
  )

  it.each([
    ['the Node shim', 'node'],
    ['the compiled shim', 'compiled'],
  ] as const)(
    'is served the hits of a store it can read but not write, through %s, and go sends no puts',
    async (_name, shim) => {
      const dir = path.join(root, `read-only-${shim}`)
      await mkdir(path.join(dir, 'm', 'a'), { recursive: true })
      chmodSync(dir, 0o755)
      const module = path.join(dir, 'm')
      await writeFile(path.join(module, 'go.mod'), 'module example.com/m\n\ngo 1.24\n')
      await writeFile(path.join(module, 'a', 'a.go'), 'package a\n\nfunc A() int { return 1 }\n')
      const store = path.join(dir, 'store')
      const compiled = findShim(CLIENT)
      const prog = shim === 'compiled' ? [compiled!] : [process.execPath, CLIENT]
      const goEnv = { GOFLAGS: '', GOTOOLCHAIN: 'local', GOPROXY: 'off', GOCACHEPROG: `${prog.join(' ')} serve --store ${store}` }
      // This user fills the store, then opens it to others the way a store another user keeps would be.
      await execFileP('go', ['-C', module, 'build', './...'], { env: { ...process.env, ...goEnv } })
      // Without tmp/, which the other user cannot make: the case that killed `serve` (issue 19).
      await rm(path.join(store, 'tmp'), { recursive: true })
      await execFileP('chmod', ['-R', 'go+rX', store])
      // The other user, with a home and GOCACHE of its own: the same build, through the same store.
      const home = path.join(dir, 'home')
      await mkdir(home)
      await execFileP('chown', [OTHER, home])
      const env = ['env', `HOME=${home}`, `GOCACHE=${home}/gocache`, `PATH=${process.env.PATH}`, ...Object.entries(goEnv).map(([k, v]) => `${k}=${v}`)]
      const { stderr } = await execFileP('runuser', ['-u', OTHER, '--', ...env, 'go', '-C', module, 'build', '-x', './...'])
      // Every compile came from the store; the other user wrote nothing into it.
      expect(stderr.split('\n').filter((line) => /\/compile\s/.test(line))).toEqual([])
      expect(stderr).not.toContain('go-cache-setup')
      const owners = new Set((await execFileP('find', [store, '-printf', '%u\n'])).stdout.trim().split('\n'))
      expect([...owners]).toEqual(['root'])
    },
    120_000,
  )
})
