// Minimal HS256 JWTs shaped like the Actions runtime token (ACTIONS_RUNTIME_TOKEN).
// The cache service only looks at the `ac` claim: a JSON *string* holding
// [{"Scope":"refs/heads/feature","Permission":3}, ...] (Permission bits: 1 read, 2 write).
import { createHmac, timingSafeEqual } from 'node:crypto'

export const PERMISSION_READ = 1
export const PERMISSION_WRITE = 2

export interface ScopePermission {
  scope: string
  permission: number
}

export class JwtError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'JwtError'
  }
}

const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url')

function hmac(secret: Buffer | string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest()
}

export function signJwt(claims: Record<string, unknown>, secret: Buffer | string): string {
  const head = b64url(JSON.stringify({ typ: 'JWT', alg: 'HS256' }))
  const body = b64url(JSON.stringify(claims))
  return `${head}.${body}.${b64url(hmac(secret, `${head}.${body}`))}`
}

/** Verifies signature, algorithm and exp/nbf; returns the claims or throws JwtError. */
export function verifyJwt(token: string, secret: Buffer | string, nowSeconds = Date.now() / 1000): Record<string, unknown> {
  const parts = token.split('.')
  if (parts.length !== 3) throw new JwtError('malformed token')
  const [head, body, sig] = parts as [string, string, string]
  let header: unknown
  let claims: unknown
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'))
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    throw new JwtError('malformed token')
  }
  if (!isObject(header) || header.alg !== 'HS256') throw new JwtError('unsupported algorithm')
  const expected = hmac(secret, `${head}.${body}`)
  const given = Buffer.from(sig, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new JwtError('bad signature')
  if (!isObject(claims)) throw new JwtError('malformed claims')
  if (typeof claims.exp === 'number' && nowSeconds >= claims.exp) throw new JwtError('token expired')
  if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf) throw new JwtError('token not yet valid')
  return claims
}

/** The `ac` claim value for a list of scopes (a JSON string, as GitHub encodes it). */
export function encodeScopes(scopes: readonly ScopePermission[]): string {
  return JSON.stringify(scopes.map((s) => ({ Scope: s.scope, Permission: s.permission })))
}

/** Parses the `ac` claim; malformed items are dropped, a malformed claim yields []. */
export function parseScopes(ac: unknown): ScopePermission[] {
  let list: unknown = ac
  if (typeof ac === 'string') {
    try {
      list = JSON.parse(ac)
    } catch {
      return []
    }
  }
  if (!Array.isArray(list)) return []
  const out: ScopePermission[] = []
  for (const item of list) {
    if (isObject(item) && typeof item.Scope === 'string' && typeof item.Permission === 'number') {
      out.push({ scope: item.Scope, permission: item.Permission })
    }
  }
  return out
}

/** Scopes the token may read, in token order (current ref first, then the default branch). */
export function readableScopes(scopes: readonly ScopePermission[]): string[] {
  return scopes.filter((s) => (s.permission & PERMISSION_READ) !== 0).map((s) => s.scope)
}

/** Scope that new entries are written to: the first one with write permission. */
export function writableScope(scopes: readonly ScopePermission[]): string | undefined {
  return scopes.find((s) => (s.permission & PERMISSION_WRITE) !== 0)?.scope
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
