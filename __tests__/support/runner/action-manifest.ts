// Loading a JavaScript action's metadata (action.yml / action.yaml) as the runner
// reads it (actions/runner src/Runner.Worker/ActionManifestManager.cs): inputs with
// their defaults converted to strings, `runs.using` (only node24 here),
// `runs.main`, `runs.post`, `runs.post-if` (default `always()`), `runs.pre`.
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { parseStatusCondition } from './expressions.ts'

/** One declared input. */
export interface ActionInput {
  id: string
  /** the raw default as a string (may contain `${{ }}`); '' when none is declared, as the runner does */
  default: string
  hasDefault: boolean
  required: boolean
  deprecationMessage?: string
}

/** A loaded node24 action. */
export interface ActionManifest {
  /** absolute action directory (GITHUB_ACTION_PATH) */
  directory: string
  /** the metadata file that was read */
  file: string
  name: string
  using: 'node24'
  inputs: ActionInput[]
  /** absolute paths of the entry points */
  main: string
  post?: string
  postIf: string
  pre?: string
  preIf: string
}

/** The runner converts scalar defaults to strings: true → 'true', 1.10 → '1.1', null → ''. */
function scalarToString(value: unknown, what: string): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'boolean' || typeof value === 'number') return String(value)
  throw new Error(`${what}: a ${Array.isArray(value) ? 'sequence' : 'mapping'} was not expected`)
}

function getIgnoreCase(map: Record<string, unknown>, key: string): unknown {
  const found = Object.keys(map).find((k) => k.toLowerCase() === key.toLowerCase())
  return found === undefined ? undefined : map[found]
}

/**
 * Reads `<directory>/action.yml` (or action.yaml). Throws a clear error when the
 * file is missing or invalid, when `runs.using` is anything but node24, or when
 * `post-if`/`pre-if` is not one of the status conditions the harness supports.
 */
export function loadActionManifest(directory: string): ActionManifest {
  const dir = resolve(directory)
  const file = ['action.yml', 'action.yaml'].map((f) => join(dir, f)).find((f) => existsSync(f))
  if (!file) {
    throw new Error(`Can't find 'action.yml' or 'action.yaml' under '${dir}'.`)
  }
  const doc = parse(readFileSync(file, 'utf8')) as unknown
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${file}: expected a mapping`)
  const root = doc as Record<string, unknown>
  const runs = getIgnoreCase(root, 'runs')
  if (runs === null || typeof runs !== 'object' || Array.isArray(runs)) throw new Error(`${file}: 'runs' is required`)
  const r = runs as Record<string, unknown>
  const using = scalarToString(getIgnoreCase(r, 'using'), `${file}: runs.using`)
  if (using.toLowerCase() !== 'node24') {
    throw new Error(`${file}: runs.using '${using}' is not supported by the harness (only 'node24' JavaScript actions can be run)`)
  }
  const main = scalarToString(getIgnoreCase(r, 'main'), `${file}: runs.main`)
  if (main === '') throw new Error(`${file}: runs.main is required for a node24 action`)
  const post = scalarToString(getIgnoreCase(r, 'post'), `${file}: runs.post`)
  const pre = scalarToString(getIgnoreCase(r, 'pre'), `${file}: runs.pre`)
  const postIf = scalarToString(getIgnoreCase(r, 'post-if'), `${file}: runs.post-if`) || 'always()'
  const preIf = scalarToString(getIgnoreCase(r, 'pre-if'), `${file}: runs.pre-if`) || 'always()'
  parseStatusCondition(postIf)

  const inputs: ActionInput[] = []
  const rawInputs = getIgnoreCase(root, 'inputs')
  if (rawInputs !== undefined && rawInputs !== null) {
    if (typeof rawInputs !== 'object' || Array.isArray(rawInputs)) throw new Error(`${file}: 'inputs' must be a mapping`)
    for (const [id, meta] of Object.entries(rawInputs as Record<string, unknown>)) {
      const m = (meta ?? {}) as Record<string, unknown>
      if (typeof m !== 'object' || Array.isArray(m)) throw new Error(`${file}: input '${id}' must be a mapping`)
      const keys = Object.keys(m).map((k) => k.toLowerCase())
      const hasDefault = keys.includes('default')
      const deprecation = getIgnoreCase(m, 'deprecationMessage')
      const required = getIgnoreCase(m, 'required')
      inputs.push({
        id,
        default: hasDefault ? scalarToString(getIgnoreCase(m, 'default'), `${file}: inputs.${id}.default`) : '',
        hasDefault,
        required: required === true || (typeof required === 'string' && required.toLowerCase() === 'true'),
        ...(deprecation !== undefined && deprecation !== null ? { deprecationMessage: String(deprecation) } : {}),
      })
    }
  }

  const name = scalarToString(getIgnoreCase(root, 'name'), `${file}: name`)
  return {
    directory: dir,
    file,
    name,
    using: 'node24',
    inputs,
    main: join(dir, main),
    ...(post !== '' ? { post: join(dir, post) } : {}),
    postIf,
    ...(pre !== '' ? { pre: join(dir, pre) } : {}),
    preIf,
  }
}
