// A small evaluator for GitHub Actions expressions, enough for action.yml input
// defaults (e.g. setup-go's `${{ github.server_url == 'https://github.com' && github.token || '' }}`),
// plus the step status conditions the harness supports.
//
// Supported: literals ('str' with '' escape, numbers, true/false/null), context
// property access (a.b, a['b'], a[0]; case-insensitive keys; missing → null),
// operators ! < <= > >= == != && || and parentheses, and the functions contains,
// startsWith, endsWith, format, join, toJSON, fromJSON. Comparison and truthiness
// follow the documented rules (loose number coercion, case-insensitive string
// equality, && / || return an operand). Anything else (object filters `.*`,
// hashFiles(), status functions, unknown contexts) is rejected with an error.

export type ExprValue = null | boolean | number | string | ExprValue[] | { [key: string]: ExprValue }
export type ExprContexts = Record<string, ExprValue>

/** An expression the harness cannot or may not evaluate; the message says why. */
export class ExpressionError extends Error {
  override name = 'ExpressionError'
}

/** The named contexts the runner allows in `inputs.<id>.default` (action_yaml.json `input-default-context`). */
export const INPUT_DEFAULT_CONTEXTS: readonly string[] = ['github', 'strategy', 'matrix', 'job', 'runner']

type Token =
  | { kind: 'string'; value: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'ident'; value: string; pos: number }
  | { kind: 'punct'; value: string; pos: number }
  | { kind: 'end'; pos: number }

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '(', ')', '[', ']', '.', ',', '!', '<', '>', '*']

