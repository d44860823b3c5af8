import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from '@jest/globals'
import { loadActionManifest, type ActionInput } from '../../support/runner/action-manifest.ts'
import { inputEnvName, inputsToEnv, resolveInputs } from '../../support/runner/inputs.ts'

describe('inputEnvName', () => {
  it('upper-cases, turns spaces into _ and keeps hyphens', () => {
    expect(inputEnvName('cache-dependency-path')).toBe('INPUT_CACHE-DEPENDENCY-PATH')
    expect(inputEnvName('go version')).toBe('INPUT_GO_VERSION')
    expect(inputEnvName('token')).toBe('INPUT_TOKEN')
    expect(inputEnvName('a.b_c')).toBe('INPUT_A.B_C')
  })

  it('maps characters one by one like ToUpperInvariant', () => {
    expect(inputEnvName('straße é')).toBe('INPUT_STRAßE_É')
  })
})

const declared: ActionInput[] = [
  { id: 'token', default: "${{ github.server_url == 'https://github.com' && github.token || '' }}", hasDefault: true, required: false },
  { id: 'cache', default: 'true', hasDefault: true, required: false },
  { id: 'path', default: '', hasDefault: false, required: true },
  { id: 'old', default: 'x', hasDefault: true, required: false, deprecationMessage: 'use new' },
]
const contexts = { github: { server_url: 'https://github.com', token: 'ghs_t' } }

describe('resolveInputs', () => {
  it('uses with: values, else evaluated defaults, and does not enforce required inputs', () => {
    const r = resolveInputs(declared, { Cache: 'false' }, contexts)
    expect(r.values).toEqual({ Cache: 'false', token: 'ghs_t', path: '', old: 'x' })
    expect(r.warnings).toEqual([])
    expect(inputsToEnv(r.values)).toEqual({
      INPUT_CACHE: 'false',
      INPUT_TOKEN: 'ghs_t',
      INPUT_PATH: '',
      INPUT_OLD: 'x',
    })
  })

  it('warns about unexpected and deprecated inputs but still passes them', () => {
    const r = resolveInputs(declared, { old: '1', typo: '2' }, contexts)
    expect(r.values.typo).toBe('2')
    expect(r.warnings).toEqual([
      "Input 'old' has been deprecated with message: use new",
      "Unexpected input(s) 'typo', valid inputs are ['token', 'cache', 'path', 'old']",
    ])
  })

  it('rejects defaults that use contexts the runner does not allow there', () => {
    const bad: ActionInput[] = [{ id: 'h', default: '${{ env.HOME }}', hasDefault: true, required: false }]
    expect(() => resolveInputs(bad, {}, contexts)).toThrow("Unrecognized named-value: 'env'")
  })
})

describe('loadActionManifest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'manifest-test-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads inputs (defaults as strings) and runs', () => {
    writeFileSync(
      join(dir, 'action.yml'),
      [
        'name: demo',
        'inputs:',
        '  cache:',
        '    default: true',
        '  version:',
        '    default: 1.10',
        '  token:',
        '    default: ${{ github.token }}',
        '  path:',
        '    required: true',
        'runs:',
        '  using: node24',
        '  main: dist/main.js',
        '  post: dist/post.js',
        '  post-if: success()',
      ].join('\n'),
    )
    const m = loadActionManifest(dir)
    expect(m.name).toBe('demo')
    expect(m.inputs).toEqual([
      { id: 'cache', default: 'true', hasDefault: true, required: false },
      { id: 'version', default: '1.1', hasDefault: true, required: false },
      { id: 'token', default: '${{ github.token }}', hasDefault: true, required: false },
      { id: 'path', default: '', hasDefault: false, required: true },
    ])
    expect(m.main).toBe(join(dir, 'dist/main.js'))
    expect(m.post).toBe(join(dir, 'dist/post.js'))
    expect(m.postIf).toBe('success()')
  })

  it('defaults post-if to always()', () => {
    writeFileSync(join(dir, 'action.yml'), 'runs:\n  using: node24\n  main: m.js\n  post: p.js\n')
    expect(loadActionManifest(dir).postIf).toBe('always()')
  })

  it('refuses other runtimes and unsupported post-if conditions', () => {
    writeFileSync(join(dir, 'action.yml'), 'runs:\n  using: node20\n  main: m.js\n')
    expect(() => loadActionManifest(dir)).toThrow("runs.using 'node20' is not supported by the harness")
    writeFileSync(join(dir, 'action.yml'), 'runs:\n  using: composite\n  steps: []\n')
    expect(() => loadActionManifest(dir)).toThrow("runs.using 'composite' is not supported")
    writeFileSync(join(dir, 'action.yml'), "runs:\n  using: node24\n  main: m.js\n  post: p.js\n  post-if: github.ref == 'x'\n")
    expect(() => loadActionManifest(dir)).toThrow('supports only success(), always(), failure() and cancelled()')
  })

  it('needs action.yml or action.yaml', () => {
    const empty = mkdtempSync(join(dir, 'empty-'))
    expect(() => loadActionManifest(empty)).toThrow("Can't find 'action.yml' or 'action.yaml'")
  })
})
