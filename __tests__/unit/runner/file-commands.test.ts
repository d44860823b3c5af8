import { describe, expect, it } from '@jest/globals'
import {
  addToPrependPath,
  composePath,
  FileCommandError,
  iterateKeyValueFile,
  parseKeyValueFile,
  parsePathFile,
  scrubStepSummary,
  splitDotNetLines,
} from '../../support/runner/file-commands.ts'

describe('parseKeyValueFile (GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE)', () => {
  it('reads NAME=value lines, splitting at the first =', () => {
    expect(parseKeyValueFile('A=1\nB=x=y\nC=\n')).toEqual([
      ['A', '1'],
      ['B', 'x=y'],
      ['C', ''],
    ])
  })

  it('skips empty lines and accepts a last line without newline', () => {
    expect(parseKeyValueFile('\n\nA=1\n\nB=2')).toEqual([
      ['A', '1'],
      ['B', '2'],
    ])
  })

  it('keeps repeated names in order (the last one wins when applied)', () => {
    expect(parseKeyValueFile('A=1\nA=2\n')).toEqual([
      ['A', '1'],
      ['A', '2'],
    ])
  })

  it('reads a heredoc value without the newline before the delimiter', () => {
    expect(parseKeyValueFile('MULTI<<EOF\nline 1\nline 2\nEOF\nNEXT=x\n')).toEqual([
      ['MULTI', 'line 1\nline 2'],
      ['NEXT', 'x'],
    ])
  })

  it('accepts a closing delimiter without a trailing newline', () => {
    expect(parseKeyValueFile('M<<EOF\nv\nEOF')).toEqual([['M', 'v']])
  })

  it('gives an empty value for an empty heredoc and for a single empty line', () => {
    expect(parseKeyValueFile('E<<EOF\nEOF\n')).toEqual([['E', '']])
    // the runner cannot tell one empty line from none
    expect(parseKeyValueFile('E<<EOF\n\nEOF\n')).toEqual([['E', '']])
    expect(parseKeyValueFile('E<<EOF\n\n\nEOF\n')).toEqual([['E', '\n']])
  })

  it('keeps the delimiter when it only appears inside a line of the value', () => {
    expect(parseKeyValueFile('V<<EOF\nnot EOF\nEOF \nEOFx\nEOF\n')).toEqual([['V', 'not EOF\nEOF \nEOFx']])
  })

  it('keeps = and << inside heredoc values', () => {
    expect(parseKeyValueFile('V<<D\na=b\nc<<d\nD\n')).toEqual([['V', 'a=b\nc<<d']])
  })

  it('decides between = and << by whichever comes first', () => {
    expect(parseKeyValueFile('A=b<<c\n')).toEqual([['A', 'b<<c']])
    expect(parseKeyValueFile('A<<X=Y\nv\nX=Y\n')).toEqual([['A', 'v']])
  })

  it('uses the delimiter verbatim (@actions/core style ghadelimiter_<uuid>)', () => {
    const d = 'ghadelimiter_0d4b8f2e-8d7b-4a55-9d0c-2f3a0f6e7a10'
    expect(parseKeyValueFile(`KEY<<${d}\nsetup-go-Linux-x64\n${d}\n`)).toEqual([['KEY', 'setup-go-Linux-x64']])
  })

  it('does not normalise CRLF on Linux: values keep their \\r', () => {
    expect(parseKeyValueFile('A=1\r\nB=2\r\n')).toEqual([
      ['A', '1\r'],
      ['B', '2\r'],
    ])
    // a CRLF heredoc works only because the closing line also ends in \r
    expect(parseKeyValueFile('M<<EOF\r\nx\r\ny\r\nEOF\r\n')).toEqual([['M', 'x\r\ny\r']])
  })

  it('fails a CRLF value whose header delimiter has no \\r', () => {
    expect(() => parseKeyValueFile('M<<EOF\nx\r\nEOF\r\n')).toThrow(new FileCommandError("Invalid value. Matching delimiter not found 'EOF'"))
  })

  it('throws the runner message when the delimiter never comes', () => {
    expect(() => parseKeyValueFile('M<<EOF\nvalue\n')).toThrow("Invalid value. Matching delimiter not found 'EOF'")
    expect(() => parseKeyValueFile('M<<EOF')).toThrow("Invalid value. Matching delimiter not found 'EOF'")
  })

  it('throws when the last value line has no newline and is not the delimiter', () => {
    expect(() => parseKeyValueFile('M<<EOF\nvalue')).toThrow('Invalid value. EOF marker missing new line.')
  })

  it('rejects an empty name or delimiter in a heredoc header', () => {
    expect(() => parseKeyValueFile('<<EOF\nx\nEOF\n')).toThrow("Invalid format '<<EOF'. Name must not be empty and delimiter must not be empty")
    expect(() => parseKeyValueFile('A<<\nx\n\n')).toThrow("Invalid format 'A<<'. Name must not be empty and delimiter must not be empty")
  })

  it('rejects a line with neither = nor <<', () => {
    expect(() => parseKeyValueFile('A=1\nJUSTTEXT\n')).toThrow(new FileCommandError("Invalid format 'JUSTTEXT'"))
  })

  it('does not reject an empty name in NAME=value (the runner check never fires)', () => {
    expect(parseKeyValueFile('=value\n')).toEqual([['', 'value']])
  })

  it('drops a UTF-8 byte order mark', () => {
    expect(parseKeyValueFile('\uFEFFA=1\n')).toEqual([['A', '1']])
  })

  it('yields the pairs before a malformed line when iterated lazily', () => {
    const seen: Array<[string, string]> = []
    expect(() => {
      for (const pair of iterateKeyValueFile('A=1\nB=2\nBAD\nC=3\n')) seen.push(pair)
    }).toThrow("Invalid format 'BAD'")
    expect(seen).toEqual([
      ['A', '1'],
      ['B', '2'],
    ])
  })
})

