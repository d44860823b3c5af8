import { describe, expect, it } from '@jest/globals'
import {
  evaluateExpression,
  evaluateTemplateString,
  ExpressionError,
  INPUT_DEFAULT_CONTEXTS,
  parseStatusCondition,
  statusConditionPasses,
  type ExprContexts,
} from '../../support/runner/expressions.ts'

const contexts: ExprContexts = {
  github: {
    server_url: 'https://github.com',
    token: 'ghs_abc',
    ref: 'refs/heads/main',
    run_id: '42',
    event_name: 'push',
    event: { pull_request: null, commits: [{ id: 'c1' }, { id: 'c2' }] },
  },
  runner: { os: 'Linux', arch: 'X64', temp: '/tmp/r' },
  job: { status: 'success' },
  strategy: { 'fail-fast': true, 'job-index': 0 },
  matrix: { go: '1.25', os: ['a', 'b'] },
}
const options = { allowedContexts: INPUT_DEFAULT_CONTEXTS }
const ev = (expr: string) => evaluateExpression(expr, contexts, options)

describe('evaluateExpression', () => {
  it('evaluates the setup-go token default', () => {
    expect(ev("github.server_url == 'https://github.com' && github.token || ''")).toBe('ghs_abc')
    const ghes = { ...contexts, github: { ...(contexts.github as object), server_url: 'https://ghe.example' } }
    expect(evaluateExpression("github.server_url == 'https://github.com' && github.token || ''", ghes, options)).toBe('')
  })

  it('reads properties case-insensitively, by index, and gives null when missing', () => {
    expect(ev('GitHub.Server_URL')).toBe('https://github.com')
    expect(ev("github['run_id']")).toBe('42')
    expect(ev('github.event.commits[1].id')).toBe('c2')
    expect(ev('strategy.fail-fast')).toBe(true)
    expect(ev('github.nope.deeper')).toBeNull()
    expect(ev('matrix.os[5]')).toBeNull()
  })

  it('parses literals', () => {
    expect(ev("'it''s'")).toBe("it's")
    expect(ev('-1.5')).toBe(-1.5)
    expect(ev('0x1F')).toBe(31)
    expect(ev('1e3')).toBe(1000)
    expect(ev('TRUE')).toBe(true)
    expect(ev('null')).toBeNull()
  })

  it('compares loosely: strings ignoring case, mixed kinds as numbers', () => {
    expect(ev("'ABC' == 'abc'")).toBe(true)
    expect(ev("'1' == 1")).toBe(true)
    expect(ev("'' == 0")).toBe(true)
    expect(ev('null == 0')).toBe(true)
    expect(ev('true == 1')).toBe(true)
    expect(ev("'abc' == 0")).toBe(false)
    expect(ev('github.run_id > 41')).toBe(true)
    expect(ev("'b' > 'A'")).toBe(true)
    expect(ev('matrix.os == matrix.os')).toBe(true)
    expect(ev("'x' != 'X'")).toBe(false)
  })

  it('returns operands from && and ||, booleans from !', () => {
    expect(ev("'' || 'fallback'")).toBe('fallback')
    expect(ev("0 && 'never'")).toBe(0)
    expect(ev("!''")).toBe(true)
    expect(ev('!matrix')).toBe(false)
    expect(ev("(1 == 2 || 'a') && 'b'")).toBe('b')
  })

  it('implements the string functions', () => {
    expect(ev("contains('Hello World', 'WORLD')")).toBe(true)
    expect(ev("contains(matrix.os, 'B')")).toBe(true)
    expect(ev("startsWith(github.ref, 'refs/heads/')")).toBe(true)
    expect(ev("endsWith(github.ref, 'MAIN')")).toBe(true)
    expect(ev("format('{0}-{1}-{{x}}', runner.os, matrix.go)")).toBe('Linux-1.25-{x}')
    expect(ev("join(matrix.os, '+')")).toBe('a+b')
    expect(ev('fromJSON(\'{"a":[1,true]}\').a[1]')).toBe(true)
    expect(ev('toJSON(matrix.os)')).toBe('[\n  "a",\n  "b"\n]')
  })

  it('rejects contexts that input defaults may not use', () => {
    for (const expr of ['env.HOME', 'secrets.TOKEN', 'inputs.x', 'steps.a.outputs.b', 'vars.X']) {
      expect(() => ev(expr)).toThrow(ExpressionError)
    }
    expect(() => ev('env.HOME')).toThrow(
      "Unrecognized named-value: 'env'. Located at position 1 within expression: env.HOME (allowed here: github, strategy, matrix, job, runner)",
    )
  })

  it('rejects unsupported functions and syntax', () => {
    expect(() => ev("hashFiles('**/go.sum')")).toThrow('hashFiles() is not supported by the harness')
    expect(() => ev('success()')).toThrow("Unrecognized function: 'success'")
    expect(() => ev('github.event.commits.*.id')).toThrow('Object filters')
    expect(() => ev("format('{1}', 'a')")).toThrow('format string is invalid')
    expect(() => ev('github.ref ==')).toThrow('Unexpected end of expression')
    expect(() => ev('1 + 1')).toThrow("Unexpected symbol: '+'")
  })
})

describe('evaluateTemplateString', () => {
  it('interpolates expressions into text', () => {
    expect(evaluateTemplateString('go-${{ runner.os }}-${{ matrix.go }}', contexts, options)).toBe('go-Linux-1.25')
    expect(evaluateTemplateString('plain', contexts, options)).toBe('plain')
    expect(evaluateTemplateString('', contexts, options)).toBe('')
  })

  it('converts a lone expression result to a string', () => {
    expect(evaluateTemplateString('${{ github.missing }}', contexts, options)).toBe('')
    expect(evaluateTemplateString("${{ job.status == 'success' }}", contexts, options)).toBe('true')
    expect(evaluateTemplateString('${{ 3 }}', contexts, options)).toBe('3')
  })

  it('handles }} inside string literals and rejects objects', () => {
    expect(evaluateTemplateString("${{ format('{0}}}', 'a') }}", contexts, options)).toBe('a}')
    expect(() => evaluateTemplateString('${{ matrix }}', contexts, options)).toThrow('A mapping was not expected')
    expect(() => evaluateTemplateString('${{ matrix.go', contexts, options)).toThrow('The expression is not closed')
  })
})

describe('status conditions', () => {
  it('accepts the four status functions, optionally wrapped', () => {
    expect(parseStatusCondition('success()')).toBe('success')
    expect(parseStatusCondition(' ${{ Always() }} ')).toBe('always')
    expect(parseStatusCondition('failure( )')).toBe('failure')
    expect(parseStatusCondition('${{cancelled()}}')).toBe('cancelled')
  })

  it('rejects anything else', () => {
    for (const c of ['', 'true', '!cancelled()', 'success() && always()', "github.ref == 'x'", 'success']) {
      expect(() => parseStatusCondition(c)).toThrow(/supports only success\(\), always\(\), failure\(\) and cancelled\(\)/)
    }
  })

  it('evaluates against the job status', () => {
    expect(['success()', 'always()', 'failure()', 'cancelled()'].map((c) => statusConditionPasses(c, 'success'))).toEqual([true, true, false, false])
    expect(['success()', 'always()', 'failure()', 'cancelled()'].map((c) => statusConditionPasses(c, 'failure'))).toEqual([false, true, true, false])
  })
})
