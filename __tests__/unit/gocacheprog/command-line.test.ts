import { joinGoCommandLine, splitGoCommandLine } from '../../../src/gocacheprog/command-line.ts'
import { prng } from './go-frames.ts'

describe('splitGoCommandLine (cmd/internal/quoted.Split)', () => {
  it('splits on spaces, tabs, CR and LF, any number of them', () => {
    expect(splitGoCommandLine('  /usr/bin/node\t/x/client.js \r\n serve  --store /s ')).toStrictEqual([
      '/usr/bin/node',
      '/x/client.js',
      'serve',
      '--store',
      '/s',
    ])
  })

  it('gives no fields for an empty or blank line', () => {
    expect(splitGoCommandLine('')).toStrictEqual([])
    expect(splitGoCommandLine(' \t\r\n')).toStrictEqual([])
  })

  it('takes a field wrapped whole in single or double quotes, with no escapes inside', () => {
    expect(splitGoCommandLine(`'/home/runner work/node' "C:\\Program Files\\node.exe" x`)).toStrictEqual([
      '/home/runner work/node',
      'C:\\Program Files\\node.exe',
      'x',
    ])
    expect(splitGoCommandLine(`'say "hi"' "it's"`)).toStrictEqual(['say "hi"', "it's"])
    expect(splitGoCommandLine(`'' ""`)).toStrictEqual(['', ''])
  })

  it('does not count quotes inside a field', () => {
    expect(splitGoCommandLine(`--dir="/a b"`)).toStrictEqual(['--dir="/a', 'b"'])
    expect(splitGoCommandLine(`it's fine`)).toStrictEqual(["it's", 'fine'])
  })

  it("ends a quoted field at its closing quote: 'a'b is two fields, as in Go", () => {
    expect(splitGoCommandLine(`'a'b`)).toStrictEqual(['a', 'b'])
    expect(splitGoCommandLine(`"a b"c d`)).toStrictEqual(['a b', 'c', 'd'])
    expect(splitGoCommandLine(`'a''b'`)).toStrictEqual(['a', 'b'])
  })

  it('rejects an unterminated quote, like Go ("unterminated \' string")', () => {
    expect(() => splitGoCommandLine(`node 'a b`)).toThrow(new Error(`unterminated ' string`))
    expect(() => splitGoCommandLine(`node "a b`)).toThrow(new Error(`unterminated " string`))
    expect(() => splitGoCommandLine(`'`)).toThrow(new Error(`unterminated ' string`))
    expect(() => splitGoCommandLine(`"it's'`)).toThrow(new Error(`unterminated " string`))
  })
})

describe('joinGoCommandLine', () => {
  it('leaves plain fields alone', () => {
    expect(joinGoCommandLine(['/usr/bin/node', '/x/index.js', 'serve', '--store', '/s'])).toBe('/usr/bin/node /x/index.js serve --store /s')
  })

  it('single-quotes fields with whitespace, double-quotes them when they hold a single quote', () => {
    expect(joinGoCommandLine(['/home/runner work/node', "/tmp/it's here", 'a\tb'])).toBe(`'/home/runner work/node' "/tmp/it's here" 'a\tb'`)
    expect(joinGoCommandLine(['C:\\Program Files\\node.exe'])).toBe(`'C:\\Program Files\\node.exe'`)
  })

  it("keeps an empty field (Go's own Join would drop it)", () => {
    expect(joinGoCommandLine(['a', '', 'b'])).toBe(`a '' b`)
    expect(splitGoCommandLine(joinGoCommandLine(['a', '', 'b']))).toStrictEqual(['a', '', 'b'])
  })

  it('quotes a field that starts with a quote, even without spaces; inner quotes need nothing', () => {
    expect(joinGoCommandLine([`'x`, `"y`, `a'b`, `a"b`, `a'b"c`])).toBe(`"'x" '"y' a'b a"b a'b"c`)
    expect(splitGoCommandLine(`"'x" '"y' a'b a"b a'b"c`)).toStrictEqual([`'x`, `"y`, `a'b`, `a"b`, `a'b"c`])
  })

  it('refuses a field that needs quoting and holds both quote kinds', () => {
    expect(() => joinGoCommandLine(['ok', `/a b/it's "x"`])).toThrow(
      new Error(`cannot pass "/a b/it's \\"x\\"" in GOCACHEPROG: Go's quoting has no escape for a field with both ' and "`),
    )
    expect(() => joinGoCommandLine([`'a"`])).toThrow(/cannot pass/)
  })

  it('round-trips paths with spaces and quotes through split', () => {
    const args = ['/opt/hosted tool cache/node/24/bin/node', "/home/o'brien/.cache/client/index.js", 'serve', '--store', '/tmp/a "b"/store']
    const line = joinGoCommandLine(args)
    expect(line).toBe(`'/opt/hosted tool cache/node/24/bin/node' /home/o'brien/.cache/client/index.js serve --store '/tmp/a "b"/store'`)
    expect(splitGoCommandLine(line)).toStrictEqual(args)
  })

  it('round-trips 2,000 random argument lists, or refuses exactly the unrepresentable ones', () => {
    const next = prng(7)
    const alphabet = ['a', 'Z', '/', '\\', ' ', '\t', '\n', "'", '"', 'é', '-', '=']
    let refused = 0
    for (let round = 0; round < 2000; round++) {
      const args = Array.from({ length: 1 + Math.floor(next() * 4) }, () =>
        Array.from({ length: Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
      )
      const unrepresentable = args.some(
        (a) => (a === '' || /[ \t\r\n]/.test(a) || a.startsWith("'") || a.startsWith('"')) && a.includes("'") && a.includes('"'),
      )
      if (unrepresentable) {
        refused++
        expect(() => joinGoCommandLine(args)).toThrow(/cannot pass/)
      } else {
        expect(splitGoCommandLine(joinGoCommandLine(args))).toStrictEqual(args)
      }
    }
    expect(refused).toBeGreaterThan(50)
    expect(refused).toBeLessThan(1000)
  })
})
