import { AUTO_CONFIGURE_ENV } from '../common/env.ts'
/**
 * The auto-configure toggle: whether the action wires later steps itself
 * (GOCACHEPROG, PANTS_CONFIG_FILES) or only hands the values out as outputs.
 *
 * An organisation needs a way to turn it off for every repository, like
 * Depot's "Allow Actions jobs to automatically connect". GitHub offers no
 * org-wide channel into an action: input defaults cannot read `vars`, and
 * GITHUB_TOKEN cannot read org variables. What does reach every job is the
 * runner's environment (self-hosted runners' .env, or the kit config it names)
 * and a workflow-level `env:` fed from an org variable. Hence, highest first:
 * the step's input, GO_CACHE_SETUP_AUTO_CONFIGURE, the kit config, on.
 */

/** What this toggle needs of the bootstrap kit's config (bootstrap/kit-config.ts readKitConfig). */
export type KitToggle = { found: false } | { found: true; config: { autoConfigure: boolean } } | { found: true; problem: string }

export type AutoConfigureSource = 'input' | 'environment' | 'kit-config' | 'default'

export interface AutoConfigure {
  value: boolean
  source: AutoConfigureSource
  /** Why a lower level was used although a higher one was set (a value we cannot read). */
  warnings: string[]
}

export interface AutoConfigureLevels {
  /** The auto-configure input, already validated by readInputs; undefined when empty. */
  input: boolean | undefined
  /** GO_CACHE_SETUP_AUTO_CONFIGURE as the step sees it. */
  env: string | undefined
  kit: KitToggle
}

/** Pure: the first level that says something, and which one it was. */
export function resolveAutoConfigure(levels: AutoConfigureLevels): AutoConfigure {
  const warnings: string[] = []
  if (levels.input !== undefined) return { value: levels.input, source: 'input', warnings }
  // `${{ vars.X }}` is empty when the variable is not defined: empty is "not set".
  const env = (levels.env ?? '').trim()
  if (env !== '') {
    const value = parseEnvBoolean(env)
    if (value !== undefined) return { value, source: 'environment', warnings }
    warnings.push(`${AUTO_CONFIGURE_ENV}="${env}" is not true or false; ignored.`)
  }
  if (levels.kit.found) {
    if ('config' in levels.kit) return { value: levels.kit.config.autoConfigure, source: 'kit-config', warnings }
    warnings.push(`The bootstrap kit config cannot be used for auto-configure: ${levels.kit.problem}`)
  }
  return { value: true, source: 'default', warnings }
}

/** Environment values are typed by people in runner .env files and org settings: take the usual spellings. */
function parseEnvBoolean(value: string): boolean | undefined {
  const v = value.toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(v)) return true
  if (['false', '0', 'no', 'off'].includes(v)) return false
  return undefined
}

export function describeAutoConfigure(a: AutoConfigure): string {
  const from = {
    input: 'the auto-configure input',
    environment: AUTO_CONFIGURE_ENV,
    'kit-config': "the bootstrap kit's config",
    default: 'the default',
  }[a.source]
  return `Auto-configure ${a.value ? 'on' : 'off'} (from ${from})`
}

/** What main wired, for the job summary (through SavedState; no token in it). */
export interface WiringReport {
  autoConfigure: boolean
  source: AutoConfigureSource
  /** Present when the Pants config was written. */
  pants?: { address: string; instance?: string; write: boolean; file: string; registered: boolean }
}

/** Summary lines (pure, exact text tested). */
export function renderWiring(w: WiringReport): string[] {
  const lines = [
    `${describeAutoConfigure({ value: w.autoConfigure, source: w.source, warnings: [] })}${w.autoConfigure ? '.' : ': GOCACHEPROG and the Pants config are outputs only.'}`,
  ]
  if (w.pants !== undefined) {
    const p = w.pants
    lines.push(
      '',
      `Pants remote cache: \`${p.address}\`${p.instance === undefined ? '' : ` instance \`${p.instance}\``}, ${p.write ? 'read and write' : 'read only'}; ${p.registered ? `\`${p.file}\` added to PANTS_CONFIG_FILES.` : `config written to \`${p.file}\`, not registered.`}`,
    )
  }
  return lines
}
