/** POSIX single-quoting, so that paths with spaces or `$` reach the program as they are. */
export function quoteShell(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`
}
