import { atLeast, parsePantsVersion, readPantsVersion } from '../../../src/pants/pants-toml.ts'

describe('readPantsVersion', () => {
  it.each([
    ['the usual form', '[GLOBAL]\npants_version = "2.17.1"\nbackend_packages = []\n', '2.17.1'],
    ['a literal string and a comment', "[GLOBAL]\npants_version = '2.20.0' # pinned\n", '2.20.0'],
    ['spaces and CRLF', '  [ GLOBAL ]  \r\n  pants_version="2.25.0"\r\n', '2.25.0'],
    ['after other tables', '[python]\npants_version = "9.9"\n[GLOBAL]\npants_version = "2.18.0"\n', '2.18.0'],
    ['a dotted key at the top', 'GLOBAL.pants_version = "2.19.1"\n', '2.19.1'],
    ['another table', '[python]\npants_version = "2.17.1"\n', undefined],
    ['a nested GLOBAL table', '[GLOBAL.remote_store_headers]\npants_version = "2.17.1"\n', undefined],
    ['an array of tables', '[GLOBAL]\n[[GLOBAL.x]]\npants_version = "2.17.1"\n', undefined],
    ['inside a multi-line string', '[python]\nx = """\n[GLOBAL]\npants_version = "1.0.0"\n"""\n', undefined],
    ['not a string', '[GLOBAL]\npants_version = 2\n', undefined],
    ['no pants_version', '[GLOBAL]\nbackend_packages = []\n', undefined],
  ])('%s', (_what, text, expected) => {
    expect(readPantsVersion(text)).toBe(expected)
  })
})

describe('parsePantsVersion', () => {
  it('reads major and minor from release, rc and dev versions', () => {
    expect(parsePantsVersion('2.17.1')).toEqual({ major: 2, minor: 17, text: '2.17.1' })
    expect(parsePantsVersion('2.20.0rc1')).toEqual({ major: 2, minor: 20, text: '2.20.0rc1' })
    expect(parsePantsVersion('2.21.0.dev3')).toEqual({ major: 2, minor: 21, text: '2.21.0.dev3' })
  })
  it('gives up on anything else', () => {
    expect(parsePantsVersion('%(env.PANTS_VERSION)s')).toBeUndefined()
    expect(parsePantsVersion('')).toBeUndefined()
    expect(parsePantsVersion(undefined)).toBeUndefined()
  })
  it('compares', () => {
    const v = parsePantsVersion('2.20.0')!
    expect([atLeast(v, 2, 17), atLeast(v, 2, 20), atLeast(v, 2, 25), atLeast(v, 3, 0), atLeast(v, 1, 99)]).toEqual([true, true, false, false, true])
  })
})
