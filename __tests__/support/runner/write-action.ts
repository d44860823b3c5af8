// Writes a tiny node24 action (action.yml + entry scripts) to a directory, for
// harness tests and demos. The scripts are plain ESM with no dependencies.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'

export interface FixtureInput {
  description?: string
  default?: string
  required?: boolean
  deprecationMessage?: string
}

export interface FixtureAction {
  name?: string
  inputs?: Record<string, FixtureInput>
  /** source of main.mjs */
  main: string
  /** source of post.mjs (adds runs.post) */
  post?: string
  /** runs.post-if */
  postIf?: string
  /** source of pre.mjs (adds runs.pre; the runner does not run it for local actions) */
  pre?: string
  /** runs.using; default node24 (set something else to test the refusal) */
  using?: string
}

/**
 * Helpers prepended to every fixture script: `appendFile(envName, text)` appends to
 * the file named by an env var (GITHUB_ENV, GITHUB_OUTPUT, …) and `heredoc(name, value)`
 * formats a multi-line `name<<DELIM` entry like @actions/core does.
 */
export const FIXTURE_PRELUDE = `import { appendFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
const appendFile = (envName, text) => appendFileSync(process.env[envName], text)
const heredoc = (name, value) => { const d = 'ghadelimiter_' + randomUUID(); return name + '<<' + d + '\\n' + value + '\\n' + d + '\\n' }
`

/** Writes the action into `dir` (created if needed) and returns `dir`. */
export function writeNodeAction(dir: string, action: FixtureAction): string {
  mkdirSync(dir, { recursive: true })
  const runs: Record<string, string> = { using: action.using ?? 'node24', main: 'main.mjs' }
  if (action.pre !== undefined) runs.pre = 'pre.mjs'
  if (action.post !== undefined) runs.post = 'post.mjs'
  if (action.postIf !== undefined) runs['post-if'] = action.postIf
  const metadata: Record<string, unknown> = { name: action.name ?? 'fixture action', description: 'harness fixture' }
  if (action.inputs) metadata.inputs = action.inputs
  metadata.runs = runs
  writeFileSync(join(dir, 'action.yml'), stringify(metadata))
  writeFileSync(join(dir, 'main.mjs'), FIXTURE_PRELUDE + action.main)
  if (action.post !== undefined) writeFileSync(join(dir, 'post.mjs'), FIXTURE_PRELUDE + action.post)
  if (action.pre !== undefined) writeFileSync(join(dir, 'pre.mjs'), FIXTURE_PRELUDE + action.pre)
  return dir
}
