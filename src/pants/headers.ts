/**
 * Header lines for Pants' remote store (`name: value`, one per line), as the
 * pants-remote-headers and pants-auth-header inputs give them. Values are
 * written into the config file as they are, so a secret must come in as
 * `%(env.NAME)s`, which Pants fills in when it runs.
 */

/** Pants interpolates `%(...)s`; we allow only the env form, so a stray `%` cannot break the file. */
const ENV_PLACEHOLDER = /%\(env\.([A-Za-z_][A-Za-z0-9_]*)\)s/g
/** RFC 9110 token characters; Pants lower-cases the name (HeaderName::from_str). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export type Header = readonly [name: string, value: string]

export class HeaderError extends Error {}

/** Parses `name: value` lines; blank lines and `#` comments are skipped. Throws HeaderError saying what is wrong. */
export function parseHeaderLines(text: string): Header[] {
  const headers: Header[] = []
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    headers.push(parseHeaderLine(line))
  }
  const seen = new Set<string>()
  for (const [name] of headers) {
    if (seen.has(name.toLowerCase())) throw new HeaderError(`header "${name}" is given twice`)
    seen.add(name.toLowerCase())
  }
  return headers
}

export function parseHeaderLine(line: string): Header {
  const colon = line.indexOf(':')
  const name = colon < 0 ? '' : line.slice(0, colon).trim()
  const value = colon < 0 ? '' : line.slice(colon + 1).trim()
  if (!HEADER_NAME.test(name)) throw new HeaderError(`"${line}" is not "name: value" with a valid header name`)
  if (value === '') throw new HeaderError(`header "${name}" has no value`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new HeaderError(`header "${name}" has a control character in its value`)
  if (value.replace(ENV_PLACEHOLDER, '').includes('%')) {
    throw new HeaderError(`header "${name}": "%" may appear only as %(env.NAME)s, which Pants replaces with the variable NAME`)
  }
  return [name, value]
}

/** The environment variables the headers read, in order, without repeats. */
export function headerEnvNames(headers: readonly Header[]): string[] {
  const names = headers.flatMap(([, value]) => [...value.matchAll(ENV_PLACEHOLDER)].map((m) => m[1]!))
  return [...new Set(names)]
}
