/**
 * A store that fills up mid-build (issue 19): the store lives on a small
 * tmpfs, so most of go's puts find no room. Each is answered from a
 * temporary copy (store/spill.ts, src/shim/spill.go): go build, go test, and
 * `go list -export` (which reads every put's DiskPath) succeed through either
 * shim, the job's stats count the puts that were not stored, and the copies
 * are gone once go exits. Before, those puts were answered with Err, and
 * `go list -export` failed. Mounting needs root, as CI runs; skipped otherwise.
 */
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { cacheProgCommand, findShim } from '../../../src/buildcache/client-install.ts'
import { SAMPLE_MODULE } from '../../support/go-jobs.ts'
import { CLIENT, go, prepareModCache, startClient } from '../client/helpers.ts'

const execFileP = promisify(execFile)
const asRoot = process.getuid?.() === 0 ? describe : describe.skip

let root: string
let modCache: string
const mounts: string[] = []

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'full-store-'))
  modCache = path.join(root, 'modcache')
  await prepareModCache(modCache)
})
afterAll(async () => {
  for (const mount of mounts) await execFileP('umount', [mount]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

asRoot('a store with no room left', () => {
  it.each(['node', 'compiled'])(
    'through the %s shim: go build, go test and go list -export succeed, and the puts that found no room are counted',
    async (program) => {
      const dir = path.join(root, program)
      const store = path.join(dir, 'store')
      const tmp = path.join(dir, 'tmp')
      await mkdir(store, { recursive: true })
      await mkdir(tmp)
      // Room for the store's directories and a few small objects, not for a build's.
      await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=96k,mode=0700', 'tmpfs', store])
      mounts.push(store)
      const client = await startClient(dir)
      try {
        const shim = program === 'compiled' ? findShim(CLIENT) : undefined
        if (program === 'compiled') expect(shim).toBeDefined()
        const goCacheProg = cacheProgCommand({ node: process.execPath, client: CLIENT, ...(shim && { shim }), store, socket: client.socket })
        const workspace = path.join(dir, 'src')
        await cp(SAMPLE_MODULE, workspace, { recursive: true })
        const env = { GOCACHEPROG: goCacheProg, GOCACHE: path.join(dir, 'gocache'), GOMODCACHE: modCache, GOPROXY: 'off', TMPDIR: tmp }
        await go(['build', './...'], workspace, env)
        await go(['test', './...'], workspace, env)
        const listed = await go(['list', '-export', '-f', '{{.ImportPath}} {{.Export}}', './...'], workspace, env)
        // Every package has export data: go was handed a file for each put, stored or not.
        for (const line of listed.stdout.trim().split('\n')) expect(line).toMatch(/^\S+ \/\S+$/)
        const stats = await client.stats()
        expect(stats.puts).toBeGreaterThan(0)
        expect(stats.putErrors).toBeGreaterThan(0)
        // The temporary copies went with the go processes that used them.
        expect((await readdir(tmp)).filter((name) => name.startsWith('go-cache-setup-spill-'))).toEqual([])
      } finally {
        await client.stop()
      }
    },
    300_000,
  )
})
