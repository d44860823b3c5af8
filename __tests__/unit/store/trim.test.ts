import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { LocalStore } from '../../../src/store/local-store.ts'
import { applyTrim, planTrim, scanStore, type ScannedEntry, type StoreScan } from '../../../src/store/trim.ts'
import { hexId, sha256Hex } from '../gocacheprog/go-frames.ts'

// Short readable IDs for the pure planner (it never checks them).
const scan = (entries: ScannedEntry[], objects: Record<string, number>, temps: StoreScan['temps'] = []): StoreScan => ({
  entries,
  objects: new Map(Object.entries(objects)),
  temps,
})
const e = (actionId: string, outputId: string | undefined, lastUsedMs: number): ScannedEntry => ({ actionId, outputId, lastUsedMs })

describe('planTrim', () => {
  const cases: { name: string; scan: StoreScan; maxBytes: number; tempMaxAgeMs?: number; plan: ReturnType<typeof planTrim> }[] = [
    {
      name: 'keeps everything that fits',
      scan: scan([e('a1', 'o1', 3), e('a2', 'o2', 2)], { o1: 100, o2: 50 }),
      maxBytes: 150,
      plan: { removeEntries: [], removeObjects: [], removeTemps: [], keptBytes: 150, removedBytes: 0 },
    },
    {
      name: 'drops the least recently used first',
      scan: scan([e('old', 'o1', 1), e('new', 'o2', 3), e('mid', 'o3', 2)], { o1: 100, o2: 100, o3: 100 }),
      maxBytes: 250,
      plan: { removeEntries: ['old'], removeObjects: ['o1'], removeTemps: [], keptBytes: 200, removedBytes: 100 },
    },
    {
      name: 'counts an object shared by several entries once, and keeps all its entries',
      scan: scan([e('a1', 'shared', 5), e('a2', 'shared', 1), e('a3', 'o3', 3)], { shared: 100, o3: 100 }),
      maxBytes: 100,
      plan: { removeEntries: ['a3'], removeObjects: ['o3'], removeTemps: [], keptBytes: 100, removedBytes: 100 },
    },
    {
      name: 'removes every entry of a shared object that does not fit',
      scan: scan([e('a1', 'big', 5), e('a2', 'big', 4), e('a3', 'small', 3)], { big: 300, small: 10 }),
      maxBytes: 250,
      plan: { removeEntries: ['a1', 'a2'], removeObjects: ['big'], removeTemps: [], keptBytes: 10, removedBytes: 300 },
    },
    {
      name: 'skips an object too big for what is left and keeps older smaller ones',
      scan: scan([e('a1', 'o1', 9), e('a2', 'o2', 8), e('a3', 'o3', 7)], { o1: 60, o2: 60, o3: 30 }),
      maxBytes: 100,
      plan: { removeEntries: ['a2'], removeObjects: ['o2'], removeTemps: [], keptBytes: 90, removedBytes: 60 },
    },
    {
      name: 'removes entries whose object is missing or that did not parse',
      scan: scan([e('gone', 'nothere', 9), e('broken', undefined, 9), e('ok', 'o1', 1)], { o1: 10 }),
      maxBytes: 1000,
      plan: { removeEntries: ['broken', 'gone'], removeObjects: [], removeTemps: [], keptBytes: 10, removedBytes: 0 },
    },
    {
      name: 'removes orphan objects, whatever the budget',
      scan: scan([e('a1', 'o1', 1)], { o1: 10, orphan1: 20, orphan2: 30 }),
      maxBytes: 1e12,
      plan: { removeEntries: [], removeObjects: ['orphan1', 'orphan2'], removeTemps: [], keptBytes: 10, removedBytes: 50 },
    },
    {
      name: 'breaks ties on last use by action ID',
      scan: scan([e('b', 'o2', 5), e('a', 'o1', 5), e('c', 'o3', 5)], { o1: 10, o2: 10, o3: 10 }),
      maxBytes: 20,
      plan: { removeEntries: ['c'], removeObjects: ['o3'], removeTemps: [], keptBytes: 20, removedBytes: 10 },
    },
    {
      name: 'keeps empty objects with a zero budget, drops the rest',
      scan: scan([e('a1', 'empty', 1), e('a2', 'o2', 2)], { empty: 0, o2: 1 }),
      maxBytes: 0,
      plan: { removeEntries: ['a2'], removeObjects: ['o2'], removeTemps: [], keptBytes: 0, removedBytes: 1 },
    },
    {
      name: 'removes temps older than an hour by default, keeps younger (a put may be writing them)',
      scan: scan([], {}, [
        { name: 't-old', ageMs: 3_600_001 },
        { name: 't-hour', ageMs: 3_600_000 },
        { name: 't-new', ageMs: 5 },
      ]),
      maxBytes: 0,
      plan: { removeEntries: [], removeObjects: [], removeTemps: ['t-old'], keptBytes: 0, removedBytes: 0 },
    },
    {
      name: 'takes another temp age',
      scan: scan([], {}, [
        { name: 't1', ageMs: 11 },
        { name: 't2', ageMs: 10 },
      ]),
      maxBytes: 0,
      tempMaxAgeMs: 10,
      plan: { removeEntries: [], removeObjects: [], removeTemps: ['t1'], keptBytes: 0, removedBytes: 0 },
    },
    {
      name: 'sorts what it removes',
      scan: scan([e('z', 'oz', 1), e('m', 'om', 2), e('b', 'ob', 3)], { oz: 10, om: 10, ob: 10, oa: 1 }),
      maxBytes: 0,
      plan: { removeEntries: ['b', 'm', 'z'], removeObjects: ['oa', 'ob', 'om', 'oz'], removeTemps: [], keptBytes: 0, removedBytes: 31 },
    },
  ]
  it.each(cases)('$name', ({ scan, maxBytes, tempMaxAgeMs, plan }) => {
    expect(planTrim(scan, maxBytes, tempMaxAgeMs)).toStrictEqual(plan)
  })

  it('does not modify the scan', () => {
    const s = scan([e('b', 'o1', 1), e('a', 'o2', 2)], { o1: 10, o2: 10 })
    const copy = structuredClone(s)
    planTrim(s, 10)
    expect(s).toStrictEqual(copy)
  })
})

