import { describe, expect, it } from '@jest/globals'
import { addEnvEntries, EnvConflictError, readEnvValue, removeEnvLines } from '../../../src/bootstrap/runner-env-file.ts'

const ours = { HOOK: '/opt/kit/hooks/job-started.sh', CONFIG: '/opt/kit/config.json' }

describe('the runner .env edits', () => {
  it.each([
    ['an empty file', ''],
    ['a file ending with a newline', 'LANG=C.UTF-8\n'],
    ['a file without a final newline', 'LANG=C.UTF-8\nJAVA_OPTS=-Da=b'],
    ['CRLF lines', 'LANG=C.UTF-8\r\nX=1\r\n'],
  ])('add then remove gives back %s exactly, and a second add changes nothing', (_name, original) => {
    const first = addEnvEntries(original, ours)
    expect(first.added).toEqual(['HOOK=/opt/kit/hooks/job-started.sh', 'CONFIG=/opt/kit/config.json'])
    expect(first.text.startsWith(original)).toBe(true)
    expect(readEnvValue(first.text, 'HOOK')).toBe(ours.HOOK)
    const second = addEnvEntries(first.text, ours)
    expect(second).toEqual({ text: first.text, added: [], addedNewline: false })
    expect(removeEnvLines(second.text, first.added, first.addedNewline)).toBe(original)
  })

  it('appends exactly the missing lines', () => {
    expect(addEnvEntries('A=1', ours)).toEqual({
      text: 'A=1\nHOOK=/opt/kit/hooks/job-started.sh\nCONFIG=/opt/kit/config.json\n',
      added: ['HOOK=/opt/kit/hooks/job-started.sh', 'CONFIG=/opt/kit/config.json'],
      addedNewline: true,
    })
    expect(addEnvEntries('CONFIG=/opt/kit/config.json\n', ours).added).toEqual(['HOOK=/opt/kit/hooks/job-started.sh'])
  })

  it('keeps lines others added after install when removing ours', () => {
    const installed = addEnvEntries('A=1\n', ours)
    expect(removeEnvLines(`${installed.text}B=2\n`, installed.added, installed.addedNewline)).toBe('A=1\nB=2\n')
  })

  it('refuses to replace a hook someone else registered, saying how to chain it', () => {
    expect(() => addEnvEntries('HOOK=/opt/other.sh\n', ours)).toThrow(EnvConflictError)
    expect(() => addEnvEntries('HOOK=/opt/other.sh\n', ours)).toThrow(/call ours \(\/opt\/kit\/hooks\/job-started.sh\) from that script/)
  })

  it('reads values the way the runner does: split on the first =, last line wins', () => {
    expect(readEnvValue('X=a=b\nX=c\n', 'X')).toBe('c')
    expect(readEnvValue('X=a=b\n', 'X')).toBe('a=b')
    expect(readEnvValue('# X=1\nXY=2\n', 'X')).toBeUndefined()
  })
})
