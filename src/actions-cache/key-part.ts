/**
 * One segment of a GitHub Actions cache key, kept readable and safe: keys may
 * not contain commas (toolkit ValidationError), and `-` separates segments.
 * GOVERSION can hold spaces or `X:` experiments (`devel go1.27-abc X:foo`).
 */
export function keyPart(part: string): string {
  return part.replace(/[^A-Za-z0-9._+]+/g, '_') || 'unknown'
}