describe('splitDotNetLines', () => {
  it('splits on \\n, \\r\\n and lone \\r without a trailing empty line', () => {
    expect(splitDotNetLines('a\nb\r\nc\rd')).toEqual(['a', 'b', 'c', 'd'])
    expect(splitDotNetLines('a\n')).toEqual(['a'])
    expect(splitDotNetLines('a\n\n')).toEqual(['a', ''])
    expect(splitDotNetLines('')).toEqual([])
  })
})

describe('GITHUB_PATH', () => {
  it('reads one directory per line, skipping empty lines, without trimming', () => {
    expect(parsePathFile('/opt/a\n\n/opt/b\r\n /opt/c\n')).toEqual(['/opt/a', '/opt/b', ' /opt/c'])
  })

  it('moves a repeated directory to the end', () => {
    expect(parsePathFile('/a\n/b\n/a\n')).toEqual(['/b', '/a'])
  })

  it('prepends the latest addition first', () => {
    let prepend = addToPrependPath([], ['/step1/a', '/step1/b'])
    prepend = addToPrependPath(prepend, ['/step2', '/step1/a'])
    expect(prepend).toEqual(['/step1/b', '/step2', '/step1/a'])
    expect(composePath(prepend, '/usr/bin:/bin')).toBe('/step1/a:/step2:/step1/b:/usr/bin:/bin')
    expect(composePath([], '/usr/bin')).toBe('/usr/bin')
    expect(composePath(['/x'], undefined)).toBe('/x')
  })
})

describe('scrubStepSummary', () => {
  it('masks line by line and ends every line with \\n', () => {
    const mask = (line: string) => line.replaceAll('hunter2', '***')
    expect(scrubStepSummary('# Title\r\npassword hunter2', mask)).toBe('# Title\npassword ***\n')
    expect(scrubStepSummary('a\n\nb\n', mask)).toBe('a\n\nb\n')
    expect(scrubStepSummary('\uFEFFx', mask)).toBe('x\n')
  })
})
