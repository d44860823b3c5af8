import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Spill } from '../../../src/store/spill.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
let parent: string
beforeEach(() => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'spill-'))
})
afterEach(() => rmSync(parent, { recursive: true, force: true }))

describe('Spill', () => {
  it('writes each body once under its OutputID, in one owner-only directory, and removes it all', () => {
    const spill = new Spill(parent)
    const body = Buffer.from('a compiled package')
    const file = spill.put(sha(body), [body.subarray(0, 5), body.subarray(5)])
    expect(readFileSync(file).equals(body)).toBe(true)
    expect(spill.put(sha(body), [body])).toBe(file)
    const other = Buffer.from('another')
    expect(path.dirname(spill.put(sha(other), [other]))).toBe(path.dirname(file))
    const [dir] = readdirSync(parent)
    expect(dir).toMatch(/^go-cache-setup-spill-/)
    expect(statSync(path.join(parent, dir!)).mode & 0o777).toBe(0o700)
    expect(readdirSync(path.join(parent, dir!)).sort()).toEqual([sha(body), sha(other)].sort())
    spill.remove()
    expect(readdirSync(parent)).toEqual([])
  })

  it('refuses a name that is not 64 hex, and writes nothing until asked', () => {
    const spill = new Spill(parent)
    expect(() => spill.put('../escape', [Buffer.from('x')])).toThrow('invalid OutputID')
    spill.remove()
    expect(readdirSync(parent)).toEqual([])
  })
})
