/**
 * Restore and save with a real local store in temp directories and the
 * in-memory archive cache (GitHub's matching rules) from fakes.ts.
 */
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { bundleKeys, type BundleKeyParts } from '../../../src/buildcache/bundle-key.ts'
import { restoreBundle, withImport, type BundleRestoreParams, type BundleRestoreReport } from '../../../src/buildcache/bundle-restore.ts'
import { MAX_GO_OBJECT_BYTES } from '../../../src/go/object-size.ts'
import { LAYER_MAX_SHARE, LAYER_SLACK, planBundle, planSave, saveBundle, skipReason, writeBundle } from '../../../src/buildcache/bundle-save.ts'
import { LocalStore } from '../../../src/store/local-store.ts'
import { MemoryArchiveCache } from '../../support/fakes.ts'

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')
const id = (n: number) => n.toString(16).padStart(64, '0')
const parts: BundleKeyParts = {
  hostOS: 'linux',
  hostArch: 'amd64',
  goVersion: 'go1.26.8',
  branch: 'main',
  defaultBranch: 'main',
  job: 'test',
  matrix: '',
  runId: '1',
  runAttempt: '1',
}

let root: string
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bundle-unit-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const logs: string[] = []
const log = { info: (m: string) => void logs.push(`info ${m}`), warning: (m: string) => void logs.push(`warning ${m}`), debug: () => undefined }
const warnings = () => logs.filter((l) => l.startsWith('warning '))

function params(cache: MemoryArchiveCache, store: string, over: Partial<BundleRestoreParams> = {}): BundleRestoreParams {
  return {
    cache,
    log,
    store: new LocalStore(store),
    keys: bundleKeys(parts),
    file: path.join(root, 'temp', 'build-cache.bundle'),
    canRead: true,
    maxImportBytes: 1 << 30,
    settings: { enabled: true, maxBytes: 1 << 30, threshold: { kind: 'percent', value: 5 } },
    now: () => 0,
    ...over,
  }
}

/** Puts `n` objects (entry i → object i) into a store; returns their action IDs. */
/** What the daemon reports for a job that used `used` and added `added`, asked for in that order. */
function jobIds(used: string[], added: string[], order = [...used, ...added]) {
  return { used, added, order }
}

function fill(store: LocalStore, from: number, n: number, size = 1000): string[] {
  const ids: string[] = []
  for (let i = from; i < from + n; i++) {
    const body = Buffer.alloc(size, i)
    store.put(id(i), sha(body), [body], size, 1_700_000_000_000 + i)
    ids.push(id(i))
  }
  return ids
}

