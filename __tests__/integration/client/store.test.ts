/**
 * The shared local store under real go: concurrent go processes writing the
 * same objects, and a store damaged on disk. The client runs exactly as the
 * action wires it (daemon + GOCACHEPROG from cacheProgCommand), without a job
 * around it, so the tests can reach into the store between go commands.
 */
import { createHash } from 'node:crypto'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { SAMPLE_MODULE } from '../../support/go-jobs.ts'
import { checkStore, compiledPackages, execFileP, go, prepareModCache, startClient, type StartedClient } from './helpers.ts'

let root: string
let modCache: string
const clients: StartedClient[] = []

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'client-store-'))
  modCache = path.join(root, 'modcache')
  await prepareModCache(modCache)
})
afterAll(async () => {
  for (const c of clients) await c.stop()
  await execFileP('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
})

async function setup(name: string): Promise<{ src: string; client: StartedClient; env: Record<string, string> }> {
  const dir = path.join(root, name)
  const src = path.join(dir, 'src')
  await cp(SAMPLE_MODULE, src, { recursive: true })
  const client = await startClient(path.join(dir, 'client'))
  clients.push(client)
  return { src, client, env: { ...client.env, GOMODCACHE: modCache, GOPROXY: 'off' } }
}

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex')

const PACKAGES = {
  uuid: 'github.com/google/uuid',
  yaml: 'gopkg.in/yaml.v3',
  cobra: 'github.com/spf13/cobra',
  errgroup: 'golang.org/x/sync/errgroup',
}

/** The entry files (a/xx/<actionID>) that point at an object. */
async function entriesFor(store: string, outputId: string): Promise<string[]> {
  const found: string[] = []
  for (const shard of await readdir(path.join(store, 'a'))) {
    for (const id of await readdir(path.join(store, 'a', shard))) {
      const file = path.join(store, 'a', shard, id)
      if ((await readFile(file, 'latin1')).includes(` ${outputId} `)) found.push(file)
    }
  }
  return found
}

describe('the local store under real go', () => {
  it('serves four concurrent go builds from one daemon and one store', async () => {
    const { src, client, env } = await setup('concurrent')
    const out = path.join(root, 'concurrent', 'out')
    // All four share most actions (std, the dependencies), so they race on the
    // same entries and objects; the flags make the main package's compile or
    // the link differ.
    const builds = [
      { name: 'a', flags: '' },
      { name: 'b', flags: '' },
      { name: 'c', flags: '-gcflags=example.com/sample=-N' },
      { name: 'd', flags: '-ldflags=-s' },
    ]
    // The heaviest std packages first (one go process), so that four processes
    // that each compile whatever they miss do not take four times a cold build.
    await go(['build', 'runtime', 'reflect', 'fmt', 'os'], src, env)
    await Promise.all(builds.map((b) => go(['build', '-o', `${out}/${b.name}/`, './...'], src, { ...env, GOFLAGS: b.flags })))
    for (const b of builds) {
      const { stdout } = await execFileP(path.join(out, b.name, 'sample'))
      expect(stdout).toBe('ids: 3\n')
    }
    const stats = await client.stats()
    expect(stats.sessions).toBe(5)
    expect(stats.putErrors).toBe(0)
    expect(stats.puts).toBeGreaterThan(200)

    const store = await checkStore(client.store)
    expect(store.temps).toEqual([])
    expect(store.entries).toBeGreaterThan(200)
    // No entry lost its object to a racing writer.
    expect(store.stale).toEqual([])

    // Everything the four wrote is usable: each configuration relinks from the store alone.
    for (const b of builds) {
      const { stderr } = await go(['build', '-x', '-o', `${out}/${b.name}-again/`, './...'], src, { ...env, GOFLAGS: b.flags })
      expect(compiledPackages(stderr)).toEqual([])
    }
  })

  it('recompiles packages whose objects or entries were damaged, and heals the store', async () => {
    const { src, client, env } = await setup('damaged')
    const out = path.join(root, 'damaged', 'out')
    await go(['build', '-o', `${out}/1/`, './...'], src, env)
    const exportsOf = async () => {
      const { stdout } = await go(['list', '-export', '-f', '{{.ImportPath}} {{.Export}}', ...Object.values(PACKAGES)], src, env)
      return Object.fromEntries(
        stdout
          .trim()
          .split('\n')
          .map((line) => line.split(' ') as [string, string]),
      )
    }
    const exported = await exportsOf()
    const [uuid, yaml, cobra, errgroup] = [PACKAGES.uuid, PACKAGES.yaml, PACKAGES.cobra, PACKAGES.errgroup].map((p) => exported[p]!) as [
      string,
      string,
      string,
      string,
    ]
    const healthy = { uuid: await sha256(uuid), yaml: await sha256(yaml), errgroup: await sha256(errgroup) }

    // uuid: same size, different bytes (bit rot, a bad copy); yaml: cut short (a crash
    // mid-write); errgroup: gone; cobra: its object is fine, its entries are garbage.
    const bytes = await readFile(uuid)
    bytes.fill(0x41, Math.floor(bytes.length / 4), Math.floor(bytes.length / 2))
    await writeFile(uuid, bytes)
    await truncate(yaml, Math.floor((await readFile(yaml)).length / 2))
    await rm(errgroup)
    const cobraEntries = await entriesFor(client.store, path.basename(cobra))
    expect(cobraEntries.length).toBeGreaterThan(0)
    for (const entry of cobraEntries) await writeFile(entry, 'v1 not an entry\n')

    const before = await client.stats()
    const { stderr } = await go(['build', '-x', '-o', `${out}/2/`, './...'], src, env)
    const after = await client.stats()
    // Exactly the damaged packages are rebuilt; their dependents keep their cache entries
    // (the rebuilt archives are the same bytes, so their action IDs do not change).
    expect(compiledPackages(stderr)).toEqual(Object.values(PACKAGES).sort())
    expect(after.misses - before.misses).toBeGreaterThanOrEqual(4)
    expect(after.puts - before.puts).toBeGreaterThanOrEqual(4)
    expect(after.putErrors).toBe(0)
    expect((await execFileP(path.join(out, '2', 'sample'))).stdout).toBe('ids: 3\n')

    // The store holds the good bytes again, at the same DiskPaths (content-addressed).
    expect(await exportsOf()).toEqual(exported)
    expect(await sha256(uuid)).toBe(healthy.uuid)
    expect(await sha256(yaml)).toBe(healthy.yaml)
    expect(await sha256(errgroup)).toBe(healthy.errgroup)
    // So a package compiled against their export data builds.
    await mkdir(path.join(src, 'newpkg'))
    await writeFile(
      path.join(src, 'newpkg', 'newpkg.go'),
      'package newpkg\n\nimport (\n\t"github.com/google/uuid"\n\t"gopkg.in/yaml.v3"\n)\n\nfunc F() ([]byte, error) { return yaml.Marshal(uuid.NewString()) }\n',
    )
    await go(['build', './newpkg'], src, env)

    // And nothing misses any more.
    const again = await client.stats()
    await go(['build', '-o', `${out}/1/`, './...'], src, env)
    expect((await client.stats()).misses - again.misses).toBe(0)
    expect((await checkStore(client.store)).stale).toEqual([])
  })
})
