/**
 * The import the daemon runs while go starts: real files, a real store, and
 * `Arrivals`, which lets a lookup wait for an entry the index announced.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Arrivals, importBundle } from '../../../src/bundle/import.ts'
import { LocalStore } from '../../../src/store/local-store.ts'
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
    const report = await importBundle(file, store, { maxBytes: 1 << 30, arrivals })
    await Promise.all(waits)
    expect(report).toMatchObject({ objects: 3, entries: 6, bytes: 150_000, rejected: 0, waits: 0, waitMs: 0 })
    expect(report.error).toBeUndefined()
    expect(order).toEqual(['0:hit', '102:hit'])
    for (const n of [0, 1, 2, 100, 101, 102]) expect(store.get(id(n))?.size).toBe(50_000)
    expect(existsSync(file)).toBe(false)
    expect(arrivals.active).toBe(false)
  })

  it('reports a damaged bundle instead of throwing, keeps what came before, and wakes the waiters', async () => {
    const file = await bundleFile(root, 2)
    const good = readFileSync(file)
    writeFileSync(file, good.subarray(0, Math.floor(good.length * 0.6))) // truncated
    const store = new LocalStore(path.join(root, 'store'))
    const arrivals = new Arrivals()
    const report = await importBundle(file, store, { maxBytes: 1 << 30, arrivals })
    expect(report.error).toBeDefined()
    expect(arrivals.settled(id(1))).toBeUndefined()
    expect(existsSync(file)).toBe(false)
  })

  it('stops at the byte budget', async () => {
    const file = await bundleFile(root, 3)
    const report = await importBundle(file, new LocalStore(path.join(root, 'store')), { maxBytes: 120_000 })
    expect(report.objects).toBe(2)
    expect(report.error).toMatch(/goes over the limit of 120000 bytes/)
  })
})