describe('bundle save and restore', () => {
  beforeEach(() => void logs.splice(0))

  it('saves what the job used and added, and a fresh store restores exactly those entries, served as hits', async () => {
    const cache = new MemoryArchiveCache()
    const a = new LocalStore(path.join(root, 'a'))
    const used = fill(a, 1, 3)
    const added = fill(a, 10, 2)
    const stale = fill(a, 20, 4) // in the store, but this job did not touch them
    const restored = await restoreBundle(params(cache, a.root))
    expect(restored.outcome).toBe('miss')

    const save = await saveBundle({
      cache,
      log,
      store: new LocalStore(a.root),
      restore: restored,
      write: { allowed: true },
      ids: jobIds(used, added),
      now: () => 0,
    })
    expect(save).toMatchObject({ saved: true, entries: 5, objects: 5, rawBytes: 5000 })
    expect(save.bytes).toBeGreaterThan(0)
    expect(cache.calls).toEqual([`restore ${restored.key}`, `exists ${restored.key}`, `save ${restored.key}`])
    await expect(readFile(restored.path)).rejects.toThrow() // the file does not linger

    const b = new LocalStore(path.join(root, 'b'))
    const next = await restoreBundle(params(cache, b.root, { keys: bundleKeys({ ...parts, runId: '2' }) }))
    expect(next).toMatchObject({ outcome: 'hit', matchedKey: restored.key, entries: 5, objects: 5, bytes: 5000 })
    for (const actionId of [...used, ...added]) {
      const hit = b.get(actionId)
      expect(hit).toBeDefined()
      expect(sha(await readFile(hit!.diskPath))).toBe(hit!.outputId)
    }
    expect(b.get(id(1))!.timeMs).toBe(1_700_000_000_001)
    for (const actionId of stale) expect(b.get(actionId)).toBeUndefined()
    expect(warnings()).toEqual([])
  })

  it('hands the downloaded file to the daemon when it takes it, and imports it here when it does not', async () => {
    const cache = new MemoryArchiveCache()
    const a = new LocalStore(path.join(root, 'a'))
    const ids = fill(a, 1, 3)
    const first = await restoreBundle(params(cache, a.root))
    expect(
      await saveBundle({ cache, log, store: new LocalStore(a.root), restore: first, write: { allowed: true }, ids: jobIds([], ids), now: () => 0 }),
    ).toMatchObject({
      saved: true,
    })
    const keys = bundleKeys({ ...parts, runId: '2' })

    const handed: unknown[] = []
    const b = new LocalStore(path.join(root, 'b'))
    const background = await restoreBundle(params(cache, b.root, { keys, importInBackground: async (...args) => (handed.push(args), true) }))
    expect(background).toMatchObject({ outcome: 'hit', importing: 'daemon', entries: 0 })
    expect(handed).toEqual([[[background.path], { file: `${background.path}.base.json`, key: first.key }]])
    expect((await readFile(background.path)).length).toBe(background.archiveBytes) // the daemon's now
    expect(b.get(ids[0]!)).toBeUndefined()
    // Post: the daemon's figures turn it into a full report; damage into `corrupt` and a warning.
    const done = withImport(background, { objects: 3, entries: 3, bytes: 3000, rejected: 0, importMs: 40, waits: 2, waitMs: 7 }, log)
    expect(done).toMatchObject({ outcome: 'hit', entries: 3, bytes: 3000, importMs: 40, waits: 2, waitMs: 7 })
    expect(
      withImport(background, { objects: 1, entries: 1, bytes: 1000, rejected: 1, importMs: 5, waits: 0, waitMs: 0, error: 'truncated' }, log),
    ).toMatchObject({
      outcome: 'corrupt',
      reason: `the bundle ${first.key} is unreadable (truncated); treated as a miss`,
      entries: 1,
    })
    expect(warnings()).toEqual([
      `warning Build cache bundle ${first.key}: 1 objects or entries did not match their digest or their action and were skipped`,
      `warning Build cache bundle: the bundle ${first.key} is unreadable (truncated); treated as a miss`,
    ])

    for (const refuse of [async () => false, async () => Promise.reject(new Error('no daemon'))]) {
      const c = new LocalStore(path.join(root, `c${logs.length}`))
      const here = await restoreBundle(params(cache, c.root, { keys, importInBackground: refuse }))
      expect(here).toMatchObject({ outcome: 'hit', entries: 3 })
      expect(here.importing).toBeUndefined()
      expect(c.get(ids[0]!)).toBeDefined()
      await expect(readFile(here.path)).rejects.toThrow()
    }
  })

  it('treats a corrupt bundle as a miss with a warning, keeping nothing unverified', async () => {
    // Save a real bundle, then flip a byte in the stored copy.
    const a = new LocalStore(path.join(root, 'a'))
    const ids = fill(a, 1, 3, 50_000)
    const cache2 = new MemoryArchiveCache()
    const first = await restoreBundle(params(cache2, a.root))
    await saveBundle({ cache: cache2, log, store: new LocalStore(a.root), restore: first, write: { allowed: true }, ids: jobIds([], ids), now: () => 0 })
    const stored = [...cache2.entries.values()][0]!
    const [[name, bytes]] = [...stored.entries()]
    const broken = Buffer.from(bytes)
    broken[Math.floor(broken.length / 2)]! ^= 0xff
    stored.set(name, broken)
    logs.splice(0)
    const c = new LocalStore(path.join(root, 'c'))
    const result = await restoreBundle(params(cache2, c.root, { keys: bundleKeys({ ...parts, runId: '2' }) }))
    expect(result.outcome).toBe('corrupt')
    expect(result.reason).toMatch(/^the bundle go-cache-setup-build-v3-.* is unreadable \(.*\); treated as a miss$/)
    expect(warnings()).toHaveLength(1)
    // Whatever entered the store was verified: every entry there serves its object's true bytes.
    for (const actionId of ids) {
      const hit = c.get(actionId)
      if (hit) expect(sha(await readFile(hit.diskPath))).toBe(hit.outputId)
    }
  })

  it('is a miss with a warning when the cache service fails, and skipped when reads are off or it is disabled', async () => {
    const cache = new MemoryArchiveCache()
    cache.failRestore = new Error('connect ECONNREFUSED')
    const store = path.join(root, 's')
    expect(await restoreBundle(params(cache, store))).toMatchObject({ outcome: 'miss', reason: 'the cache service failed', available: true })
    expect(warnings()).toEqual(['warning Build cache bundle restore failed; the build starts cold: connect ECONNREFUSED'])
    expect(await restoreBundle(params(cache, store, { canRead: false, readSkipReason: 'ACTIONS_CACHE_MODE=write-only forbids cache reads' }))).toMatchObject({
      outcome: 'skipped',
      reason: 'ACTIONS_CACHE_MODE=write-only forbids cache reads',
      available: true,
    })
    const off = await restoreBundle(params(cache, store, { settings: { enabled: false, maxBytes: 1, threshold: { kind: 'count', value: 0 } } }))
    expect(off).toMatchObject({
      outcome: 'skipped',
      reason: "the build cache persists elsewhere: a remote cache (cache-url), or the self-hosted runner's own disk (bootstrap kit)",
      available: false,
    })
    cache.available = false
    expect(await restoreBundle(params(cache, store))).toMatchObject({ outcome: 'skipped', available: false })
  })
})

