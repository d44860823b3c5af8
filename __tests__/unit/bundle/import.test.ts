/**
 * The import the daemon runs while go starts: real files, a real store, and
 * `Arrivals`, which lets a lookup wait for an entry the index announced.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Arrivals, importBundle, readBaseManifest } from '../../../src/bundle/import.ts'
import { LocalStore } from '../../../src/store/local-store.ts'
import { hashToString } from '../../../src/store/build-id.ts'
import { planBundle, writeBundle } from '../../../src/buildcache/bundle-save.ts'
import { bundleFile, id } from '../../support/bundle-file.ts'

let root: string
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bundle-import-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('Arrivals', () => {
  it('has nothing to wait for once ended, or for an entry the index does not name', async () => {
    const a = new Arrivals()
    a.indexRead([id(1)])
    expect(a.settled(id(2))).toBeUndefined()
    a.end()
    expect(a.active).toBe(false)
    expect(a.settled(id(1))).toBeUndefined()
  })

  it('wakes a waiter when its entry arrives, not before', async () => {
    const a = new Arrivals()
    a.indexRead([id(1), id(2)])
    let woke = false
    const waiting = a.settled(id(2))!.then(() => (woke = true))
    a.arrived([id(1)])
    await new Promise((r) => setImmediate(r))
    expect(woke).toBe(false)
    a.arrived([id(2)])
    await waiting
    expect(woke).toBe(true)
    expect(a.settled(id(2))).toBeUndefined() // arrived: look in the store
  })

  it('holds a lookup made before the index is read until it is, then decides', async () => {
    const a = new Arrivals()
    const notInIndex = a.settled(id(9))!
    const inIndex = a.settled(id(1))!
    let inIndexDone = false
    void inIndex.then(() => (inIndexDone = true))
    a.indexRead([id(1)])
    expect(await notInIndex).toBe(false) // 9 is not coming
    await new Promise((r) => setImmediate(r))
    expect(inIndexDone).toBe(false)
    a.arrived([id(1)])
    expect(await inIndex).toBe(true)
  })

  it('wakes every waiter at the end, whether or not its entry came', async () => {
    const a = new Arrivals()
    a.indexRead([id(1), id(2)])
    const waits = [a.settled(id(1))!, a.settled(id(2))!, a.settled(id(2))!]
    a.arrived([id(1)])
    a.end()
    expect(await Promise.all(waits)).toEqual([true, false, false])
  })
})

describe('importBundle', () => {
  it('publishes each verified object with its entries, tells Arrivals, and deletes the file', async () => {
    const file = await bundleFile(root, 3)
    const store = new LocalStore(path.join(root, 'store'))
    const arrivals = new Arrivals()
    const order: string[] = []
    const wait = (n: number) => arrivals.settled(id(n))!.then(() => order.push(`${n}:${store.get(id(n)) === undefined ? 'miss' : 'hit'}`))
    const waits = [wait(102), wait(0)]
    const report = await importBundle([file], store, { maxBytes: 1 << 30, arrivals })
    await Promise.all(waits)
    expect(report).toMatchObject({ objects: 3, entries: 6, bytes: 150_000, rejected: 0, waits: 0, waitMs: 0 })
    expect(report.error).toBeUndefined()
    expect(order).toEqual(['0:hit', '102:hit'])
    for (const n of [0, 1, 2, 100, 101, 102]) expect(store.get(id(n))?.size).toBe(50_000)
    expect(existsSync(file)).toBe(false)
    expect(arrivals.active).toBe(false)
  })

  it("drops an entry whose package archive carries another action's build ID, and keeps the object's right entry", async () => {
    const source = new LocalStore(path.join(root, 'source'))
    // IDs that differ in their first 15 bytes, the part a build ID carries.
    const [right, wrong] = ['right', 'wrong'].map((s) => createHash('sha256').update(s).digest('hex')) as [string, string]
    const archive = Buffer.from(
      `!<arch>\n__.PKGDEF       0           0     0     644     100       \`\ngo object linux amd64 go1.26.8 X:none\nbuild id "${hashToString(right)}/content"\n`,
    )
    const outputId = createHash('sha256').update(archive).digest('hex')
    const candidates = [right, wrong].map((actionId) => {
      source.put(actionId, outputId, [archive], archive.length, 1_700_000_000_000)
      return { actionId, outputId, size: archive.length, timeMs: 1_700_000_000_000 }
    })
    const file = path.join(root, 'mixed.bundle')
    await writeBundle(source, planBundle(candidates, 1 << 30), file)
    const store = new LocalStore(path.join(root, 'store'))
    const report = await importBundle([file], store, { maxBytes: 1 << 30 })
    expect(report).toMatchObject({ objects: 1, entries: 1, rejected: 1 })
    expect(store.get(right)?.outputId).toBe(outputId)
    expect(store.get(wrong)).toBeUndefined()
  })

  it('reports a damaged bundle instead of throwing, keeps what came before, and wakes the waiters', async () => {
    const file = await bundleFile(root, 2)
    const good = readFileSync(file)
    writeFileSync(file, good.subarray(0, Math.floor(good.length * 0.6))) // truncated
    const store = new LocalStore(path.join(root, 'store'))
    const arrivals = new Arrivals()
    const report = await importBundle([file], store, { maxBytes: 1 << 30, arrivals })
    expect(report.error).toBeDefined()
    expect(arrivals.settled(id(1))).toBeUndefined()
    expect(existsSync(file)).toBe(false)
  })

  it("imports a layer and its base: both indexes first, the layer's objects next, and a manifest of the base only", async () => {
    const layer = await bundleFile(root, 2, 1000, { first: 50, name: 'top.layer.bundle', baseKey: 'the-base' })
    const base = await bundleFile(root, 3, 1000, { first: 0, name: 'bottom.bundle' })
    const store = new LocalStore(path.join(root, 'store'))
    const arrivals = new Arrivals()
    const order: number[] = []
    const announced: boolean[] = []
    const origIndexRead = arrivals.indexRead.bind(arrivals)
    arrivals.indexRead = (ids) => {
      announced.push(ids.length === 10)
      origIndexRead(ids)
    }
    const origArrived = arrivals.arrived.bind(arrivals)
    arrivals.arrived = (ids) => {
      order.push(parseInt(ids[0]!, 16))
      origArrived(ids)
    }
    const manifest = path.join(root, 'base.json')
    const report = await importBundle([layer, base], store, { maxBytes: 1 << 30, arrivals, baseManifest: { file: manifest, key: 'the-base' } })
    expect(report).toMatchObject({ objects: 5, entries: 10, rejected: 0 })
    expect(report.error).toBeUndefined()
    expect(announced).toEqual([true])
    expect(order).toEqual([50, 51, 0, 1, 2])
    const written = await readBaseManifest(manifest)
    expect(written?.key).toBe('the-base')
    expect(written?.objects.map(([, size, ids]) => [size, ids.map((i) => parseInt(i, 16))])).toEqual([
      [1000, [0, 100]],
      [1000, [1, 101]],
      [1000, [2, 102]],
    ])
    expect(existsSync(layer) || existsSync(base)).toBe(false)
  })

  it('imports the base when the layer is damaged, and writes no manifest for a damaged base', async () => {
    const layer = await bundleFile(root, 2, 1000, { first: 50, name: 'top.layer.bundle', baseKey: 'the-base' })
    writeFileSync(layer, readFileSync(layer).subarray(0, 20))
    const base = await bundleFile(root, 3, 1000, { first: 0, name: 'bottom.bundle' })
    const manifest = path.join(root, 'base.json')
    const store = new LocalStore(path.join(root, 'store'))
    const report = await importBundle([layer, base], store, { maxBytes: 1 << 30, baseManifest: { file: manifest, key: 'the-base' } })
    expect(report).toMatchObject({ objects: 3, entries: 6 })
    expect(report.error).toBeDefined()
    expect(await readBaseManifest(manifest)).toBeDefined()

    const broken = await bundleFile(root, 3, 1000, { first: 0, name: 'broken.bundle' })
    const bytes = readFileSync(broken)
    writeFileSync(broken, bytes.subarray(0, Math.floor(bytes.length * 0.7)))
    const manifest2 = path.join(root, 'base2.json')
    const second = await importBundle([broken], new LocalStore(path.join(root, 'store2')), { maxBytes: 1 << 30, baseManifest: { file: manifest2, key: 'k' } })
    expect(second.error).toBeDefined()
    expect(await readBaseManifest(manifest2)).toBeUndefined()
  })

  it('reads back only a well-formed manifest', async () => {
    const file = path.join(root, 'm.json')
    for (const bad of [
      'not json',
      '{}',
      '{"key":"k","objects":[["xyz",1,[]]]}',
      `{"key":"k","objects":[["${id(1)}",-1,[]]]}`,
      `{"key":"k","objects":[["${id(1)}",1,["x"]]]}`,
    ]) {
      writeFileSync(file, bad)
      expect(await readBaseManifest(file)).toBeUndefined()
    }
    writeFileSync(file, `{"key":"k","objects":[["${id(1)}",1,["${id(2)}"]]]}`)
    expect(await readBaseManifest(file)).toEqual({ key: 'k', objects: [[id(1), 1, [id(2)]]] })
    expect(await readBaseManifest(path.join(root, 'none.json'))).toBeUndefined()
  })

  it('stops at the byte budget', async () => {
    const file = await bundleFile(root, 3)
    const report = await importBundle([file], new LocalStore(path.join(root, 'store')), { maxBytes: 120_000 })
    expect(report.objects).toBe(2)
    expect(report.error).toMatch(/goes over the limit of 120000 bytes/)
  })
})
