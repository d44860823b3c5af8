import { archiveBuildId, BUILD_ID_HEAD_BYTES, checkObjectForAction, hashToString } from '../../../src/store/build-id.ts'

// Taken from a real GOCACHE (go1.26.8 linux/amd64, `go build` of a two-package module):
// an entry's action ID and the build ID at the head of its archive.
const REAL = [
  { actionId: 'ca5ea128d277b10fa10a9b4e2437c2958b408b0a276e5bf01e8290c85cf80309', buildId: 'yl6hKNJ3sQ-hCptOJDfC/2PuEHu2ACovrn3esX83l' },
  { actionId: 'd447c457daa79bad8b65b8c29bfce3856b0a128744631be2aa9e042da7d404e7', buildId: '1EfEV9qnm62LZbjCm_zj/srSKdaR9zecArepbw1Fh' },
]
const GO_OBJECT = 'go object linux amd64 go1.26.8 GOAMD64=v1 X:regabiwrappers,regabiargs,dwarf5,greenteagc,randomizedheapbase64'
const PKGDEF = '__.PKGDEF       0           0     0     644     740       `'

/** An archive's head as cmd/compile writes it (gc/obj.go printObjHeader), with `idLine` as the fourth line. */
function head(idLine: string | Buffer, rest = '\n\n$$B\n', goObject = GO_OBJECT): Buffer {
  return Buffer.concat([Buffer.from(`!<arch>\n${PKGDEF}\n${goObject}\n`), Buffer.from(idLine), Buffer.from(rest)])
}
const withId = (quoted: string | Buffer) => head(Buffer.concat([Buffer.from('build id '), Buffer.from(quoted)]))

describe('hashToString (cmd/internal/buildid HashToString)', () => {
  it("gives the action part of the build ID Go wrote into each entry's archive", () => {
    for (const { actionId, buildId } of REAL) expect(hashToString(actionId)).toBe(buildId.split('/')[0])
  })

  it('uses the first 15 bytes, URL-safe base64 without padding, and takes upper-case hex', () => {
    expect(hashToString('0'.repeat(64))).toBe('A'.repeat(20))
    expect(hashToString('f'.repeat(64))).toBe('_'.repeat(20))
    expect(hashToString(`${'f'.repeat(30)}${'0'.repeat(34)}`)).toBe(`${'_'.repeat(20)}`)
    expect(hashToString(`${'0'.repeat(30)}${'f'.repeat(34)}`)).toBe('A'.repeat(20))
    expect(hashToString(REAL[0]!.actionId.toUpperCase())).toBe('yl6hKNJ3sQ-hCptOJDfC')
  })

  it('refuses what is not a 64-hex-digit ID', () => {
    for (const bad of ['', 'ab', 'g'.repeat(64), '0'.repeat(63), '0'.repeat(65)]) expect(() => hashToString(bad)).toThrow(/64-hex-digit/)
  })
})