describe('skipReason', () => {
  const restore = (threshold: BundleRestoreReport['save']['threshold'], available = true): BundleRestoreReport => ({
    key: 'k',
    restoreKeys: [],
    path: '/f',
    available,
    outcome: 'hit',
    entries: 0,
    objects: 0,
    bytes: 0,
    archiveBytes: 0,
    restoreMs: 0,
    save: { maxBytes: 1, threshold },
  })
  const pct = { kind: 'percent', value: 5 } as const
  const used = Array.from({ length: 95 }, (_, i) => id(i))

  it.each([
    ['no service', { restore: restore(pct, false), ids: jobIds(used, [id(500)]) }, 'the GitHub Actions cache service is not available on this runner'],
    [
      'service failed in main',
      { restore: { ...restore(pct), outcome: 'miss' as const, reason: 'the cache service failed' }, ids: jobIds(used, [id(500)]) },
      'the cache service failed in the main step',
    ],
    ['writes refused', { restore: restore(pct), write: { allowed: false, reason: 'untrusted event: x' }, ids: jobIds(used, []) }, 'untrusted event: x'],
    ['no ids', { restore: restore(pct), ids: undefined }, 'the cache daemon did not say which entries the job used'],
    ['nothing new', { restore: restore(pct), ids: jobIds(used, [id(1)]) }, 'the job produced no new entries'],
    [
      '4 of 99 new, 5% needed',
      { restore: restore(pct), ids: jobIds(used, [id(500), id(501), id(502), id(503)]) },
      "only 4 new entries, below bundle-save-threshold (5% of the bundle's 99 entries new)",
    ],
    ['5 of 100 new', { restore: restore(pct), ids: jobIds(used, [500, 501, 502, 503, 504].map(id)) }, undefined],
    [
      'count 3, 2 new',
      { restore: restore({ kind: 'count', value: 3 }), ids: jobIds(used, [id(500), id(501)]) },
      'only 2 new entries, below bundle-save-threshold (3 new entries)',
    ],
    ['count 0, 1 new', { restore: restore({ kind: 'count', value: 0 }), ids: jobIds(used, [id(500)]) }, undefined],
  ])('%s', (_name, p, expected) => {
    expect(skipReason({ write: { allowed: true }, ...p })).toBe(expected)
  })
})

