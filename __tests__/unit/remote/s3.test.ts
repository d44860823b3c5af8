/**
 * The S3 layout's pure parts (src/remote/s3.ts), against what
 * tailscale/go-cache-plugin v0.1.1 writes (lib/gobuild/gobuild.go): the
 * integration test checks the same bytes on a real server, both ways.
 */
import { decodeAction, encodeAction, objectKey } from '../../../src/remote/s3.ts'

const out = 'ab'.repeat(32)
const action = 'cd'.repeat(32)

describe('S3 action objects', () => {
  it('are `<OutputID> <unix nanoseconds>`, as fmt.Sprintf("%s %d", outputID, mtime.UnixNano()) writes them', () => {
    expect(encodeAction({ outputId: out, timeMs: 1_765_000_000_123 }).toString('latin1')).toBe(`${out} 1765000000123000000`)
    // A fractional millisecond is dropped, not rounded into the next one.
    expect(encodeAction({ outputId: out, timeMs: 0.9 }).toString('latin1')).toBe(`${out} 0`)
  })

  it('read back with the whitespace strings.Fields allows, to the millisecond', () => {
    expect(decodeAction(Buffer.from(`${out} 1765000000123456789`))).toEqual({ outputId: out, timeMs: 1_765_000_000_123 })
    expect(decodeAction(Buffer.from(`\n ${out}\t42000000 \n`))).toEqual({ outputId: out, timeMs: 42 })
  })

  it.each([
    ['', 'not an action entry'],
    [out, 'not an action entry'],
    [`${out} 1 2`, 'not an action entry'],
    [`${out.toUpperCase()} 1`, 'not an action entry'],
    [`${out.slice(2)} 1`, 'not an action entry'],
    [`${out} 1.5`, 'not an action entry'],
    [`${out} 12345678901234567890`, 'not an action entry'],
    [`${out} -1000000`, 'invalid time'],
  ])('refuse %j', (text, message) => {
    const decoded = decodeAction(Buffer.from(text))
    expect(decoded).toBeInstanceOf(Error)
    expect((decoded as Error).message).toContain(message)
  })
})

describe('objectKey', () => {
  it('is path.Join(prefix, kind, id[:2], id)', () => {
    expect(objectKey('ci', 'action', action)).toBe(`ci/action/cd/${action}`)
    expect(objectKey('', 'output', out)).toBe(`output/ab/${out}`)
    expect(objectKey('team/linux', 'output', out)).toBe(`team/linux/output/ab/${out}`)
  })

  it('refuses what is not a lowercase hex ID (no key outside the prefix)', () => {
    expect(() => objectKey('ci', 'action', '../../x')).toThrow('invalid cache ID')
    expect(() => objectKey('ci', 'action', out.toUpperCase())).toThrow('invalid cache ID')
  })
})
