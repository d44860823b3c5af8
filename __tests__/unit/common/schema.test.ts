import { array, boolean, check, enums, literal, number, object, optional, parse, record, string, tagged, ValidationError } from '../../../src/common/schema.ts'

const shape = object({
  name: string,
  size: check(number, (n) => Number.isSafeInteger(n) && n >= 0, 'a whole number of at least 0'),
  tags: array(enums(['a', 'b'])),
  headers: record(string),
  note: optional(string),
  mode: tagged('kind', {
    on: object({ kind: literal('on'), level: number }),
    off: object({ kind: literal('off') }),
  }),
  flag: boolean,
})

describe('schema', () => {
  it('returns the value it checked, without keys it does not declare', () => {
    const value = { name: 'x', size: 3, tags: ['a'], headers: { 'X-A': '1' }, mode: { kind: 'on', level: 2, extra: true }, flag: false, other: 1 }
    expect(parse(shape, value)).toEqual({ name: 'x', size: 3, tags: ['a'], headers: { 'X-A': '1' }, mode: { kind: 'on', level: 2 }, flag: false })
  })

  it.each([
    [{}, 'value.name: expected a string, got nothing'],
    [{ name: 'x', size: -1 }, 'value.size: expected a whole number of at least 0, got -1'],
    [{ name: 'x', size: 1, tags: ['c'] }, 'value.tags[0]: expected one of a, b, got "c"'],
    [{ name: 'x', size: 1, tags: [], headers: { 'X-A': 1 } }, 'value.headers["X-A"]: expected a string, got 1'],
    [{ name: 'x', size: 1, tags: [], headers: {}, note: 5 }, 'value.note: expected a string, got 5'],
    [{ name: 'x', size: 1, tags: [], headers: {}, mode: { kind: 'dim' } }, 'value.mode.kind: expected one of on, off, got "dim"'],
    [{ name: 'x', size: 1, tags: [], headers: {}, mode: { kind: 'on' } }, 'value.mode.level: expected a number, got nothing'],
    [{ name: 'x', size: 1, tags: [], headers: {}, mode: { kind: 'off' }, flag: 'yes' }, 'value.flag: expected true or false, got "yes"'],
    [[], 'value: expected an object, got an array'],
    [null, 'value: expected an object, got null'],
  ])('names the first field that is wrong: %j', (value, message) => {
    expect(() => parse(shape, value)).toThrow(new ValidationError(message))
  })

  it('refuses unknown keys when strict', () => {
    expect(() => parse(object({ a: string }, { strict: true }), { a: 'x', b: 1 }, 'cfg')).toThrow('cfg.b: expected no such key, got 1')
  })

  it('refuses NaN and Infinity as numbers', () => {
    expect(() => parse(number, Number.NaN)).toThrow('value: expected a number, got NaN')
    expect(() => parse(number, Number.POSITIVE_INFINITY)).toThrow('value: expected a number, got Infinity')
  })
})