describe('archiveBuildId (cmd/internal/buildid ReadFile, first 1024 bytes)', () => {
  it('reads the quoted build ID on the fourth line', () => {
    expect(archiveBuildId(withId(`"${REAL[0]!.buildId}"`))).toBe(REAL[0]!.buildId)
    expect(BUILD_ID_HEAD_BYTES).toBe(1024)
  })

  it("gives '' when the object header has no build id line, as ReadFile does", () => {
    expect(archiveBuildId(head('main'))).toBe('')
    expect(archiveBuildId(head('', '\n'))).toBe('') // the blank line that ends the header
    expect(archiveBuildId(head('buildid "x"'))).toBe('')
  })

  it('is undefined for what is not a Go archive', () => {
    expect(archiveBuildId(Buffer.alloc(0))).toBeUndefined()
    expect(archiveBuildId(Buffer.from('!<arch>'))).toBeUndefined() // shorter than 8 bytes
    expect(archiveBuildId(Buffer.from('\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0', 'latin1'))).toBeUndefined()
    expect(archiveBuildId(Buffer.from('./a.go\n'))).toBeUndefined() // a srcfiles list
    expect(archiveBuildId(Buffer.from('ok  \texample.com/m\t0.001s\n'))).toBeUndefined() // test output
    expect(archiveBuildId(Buffer.from('!<arch>\r\n__.PKGDEF\ngo object x\nbuild id "a"\n'))).toBeUndefined()
    // gccgo's archives (first member not __.PKGDEF) are left to ReadFile's gccgo fallback.
    expect(archiveBuildId(Buffer.from('!<arch>\n_buildid.o/     0           0     0     644     10        `\ngo object x\nbuild id "a"\n'))).toBeUndefined()
    expect(archiveBuildId(head('build id "a"', '\n', 'go objectx linux amd64'))).toBeUndefined()
    expect(archiveBuildId(head('build id "a"', '\n', 'xgo object linux amd64'))).toBeUndefined()
  })

  it('is undefined for a truncated head or a line without its newline', () => {
    const full = withId(`"${REAL[0]!.buildId}"`)
    const idEnd = full.indexOf('"\n') + 1
    expect(archiveBuildId(full.subarray(0, idEnd + 1))).toBe(REAL[0]!.buildId)
    expect(archiveBuildId(full.subarray(0, idEnd))).toBeUndefined() // the closing quote, no newline
    expect(archiveBuildId(full.subarray(0, idEnd - 5))).toBeUndefined()
    expect(archiveBuildId(full.subarray(0, 20))).toBeUndefined() // inside the __.PKGDEF line
    expect(archiveBuildId(Buffer.from('!<arch>\n'))).toBeUndefined()
    expect(archiveBuildId(Buffer.from(`!<arch>\n${PKGDEF}\n${GO_OBJECT}\n`))).toBeUndefined() // no fourth line yet
    // No newline at all in the fourth line, even with no "build id " prefix: ReadFile finds no line.
    expect(archiveBuildId(Buffer.from(`!<arch>\n${PKGDEF}\n${GO_OBJECT}\nmain`))).toBeUndefined()
  })

  it('looks at the first 1024 bytes only', () => {
    const line = `build id "${REAL[0]!.buildId}"`
    const at = (goObjectLength: number) => head(line, '\n', `go object ${'x'.repeat(goObjectLength - 10)}`)
    const fits = at(1024 - 8 - PKGDEF.length - 1 - 1 - line.length - 1)
    expect(fits.indexOf('"\n') + 2).toBe(1024)
    expect(archiveBuildId(fits)).toBe(REAL[0]!.buildId)
    expect(archiveBuildId(Buffer.concat([fits, Buffer.alloc(5000, 1)]))).toBe(REAL[0]!.buildId)
    const over = at(1024 - 8 - PKGDEF.length - 1 - 1 - line.length) // the newline is byte 1025
    expect(archiveBuildId(over)).toBeUndefined()
  })

  it('reads the ID only as cmd/compile quotes it (gc/obj.go printObjHeader: %q, no escapes); anything else is undefined', () => {
    const cases: [string | Buffer, string | undefined][] = [
      ['"a/b"', 'a/b'],
      ['""', ''],
      ['`a/b`', undefined],
      ["'x'", undefined],
      ['"a\\x2fb"', undefined],
      ['"a\\"b"', undefined],
      [Buffer.from('"a\xffb"', 'latin1'), undefined],
      ['"abc', undefined],
      ['"abc" ', undefined],
      ['"abc"\r', undefined], // a CRLF line
      ['"a"b"', undefined],
      ['abc', undefined],
      ['"', undefined],
      ['', undefined],
    ]
    for (const [quoted, want] of cases) expect([quoted.toString(), archiveBuildId(withId(quoted))]).toEqual([quoted.toString(), want])
  })
})

describe('checkObjectForAction', () => {
  const [a, b] = REAL as [(typeof REAL)[0], (typeof REAL)[0]]

  it("passes an archive whose build ID names the entry's action", () => {
    expect(checkObjectForAction(a.actionId, withId(`"${a.buildId}"`))).toEqual({ ok: true })
    expect(checkObjectForAction(a.actionId, withId(`"${hashToString(a.actionId)}"`))).toEqual({ ok: true })
  })

  it("fails another action's archive, naming both IDs", () => {
    const r = checkObjectForAction(a.actionId, withId(`"${b.buildId}"`))
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.reason).toContain(b.buildId)
      expect(r.reason).toContain(hashToString(a.actionId))
    }
    expect(checkObjectForAction(b.actionId, withId(`"${a.buildId}"`)).ok).toBe(false)
    expect(checkObjectForAction(a.actionId, withId('"x"')).ok).toBe(false)
    expect(checkObjectForAction(a.actionId, withId(`"/${a.buildId}"`)).ok).toBe(false)
  })

  it('passes objects it cannot judge: not Go archives, and archives without a build ID', () => {
    expect(checkObjectForAction(a.actionId, Buffer.from('./a.go\n'))).toEqual({ ok: true })
    expect(checkObjectForAction(a.actionId, Buffer.alloc(0))).toEqual({ ok: true })
    expect(checkObjectForAction(a.actionId, head('main'))).toEqual({ ok: true })
    expect(checkObjectForAction(a.actionId, withId('"bad'))).toEqual({ ok: true })
  })
})