describe('planBundle', () => {
  it('keeps the order given, bundles a shared object once with all its entries, and stops adding objects at the byte limit', () => {
    const c = (a: number, o: string, size: number) => ({ actionId: id(a), outputId: o.repeat(64), size, timeMs: a })
    expect(planBundle([c(1, 'a', 40), c(2, 'b', 50), c(3, 'a', 40), c(4, 'c', 20), c(1, 'a', 40), c(5, 'd', 10)], 100)).toEqual([
      {
        outputId: 'a'.repeat(64),
        size: 40,
        entries: [
          { actionId: id(1), timeMs: 1 },
          { actionId: id(3), timeMs: 3 },
        ],
      },
      { outputId: 'b'.repeat(64), size: 50, entries: [{ actionId: id(2), timeMs: 2 }] },
      { outputId: 'd'.repeat(64), size: 10, entries: [{ actionId: id(5), timeMs: 5 }] },
    ])
  })

  it('leaves out an object over the Go object limit, which an import would refuse', () => {
    const c = (a: number, o: string, size: number) => ({ actionId: id(a), outputId: o.repeat(64), size, timeMs: a })
    expect(planBundle([c(1, 'a', MAX_GO_OBJECT_BYTES + 1), c(2, 'b', MAX_GO_OBJECT_BYTES)], 4 * MAX_GO_OBJECT_BYTES).map((o) => o.outputId)).toEqual([
      'b'.repeat(64),
    ])
  })
})

describe('planSave', () => {
  const c = (a: number, o: number, size: number) => ({ actionId: id(a), outputId: id(1000 + o), size, timeMs: a })
  // The base held entries 1–10, one object of 100 bytes each.
  const base = { key: 'base-key', objects: Array.from({ length: 10 }, (_, i) => [id(1000 + i + 1), 100, [id(i + 1)]] as [string, number, string[]]) }
  const usedAll = Array.from({ length: 10 }, (_, i) => c(i + 1, i + 1, 100))

  it('is a whole bundle without a base', () => {
    expect(planSave([...usedAll, c(20, 20, 100)], 1e9)).toEqual({ objects: planBundle([...usedAll, c(20, 20, 100)], 1e9) })
  })

  it('is a layer of only what the base lacks, in the order given, while the base is used and the layer small', () => {
    expect(planSave([c(21, 21, 100), ...usedAll, c(20, 20, 100)], 1e9, base)).toEqual({
      objects: planBundle([c(21, 21, 100), c(20, 20, 100)], 1e9),
      base: { key: 'base-key', bytes: 1000 },
    })
  })

  it('is a whole bundle once the base holds more than the slack the job did not use', () => {
    expect(LAYER_SLACK).toBe(0.2)
    // 2 of 10 base objects unused, 1 added: 200 of 1,100 bytes (18%) is within the slack.
    expect(planSave([...usedAll.slice(2), c(20, 20, 100)], 1e9, base).base).toBeDefined()
    // 3 unused: 300 of 1,100 bytes (27%) is not.
    const plan = planSave([...usedAll.slice(3), c(20, 20, 100)], 1e9, base)
    expect(plan).toEqual({ objects: planBundle([...usedAll.slice(3), c(20, 20, 100)], 1e9) })
  })

  it('is a whole bundle when the layer outgrows its share of the base, or base and layer outgrow bundle-max-size', () => {
    expect(LAYER_MAX_SHARE).toBe(0.5)
    const added = (n: number) => Array.from({ length: n }, (_, i) => c(100 + i, 100 + i, 100))
    expect(planSave([...usedAll, ...added(5)], 1e9, base).base).toBeDefined()
    expect(planSave([...usedAll, ...added(6)], 1e9, base).base).toBeUndefined()
    expect(planSave([...usedAll, ...added(1)], 1100, base).base).toBeDefined()
    const over = planSave([...usedAll, ...added(1)], 1099, base)
    expect(over.base).toBeUndefined()
    expect(over.objects.reduce((n, o) => n + o.size, 0)).toBe(1000) // trimmed to bundle-max-size as a whole bundle
  })
})

