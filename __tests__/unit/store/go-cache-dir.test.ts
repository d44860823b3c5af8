import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { CLOCK_SLACK_MS, nativeUsage, prepareNative } from '../../../src/buildcache/native.ts'
import { entryText, GoCacheDir, IMPORT_AGE_MS, parseEntryText } from '../../../src/store/go-cache-dir.ts'

const sha = (body: string) => createHash('sha256').update(body).digest('hex')
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
    cache.importShared(sha(body), [Buffer.from(body)], body.length, [
      { actionId: id(7), timeMs: 1_000 },
      { actionId: id(8), timeMs: 2_000 },
    ])
    cache.endImport()
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
    cache.importShared(sha(body), [Buffer.from(body)], body.length, [{ actionId: id(1), timeMs: 1 }])
    expect(await readFile(path.join(dir, '00', `${id(1)}-a`), 'latin1')).toBe(own)
    // The entry names an object that is not there: a miss, as for Go.
    expect(cache.get(id(1))).toBeUndefined()
    await writeFile(path.join(dir, '00', `${id(1)}-a`), entryText(id(1), sha(body), body.length + 1, 2))
    expect(cache.get(id(1))).toBeUndefined()
  })

  it('finds the entries touched since a time, and only those', async () => {
    const cache = new GoCacheDir(dir, 1_000_000)
    const body = 'x'
    cache.importShared(sha(body), [Buffer.from(body)], 1, [
      { actionId: id(1), timeMs: 10 },
      { actionId: id(2), timeMs: 10 },
    ])
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