function tokenize(expr: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < expr.length) {
    const ch = expr[i]!
    if (/\s/.test(ch)) {
      i++
      continue
    }
    const pos = i + 1
    if (ch === "'") {
      let value = ''
      i++
      for (;;) {
        if (i >= expr.length) throw new ExpressionError(`Unexpected end of expression: ${expr}`)
        if (expr[i] === "'") {
          if (expr[i + 1] === "'") {
            value += "'"
            i += 2
            continue
          }
          i++
          break
        }
        value += expr[i]
        i++
      }
      tokens.push({ kind: 'string', value, pos })
      continue
    }
    const num = /^(?:0x[0-9a-fA-F]+|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/.exec(expr.slice(i))
    const prev = tokens[tokens.length - 1]
    const afterValue = prev !== undefined && (prev.kind !== 'punct' || prev.value === ')' || prev.value === ']')
    if (num && !(num[0].startsWith('-') && afterValue) && !(prev?.kind === 'punct' && prev.value === '.')) {
      tokens.push({ kind: 'number', value: Number(num[0]), pos })
      i += num[0].length
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(expr.slice(i))
    if (ident) {
      tokens.push({ kind: 'ident', value: ident[0], pos })
      i += ident[0].length
      continue
    }
    const punct = PUNCTUATION.find((p) => expr.startsWith(p, i))
    if (punct) {
      tokens.push({ kind: 'punct', value: punct, pos })
      i += punct.length
      continue
    }
    throw new ExpressionError(`Unexpected symbol: '${ch}'. Located at position ${pos} within expression: ${expr}`)
  }
  tokens.push({ kind: 'end', pos: expr.length + 1 })
  return tokens
}

type Node =
  | { type: 'literal'; value: ExprValue }
  | { type: 'context'; name: string }
  | { type: 'index'; object: Node; key: Node }
  | { type: 'not'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node }
  | { type: 'call'; name: string; args: Node[] }

interface ParseOptions {
  allowedContexts: readonly string[]
  /** extra functions callable by name (case-insensitive), e.g. status functions */
  functions?: Record<string, (args: ExprValue[]) => ExprValue>
}

const BUILTIN_FUNCTIONS = ['contains', 'startswith', 'endswith', 'format', 'join', 'tojson', 'fromjson']

class Parser {
  readonly tokens: Token[]
  readonly expr: string
  readonly options: ParseOptions
  pos = 0

  constructor(expr: string, options: ParseOptions) {
    this.expr = expr
    this.tokens = tokenize(expr)
    this.options = options
  }

  peek(): Token {
    return this.tokens[this.pos]!
  }

  isPunct(value: string): boolean {
    const t = this.peek()
    return t.kind === 'punct' && t.value === value
  }

  expectPunct(value: string): void {
    if (!this.isPunct(value)) this.fail(this.peek())
    this.pos++
  }

  fail(t: Token): never {
    const text = t.kind === 'end' ? 'end of expression' : `symbol: '${'value' in t ? String(t.value) : ''}'`
    throw new ExpressionError(`Unexpected ${text}. Located at position ${t.pos} within expression: ${this.expr}`)
  }

  parse(): Node {
    if (this.peek().kind === 'end') throw new ExpressionError('Expected an expression')
    const node = this.parseOr()
    if (this.peek().kind !== 'end') this.fail(this.peek())
    return node
  }

  parseOr(): Node {
    let left = this.parseAnd()
    while (this.isPunct('||')) {
      this.pos++
      left = { type: 'binary', op: '||', left, right: this.parseAnd() }
    }
    return left
  }

  parseAnd(): Node {
    let left = this.parseEquality()
    while (this.isPunct('&&')) {
      this.pos++
      left = { type: 'binary', op: '&&', left, right: this.parseEquality() }
    }
    return left
  }

  parseEquality(): Node {
    let left = this.parseComparison()
    while (this.isPunct('==') || this.isPunct('!=')) {
      const op = (this.peek() as { value: string }).value
      this.pos++
      left = { type: 'binary', op, left, right: this.parseComparison() }
    }
    return left
  }

  parseComparison(): Node {
    let left = this.parseUnary()
    while (this.isPunct('<') || this.isPunct('<=') || this.isPunct('>') || this.isPunct('>=')) {
      const op = (this.peek() as { value: string }).value
      this.pos++
      left = { type: 'binary', op, left, right: this.parseUnary() }
    }
    return left
  }

  parseUnary(): Node {
    if (this.isPunct('!')) {
      this.pos++
      return { type: 'not', operand: this.parseUnary() }
    }
    return this.parsePostfix(this.parsePrimary())
  }

  parsePostfix(node: Node): Node {
    let current = node
    for (;;) {
      if (this.isPunct('.')) {
        this.pos++
        const t = this.peek()
        if (t.kind === 'punct' && t.value === '*') {
          throw new ExpressionError(`Object filters ('.*') are not supported by the harness: ${this.expr}`)
        }
        if (t.kind !== 'ident') this.fail(t)
        this.pos++
        current = { type: 'index', object: current, key: { type: 'literal', value: t.value } }
      } else if (this.isPunct('[')) {
        this.pos++
        if (this.isPunct('*')) throw new ExpressionError(`Object filters ('[*]') are not supported by the harness: ${this.expr}`)
        const key = this.parseOr()
        this.expectPunct(']')
        current = { type: 'index', object: current, key }
      } else {
        return current
      }
    }
  }

  parsePrimary(): Node {
    const t = this.peek()
    if (t.kind === 'string' || t.kind === 'number') {
      this.pos++
      return { type: 'literal', value: t.value }
    }
    if (t.kind === 'punct' && t.value === '(') {
      this.pos++
      const inner = this.parseOr()
      this.expectPunct(')')
      return inner
    }
    if (t.kind !== 'ident') this.fail(t)
    this.pos++
    const lower = t.value.toLowerCase()
    if (this.isPunct('(')) {
      this.pos++
      const args: Node[] = []
      if (!this.isPunct(')')) {
        args.push(this.parseOr())
        while (this.isPunct(',')) {
          this.pos++
          args.push(this.parseOr())
        }
      }
      this.expectPunct(')')
      const extra = Object.keys(this.options.functions ?? {}).some((f) => f.toLowerCase() === lower)
      if (!BUILTIN_FUNCTIONS.includes(lower) && !extra) {
        throw new ExpressionError(
          `Unrecognized function: '${t.value}'. Located at position ${t.pos} within expression: ${this.expr}` +
            (lower === 'hashfiles' ? ' (hashFiles() is not supported by the harness)' : ''),
        )
      }
      return { type: 'call', name: lower, args }
    }
    if (lower === 'true') return { type: 'literal', value: true }
    if (lower === 'false') return { type: 'literal', value: false }
    if (lower === 'null') return { type: 'literal', value: null }
    if (!this.options.allowedContexts.some((c) => c.toLowerCase() === lower)) {
      throw new ExpressionError(
        `Unrecognized named-value: '${t.value}'. Located at position ${t.pos} within expression: ${this.expr}` +
          ` (allowed here: ${this.options.allowedContexts.join(', ') || 'none'})`,
      )
    }
    return { type: 'context', name: lower }
  }
}

function isObject(v: ExprValue): v is { [key: string]: ExprValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** Truthiness: false, 0, NaN, '' and null are falsy; arrays and objects are truthy. */
export function isTruthy(v: ExprValue): boolean {
  if (v === null) return false
  if (typeof v === 'boolean') return v
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v)
  if (typeof v === 'string') return v !== ''
  return true
}

/** Number coercion for mixed-type comparisons. */
export function toNumber(v: ExprValue): number {
  if (v === null) return 0
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'number') return v
  if (typeof v === 'string') {
    const s = v.trim()
    if (s === '') return 0
    if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16)
    if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(s)) return Number(s)
    if (/^[-+]?infinity$/i.test(s)) return s.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
    return Number.NaN
  }
  return Number.NaN
}

