/**
 * GOCACHEPROG is a command line that cmd/go splits with
 * cmd/internal/quoted.Split: fields split on space, tab, CR and LF; a field
 * may be wrapped whole in '…' or "…", with no escapes inside. So a path with a
 * space must be quoted, and a field holding both quote kinds cannot be written.
 */

export function joinGoCommandLine(args: readonly string[]): string {
  return args.map(quoteField).join(' ')
}

function quoteField(field: string): string {
  const needsQuotes = field === '' || /[ \t\r\n]/.test(field) || field.startsWith("'") || field.startsWith('"')
  if (!needsQuotes) return field
  if (!field.includes("'")) return `'${field}'`
  if (!field.includes('"')) return `"${field}"`
  throw new Error(`cannot pass ${JSON.stringify(field)} in GOCACHEPROG: Go's quoting has no escape for a field with both ' and "`)
}

/** The inverse, as cmd/go does it; used to validate a user's `gocacheprog` input. */
export function splitGoCommandLine(line: string): string[] {
  const fields: string[] = []
  let rest = line
  for (;;) {
    rest = rest.replace(/^[ \t\r\n]+/, '')
    if (rest === '') return fields
    const quote = rest[0]
    if (quote === "'" || quote === '"') {
      const end = rest.indexOf(quote, 1)
      if (end === -1) throw new Error(`unterminated ${quote} string`)
      fields.push(rest.slice(1, end))
      rest = rest.slice(end + 1)
    } else {
      const m = /^[^ \t\r\n]+/.exec(rest)!
      fields.push(m[0])
      rest = rest.slice(m[0].length)
    }
  }
}
