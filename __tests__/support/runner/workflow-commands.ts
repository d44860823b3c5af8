// Workflow commands on a step's stdout/stderr (`::warning file=a::msg`, `::add-mask::x`,
// legacy `##[error]msg`), parsed and applied the way the runner does.
//
// Modelled on actions/runner src/Runner.Common/ActionCommand.cs (TryParseV2/TryParse,
// unescaping), src/Runner.Worker/ActionCommandManager.cs (the command extensions,
// stop-commands, echo) and src/Runner.Worker/Handlers/OutputManager.cs (a line that
// is not a processed command is regular output, masked).
import type { SecretMasker } from './secret-masker.ts'

/** Commands the runner registers (names compare case-insensitively). */
export const REGISTERED_COMMANDS: readonly string[] = [
  'add-mask',
  'add-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'remove-matcher',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning',
]

/** A parsed command. Property names keep the spelling of their first occurrence. */
export interface WorkflowCommand {
  /** command name as written (e.g. 'warning' or 'WARNING') */
  command: string
  properties: Record<string, string>
  data: string
  /** `::cmd::data` (current) or `##[cmd]data` (legacy) */
  form: '::' | '##['
}

function unescapeValue(value: string, mappings: ReadonlyArray<[string, string]>): string {
  let out = value
  for (const [replacement, token] of mappings) out = out.replaceAll(replacement, token)
  return out
}
const DATA_MAPPINGS: ReadonlyArray<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
]
const PROPERTY_MAPPINGS: ReadonlyArray<[string, string]> = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
]
const LEGACY_MAPPINGS: ReadonlyArray<[string, string]> = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%'],
]

/** @actions/core's escaping of command data (the inverse of the runner's unescaping). */
export function escapeData(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
}

/** @actions/core's escaping of command property values. */
export function escapeProperty(value: string): string {
  return escapeData(value).replaceAll(':', '%3A').replaceAll(',', '%2C')
}

function isRegistered(name: string, registered: Iterable<string>): boolean {
  const lower = name.toLowerCase()
  for (const r of registered) if (r.toLowerCase() === lower) return true
  return false
}

function setProperty(props: Record<string, string>, key: string, value: string): void {
  const existing = Object.keys(props).find((k) => k.toLowerCase() === key.toLowerCase())
  props[existing ?? key] = value
}

/** `a=b` split at the first `=`; pairs with an empty side are dropped (Split(.., 2, RemoveEmptyEntries)). */
function splitPair(text: string): [string, string] | null {
  const at = text.indexOf('=')
  if (at <= 0 || at === text.length - 1) return null
  return [text.slice(0, at), text.slice(at + 1)]
}

/**
 * Parses one output line into a command, or null when it is not a command the
 * runner would process: `::name props::data` after leading whitespace (ActionCommand.TryParseV2),
 * else `##[name props]data` anywhere in the line (ActionCommand.TryParse).
 * Only `registered` names are commands.
 */
export function parseWorkflowCommand(line: string, registered: Iterable<string> = REGISTERED_COMMANDS): WorkflowCommand | null {
  if (line === '') return null
  const v2 = line.trimStart()
  if (v2.startsWith('::')) {
    const end = v2.indexOf('::', 2)
    if (end >= 0) {
      const info = v2.slice(2, end)
      const space = info.indexOf(' ')
      const name = space < 0 ? info : info.slice(0, space)
      if (name !== '' && isRegistered(name, registered)) {
        const properties: Record<string, string> = {}
        if (space > 0) {
          for (const part of info
            .slice(space + 1)
            .trim()
            .split(',')) {
            if (part === '') continue
            const pair = splitPair(part)
            if (pair) setProperty(properties, pair[0], unescapeValue(pair[1], PROPERTY_MAPPINGS))
          }
        }
        return { command: name, properties, data: unescapeValue(v2.slice(end + 2), DATA_MAPPINGS), form: '::' }
      }
    }
  }
  const prefix = line.indexOf('##[')
  if (prefix < 0) return null
  const rb = line.indexOf(']', prefix)
  if (rb < 0) return null
  const info = line.slice(prefix + 3, rb)
  const space = info.indexOf(' ')
  const name = space < 0 ? info : info.slice(0, space)
  if (name === '' || !isRegistered(name, registered)) return null
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const part of info.slice(space + 1).split(';')) {
      if (part === '') continue
      const pair = splitPair(part)
      if (pair) setProperty(properties, pair[0], unescapeValue(pair[1], LEGACY_MAPPINGS))
    }
  }
  return { command: name, properties, data: unescapeValue(line.slice(rb + 1), LEGACY_MAPPINGS), form: '##[' }
}