describe('layers', () => {
  beforeEach(() => void logs.splice(0))
  const run = (n: number) => bundleKeys({ ...parts, runId: String(n) })

  it('saves a layer on the bundle restored, restores layer and base together, and keeps layers one deep', async () => {
    const cache = new MemoryArchiveCache()
    // Run 1: a cold job saves a whole bundle of 10 entries.
    const s1 = new LocalStore(path.join(root, 's1'))
    const base = fill(s1, 1, 10)
    const r1 = await restoreBundle(params(cache, s1.root, { keys: run(1) }))
    expect(
      await saveBundle({ cache, log, store: new LocalStore(s1.root), restore: r1, write: { allowed: true }, ids: jobIds([], base), now: () => 0 }),
    ).toMatchObject({
      saved: true,
      entries: 10,
    })

    // Run 2: uses all of it, adds one entry: saved as a layer of that one entry.
    const s2 = new LocalStore(path.join(root, 's2'))
    const r2 = await restoreBundle(params(cache, s2.root, { keys: run(2) }))
    expect(r2).toMatchObject({ outcome: 'hit', matchedKey: run(1).primary, entries: 10 })
    expect(r2.baseKey).toBeUndefined()
    const added2 = fill(s2, 20, 1)
    const save2 = await saveBundle({
      cache,
      log,
      store: new LocalStore(s2.root),
      restore: r2,
      write: { allowed: true },
      ids: jobIds(base, added2),
      now: () => 0,
    })
    expect(save2).toMatchObject({ saved: true, entries: 1, objects: 1, rawBytes: 1000, baseKey: run(1).primary, baseBytes: 10_000 })

    // Run 3: restores the layer and its base, and serves every entry of both.
    const s3 = new LocalStore(path.join(root, 's3'))
    const r3 = await restoreBundle(params(cache, s3.root, { keys: run(3) }))
    expect(r3).toMatchObject({ outcome: 'hit', matchedKey: run(2).primary, baseKey: run(1).primary, entries: 11, bytes: 11_000 })
    for (const actionId of [...base, ...added2]) expect(s3.get(actionId)?.size).toBe(1000)
    expect(cache.calls.slice(-2)).toEqual([`restore ${run(3).primary}`, `restore ${run(1).primary}`])
    // Its layer holds run 2's entry and its own, on run 1's bundle: never a layer on a layer.
    const added3 = fill(s3, 30, 1)
    const save3 = await saveBundle({
      cache,
      log,
      store: new LocalStore(s3.root),
      restore: r3,
      write: { allowed: true },
      ids: jobIds([...base, ...added2], added3),
      now: () => 0,
    })
    expect(save3).toMatchObject({ saved: true, entries: 2, baseKey: run(1).primary })
    expect(warnings()).toEqual([])

    // Run 4: the base is gone (evicted): only the layer comes back, and the save is whole.
    cache.entries.delete(run(1).primary)
    const s4 = new LocalStore(path.join(root, 's4'))
    const r4 = await restoreBundle(params(cache, s4.root, { keys: run(4) }))
    expect(r4).toMatchObject({ outcome: 'hit', matchedKey: run(3).primary, entries: 2 })
    expect(r4.baseKey).toBeUndefined()
    expect(logs).toContain(
      `info Build cache bundle: the base ${run(1).primary} of ${run(3).primary} is gone (evicted?); only the layer is restored, and this job saves a whole bundle`,
    )
    const added4 = fill(s4, 40, 1)
    const save4 = await saveBundle({
      cache,
      log,
      store: new LocalStore(s4.root),
      restore: r4,
      write: { allowed: true },
      ids: jobIds([...added2, ...added3], added4),
      now: () => 0,
    })
    expect(save4).toMatchObject({ saved: true, entries: 3 })
    expect(save4.baseKey).toBeUndefined()
  })

  it('restores only the layer, with a warning, when the service fails on the base', async () => {
    const cache = new MemoryArchiveCache()
    const s1 = new LocalStore(path.join(root, 's1'))
    const base = fill(s1, 1, 10)
    await saveBundle({
      cache,
      log,
      store: new LocalStore(s1.root),
      restore: await restoreBundle(params(cache, s1.root, { keys: run(1) })),
      write: { allowed: true },
      ids: jobIds([], base),
      now: () => 0,
    })
    const s2 = new LocalStore(path.join(root, 's2'))
    const r2 = await restoreBundle(params(cache, s2.root, { keys: run(2) }))
    const added = fill(s2, 20, 1)
    expect(
      await saveBundle({ cache, log, store: new LocalStore(s2.root), restore: r2, write: { allowed: true }, ids: jobIds(base, added), now: () => 0 }),
    ).toMatchObject({
      baseKey: run(1).primary,
    })
    const restore = cache.restore.bind(cache)
    cache.restore = async (paths, primaryKey, restoreKeys) => {
      if (primaryKey === run(1).primary) throw new Error('HTTP 503')
      return restore(paths, primaryKey, restoreKeys)
    }
    const s3 = new LocalStore(path.join(root, 's3'))
    const r3 = await restoreBundle(params(cache, s3.root, { keys: run(3) }))
    expect(r3).toMatchObject({ outcome: 'hit', matchedKey: run(2).primary, entries: 1 })
    expect(r3.baseManifest).toBeUndefined()
    expect(s3.get(added[0]!)).toBeDefined()
    expect(warnings()).toEqual([`warning Build cache bundle: restoring the base ${run(1).primary} failed; only the layer is restored: HTTP 503`])
  })

  it('restores only the layer, with a warning, when it names a base that is not one of our keys', async () => {
    const cache = new MemoryArchiveCache()
    const a = new LocalStore(path.join(root, 'a'))
    const ids = fill(a, 1, 2)
    const plan = planBundle(
      ids.map((actionId) => ({ actionId, ...a.get(actionId)!, timeMs: 1 })),
      1e9,
    )
    const file = path.join(root, 'forged.bundle')
    await writeBundle(a, plan, file, 'setup-go-linux-x64-go-0123')
    cache.entries.set(run(1).primary, new Map([['', await readFile(file)]]))
    const b = new LocalStore(path.join(root, 'b'))
    const restored = await restoreBundle(params(cache, b.root, { keys: run(2) }))
    expect(restored).toMatchObject({ outcome: 'hit', entries: 2 })
    expect(restored.baseKey).toBeUndefined()
    expect(restored.baseManifest).toBeUndefined()
    expect(cache.calls).toEqual([`restore ${run(2).primary}`])
    expect(warnings()).toEqual([
      `warning Build cache bundle ${run(1).primary} names a base that is not a bundle key of this toolchain ("setup-go-linux-x64-go-0123"); only the layer is restored`,
    ])
  })
})

