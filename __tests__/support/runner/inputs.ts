// Action inputs → INPUT_<NAME> environment variables, as the runner builds them
// (actions/runner src/Runner.Worker/ActionRunner.cs: `with:` values, then declared
// inputs missing from `with:` get their evaluated default; Handlers/Handler.cs
// AddInputsToEnvironment: `INPUT_{name.Replace(' ', '_').ToUpperInvariant()}`).
// Required inputs are not enforced: the runner does not enforce them either.
import type { ActionInput } from './action-manifest.ts'
import { evaluateTemplateString, INPUT_DEFAULT_CONTEXTS, type ExprContexts } from './expressions.ts'

/**
 * .NET ToUpperInvariant maps each UTF-16 unit on its own; JavaScript's toUpperCase
 * may expand a character ('ß' → 'SS'). Keep characters whose upper case has a different length.
 */
function toUpperInvariant(text: string): string {
  let out = ''
  for (const ch of text) {
    const upper = ch.toUpperCase()
    out += upper.length === ch.length ? upper : ch
  }
  return out
}

/** The environment variable for an input: spaces → '_', upper-cased, hyphens kept ('cache-dependency-path' → 'INPUT_CACHE-DEPENDENCY-PATH'). */
export function inputEnvName(name: string): string {
  return `INPUT_${toUpperInvariant(name.replaceAll(' ', '_'))}`
}

export interface ResolvedInputs {
  /** input name → value: `with:` entries first (as written), then defaults of the other declared inputs */
  values: Record<string, string>
  /** warnings the runner would print (unexpected inputs, deprecated inputs used) */
  warnings: string[]
}

/**
 * Resolves a step's inputs: each `with:` value as given; every declared input not
 * given (names compare case-insensitively) gets its default evaluated against
 * `contexts` — only github, strategy, matrix, job and runner may be referenced.
 */
export function resolveInputs(declared: readonly ActionInput[], withValues: Record<string, string>, contexts: ExprContexts): ResolvedInputs {
  const values: Record<string, string> = {}
  const warnings: string[] = []
  const given = new Set<string>()
  for (const [name, value] of Object.entries(withValues)) {
    values[name] = value
    given.add(name.toLowerCase())
  }
  for (const input of declared) {
    if (given.has(input.id.toLowerCase())) {
      if (input.deprecationMessage !== undefined) {
        warnings.push(`Input '${input.id}' has been deprecated with message: ${input.deprecationMessage}`)
      }
      continue
    }
    values[input.id] = evaluateTemplateString(input.default, contexts, { allowedContexts: INPUT_DEFAULT_CONTEXTS })
  }
  const declaredNames = new Set(declared.map((i) => i.id.toLowerCase()))
  const unexpected = Object.keys(withValues).filter((n) => !declaredNames.has(n.toLowerCase()))
  if (unexpected.length > 0) {
    warnings.push(`Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.map((i) => i.id).join("', '")}']`)
  }
  return { values, warnings }
}

/** INPUT_* variables for resolved inputs. */
export function inputsToEnv(values: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(values)) env[inputEnvName(name)] = value
  return env
}