/** String conversion (format(), `${{ }}` inside a longer string). */
export function toStringValue(v: ExprValue): string {
  if (v === null) return ''
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v)
  if (typeof v === 'string') return v
  return Array.isArray(v) ? 'Array' : 'Object'
}

function sameKind(a: ExprValue, b: ExprValue): boolean {
  const kind = (v: ExprValue) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)
  return kind(a) === kind(b)
}

/** `==`: same kind compares directly (strings ignoring case, objects by identity); otherwise as numbers. */
export function looseEquals(a: ExprValue, b: ExprValue): boolean {
  if (sameKind(a, b)) {
    if (typeof a === 'string') return a.toUpperCase() === (b as string).toUpperCase()
    return a === b
  }
  return toNumber(a) === toNumber(b)
}

function compare(op: string, a: ExprValue, b: ExprValue): boolean {
  let x: number | string
  let y: number | string
  if (typeof a === 'string' && typeof b === 'string') {
    x = a.toUpperCase()
    y = b.toUpperCase()
  } else {
    x = toNumber(a)
    y = toNumber(b)
  }
  switch (op) {
    case '<':
      return x < y
    case '<=':
      return x <= y
    case '>':
      return x > y
    default:
      return x >= y
  }
}

function lookup(object: ExprValue, key: ExprValue): ExprValue {
  if (Array.isArray(object)) {
    const n = toNumber(key)
    if (!Number.isInteger(n) || n < 0 || n >= object.length) return null
    return object[n] ?? null
  }
  if (isObject(object)) {
    const name = toStringValue(key)
    if (Object.hasOwn(object, name)) return object[name] ?? null
    const found = Object.keys(object).find((k) => k.toLowerCase() === name.toLowerCase())
    return found === undefined ? null : (object[found] ?? null)
  }
  return null
}

function format(args: ExprValue[]): string {
  const [fmt, ...rest] = args
  const text = toStringValue(fmt ?? null)
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '{' && text[i + 1] === '{') {
      out += '{'
      i++
    } else if (ch === '}' && text[i + 1] === '}') {
      out += '}'
      i++
    } else if (ch === '{') {
      const close = text.indexOf('}', i)
      const index = close < 0 ? Number.NaN : Number(text.slice(i + 1, close))
      if (!Number.isInteger(index) || index < 0 || index >= rest.length) {
        throw new ExpressionError(`The following format string is invalid: ${text}`)
      }
      out += toStringValue(rest[index]!)
      i = close
    } else if (ch === '}') {
      throw new ExpressionError(`The following format string is invalid: ${text}`)
    } else {
      out += ch
    }
  }
  return out
}

function toJsonValue(v: unknown): ExprValue {
  if (v === null || v === undefined) return null
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v
  if (Array.isArray(v)) return v.map(toJsonValue)
  if (typeof v === 'object') {
    const out: Record<string, ExprValue> = {}
    for (const [k, val] of Object.entries(v)) out[k] = toJsonValue(val)
    return out
  }
  return toStringValue(String(v))
}

function callBuiltin(name: string, args: ExprValue[], expr: string): ExprValue {
  const arity: Record<string, [number, number]> = {
    contains: [2, 2],
    startswith: [2, 2],
    endswith: [2, 2],
    format: [1, Infinity],
    join: [1, 2],
    tojson: [1, 1],
    fromjson: [1, 1],
  }
  const [min, max] = arity[name]!
  if (args.length < min || args.length > max) throw new ExpressionError(`Wrong number of arguments to '${name}' in: ${expr}`)
  const a = args[0] ?? null
  const b = args[1] ?? null
  switch (name) {
    case 'contains':
      if (Array.isArray(a)) return a.some((item) => looseEquals(item, b))
      return toStringValue(a).toUpperCase().includes(toStringValue(b).toUpperCase())
    case 'startswith':
      return toStringValue(a).toUpperCase().startsWith(toStringValue(b).toUpperCase())
    case 'endswith':
      return toStringValue(a).toUpperCase().endsWith(toStringValue(b).toUpperCase())
    case 'format':
      return format(args)
    case 'join': {
      const separator = args.length > 1 ? toStringValue(b) : ','
      if (Array.isArray(a)) return a.map((item) => (isObject(item) || Array.isArray(item) ? '' : toStringValue(item))).join(separator)
      return isObject(a) ? '' : toStringValue(a)
    }
    case 'tojson':
      return JSON.stringify(a, null, 2)
    default:
      try {
        return toJsonValue(JSON.parse(toStringValue(a)))
      } catch (err) {
        throw new ExpressionError(`Error parsing fromJson: ${(err as Error).message}`)
      }
  }
}

/**
 * Evaluates one expression (the text inside `${{ }}`) against `contexts`.
 * Only the named contexts in `allowedContexts` may be referenced.
 */
