import { execFile } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { LocalStore, parseEntry } from '../../../src/store/local-store.ts'
import { hexId, sha256Hex } from '../gocacheprog/go-frames.ts'

const execFileP = promisify(execFile)
const repo = path.resolve(import.meta.dirname, '../../..')

let root: string
let store: LocalStore
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'local-store-'))
  store = new LocalStore(path.join(root, 'store'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const body = Buffer.from('object bytes, as go wrote them\n')
const OUT = sha256Hex(body)
const A = hexId('action A')
const B = hexId('action B')
const T = 1_700_000_000_123

function tmpNames(): string[] {
  return readdirSync(path.join(store.root, 'tmp'))
}

describe('LocalStore', () => {
  it('lays out the store: absolute root, o/<xx>/<id> objects without extension, a/<xx>/<id> entries, tmp/', () => {
    const relative = path.relative(process.cwd(), path.join(root, 'rel'))
    const s = new LocalStore(relative)
    expect(s.root).toBe(path.join(root, 'rel'))
    expect(readdirSync(s.root)).toStrictEqual(['tmp'])
    expect(s.objectPath(OUT)).toBe(path.join(root, 'rel', 'o', OUT.slice(0, 2), OUT))
    expect(s.actionPath(A)).toBe(path.join(root, 'rel', 'a', A.slice(0, 2), A))
  })

  it('puts, then gets: the hit has the OutputID, size, put time and an absolute DiskPath holding the bytes', () => {
    expect(store.get(A)).toBeUndefined()
    const put = store.put(A, OUT, [body.subarray(0, 5), body.subarray(5)], body.length, T)
    const diskPath = path.join(store.root, 'o', OUT.slice(0, 2), OUT)
    expect(put).toStrictEqual({ diskPath, wroteObject: true })
    expect(path.isAbsolute(put.diskPath)).toBe(true)
    expect(path.extname(put.diskPath)).toBe('')
    expect(readFileSync(diskPath)).toEqual(body)
    expect(store.get(A)).toStrictEqual({ outputId: OUT, size: body.length, timeMs: T, diskPath })
    const mtime = Math.trunc(statSync(diskPath).mtimeMs)
    expect(readFileSync(store.actionPath(A), 'latin1')).toBe(`v1 ${OUT} ${body.length} ${T} ${mtime}\n`)
    expect(tmpNames()).toStrictEqual([])
  })

  it('records the put time as now by default', () => {
    const before = Date.now()
    store.put(A, OUT, [body], body.length)
    const { timeMs } = store.get(A)!
    expect(timeMs).toBeGreaterThanOrEqual(before)
    expect(timeMs).toBeLessThanOrEqual(Date.now())
  })

  it('stores an empty object', () => {
    const empty = sha256Hex(Buffer.alloc(0))
    const { diskPath } = store.put(A, empty, [], 0, T)
    expect(statSync(diskPath).size).toBe(0)
    expect(store.get(A)).toStrictEqual({ outputId: empty, size: 0, timeMs: T, diskPath })
  })

  it('keeps one copy of an object shared by two actions, and does not rewrite it', () => {
    const first = store.put(A, OUT, [body], body.length, T)
    const inode = statSync(first.diskPath).ino
    const second = store.put(B, OUT, [body], body.length, T + 1)
    expect(second).toStrictEqual({ diskPath: first.diskPath, wroteObject: false })
    expect(statSync(first.diskPath).ino).toBe(inode)
    expect(readdirSync(path.dirname(first.diskPath))).toStrictEqual([OUT])
    expect(store.get(A)!.timeMs).toBe(T)
    expect(store.get(B)!.timeMs).toBe(T + 1)
  })

  it('replaces an entry on a second put of the same action', () => {
    const other = Buffer.from('another output')
    store.put(A, OUT, [body], body.length, T)
    store.put(A, sha256Hex(other), [other], other.length, T + 5)
    expect(store.get(A)).toMatchObject({ outputId: sha256Hex(other), size: other.length, timeMs: T + 5 })
  })

  it('misses when the object is truncated', () => {
    const { diskPath } = store.put(A, OUT, [body], body.length, T)
    truncateSync(diskPath, body.length - 1)
    expect(store.get(A)).toBeUndefined()
  })

  it('misses when the object was modified after the put (same size, another mtime)', () => {
    const { diskPath } = store.put(A, OUT, [body], body.length, T)
    writeFileSync(diskPath, Buffer.alloc(body.length, 0x7a))
    const old = statSync(diskPath).mtimeMs
    utimesSync(diskPath, new Date(old + 5000), new Date(old + 5000))
    expect(store.get(A)).toBeUndefined()
  })

  it('repairs a modified object when go puts it again after the miss', () => {
    const { diskPath } = store.put(A, OUT, [body], body.length, T)
    writeFileSync(diskPath, Buffer.alloc(body.length, 0x7a))
    const old = statSync(diskPath).mtimeMs
    utimesSync(diskPath, new Date(old + 5000), new Date(old + 5000))
    expect(store.get(A)).toBeUndefined()
    // What go does after that miss: rebuild, put the same output again.
    const again = store.put(A, OUT, [body], body.length, T + 1)
    expect(again.wroteObject).toBe(true)
    expect(readFileSync(diskPath)).toEqual(body)
    expect(store.get(A)).toMatchObject({ outputId: OUT, timeMs: T + 1 })
    // And a put for another action sharing the object must not bless wrong bytes either.
    writeFileSync(diskPath, Buffer.alloc(body.length, 0x79))
    expect(store.put(B, OUT, [body], body.length, T + 2).wroteObject).toBe(true)
    expect(readFileSync(diskPath)).toEqual(body)
  })

  it('misses when the object is gone or is not a file', () => {
    const { diskPath } = store.put(A, OUT, [body], body.length, T)
    rmSync(diskPath)
    expect(store.get(A)).toBeUndefined()
    mkdirSync(diskPath)
    expect(store.get(A)).toBeUndefined()
  })

  it('misses on an entry file it cannot read as v1', () => {
    store.put(A, OUT, [body], body.length, T)
    const mtime = Math.trunc(statSync(store.objectPath(OUT)).mtimeMs)
    const valid = `v1 ${OUT} ${body.length} ${T} ${mtime}\n`
    expect(store.get(A)).toBeDefined()
    for (const text of [
      '',
      'garbage',
      '\u0000\u0001\u0002',
      valid.trimEnd(), // no newline
      valid.replace('v1', 'v2'),
      valid.replace(OUT, OUT.toUpperCase()),
      valid.replace(OUT, OUT.slice(1)),
      `${valid}extra\n`,
      ` ${valid}`,
      valid.replace(` ${T} `, ` -${T} `),
      valid.replace(` ${T} `, ` 1e12 `),
      valid.replace(` ${T} `, ' 253402300800000 '), // year 10000: Go cannot read that time
      valid.replace(` ${T} `, ' 99999999999999999999 '),
      valid.replace(` ${body.length} `, ' 99999999999999999999 '),
    ]) {
      writeFileSync(store.actionPath(A), text)
      expect([text, store.get(A)]).toStrictEqual([text, undefined])
    }
    writeFileSync(store.actionPath(A), valid)
    expect(store.get(A)).toBeDefined()
    writeFileSync(store.actionPath(A), valid.replace(` ${T} `, ' 253402300799999 ')) // 9999-12-31T23:59:59.999Z
    expect(store.get(A)!.timeMs).toBe(253402300799999)
  })

  it('misses when the entry is a directory', () => {
    mkdirSync(store.actionPath(A), { recursive: true })
    expect(store.get(A)).toBeUndefined()
  })

  it('refuses anything but 64 lowercase hex characters as an ID, before touching the disk', () => {
    const bad = ['', '../..', `../../${A}`, `${A.slice(0, 62)}/..`, A.toUpperCase(), A.slice(1), `${A}0`, `${A.slice(0, 63)}g`, `${A}\n`]
    for (const id of bad) {
      expect(() => store.get(id)).toThrow(new Error(`invalid cache ID ${JSON.stringify(id)}`))
      expect(() => store.put(id, OUT, [body], body.length)).toThrow(new Error(`invalid cache ID ${JSON.stringify(id)}`))
      expect(() => store.put(A, id, [body], body.length)).toThrow(new Error(`invalid cache ID ${JSON.stringify(id)}`))
    }
    expect(readdirSync(store.root)).toStrictEqual(['tmp'])
    expect(readdirSync(root)).toStrictEqual(['store'])
  })

  it('leaves one valid object and no temp files after many concurrent async puts of the same object', async () => {
    const big = Buffer.alloc(256 * 1024)
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff
    const out = sha256Hex(big)
    const results = await Promise.all(
      Array.from({ length: 64 }, async (_, i) => {
        await new Promise((resolve) => setImmediate(resolve))
        return store.put(hexId(`concurrent ${i}`), out, [big.subarray(0, 1000), big.subarray(1000)], big.length, T + i)
      }),
    )
    expect(results.filter((r) => r.wroteObject)).toHaveLength(1)
    expect(readdirSync(path.join(store.root, 'o', out.slice(0, 2)))).toStrictEqual([out])
    expect(sha256Hex(readFileSync(store.objectPath(out)))).toBe(out)
    for (let i = 0; i < 64; i++) expect(store.get(hexId(`concurrent ${i}`))).toMatchObject({ outputId: out, size: big.length, timeMs: T + i })
    expect(tmpNames()).toStrictEqual([])
  })

  it('keeps every entry a hit when several processes put the same objects at the same time', async () => {
    // Four shims (real processes) racing on 40 shared objects, each under its own action IDs.
    const script = `
      import { LocalStore } from ${JSON.stringify(path.join(repo, 'src/store/local-store.ts'))}
      import { createHash } from 'node:crypto'
      const store = new LocalStore(process.argv[1])
      const worker = process.argv[2]
      const until = Number(process.argv[3])
      while (Date.now() < until) {}
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 40; i++) {
          const body = Buffer.alloc(20000 + i, i)
          const out = createHash('sha256').update(body).digest('hex')
          const action = createHash('sha256').update(worker + ':' + round + ':' + i).digest('hex')
          store.put(action, out, [body], body.length)
        }
      }
    `
    const start = Date.now() + 500
    await Promise.all([0, 1, 2, 3].map((w) => execFileP(process.execPath, ['--input-type=module', '-e', script, store.root, String(w), String(start)])))
    let hits = 0
    for (let w = 0; w < 4; w++)
      for (let round = 0; round < 10; round++) for (let i = 0; i < 40; i++) if (store.get(hexId2(`${w}:${round}:${i}`)) !== undefined) hits++
    expect(hits).toBe(4 * 10 * 40)
    for (let i = 0; i < 40; i++) {
      const b = Buffer.alloc(20000 + i, i)
      expect(readFileSync(store.objectPath(sha256Hex(b)))).toEqual(b)
    }
    expect(tmpNames()).toStrictEqual([])
  })

  it('leaves no temp file behind when a write fails', () => {
    // o/<xx> is a file, so the object cannot be renamed into place.
    mkdirSync(path.join(store.root, 'o'), { recursive: true })
    writeFileSync(path.join(store.root, 'o', OUT.slice(0, 2)), 'in the way')
    expect(() => store.put(A, OUT, [body], body.length, T)).toThrow(/is not a directory/)
    expect(tmpNames()).toStrictEqual([])
    expect(store.get(A)).toBeUndefined()
  })

  it('is owner-only whatever the umask: directories 0700, files 0600', () => {
    const old = process.umask(0)
    try {
      const fresh = new LocalStore(path.join(store.root, 'fresh'))
      fresh.put(A, OUT, [body], body.length, T)
      const mode = (p: string) => statSync(p).mode & 0o777
      expect([fresh.root, path.join(fresh.root, 'tmp'), path.dirname(fresh.objectPath(OUT)), path.dirname(fresh.actionPath(A))].map(mode)).toEqual([
        0o700, 0o700, 0o700, 0o700,
      ])
      expect([fresh.objectPath(OUT), fresh.actionPath(A)].map(mode)).toEqual([0o600, 0o600])
    } finally {
      process.umask(old)
    }
  })

  it('refuses a symlinked fan-out directory: a put writes nothing through it, a get misses', () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'planted-'))
    try {
      mkdirSync(path.join(store.root, 'a'), { recursive: true })
      symlinkSync(elsewhere, path.dirname(store.actionPath(A)))
      expect(() => store.put(A, OUT, [body], body.length, T)).toThrow(/symlink/)
      expect(readdirSync(elsewhere)).toEqual([])
      // An entry planted behind the link is not served, by this process or a new one.
      writeFileSync(path.join(elsewhere, A), `v1 ${OUT} ${body.length} ${T} 0\n`)
      expect(store.get(A)).toBeUndefined()
      expect(new LocalStore(store.root).get(A)).toBeUndefined()
    } finally {
      rmSync(elsewhere, { recursive: true, force: true })
    }
  })

  it('tighten() closes a store a looser umask left open, and removes a symlinked fan-out directory', () => {
    store.put(A, OUT, [body], body.length, T)
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'planted-'))
    try {
      const fan = path.dirname(store.objectPath(OUT))
      for (const dir of [store.root, path.join(store.root, 'o'), fan]) chmodSync(dir, 0o777)
      const planted = path.join(store.root, 'a', 'zz')
      symlinkSync(elsewhere, planted)
      const changed = store.tighten()
      expect(changed).toContain(`removed the symlink ${planted}`)
      expect(changed).toContain(`${fan} 777 → 700`)
      for (const dir of [store.root, path.join(store.root, 'o'), fan]) expect(statSync(dir).mode & 0o777).toBe(0o700)
      expect(lstatSync(planted, { throwIfNoEntry: false })).toBeUndefined()
      expect(existsSync(elsewhere)).toBe(true) // what the link pointed at is left alone
      expect(store.tighten()).toEqual([])
    } finally {
      rmSync(elsewhere, { recursive: true, force: true })
    }
  })

  it('refuses a store whose root or a/ is a symlink', () => {
    const real = mkdtempSync(path.join(os.tmpdir(), 'real-store-'))
    try {
      symlinkSync(real, path.join(store.root, 'linked'))
      expect(() => new LocalStore(path.join(store.root, 'linked'))).toThrow(/is a symlink/)
      symlinkSync(real, path.join(store.root, 'a'))
      expect(() => new LocalStore(store.root)).toThrow(/is a symlink/)
    } finally {
      rmSync(real, { recursive: true, force: true })
    }
  })

  it('touch() sets the entry mtime (what trim ranks by) and skips invalid or missing IDs', async () => {
    store.put(A, OUT, [body], body.length, T)
    const when = new Date('2030-01-02T03:04:05.000Z')
    await store.touch([A, B, '../../x', 'nope'], when)
    expect(statSync(store.actionPath(A)).mtimeMs).toBe(when.getTime())
    expect(store.get(A)).toBeDefined() // touching the entry does not touch the object
  })
})

