import { describe, expect, it } from '@jest/globals'
import { jsonStringEscape, SecretMasker, secretVariations, uriDataEscape, xmlDataEscape } from '../../support/runner/secret-masker.ts'

describe('secretVariations (the runner value encoders)', () => {
  it('adds base64 at byte offsets 0, 1 and 2', () => {
    expect(secretVariations('abc')).toEqual(['abc', 'YWJj', 'YmM=', 'Yw=='])
  })

  it('adds the escaped forms of a value with special characters', () => {
    expect(secretVariations(`a"b'c<d>&e f`)).toEqual([
      `a"b'c<d>&e f`,
      'YSJiJ2M8ZD4mZSBm',
      'ImInYzxkPiZlIGY=',
      'YidjPGQ+JmUgZg==',
      `a\\"b'c<d>&e f`, // command line (and JSON) escape
      `a"b''c<d>&e f`, // expression string escape
      'a%22b%27c%3Cd%3E%26e%20f', // Uri.EscapeDataString
      'a&quot;b&apos;c&lt;d&gt;&amp;e f', // SecurityElement.Escape
      `a"b'c<d>&`, // PowerShell pre-ampersand section (>= 6 chars)
    ])
  })

  it('adds the unquoted value for a quoted value longer than 8 characters', () => {
    expect(secretVariations('"1234567"')).toContain('1234567') // 9 characters
    expect(secretVariations('"123456"')).not.toContain('123456') // 8 characters
  })

  it('registers nothing for an empty value', () => {
    expect(secretVariations('')).toEqual([])
  })
})

describe('encoders', () => {
  it('JSON-escapes like Newtonsoft (control characters, quotes, backslash, U+2028)', () => {
    expect(jsonStringEscape('a"b\\c\nd\te\u0001\u2028')).toBe('a\\"b\\\\c\\nd\\te\\u0001\\u2028')
  })

  it('URI-escapes like Uri.EscapeDataString (RFC 3986 unreserved kept)', () => {
    expect(uriDataEscape("a-b_c.d~e!f'g(h)i*j k/é")).toBe('a-b_c.d~e%21f%27g%28h%29i%2Aj%20k%2F%C3%A9')
  })

  it('XML-escapes like SecurityElement.Escape', () => {
    expect(xmlDataEscape(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;')
  })
})

describe('SecretMasker', () => {
  it('replaces every occurrence with ***', () => {
    const m = new SecretMasker()
    m.addValue('hunter2')
    expect(m.mask('pw=hunter2 again hunter2')).toBe('pw=*** again ***')
  })

  it('masks base64 forms, including a secret preceded by other bytes', () => {
    const m = new SecretMasker()
    m.addValue('hunter2')
    expect(m.mask('aHVudGVyMg==')).toBe('***')
    // base64("user:hunter2") = dXNlcjpo + base64("unter2")
    expect(m.mask('Basic dXNlcjpodW50ZXIy')).toBe('Basic dXNlcjpo***')
  })

  it('merges overlapping and adjacent matches into one ***', () => {
    const m = new SecretMasker()
    m.addValue('abcd')
    m.addValue('cdef')
    expect(m.mask('xxabcdefyy')).toBe('xx***yy')
    expect(m.mask('abcdabcd')).toBe('***')
    const overlapping = new SecretMasker()
    overlapping.addValue('aa')
    expect(overlapping.mask('aaa b')).toBe('*** b')
  })

  it('is case-sensitive', () => {
    const m = new SecretMasker()
    m.addValue('Secret')
    expect(m.mask('secret Secret SECRET')).toBe('secret *** SECRET')
  })

  it('never matches a multi-line value inside a single line', () => {
    const m = new SecretMasker()
    m.addValue('line1\nline2')
    expect(m.mask('line1')).toBe('line1')
    expect(m.mask('line1\nline2')).toBe('***')
  })

  it('ignores empty and repeated values and lists the registered ones', () => {
    const m = new SecretMasker()
    m.addValue('')
    m.addValue('tok')
    m.addValue('tok')
    expect(m.values).toEqual(['tok'])
    expect(m.mask('')).toBe('')
  })
})
