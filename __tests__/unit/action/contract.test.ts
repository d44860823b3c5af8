/** action.yml, the code's name tables and the README agree (setup-java's contract tests). */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { Input, Output } from '../../../src/action/constants.ts'

const root = path.resolve(import.meta.dirname, '../../..')
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
  runs: Record<string, string>
  branding: Record<string, string>
}

describe('action.yml', () => {
  it('declares exactly the inputs the code reads, each described, each with a default', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Input).sort())
    for (const [name, input] of Object.entries(action.inputs)) {
      expect([name, input.description.length > 20]).toEqual([name, true])
      expect([name, typeof input.default]).toEqual([name, 'string'])
    }
  })

  it('declares exactly the outputs the code sets, each described', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Output).sort())
    for (const output of Object.values(action.outputs)) expect(output.description.length).toBeGreaterThan(20)
  })

  it('runs the committed bundles on node24, post always', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/main/index.js', post: 'dist/post/index.js', 'post-if': 'always()' })
    expect(Object.keys(action.branding).sort()).toEqual(['color', 'icon'])
  })

  it('is documented in the README: every input and output has a table row', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
    for (const name of [...Object.values(Input), ...Object.values(Output)]) {
      expect([name, readme.includes(`| \`${name}\` |`)]).toEqual([name, true])
    }
  })
})
