// Pure parsers for the runner's "environment files" (file commands):
// GITHUB_ENV, GITHUB_OUTPUT, GITHUB_STATE (key/value), GITHUB_PATH (lines) and
// GITHUB_STEP_SUMMARY (masked line by line).
//
// Modelled on actions/runner src/Runner.Worker/FileCommandManager.cs
// (EnvFileKeyValuePairs, AddPathFileCommand, CreateStepSummaryCommand) for a
// Linux runner: only "\n" ends a line in the key/value files (the CRLF branch of
// ReadLine is `#if OS_WINDOWS`), so a CRLF file keeps its "\r" characters.

/** An error the runner raises while processing a file command; the message is the runner's. */
export class FileCommandError extends Error {
  override name = 'FileCommandError'
}

/** The file-command kinds, with the runner's context names and file prefixes. */
export const FILE_COMMANDS = {
  path: { env: 'GITHUB_PATH', prefix: 'add_path_' },
  env: { env: 'GITHUB_ENV', prefix: 'set_env_' },
  step_summary: { env: 'GITHUB_STEP_SUMMARY', prefix: 'step_summary_' },
  state: { env: 'GITHUB_STATE', prefix: 'save_state_' },
  output: { env: 'GITHUB_OUTPUT', prefix: 'set_output_' },
} as const
export type FileCommandKind = keyof typeof FILE_COMMANDS

/** Names GITHUB_ENV may not set (compared case-insensitively), from SetEnvFileCommand._setEnvBlockList. */
export const SET_ENV_BLOCK_LIST: readonly string[] = ['NODE_OPTIONS']

/** The step summary attachment limit (CreateStepSummaryCommand.AttachmentSizeLimit). */
export const STEP_SUMMARY_SIZE_LIMIT = 1024 * 1024

/** .NET File.ReadAllText / ReadAllLines drop a leading UTF-8 byte order mark; Node does not. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

interface LineRead {
  line: string
  /** the terminator consumed, or null at end of text without one */
  newline: string | null
}

function readLine(text: string, state: { index: number }): LineRead | null {
  if (state.index >= text.length) return null
  const start = state.index
  const lf = text.indexOf('\n', start)
  if (lf < 0) {
    state.index = text.length
    return { line: text.slice(start), newline: null }
  }
  state.index = lf + 1
  return { line: text.slice(start, lf), newline: '\n' }
}

/**
 * Parses GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE content into ordered
 * [name, value] pairs, exactly like the runner's EnvFileKeyValuePairs:
 *
 * - empty lines are skipped; a line is `NAME=value` when its first `=` comes before
 *   any `<<`, otherwise `NAME<<DELIMITER` (heredoc);
 * - heredoc values run until a line that equals the delimiter exactly; the newline
 *   before the delimiter line is not part of the value; an empty body gives '';
 * - a line with neither `=` nor `<<` throws `Invalid format '<line>'`;
 * - `NAME=value` with an empty NAME is NOT rejected (the runner's emptiness check
 *   tests the whole line, so it never fires): it yields ['', value];
 * - a CRLF file is not normalised: `A=b\r\n` gives 'b\r', and a heredoc header
 *   `A<<EOF\r` needs a closing line `EOF\r`.
 *
 * A leading byte order mark is dropped (File.ReadAllText does that).
 * Errors carry the runner's messages.
 */
export function parseKeyValueFile(content: string): Array<[string, string]> {
  return [...iterateKeyValueFile(content)]
}

/**
 * The lazy form of parseKeyValueFile: pairs are yielded as they are read, so a
 * consumer applies the pairs before a malformed line, as the runner does (its
 * enumerator throws only when it reaches the bad line).
 */
export function* iterateKeyValueFile(content: string): Generator<[string, string]> {
  const text = stripBom(content)
  const state = { index: 0 }
  let read = readLine(text, state)
  while (read !== null) {
    const line = read.line
    if (line !== '') {
      const equalsIndex = line.indexOf('=')
      const heredocIndex = line.indexOf('<<')
      if (equalsIndex >= 0 && (heredocIndex < 0 || equalsIndex < heredocIndex)) {
        yield [line.slice(0, equalsIndex), line.slice(equalsIndex + 1)]
      } else if (heredocIndex >= 0 && (equalsIndex < 0 || heredocIndex < equalsIndex)) {
        const name = line.slice(0, heredocIndex)
        const delimiter = line.slice(heredocIndex + 2)
        if (name === '' || delimiter === '') {
          throw new FileCommandError(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`)
        }
        const startIndex = state.index
        let endIndex = state.index
        let temp = readLine(text, state)
        while (temp === null || temp.line !== delimiter) {
          if (temp === null) {
            throw new FileCommandError(`Invalid value. Matching delimiter not found '${delimiter}'`)
          }
          if (temp.newline === null) {
            throw new FileCommandError('Invalid value. EOF marker missing new line.')
          }
          endIndex = state.index - temp.newline.length
          temp = readLine(text, state)
        }
        yield [name, endIndex > startIndex ? text.slice(startIndex, endIndex) : '']
      } else {
        throw new FileCommandError(`Invalid format '${line}'`)
      }
    }
    read = readLine(text, state)
  }
}

/**
 * Splits text into lines the way .NET's ReadLine / File.ReadAllLines do:
 * "\r\n", "\n" and a lone "\r" all end a line; a final terminator does not
 * start another (empty) line.
 */
export function splitDotNetLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split(/\r\n|\r|\n/)
  if (/[\r\n]$/.test(text)) lines.pop()
  return lines
}

/**
 * GITHUB_PATH content → the directories in file order (File.ReadAllLines,
 * empty lines skipped, no trimming). A later duplicate moves to the end.
 */
export function parsePathFile(content: string): string[] {
  const out: string[] = []
  for (const line of splitDotNetLines(stripBom(content))) {
    if (line === '') continue
    const at = out.indexOf(line)
    if (at >= 0) out.splice(at, 1)
    out.push(line)
  }
  return out
}

/**
 * Applies GITHUB_PATH additions to the job's prepend list the runner keeps
 * (`Global.PrependPath`: remove an existing equal entry, then append), and
 * returns the new list. PATH is built from its reverse, so the latest entry comes first.
 */
export function addToPrependPath(prependPath: readonly string[], added: readonly string[]): string[] {
  const out = [...prependPath]
  for (const dir of added) {
    const at = out.indexOf(dir)
    if (at >= 0) out.splice(at, 1)
    out.push(dir)
  }
  return out
}

/** PATH for a step: the prepend list reversed (latest first), then the original PATH. */
export function composePath(prependPath: readonly string[], originalPath: string | undefined): string {
  const prepend = [...prependPath].reverse().join(':')
  if (prepend === '') return originalPath ?? ''
  return originalPath ? `${prepend}:${originalPath}` : prepend
}

/**
 * The step summary as the runner uploads it: read line by line (.NET ReadLine),
 * each line masked and written back with "\n" (StreamWriter.WriteLine on Linux).
 * So a summary without a trailing newline gains one, and "\r\n" becomes "\n"
 * (StreamReader also drops a byte order mark).
 */
export function scrubStepSummary(content: string, mask: (line: string) => string): string {
  return splitDotNetLines(stripBom(content))
    .map((line) => `${mask(line)}\n`)
    .join('')
}