describe('scanStore and applyTrim on a real store', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'trim-'))
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('scans entries, objects and temps, ignores foreign names, trims LRU to the budget', async () => {
    const store = new LocalStore(root)
    const now = Date.UTC(2030, 0, 1)
    const bodies = [1000, 2000, 3000, 4000].map((n, i) => Buffer.alloc(n, i + 1))
    const actions = bodies.map((_, i) => hexId(`action ${i}`))
    bodies.forEach((body, i) => store.put(actions[i]!, sha256Hex(body), [body], body.length, now))
    // A second action sharing object 3 (the biggest), and one entry whose object is gone.
    const sharing = hexId('sharing')
    store.put(sharing, sha256Hex(bodies[3]!), [bodies[3]!], 4000, now)
    const dangling = hexId('dangling')
    store.put(dangling, hexId('never written'), [Buffer.from('x')], 1, now)
    await rm(store.objectPath(hexId('never written')))
    // An entry that does not parse, and an orphan object.
    const broken = hexId('broken')
    mkdirSync(path.dirname(store.actionPath(broken)), { recursive: true })
    writeFileSync(store.actionPath(broken), 'not an entry')
    const orphan = Buffer.alloc(500, 9)
    mkdirSync(path.dirname(store.objectPath(sha256Hex(orphan))), { recursive: true })
    writeFileSync(store.objectPath(sha256Hex(orphan)), orphan)
    // Last use: action 0 oldest ... action 3 newest; `sharing` in the middle.
    const used = (id: string, ms: number) => utimesSync(store.actionPath(id), new Date(ms), new Date(ms))
    actions.forEach((id, i) => used(id, now - (4 - i) * 60_000))
    used(sharing, now - 150_000)
    used(dangling, now)
    used(broken, now)
    // Temps: one old, one fresh.
    writeFileSync(path.join(root, 'tmp', 'old-temp'), 'x')
    utimesSync(path.join(root, 'tmp', 'old-temp'), new Date(now - 2 * 3_600_000), new Date(now - 2 * 3_600_000))
    writeFileSync(path.join(root, 'tmp', 'new-temp'), 'x')
    utimesSync(path.join(root, 'tmp', 'new-temp'), new Date(now - 1000), new Date(now - 1000))
    // Foreign names everywhere: not 64-hex, upper case, bad shards, a directory where an object would be.
    const foreign = [
      path.join(root, 'a', 'README'),
      path.join(root, 'a', 'zz', actions[0]!),
      path.join(root, 'a', actions[0]!.slice(0, 2), 'notes.txt'),
      path.join(root, 'a', actions[0]!.slice(0, 2), actions[0]!.toUpperCase()),
      path.join(root, 'o', 'ABC', sha256Hex(orphan)),
      path.join(root, 'o', sha256Hex(orphan).slice(0, 2), `${sha256Hex(orphan)}.bin`),
      path.join(root, 'journal', 'x.json'),
    ]
    for (const file of foreign) {
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, 'foreign')
    }
    const dirAsObject = path.join(root, 'o', 'ee', 'e'.repeat(64))
    mkdirSync(dirAsObject, { recursive: true })

    const scanned = await scanStore(root, now)
    expect([...scanned.entries].sort((a, b) => a.actionId.localeCompare(b.actionId))).toStrictEqual(
      [
        ...actions.map((id, i) => ({ actionId: id, outputId: sha256Hex(bodies[i]!), lastUsedMs: now - (4 - i) * 60_000 })),
        { actionId: sharing, outputId: sha256Hex(bodies[3]!), lastUsedMs: now - 150_000 },
        { actionId: dangling, outputId: hexId('never written'), lastUsedMs: now },
        { actionId: broken, outputId: undefined, lastUsedMs: now },
      ].sort((a, b) => a.actionId.localeCompare(b.actionId)),
    )
    expect(new Map([...scanned.objects].sort())).toStrictEqual(
      new Map([...bodies.map((b) => [sha256Hex(b), b.length] as const), [sha256Hex(orphan), 500] as const].sort()),
    )
    expect([...scanned.temps].sort((a, b) => a.name.localeCompare(b.name))).toStrictEqual([
      { name: 'new-temp', ageMs: 1000 },
      { name: 'old-temp', ageMs: 2 * 3_600_000 },
    ])

    // Budget 7000: object 3 (4000, newest) and object 2 (3000) fit; 1 and 0 go.
    const plan = planTrim(scanned, 7000)
    expect(plan).toStrictEqual({
      removeEntries: [actions[0]!, actions[1]!, broken, dangling].sort(),
      removeObjects: [sha256Hex(bodies[0]!), sha256Hex(bodies[1]!), sha256Hex(orphan)].sort(),
      removeTemps: ['old-temp'],
      keptBytes: 7000,
      removedBytes: 3500,
    })
    await applyTrim(root, plan)

    expect(store.get(actions[0]!)).toBeUndefined()
    expect(store.get(actions[1]!)).toBeUndefined()
    expect(store.get(actions[2]!)).toMatchObject({ size: 3000 })
    expect(store.get(actions[3]!)).toMatchObject({ size: 4000 })
    expect(store.get(sharing)).toMatchObject({ size: 4000 })
    expect(existsSync(store.actionPath(actions[0]!))).toBe(false)
    expect(existsSync(store.actionPath(broken))).toBe(false)
    expect(existsSync(store.actionPath(dangling))).toBe(false)
    expect(existsSync(store.objectPath(sha256Hex(orphan)))).toBe(false)
    expect(readdirSync(path.join(root, 'tmp'))).toStrictEqual(['new-temp'])
    for (const file of foreign) expect(existsSync(file)).toBe(true)
    expect(existsSync(dirAsObject)).toBe(true)

    // A second pass with the same budget has nothing left to do.
    expect(planTrim(await scanStore(root, now), 7000)).toStrictEqual({
      removeEntries: [],
      removeObjects: [],
      removeTemps: [],
      keptBytes: 7000,
      removedBytes: 0,
    })
  })

  it('scans an empty or missing store as empty', async () => {
    expect(await scanStore(path.join(root, 'nothing here'))).toStrictEqual({ entries: [], objects: new Map(), temps: [] })
    new LocalStore(root)
    expect(await scanStore(root)).toStrictEqual({ entries: [], objects: new Map(), temps: [] })
  })

  it('counts imported entries (lines, not files), as used now when the job used them, and rewrites the file without the trimmed ones', async () => {
    const store = new LocalStore(root)
    const now = Date.UTC(2030, 0, 1)
    const bodies = [1000, 2000, 3000].map((n, i) => Buffer.alloc(n, i + 1))
    const ids = bodies.map((_, i) => hexId(`imported ${i}`))
    bodies.forEach((body, i) => store.importShared(sha256Hex(body), [body], body.length, [{ actionId: ids[i]!, timeMs: now }]))
    store.endImport()
    const importedAt = now - 3_600_000
    utimesSync(store.importedPath, new Date(importedAt), new Date(importedAt))
    // A later put of imported 2 (a file) wins over its line.
    store.put(ids[2]!, sha256Hex(bodies[2]!), [bodies[2]!], 3000, now)
    utimesSync(store.actionPath(ids[2]!), new Date(now - 1000), new Date(now - 1000))

    const scanned = await scanStore(root, now, new Set([ids[1]!]))
    expect([...scanned.entries].sort((a, b) => a.actionId.localeCompare(b.actionId))).toStrictEqual(
      [
        { actionId: ids[0]!, outputId: sha256Hex(bodies[0]!), lastUsedMs: importedAt },
        { actionId: ids[1]!, outputId: sha256Hex(bodies[1]!), lastUsedMs: now },
        { actionId: ids[2]!, outputId: sha256Hex(bodies[2]!), lastUsedMs: now - 1000 },
      ].sort((a, b) => a.actionId.localeCompare(b.actionId)),
    )

    // Budget 5000: imported 1 (used now) and 2 stay; imported 0 goes, line and object.
    const plan = planTrim(scanned, 5000)
    expect(plan).toMatchObject({ removeEntries: [ids[0]!], removeObjects: [sha256Hex(bodies[0]!)] })
    await applyTrim(root, plan)
    const fresh = new LocalStore(root)
    expect(fresh.get(ids[0]!)).toBeUndefined()
    expect(fresh.get(ids[1]!)).toMatchObject({ size: 2000 })
    expect(fresh.get(ids[2]!)).toMatchObject({ size: 3000 })
    expect(
      readFileSync(store.importedPath, 'latin1')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(0, 64))
        .sort(),
    ).toStrictEqual([ids[1]!, ids[2]!].sort())
  })

  it('applies a plan whose files are already gone', async () => {
    new LocalStore(root)
    await expect(
      applyTrim(root, { removeEntries: [hexId(1)], removeObjects: [hexId(2)], removeTemps: ['x'], keptBytes: 0, removedBytes: 0 }),
    ).resolves.toBeUndefined()
  })
})