describe('saveBundle', () => {
  it('bounds the bundle by bundle-max-size, keeping what the job asked for first', async () => {
    const cache = new MemoryArchiveCache()
    const a = new LocalStore(path.join(root, 'a'))
    const used = fill(a, 1, 4)
    const added = fill(a, 10, 4)
    // go asked for two of the added entries (misses, then puts) before any of the used ones.
    const order = [added[0]!, added[1]!, ...used, added[2]!, added[3]!]
    const first = await restoreBundle(params(cache, a.root, { settings: { enabled: true, maxBytes: 5500, threshold: { kind: 'count', value: 0 } } }))
    const save = await saveBundle({
      cache,
      log,
      store: new LocalStore(a.root),
      restore: first,
      write: { allowed: true },
      ids: jobIds(used, added, order),
      now: () => 0,
    })
    expect(save).toMatchObject({ saved: true, entries: 5, rawBytes: 5000 })
    const b = new LocalStore(path.join(root, 'b'))
    await restoreBundle(params(cache, b.root, { keys: bundleKeys({ ...parts, runId: '2' }) }))
    expect(order.map((x) => b.get(x) !== undefined)).toEqual([true, true, true, true, true, false, false, false])
  })

  it('does not build a bundle when the key exists, and says so when the service refuses it', async () => {
    const cache = new MemoryArchiveCache()
    const a = new LocalStore(path.join(root, 'a'))
    const added = fill(a, 1, 2)
    const first = await restoreBundle(params(cache, a.root))
    cache.entries.set(first.key, new Map())
    expect(
      await saveBundle({ cache, log, store: new LocalStore(a.root), restore: first, write: { allowed: true }, ids: jobIds([], added), now: () => 0 }),
    ).toMatchObject({
      saved: false,
      reason: 'another job already saved this key',
      objects: 0,
    })
    cache.entries.clear()
    cache.save = async () => false
    expect(
      await saveBundle({ cache, log, store: new LocalStore(a.root), restore: first, write: { allowed: true }, ids: jobIds([], added), now: () => 0 }),
    ).toMatchObject({
      saved: false,
      reason: 'the cache service did not accept the entry (see the log above)',
      objects: 2,
    })
  })
})
