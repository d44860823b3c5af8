// The runner's secret masker: every registered value, plus the encoded variants
// the runner registers alongside it, is replaced by `***` in each log line.
//
// Modelled on actions/runner src/Sdk/DTLogging/Logging/SecretMasker.cs (positions of
// all occurrences of all variants are merged into ranges, each range becomes one
// `***`), ValueSecret.cs (ordinal, overlapping search) and the encoders registered in
// src/Runner.Common/HostContext.cs: Base64StringEscape, Base64StringEscapeShift1/2,
// CommandLineArgumentEscape, ExpressionStringEscape, JsonStringEscape, UriDataEscape,
// XmlDataEscape, TrimDoubleQuotes, PowerShellPre/PostAmpersandEscape.
//
// Masking is applied per line by the caller, as the runner does (it masks each
// stdout/stderr line separately), so a value containing a newline never matches a
// log line.

/** The replacement the runner writes for a secret. */
export const MASK = '***'

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64')
}

/** ValueEncoders.Base64StringEscapeShift: base64 of the UTF-8 bytes after dropping `shift` bytes. */
function base64Shift(value: string, shift: number): string {
  const bytes = Buffer.from(value, 'utf8')
  return bytes.length > shift ? base64(bytes.subarray(shift)) : base64(bytes)
}

/** Newtonsoft JsonConvert.ToString(value) without the surrounding quotes (default escaping). */
export function jsonStringEscape(value: string): string {
  let out = ''
  for (const ch of value) {
    const code = ch.codePointAt(0)!
    switch (ch) {
      case '"':
        out += '\\"'
        break
      case '\\':
        out += '\\\\'
        break
      case '\b':
        out += '\\b'
        break
      case '\f':
        out += '\\f'
        break
      case '\n':
        out += '\\n'
        break
      case '\r':
        out += '\\r'
        break
      case '\t':
        out += '\\t'
        break
      default:
        if (code < 0x20 || code === 0x85 || code === 0x2028 || code === 0x2029) {
          out += `\\u${code.toString(16).padStart(4, '0')}`
        } else {
          out += ch
        }
    }
  }
  return out
}

/** .NET Uri.EscapeDataString: RFC 3986 unreserved characters stay, everything else is %XX (upper-case). */
export function uriDataEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** .NET SecurityElement.Escape. */
export function xmlDataEscape(value: string): string {
  return value.replace(/[<>"'&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '&': '&amp;' })[c]!)
}

function powerShellPreAmpersand(value: string): string {
  if (!value.includes('&')) return ''
  const section = value.includes('&+') ? value.slice(0, value.indexOf('&+') + 2) : value.slice(0, value.lastIndexOf('&') + 1)
  return section.length >= 6 ? section : ''
}

function powerShellPostAmpersand(value: string): string {
  if (!value.includes('&')) return ''
  const section = value.includes('&+') ? value.slice(value.indexOf('&+') + 2 + 1) : value.slice(value.lastIndexOf('&') + 1)
  return section.length >= 6 ? section : ''
}

/**
 * All strings the runner masks for one registered value: the value itself and its
 * encoder variations (empty variations dropped, duplicates removed), in encoder order.
 */
export function secretVariations(value: string): string[] {
  if (value === '') return []
  const variations = [
    value,
    base64Shift(value, 0),
    base64Shift(value, 1),
    base64Shift(value, 2),
    value.replaceAll('"', '\\"'),
    value.replaceAll("'", "''"),
    jsonStringEscape(value),
    uriDataEscape(value),
    xmlDataEscape(value),
    value.length > 8 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : '',
    powerShellPreAmpersand(value),
    powerShellPostAmpersand(value),
  ]
  return [...new Set(variations.filter((v) => v !== ''))]
}

/** A job-wide masker: values added by `::add-mask::`, secrets and runtime tokens. */
export class SecretMasker {
  readonly #originals: string[] = []
  readonly #variants = new Set<string>()

  /** Registers a value (ignored when empty or already registered), like SecretMasker.AddValue. */
  addValue(value: string): void {
    if (value === '' || this.#originals.includes(value)) return
    this.#originals.push(value)
    for (const v of secretVariations(value)) this.#variants.add(v)
  }

  /** The values registered so far (not their variations), in registration order. */
  get values(): string[] {
    return [...this.#originals]
  }

  /** Replaces every occurrence of every variant (overlaps merged) with `***`. */
  mask(input: string): string {
    if (input === '' || this.#variants.size === 0) return input
    const ranges: Array<[number, number]> = []
    for (const secret of this.#variants) {
      let start = input.indexOf(secret)
      while (start >= 0) {
        ranges.push([start, start + secret.length])
        start = input.indexOf(secret, start + 1)
      }
    }
    if (ranges.length === 0) return input
    ranges.sort((a, b) => a[0] - b[0])
    let out = ''
    let cursor = 0
    let current: [number, number] | null = null
    for (const range of ranges) {
      if (current !== null && range[0] <= current[1]) {
        current[1] = Math.max(current[1], range[1])
        continue
      }
      if (current !== null) {
        out += input.slice(cursor, current[0]) + MASK
        cursor = current[1]
      }
      current = [range[0], range[1]]
    }
    out += input.slice(cursor, current![0]) + MASK
    cursor = current![1]
    return out + input.slice(cursor)
  }
}
