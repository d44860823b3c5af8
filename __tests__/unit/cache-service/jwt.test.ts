import { describe, expect, it } from '@jest/globals'
import { JwtError, encodeScopes, parseScopes, readableScopes, signJwt, verifyJwt, writableScope } from '../../support/cache-service/jwt.ts'

const secret = Buffer.from('0123456789abcdef0123456789abcdef')

describe('cache-service JWT', () => {
  it('round-trips claims through an HS256 token', () => {
    const token = signJwt({ ac: '[]', exp: 2_000_000_000 }, secret)
    const [head] = token.split('.')
    expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'HS256' })
    expect(verifyJwt(token, secret, 1_000)).toEqual({ ac: '[]', exp: 2_000_000_000 })
  })

  it('rejects a wrong secret, a tampered payload and garbage', () => {
    const token = signJwt({ ac: '[]' }, secret)
    expect(() => verifyJwt(token, 'another secret')).toThrow(JwtError)
    const [h, , s] = token.split('.')
    const forged = `${h}.${Buffer.from(JSON.stringify({ ac: '[{"Scope":"x","Permission":3}]' })).toString('base64url')}.${s}`
    expect(() => verifyJwt(forged, secret)).toThrow('bad signature')
    expect(() => verifyJwt('not-a-jwt', secret)).toThrow('malformed token')
    expect(() => verifyJwt('a.b.c', secret)).toThrow(JwtError)
  })

  it('rejects alg=none and expired tokens', () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`
    expect(() => verifyJwt(none, secret)).toThrow('unsupported algorithm')
    const token = signJwt({ exp: 100 }, secret)
    expect(() => verifyJwt(token, secret, 100)).toThrow('token expired')
    expect(verifyJwt(token, secret, 99)).toEqual({ exp: 100 })
  })

  it('encodes and parses the `ac` claim like GitHub (a JSON string)', () => {
    const ac = encodeScopes([
      { scope: 'refs/heads/feature', permission: 3 },
      { scope: 'refs/heads/main', permission: 1 },
    ])
    expect(ac).toBe('[{"Scope":"refs/heads/feature","Permission":3},{"Scope":"refs/heads/main","Permission":1}]')
    const scopes = parseScopes(ac)
    expect(readableScopes(scopes)).toEqual(['refs/heads/feature', 'refs/heads/main'])
    expect(writableScope(scopes)).toBe('refs/heads/feature')
  })

  it('honours permission bits and tolerates malformed claims', () => {
    const scopes = parseScopes('[{"Scope":"a","Permission":1},{"Scope":"b","Permission":2},{"Scope":3},{"Permission":3}]')
    expect(scopes).toEqual([
      { scope: 'a', permission: 1 },
      { scope: 'b', permission: 2 },
    ])
    expect(readableScopes(scopes)).toEqual(['a'])
    expect(writableScope(scopes)).toBe('b')
    expect(writableScope(parseScopes('[{"Scope":"a","Permission":1}]'))).toBeUndefined()
    expect(parseScopes('{not json')).toEqual([])
    expect(parseScopes(undefined)).toEqual([])
  })
})
