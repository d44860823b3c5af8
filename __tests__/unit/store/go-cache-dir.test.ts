import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { CLOCK_SLACK_MS, nativeUsage, prepareNative } from '../../../src/buildcache/native.ts'
import { entryText, GoCacheDir, IMPORT_AGE_MS, parseEntryText } from '../../../src/store/go-cache-dir.ts'
import { importBundle } from '../../../src/bundle/import.ts'
import { BUNDLE_MAGIC, compressor, endFrame, indexFrame, objectHeader } from '../../../src/bundle/format.ts'

/** A compressed bundle of one entry per body. */
async function compressed(objects: { body: Buffer; actionId: string }[]): Promise<Buffer> {
  const framed = objects.map(({ body, actionId }) => ({ outputId: sha(body), size: body.length, entries: [{ actionId, timeMs: 1 }] }))
  const raw = Buffer.concat([
    BUNDLE_MAGIC,
    indexFrame(framed),
    ...framed.flatMap((o, i) => [objectHeader(o), objects[i]!.body]),
    endFrame(framed.length, framed.length),
  ])
  const c = compressor()
  const out: Buffer[] = []
  c.on('data', (d: Buffer) => out.push(d))
  const done = new Promise((resolve) => c.on('end', resolve))
  c.end(raw)
  await done
  return Buffer.concat(out)
}

const sha = (body: string | Buffer) => createHash('sha256').update(body).digest('hex')
const id = (n: number) => n.toString(16).padStart(64, '0')

describe('Go cache entry text', () => {
  it('is byte for byte what cmd/go writes (cache.go putIndexEntry: "v1 %x %x %20d %20d\\n")', () => {
    const text = entryText(id(1), id(2), 1234, 1_700_000_000_123)
    expect(text).toBe(`v1 ${id(1)} ${id(2)}                 1234  1700000000123000000\n`)
    expect(text.length).toBe(175) // cache.go entrySize
  })

  it('parses back what it writes, and refuses what Go refuses', () => {
    const text = entryText(id(1), id(2), 99, 5_000)
    expect(parseEntryText(text, id(1))).toEqual({ actionId: id(1), outputId: id(2), size: 99, timeMs: 5_000 })
    expect(parseEntryText(text, id(3))).toBeUndefined() // mismatched ID
    expect(parseEntryText(text.slice(0, -1), id(1))).toBeUndefined() // incomplete
    expect(parseEntryText(`${text}x`, id(1))).toBeUndefined() // too long
    expect(parseEntryText(text.replace('v1', 'v2'), id(1))).toBeUndefined()
    expect(parseEntryText(text.replace(' 99 ', '-99 '), id(1))).toBeUndefined()
    // Fields in Go's columns only: cache.go checks the separators' positions.
    expect(parseEntryText(text.replace('   99 ', '  99  '), id(1))).toBeUndefined()
  })
})

