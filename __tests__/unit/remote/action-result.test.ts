import { decodeActionResult, encodeActionResult } from '../../../src/remote/action-result.ts'

const OUTPUT = 'de76091534e026edaa9e692d5df3f9ffe96e474a78c4119822b6bb3494094882'
const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex')

/**
 * The bytes, field by field. bazel-remote v2.6.2 returned exactly these for a
 * GET of the entry we PUT (it re-marshals with Go's protobuf), so they are the
 * canonical encoding.
 */
const EXPECTED =
  '1252' + // ActionResult.output_files (2), 82 bytes
  '0a09' +
  hex('go-output') + // OutputFile.path (1)
  '1245' + // OutputFile.digest (2), 69 bytes
  '0a40' +
  hex(OUTPUT) + // Digest.hash (1)
  '10e45d' + // Digest.size_bytes (2) = 12004
  '4a1d' + // ActionResult.execution_metadata (9), 29 bytes
  '0a0e' +
  hex('go-cache-setup') + // worker (1)
  '220b' + // worker_completed_timestamp (4), 11 bytes
  '08a0daffc806' + // seconds (1) = 1763700000
  '10c0a9d33a' // nanos (2) = 123000000

describe('ActionResult encoding', () => {
  it('encodes the exact bytes bazel-remote stores', () => {
    expect(encodeActionResult({ outputId: OUTPUT, size: 12004, timeMs: 1763700000123 }).toString('hex')).toBe(EXPECTED)
  })

  it('leaves zero fields out, as proto3 does', () => {
    const bytes = encodeActionResult({ outputId: OUTPUT, size: 0, timeMs: 0 }).toString('hex')
    expect(bytes).toBe(`124f0a09${hex('go-output')}12420a40${hex(OUTPUT)}4a120a0e${hex('go-cache-setup')}2200`)
    expect(decodeActionResult(Buffer.from(bytes, 'hex'))).toEqual({ outputId: OUTPUT, size: 0, timeMs: 0 })
  })

  it('round-trips', () => {
    for (const entry of [
      { outputId: OUTPUT, size: 1, timeMs: 1 },
      { outputId: 'a'.repeat(64), size: 2 ** 40, timeMs: 253_402_300_799_999 },
    ]) {
      expect(decodeActionResult(encodeActionResult(entry))).toEqual(entry)
    }
  })

  it('refuses to encode what it could not decode', () => {
    expect(() => encodeActionResult({ outputId: 'A'.repeat(64), size: 1, timeMs: 1 })).toThrow('invalid output ID')
    expect(() => encodeActionResult({ outputId: OUTPUT, size: -1, timeMs: 1 })).toThrow('invalid size')
    expect(() => encodeActionResult({ outputId: OUTPUT, size: 1, timeMs: 1e16 })).toThrow('invalid time')
  })
})

describe('ActionResult decoding (everything from the server is checked)', () => {
  const good = Buffer.from(EXPECTED, 'hex')

  it('skips fields it does not know, like worker metadata bazel-remote adds', () => {
    // exit_code (4) = 0 as an explicit varint, stdout_raw (5) bytes, and a fixed64 (wire type 1) field 15.
    const extra = Buffer.concat([good, Buffer.from('2000' + '2a03616263' + '79' + '0102030405060708', 'hex')])
    expect(decodeActionResult(extra)).toEqual({ outputId: OUTPUT, size: 12004, timeMs: 1763700000123 })
  })

  it('takes the go-output file among others', () => {
    const other = Buffer.from(`120d0a05${hex('other')}12040a001001`, 'hex')
    expect(decodeActionResult(Buffer.concat([other, good]))).toEqual({ outputId: OUTPUT, size: 12004, timeMs: 1763700000123 })
  })

  it.each([
    ['truncated', good.subarray(0, good.length - 3), /truncated/],
    ['empty', Buffer.alloc(0), /no go-output output file/],
    [
      'an uppercase hash (it would become a file name)',
      Buffer.from(EXPECTED.replace(hex(OUTPUT), hex(OUTPUT.toUpperCase())), 'hex'),
      /invalid output digest hash/,
    ],
    ['a path-like hash', Buffer.from(EXPECTED.replace(hex(OUTPUT), hex(`../${OUTPUT.slice(3)}`)), 'hex'), /invalid output digest hash/],
    [
      'a negative size (10-byte varint)',
      Buffer.from(EXPECTED.replace('10e45d', '10ffffffffffffffffff01').replace('1252', '125a').replace('1245', '124d'), 'hex'),
      /out of range/,
    ],
    [
      'nanos out of range',
      Buffer.from(EXPECTED.replace('4a1d', '4a1e').replace('220b08a0daffc80610c0a9d33a', '220c08a0daffc806108094ebdc03'), 'hex'),
      /invalid timestamp nanos 1000000000/,
    ],
    ['wire type 3 (groups)', Buffer.from('0b', 'hex'), /unsupported wire type 3/],
    ['invalid UTF-8 in the path', Buffer.from('1204' + '0a02' + 'c328', 'hex'), /./],
  ])('rejects %s', (_name, bytes, message) => {
    const result = decodeActionResult(bytes)
    expect(result).toBeInstanceOf(Error)
    expect((result as Error).message).toMatch(message)
  })
})
