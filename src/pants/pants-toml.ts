/**
 * Reads `[GLOBAL] pants_version` from pants.toml without a TOML library: the
 * one key we need is a plain string in a plain table, and the action's bundle
 * takes no new dependency for it. Anything we cannot read plainly is "unknown",
 * and the config falls back to the keys every supported version accepts.
 */

/** The `[GLOBAL] pants_version` string, or undefined when the file does not set one we can read. */
export function readPantsVersion(tomlText: string): string | undefined {
  let table = ''
  let multiline: '"""' | "'''" | undefined
  for (const rawLine of tomlText.split(/\r?\n/)) {
    // Skip the bodies of multi-line strings: a `[GLOBAL]` inside one is text, not a table.
    if (multiline !== undefined) {
      if (countOccurrences(rawLine, multiline) % 2 === 1) multiline = undefined
      continue
    }
    const line = rawLine.trim()
    if (line.startsWith('[[')) {
      table = line // an array of tables: never GLOBAL
      continue
    }
    const header = /^\[\s*("?)([A-Za-z0-9_.-]+)\1\s*\](?:\s*#.*)?$/.exec(line)
    if (header !== null) {
      table = header[2]!
      continue
    }
    const key = /^(?:"?GLOBAL"?\s*\.\s*)?("?)pants_version\1\s*=\s*(.*)$/.exec(line)
    const dotted = /^"?GLOBAL"?\s*\./.test(line)
    if (key !== null && (table === 'GLOBAL' ? !dotted : table === '' && dotted)) {
      return stringValue(key[2]!)
    }
    for (const quote of ['"""', "'''"] as const) {
      if (countOccurrences(line, quote) % 2 === 1) multiline = quote
    }
  }
  return undefined
}

/** A TOML basic or literal one-line string, with a trailing comment allowed. */
function stringValue(rest: string): string | undefined {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(rest.trim())
  if (m === null) return undefined
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]
}

function countOccurrences(text: string, needle: string): number {
  return text.split(needle).length - 1
}

export interface PantsVersion {
  major: number
  minor: number
  /** As written in pants.toml, for messages. */
  text: string
}

/** `2.17.1`, `2.20.0rc1`, `2.21.0.dev3` → {2, 17 …}; undefined for anything else (an interpolation, say). */
export function parsePantsVersion(text: string | undefined): PantsVersion | undefined {
  const m = /^(\d+)\.(\d+)(?:[.\-+a-z0-9]*)$/i.exec(text?.trim() ?? '')
  if (m === null) return undefined
  return { major: Number(m[1]), minor: Number(m[2]), text: text!.trim() }
}

/** Whether `v` is at least `major.minor`. */
export function atLeast(v: PantsVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor)
}