describe('GoCacheDir', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gocache-unit-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it("imports objects and entries in Go's layout, dated back so that Go marks their use, and serves them", async () => {
    const startedAt = Date.UTC(2026, 11, 6, 12)
    const cache = new GoCacheDir(dir, startedAt - IMPORT_AGE_MS)
    const body = 'compiled'
    await cache.importShared(sha(body), [Buffer.from(body)], body.length, [
      { actionId: id(7), timeMs: 1_000 },
      { actionId: id(8), timeMs: 2_000 },
    ])
    await cache.endImport()
    const object = path.join(dir, sha(body).slice(0, 2), `${sha(body)}-d`)
    expect(await readFile(object, 'utf8')).toBe(body)
    expect(await readFile(path.join(dir, '00', `${id(7)}-a`), 'latin1')).toBe(entryText(id(7), sha(body), body.length, 1_000))
    for (const file of [object, path.join(dir, '00', `${id(8)}-a`)]) expect((await stat(file)).mtimeMs).toBe(startedAt - IMPORT_AGE_MS)
    // No temporary file is left beside them.
    expect((await readdir(path.join(dir, '00'))).sort()).toEqual([`${id(7)}-a`, `${id(8)}-a`])
    expect(cache.get(id(8))).toEqual({ outputId: sha(body), size: body.length, timeMs: 2_000, diskPath: object })
    expect(cache.get(id(9))).toBeUndefined()
  })

  it('leaves what Go already has, and refuses an object of the wrong size', async () => {
    const cache = new GoCacheDir(dir, 0)
    const body = 'object'
    const own = entryText(id(1), sha('other'), 5, 2)
    await mkdir(path.join(dir, '00'))
    await writeFile(path.join(dir, '00', `${id(1)}-a`), own)
    await cache.importShared(sha(body), [Buffer.from(body)], body.length, [{ actionId: id(1), timeMs: 1 }])
    await cache.endImport()
    expect(await readFile(path.join(dir, '00', `${id(1)}-a`), 'latin1')).toBe(own)
    // The entry names an object that is not there: a miss, as for Go.
    expect(cache.get(id(1))).toBeUndefined()
    await writeFile(path.join(dir, '00', `${id(1)}-a`), entryText(id(1), sha(body), body.length + 1, 2))
    expect(cache.get(id(1))).toBeUndefined()
  })

  it('writes an object too large to copy to the writer thread itself, from its chunks, beside small ones', async () => {
    const cache = new GoCacheDir(dir, 0)
    const big = Buffer.alloc(8 * 1024 ** 2 + 5, 3)
    const chunks = [big.subarray(0, 1 << 20), big.subarray(1 << 20)]
    await cache.importShared(sha('small'), [Buffer.from('small')], 5, [{ actionId: id(1), timeMs: 1 }])
    await cache.importShared(createHash('sha256').update(big).digest('hex'), chunks, big.length, [{ actionId: id(2), timeMs: 2 }])
    await cache.endImport()
    expect(cache.get(id(1))?.size).toBe(5)
    const hit = cache.get(id(2))
    expect(hit?.size).toBe(big.length)
    expect((await readFile(hit!.diskPath)).equals(big)).toBe(true)
  })

  it('reports a write that failed on the writer thread, and writes no entry for an object it could not write', async () => {
    const cache = new GoCacheDir(dir, 0)
    const body = 'blocked'
    // A file where the object's directory must go: mkdir fails, whoever runs the test (root too).
    await writeFile(path.join(dir, sha(body).slice(0, 2)), 'in the way')
    await cache.importShared(sha(body), [Buffer.from(body)], body.length, [{ actionId: id(3), timeMs: 3 }])
    await cache.importShared(sha('fine'), [Buffer.from('fine')], 4, [{ actionId: id(4), timeMs: 4 }])
    await expect(cache.endImport()).rejects.toThrow(`${sha(body)}-d`)
    expect(cache.get(id(3))).toBeUndefined()
    await expect(stat(path.join(dir, '00', `${id(3)}-a`))).rejects.toThrow('ENOENT')
    expect(cache.get(id(4))?.size).toBe(4)
  })

  it('imports a bundle through the writer thread, and a failed write ends the import with its reason', async () => {
    const objects = [1, 2, 3].map((n) => ({ body: Buffer.alloc(1000 * n, n), actionId: id(n) }))
    const bundle = path.join(dir, 'b.bundle')
    await writeFile(bundle, await compressed(objects))
    const cache = new GoCacheDir(path.join(dir, 'go-build'), 0)
    const report = await importBundle([bundle], cache, { maxBytes: 1 << 30 })
    expect(report).toMatchObject({ objects: 3, entries: 3, rejected: 0 })
    expect(report.error).toBeUndefined()
    for (const { body, actionId } of objects) expect(cache.get(actionId)?.size).toBe(body.length)

    await writeFile(bundle, await compressed(objects))
    const blocked = path.join(dir, 'blocked')
    await writeFile(blocked, 'not a directory')
    const failed = await importBundle([bundle], new GoCacheDir(blocked, 0), { maxBytes: 1 << 30 })
    expect(failed.error).toContain('ENOTDIR')
  })

  it('finds the entries touched since a time, and only those', async () => {
    const cache = new GoCacheDir(dir, 1_000_000)
    const body = 'x'
    await cache.importShared(sha(body), [Buffer.from(body)], 1, [
      { actionId: id(1), timeMs: 10 },
      { actionId: id(2), timeMs: 10 },
    ])
    await cache.endImport()
    const used = path.join(dir, '00', `${id(2)}-a`)
    await utimes(used, 5, 5_000) // seconds: mtime 5,000,000 ms
    const found = cache.touchedSince(2_000_000)
    expect(found).toEqual([{ actionId: id(2), outputId: sha(body), size: 1, timeMs: 10, mtimeMs: 5_000_000 }])
  })

  it('writes trim.txt only where Go never trimmed', async () => {
    await prepareNative(dir, 1_700_000_000_999)
    expect(await readFile(path.join(dir, 'trim.txt'), 'utf8')).toBe('1700000000')
    await prepareNative(dir, 1_800_000_000_000)
    expect(await readFile(path.join(dir, 'trim.txt'), 'utf8')).toBe('1700000000')
  })
})

describe('nativeUsage', () => {
  const start = 10_000_000
  const entry = (n: number, mtimeMs: number, timeMs: number, size = 10) => ({ actionId: id(n), outputId: id(100 + n), size, timeMs, mtimeMs })

  it('tells used from added by the put time, orders by mtime, and counts per entry', () => {
    const usage = nativeUsage(
      [
        entry(1, start + 500, start + 400, 7), // added by the job
        entry(2, start + 100, 5, 3), // imported, used first
        entry(3, start + 300, 6, 2), // imported, used later
        entry(4, start - IMPORT_AGE_MS, 7), // imported, never used: touchedSince would not return it
        entry(5, start - CLOCK_SLACK_MS, start), // touched at the edge of the mtime slack, put as the job started: added
        entry(6, start + 200, start - 1), // put a moment before the job (the previous job's bundle), used now
      ],
      start,
    )
    expect(usage.ids).toEqual({ used: [id(2), id(6), id(3)], added: [id(5), id(1)], order: [id(5), id(2), id(6), id(3), id(1)] })
    expect(usage.stats).toEqual({
      gets: 5,
      hits: 3,
      misses: 2,
      puts: 2,
      bytesIn: 17,
      bytesOut: 15,
      putErrors: 0,
      readOnly: 0,
      busyMs: 0,
      sessions: 0,
      usedEntries: 3,
      addedEntries: 2,
    })
  })
})