describe('imported entries (one file of lines, D23)', () => {
  const C = hexId('action C')

  it('serves entries a bundle import appended, to a reader that started before the import ended, and no entry files are written', () => {
    const reader = new LocalStore(store.root)
    expect(reader.get(A)).toBeUndefined() // no file yet
    store.importShared(OUT, [body], body.length, [
      { actionId: A, timeMs: T },
      { actionId: B, timeMs: T + 1 },
    ])
    expect(reader.get(A)).toMatchObject({ outputId: OUT, size: body.length, timeMs: T, diskPath: store.objectPath(OUT) })
    const other = Buffer.from('another object')
    store.importShared(sha256Hex(other), [other], other.length, [{ actionId: C, timeMs: T }])
    store.endImport()
    expect(reader.get(C)).toMatchObject({ outputId: sha256Hex(other), size: other.length })
    expect(reader.get(B)).toMatchObject({ timeMs: T + 1 })
    expect(readdirSync(store.root).sort()).toStrictEqual(['imported', 'o', 'tmp'])
  })

  it('takes a line only once it is whole, and skips lines that do not parse', () => {
    store.importShared(OUT, [body], body.length, [{ actionId: A, timeMs: T }])
    store.endImport()
    const line = readFileSync(store.importedPath, 'latin1').replace(A, B)
    writeFileSync(store.importedPath, `not a line\n${A.toUpperCase()} v1 ${OUT} 1 1 1\n${line.slice(0, 80)}`, { flag: 'a' })
    const reader = new LocalStore(store.root)
    expect(reader.get(A)).toMatchObject({ outputId: OUT })
    expect(reader.get(B)).toBeUndefined() // half a line
    writeFileSync(store.importedPath, line.slice(80), { flag: 'a' })
    expect(reader.get(B)).toMatchObject({ outputId: OUT, timeMs: T })
  })

  it('is a miss when the object is not what the line recorded, and an entry file wins over a line', () => {
    store.importShared(OUT, [body], body.length, [{ actionId: A, timeMs: T }])
    store.endImport()
    const newer = Buffer.from('a newer build of A')
    store.put(A, sha256Hex(newer), [newer], newer.length, T + 5)
    expect(store.get(A)).toMatchObject({ outputId: sha256Hex(newer), timeMs: T + 5 })
    rmSync(store.actionPath(A))
    expect(new LocalStore(store.root).get(A)).toMatchObject({ outputId: OUT })
    truncateSync(store.objectPath(OUT), 3)
    expect(new LocalStore(store.root).get(A)).toBeUndefined()
  })
})

describe('parseEntry', () => {
  it('reads a v1 line', () => {
    expect(parseEntry(`v1 ${OUT} 31 ${T} 1700000000999\n`)).toStrictEqual({ outputId: OUT, size: 31, timeMs: T, objectMtimeMs: 1700000000999 })
  })
  it('refuses anything else', () => {
    expect(parseEntry(`v1 ${OUT} 31 ${T}\n`)).toBeUndefined()
    expect(parseEntry(`v1 ${OUT} 31 ${T} 5`)).toBeUndefined()
  })
})

function hexId2(label: string): string {
  return sha256Hex(Buffer.from(label))
}