/** An annotation (issue) as the runner records it for a step. */
export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  /** masked message */
  message: string
  /** command properties (file, line, col, endLine, endColumn, title), masked */
  properties: Record<string, string>
  /** 'command': from `::error::` etc.; 'runner': raised by the runner itself */
  origin: 'command' | 'runner'
}

/** https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/ */
export function deprecatedCommandMessage(command: string): string {
  return `The \`${command}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/`
}

/** Constants.Runner.UnsupportedCommandMessageDisabled (set-env, add-path). */
export function disabledCommandMessage(command: string): string {
  return `The \`${command}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`
}

export interface StepOutputOptions {
  /** the job's masker; `::add-mask::` adds to it */
  masker: SecretMasker
  /** ACTIONS_ALLOW_UNSECURE_COMMANDS=true in the runner's or the step's env: enables set-env/add-path */
  allowUnsecureCommands?: boolean
  /** the server flag DistributedTask.DeprecateStepOutputCommands (on for github.com): warn on set-output/save-state */
  deprecateStepOutputCommands?: boolean
  /** step debug logging (ACTIONS_STEP_DEBUG): `##[debug]` lines are logged and commands echoed */
  debug?: boolean
  /** receives each log line as it is produced (already masked) */
  onLog?: (line: string) => void
}

/**
 * Processes one step's output lines in order, like the runner's OutputManager +
 * ActionCommandManager (one instance per step: stop-commands and echo state are per step).
 *
 * Command effects: add-mask registers a mask; warning/error/notice become annotations;
 * debug is kept (and logged only in debug mode); group/endgroup are logged as `##[group]`;
 * set-output/save-state are HONOURED with the deprecation warning, as the runner still
 * does; set-env/add-path fail the step (`commandFailed`) unless unsecure commands are
 * allowed; add-matcher/remove-matcher are not implemented and recorded in `ignoredCommands`.
 */
export class StepOutputProcessor {
  /** masked log lines */
  readonly log: string[] = []
  readonly annotations: Annotation[] = []
  /** masked `::debug::` messages (always kept, logged only in debug mode) */
  readonly debug: string[] = []
  /** from `::set-output name=x::v` */
  readonly outputs: Record<string, string> = {}
  /** from `::save-state name=x::v` */
  readonly state: Record<string, string> = {}
  /** from `::set-env name=x::v` when unsecure commands are allowed */
  readonly env: Record<string, string> = {}
  /** from `::add-path::dir` when unsecure commands are allowed */
  readonly path: string[] = []
  /** deprecated/disabled commands that were used (set-output, save-state, set-env, add-path) */
  readonly deprecatedCommands: WorkflowCommand[] = []
  /** commands the harness does not implement (add-matcher, remove-matcher) */
  readonly ignoredCommands: WorkflowCommand[] = []
  /** a command failed to process: the runner fails the step (CommandResult = Failed) */
  commandFailed = false

  readonly #options: StepOutputOptions
  readonly #registered: Set<string> = new Set(REGISTERED_COMMANDS)
  #stopToken: string | null = null
  #echo: boolean

  constructor(options: StepOutputOptions) {
    this.#options = options
    this.#echo = options.debug ?? false
  }

  /** Writes a line to the step log, masked as a whole (an issue message may span lines). */
  output(line: string): void {
    const masked = this.#options.masker.mask(line)
    this.log.push(masked)
    this.#options.onLog?.(masked)
  }

  /** Records an annotation raised by the runner itself and logs it. */
  issue(level: Annotation['level'], message: string, properties: Record<string, string> = {}, origin: Annotation['origin'] = 'runner'): void {
    const masker = this.#options.masker
    const maskedProps: Record<string, string> = {}
    for (const [k, v] of Object.entries(properties)) maskedProps[k] = masker.mask(v)
    const masked = masker.mask(message)
    this.annotations.push({ level, message: masked, properties: maskedProps, origin })
    this.output(`##[${level}]${masked}`)
  }

