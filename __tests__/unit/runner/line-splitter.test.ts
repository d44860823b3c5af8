import { describe, expect, it } from '@jest/globals'
import { LineSplitter } from '../../support/runner/process.ts'

function split(chunks: Array<string | Buffer>): string[] {
  const lines: string[] = []
  const s = new LineSplitter((l) => lines.push(l))
  for (const c of chunks) s.push(c)
  s.end()
  return lines
}

describe('LineSplitter (.NET ReadLine semantics for process output)', () => {
  it('splits on \\n, \\r\\n and a lone \\r', () => {
    expect(split(['a\nb\r\nc\rd'])).toEqual(['a', 'b', 'c', 'd'])
  })

  it('emits a final line without terminator, and no extra line after a final terminator', () => {
    expect(split(['x\ny'])).toEqual(['x', 'y'])
    expect(split(['x\n'])).toEqual(['x'])
    expect(split(['\n\n'])).toEqual(['', ''])
    expect(split([])).toEqual([])
  })

  it('handles \\r\\n split across chunks', () => {
    expect(split(['a\r', '\nb'])).toEqual(['a', 'b'])
    expect(split(['a\r', 'b'])).toEqual(['a', 'b'])
    expect(split(['a\r'])).toEqual(['a'])
    expect(split(['par', 'tial\n'])).toEqual(['partial'])
  })

  it('decodes UTF-8 split across chunks', () => {
    const bytes = Buffer.from('é€\n', 'utf8')
    expect(split([bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3)])).toEqual(['é€'])
  })
})
