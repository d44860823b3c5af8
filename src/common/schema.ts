/**
 * Minimal runtime schemas for JSON we wrote ourselves and read back (saved
 * state, the daemon's remote settings): 6 KB and about 1 ms of start-up in
 * the client, where valibot measured 206 KB and 4.5 ms and zod/mini 268 KB
 * and 11 ms (docs/decisions.md#d25). Each schema is a function that returns
 * the typed value or throws ValidationError naming the path, what was expected
 * and what was found. Objects drop keys they do not declare (strict: reject).
 */
export class ValidationError extends Error {
  override name = 'ValidationError'
}

export type Schema<T> = (value: unknown, at: string) => T
export type Optional<T> = Schema<T | undefined> & { readonly optional: true }
export type Infer<S> = S extends Schema<infer T> ? T : never

type Shape = Record<string, Schema<unknown>>
type Flat<T> = { [K in keyof T]: T[K] } & {}
type ObjectOf<S extends Shape> = Flat<
  { [K in keyof S as S[K] extends { optional: true } ? never : K]: Infer<S[K]> } & {
    [K in keyof S as S[K] extends { optional: true } ? K : never]?: Exclude<Infer<S[K]>, undefined>
  }
>

const show = (v: unknown): string => {
  if (v === undefined) return 'nothing'
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'object') return 'an object'
  const text = typeof v === 'string' ? JSON.stringify(v) : String(v)
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}
const fail = (at: string, expected: string, got: unknown): never => {
  throw new ValidationError(`${at}: expected ${expected}, got ${show(got)}`)
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const key = (at: string, k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`)

const is =
  <T>(expected: string, test: (v: unknown) => boolean): Schema<T> =>
  (v, at) =>
    test(v) ? (v as T) : fail(at, expected, v)

export const string = is<string>('a string', (v) => typeof v === 'string')
export const number = is<number>('a number', (v) => typeof v === 'number' && Number.isFinite(v))
export const boolean = is<boolean>('true or false', (v) => typeof v === 'boolean')
export const literal = <const T extends string | number | boolean>(value: T): Schema<T> => is<T>(JSON.stringify(value), (v) => v === value)
export const enums = <const T extends readonly string[]>(values: T): Schema<T[number]> =>
  is<T[number]>(`one of ${values.join(', ')}`, (v) => values.includes(v as string))

/** Adds a rule to a schema: `check(number, Number.isSafeInteger, 'an integer')`. */
export const check =
  <T>(schema: Schema<T>, ok: (v: T) => boolean, expected: string): Schema<T> =>
  (v, at) => {
    const r = schema(v, at)
    return ok(r) ? r : fail(at, expected, v)
  }

export const optional = <T>(schema: Schema<T>): Optional<T> =>
  Object.assign((v: unknown, at: string) => (v === undefined ? undefined : schema(v, at)), { optional: true as const })

export const array =
  <T>(item: Schema<T>): Schema<T[]> =>
  (v, at) =>
    Array.isArray(v) ? v.map((x, i) => item(x, `${at}[${i}]`)) : fail(at, 'an array', v)

export const record =
  <T>(value: Schema<T>): Schema<Record<string, T>> =>
  (v, at) =>
    isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, key(at, k))])) : fail(at, 'an object', v)

export const object =
  <S extends Shape>(shape: S, options: { strict?: boolean } = {}): Schema<ObjectOf<S>> =>
  (v, at) => {
    if (!isObject(v)) return fail(at, 'an object', v)
    if (options.strict) for (const k of Object.keys(v)) if (!Object.hasOwn(shape, k)) fail(key(at, k), 'no such key', v[k])
    const out: [string, unknown][] = []
    for (const k of Object.keys(shape)) {
      const x = shape[k]!(Object.hasOwn(v, k) ? v[k] : undefined, key(at, k))
      if (x !== undefined) out.push([k, x])
    }
    return Object.fromEntries(out) as ObjectOf<S>
  }

/** A union told apart by one key: `tagged('mode', { off: object({ mode: literal('off') }), ... })`. */
export const tagged =
  <K extends string, C extends Record<string, Schema<Record<K, unknown>>>>(tag: K, cases: C): Schema<Infer<C[keyof C]>> =>
  (v, at) => {
    if (!isObject(v)) return fail(at, 'an object', v)
    const t = v[tag]
    if (typeof t !== 'string' || !Object.hasOwn(cases, t)) return fail(key(at, tag), `one of ${Object.keys(cases).join(', ')}`, t)
    return cases[t]!(v, at) as Infer<C[keyof C]>
  }

/** The typed value, or a ValidationError like `state.buildCache.restore.key: expected a string, got 5`. */
export const parse = <T>(schema: Schema<T>, value: unknown, name = 'value'): T => schema(value, name)

/**
 * True only when A and B are the same type, optional keys included: a schema
 * written for an interface must not drop a key the interface gained.
 * `const exact: Same<Infer<typeof S>, T> = true` fails to compile otherwise.
 */
export type Same<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false