  /** Records a debug message (logged in debug mode). */
  debugMessage(message: string): void {
    const masked = this.#options.masker.mask(message)
    this.debug.push(masked)
    if (this.#options.debug) this.output(`##[debug]${masked}`)
  }

  /** Processes one line of stdout or stderr (without its terminator). */
  processLine(line: string): void {
    if (line !== '' && (line.includes('##[') || line.includes('::')) && this.#tryCommand(line)) return
    this.output(line)
  }

  #tryCommand(line: string): boolean {
    const cmd = parseWorkflowCommand(line, this.#registered)
    if (!cmd) return false
    const name = cmd.command.toLowerCase()
    if (this.#stopToken !== null) {
      if (name === this.#stopToken.toLowerCase()) {
        this.output(line)
        this.#registered.delete(this.#stopToken)
        this.#stopToken = null
        return true
      }
      return false
    }
    if (name === 'stop-commands') {
      this.output(line)
      this.#stopToken = cmd.data
      this.#registered.add(cmd.data)
      return true
    }
    const omitEcho = ['add-mask', 'debug', 'warning', 'error', 'notice'].includes(name)
    if (this.#echo && !omitEcho) this.output(line)
    try {
      this.#apply(name, cmd)
    } catch (err) {
      this.issue('error', `Unable to process command '${omitEcho ? name : line}' successfully.`)
      this.issue('error', (err as Error).message)
      this.commandFailed = true
    }
    return true
  }

  #allowUnsecure(name: string): void {
    if (!this.#options.allowUnsecureCommands) throw new Error(disabledCommandMessage(name))
  }

  #requiredName(cmd: WorkflowCommand, name: string): string {
    const key = Object.keys(cmd.properties).find((k) => k.toLowerCase() === 'name')
    const value = key === undefined ? '' : cmd.properties[key]!
    if (value === '') throw new Error(`Required field 'name' is missing in ##[${name}] command.`)
    return value
  }

  #apply(name: string, cmd: WorkflowCommand): void {
    switch (name) {
      case 'add-mask':
        if (cmd.data.trim() === '') {
          this.issue('warning', "Can't add secret mask for empty string in ##[add-mask] command.")
        } else {
          if (this.#echo) this.output('::add-mask::***')
          this.#options.masker.addValue(cmd.data)
        }
        return
      case 'warning':
      case 'error':
      case 'notice':
        this.issue(name, cmd.data, cmd.properties, 'command')
        return
      case 'debug':
        this.debugMessage(cmd.data)
        return
      case 'group':
        this.output(`##[group]${cmd.data}`)
        return
      case 'endgroup':
        this.output('##[endgroup]')
        return
      case 'echo': {
        const value = cmd.data.trim().toUpperCase()
        if (value === 'ON') this.#echo = true
        else if (value === 'OFF') this.#echo = false
        else throw new Error(`Invalid echo command value. Possible values can be: 'on', 'off'. Current value is: '${cmd.data}'.`)
        return
      }
      case 'set-output':
      case 'save-state': {
        this.deprecatedCommands.push(cmd)
        if (this.#options.deprecateStepOutputCommands ?? true) this.issue('warning', deprecatedCommandMessage(name))
        const key = this.#requiredName(cmd, name)
        if (name === 'set-output') this.outputs[key] = cmd.data
        else this.state[key] = cmd.data
        return
      }
      case 'set-env': {
        this.deprecatedCommands.push(cmd)
        this.#allowUnsecure(name)
        const key = this.#requiredName(cmd, name)
        if (key.toUpperCase() === 'NODE_OPTIONS') {
          this.issue('error', "Can't update NODE_OPTIONS environment variable using ::set-env:: command.")
          return
        }
        this.env[key] = cmd.data
        return
      }
      case 'add-path':
        this.deprecatedCommands.push(cmd)
        this.#allowUnsecure(name)
        if (cmd.data === '') throw new Error("Value cannot be null. (Parameter 'path')")
        this.path.push(cmd.data)
        return
      default:
        // add-matcher / remove-matcher: problem matchers are not implemented by the harness.
        this.ignoredCommands.push(cmd)
    }
  }
}
