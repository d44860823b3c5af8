/**
 * The runner's `.env` file: `KEY=VALUE` per line, split on the first `=`, no
 * quoting, read once when the runner's listener starts (actions/runner
 * src/Runner.Listener/Program.cs LoadAndSetEnv), so a change needs a runner
 * restart. Every line of it is in the environment of every job and hook.
 *
 * Pure text edits, so that install and uninstall are exact inverses: install
 * appends only the lines it needs, uninstall removes exactly those lines, and
 * every other line (and the file's own ending) is left as it was.
 */

export type EnvEntries = Readonly<Record<string, string>>

/** The value the runner would read for `name`: the last line that sets it wins, as in a dictionary insert. */
export function readEnvValue(text: string, name: string): string | undefined {
  let value: string | undefined
  for (const line of splitLines(text)) {
    const eq = line.indexOf('=')
    if (eq > 0 && line.slice(0, eq) === name) value = line.slice(eq + 1)
  }
  return value
}

export interface EnvAddition {
  text: string
  /** Lines appended; empty when every entry was already there (a second install). */
  added: string[]
  /** A newline was added first because the file did not end with one; uninstall takes it back. */
  addedNewline: boolean
}

export class EnvConflictError extends Error {}

/**
 * Appends `NAME=value` for each entry not already set to that value. An entry
 * set to something else is a conflict: the runner runs one script per hook, so
 * silently replacing another team's hook would switch it off.
 */
export function addEnvEntries(text: string, entries: EnvEntries): EnvAddition {
  const missing: string[] = []
  for (const [name, value] of Object.entries(entries)) {
    if (/[\r\n]/.test(value) || value === '') throw new Error(`${name}: a .env value must be one non-empty line`)
    const current = readEnvValue(text, name)
    if (current === value) continue
    if (current !== undefined) {
      throw new EnvConflictError(
        `${name} is already set to ${JSON.stringify(current)} in the runner's .env. The runner runs one script per hook: ` +
          `call ours (${value}) from that script, or remove the line and install again.`,
      )
    }
    missing.push(`${name}=${value}`)
  }
  if (missing.length === 0) return { text, added: [], addedNewline: false }
  const addedNewline = text !== '' && !text.endsWith('\n')
  return { text: `${text}${addedNewline ? '\n' : ''}${missing.join('\n')}\n`, added: missing, addedNewline }
}

/** Removes the lines `install` added (exact lines only), and the newline it added before them. */
export function removeEnvLines(text: string, lines: readonly string[], addedNewline: boolean): string {
  const remove = new Set(lines)
  const kept = text.split('\n').filter((line) => !remove.has(line.replace(/\r$/, '')))
  let result = kept.join('\n')
  if (addedNewline && result.endsWith('\n')) result = result.slice(0, -1)
  return result
}

function splitLines(text: string): string[] {
  return text.split('\n').map((line) => line.replace(/\r$/, ''))
}