export function evaluateExpression(
  expr: string,
  contexts: ExprContexts,
  options: { allowedContexts: readonly string[]; functions?: Record<string, (args: ExprValue[]) => ExprValue> },
): ExprValue {
  const ast = new Parser(expr, options).parse()
  const extra = new Map(Object.entries(options.functions ?? {}).map(([k, f]) => [k.toLowerCase(), f]))
  const evaluate = (node: Node): ExprValue => {
    switch (node.type) {
      case 'literal':
        return node.value
      case 'context': {
        const key = Object.keys(contexts).find((k) => k.toLowerCase() === node.name)
        return key === undefined ? null : (contexts[key] ?? null)
      }
      case 'index':
        return lookup(evaluate(node.object), evaluate(node.key))
      case 'not':
        return !isTruthy(evaluate(node.operand))
      case 'binary': {
        if (node.op === '&&') {
          const left = evaluate(node.left)
          return isTruthy(left) ? evaluate(node.right) : left
        }
        if (node.op === '||') {
          const left = evaluate(node.left)
          return isTruthy(left) ? left : evaluate(node.right)
        }
        const left = evaluate(node.left)
        const right = evaluate(node.right)
        if (node.op === '==') return looseEquals(left, right)
        if (node.op === '!=') return !looseEquals(left, right)
        return compare(node.op, left, right)
      }
      case 'call': {
        const args = node.args.map(evaluate)
        const fn = extra.get(node.name)
        return fn ? fn(args) : callBuiltin(node.name, args, expr)
      }
    }
  }
  return evaluate(ast)
}

/** Finds the `${{ ... }}` segments of a string, honouring quotes inside expressions. */
function splitTemplate(text: string): Array<{ literal: string } | { expr: string }> {
  const parts: Array<{ literal: string } | { expr: string }> = []
  let i = 0
  while (i < text.length) {
    const start = text.indexOf('${{', i)
    if (start < 0) break
    let j = start + 3
    let inString = false
    let end = -1
    while (j < text.length) {
      if (text[j] === "'") inString = !inString
      else if (!inString && text.startsWith('}}', j)) {
        end = j
        break
      }
      j++
    }
    if (end < 0)
      throw new ExpressionError(`The expression is not closed. An unescaped \${{ sequence was found, but the closing }} sequence was not found: ${text}`)
    if (start > i) parts.push({ literal: text.slice(i, start) })
    parts.push({ expr: text.slice(start + 3, end) })
    i = end + 2
  }
  if (i < text.length) parts.push({ literal: text.slice(i) })
  return parts
}

/**
 * Evaluates a string that may contain `${{ }}` expressions into a string, as the
 * runner does for a string-typed template value (an input default): a value that
 * is a single expression converts its result to a string (null → ''), mixed text
 * concatenates. An expression yielding an object or array is an error.
 */
export function evaluateTemplateString(
  text: string,
  contexts: ExprContexts,
  options: { allowedContexts: readonly string[]; functions?: Record<string, (args: ExprValue[]) => ExprValue> },
): string {
  let out = ''
  for (const part of splitTemplate(text)) {
    if ('literal' in part) {
      out += part.literal
      continue
    }
    const value = evaluateExpression(part.expr, contexts, options)
    if (value !== null && typeof value === 'object') {
      throw new ExpressionError(`A ${Array.isArray(value) ? 'sequence' : 'mapping'} was not expected: \${{${part.expr}}}`)
    }
    out += toStringValue(value)
  }
  return out
}

/** The status check functions a step or post condition may use. */
export type StatusFunction = 'success' | 'always' | 'failure' | 'cancelled'

/**
 * Parses a step `if:` / `post-if:` condition. The harness supports exactly one
 * status function: `success()`, `always()`, `failure()` or `cancelled()`,
 * optionally wrapped in `${{ }}` (function names are case-insensitive, as in
 * GitHub expressions). Anything else throws.
 */
export function parseStatusCondition(condition: string): StatusFunction {
  let text = condition.trim()
  const wrapped = /^\$\{\{([\s\S]*)\}\}$/.exec(text)
  if (wrapped) text = wrapped[1]!.trim()
  const m = /^(success|always|failure|cancelled)\s*\(\s*\)$/i.exec(text)
  if (!m) {
    throw new ExpressionError(`Unsupported condition '${condition}': the harness supports only success(), always(), failure() and cancelled()`)
  }
  return m[1]!.toLowerCase() as StatusFunction
}

/** Whether a condition passes given the job status so far (no cancellation in the harness). */
export function statusConditionPasses(condition: string, jobStatus: 'success' | 'failure'): boolean {
  switch (parseStatusCondition(condition)) {
    case 'always':
      return true
    case 'success':
      return jobStatus === 'success'
    case 'failure':
      return jobStatus === 'failure'
    default:
      return false
  }
}
