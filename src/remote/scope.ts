/**
 * Remote scopes, for every remote alike (bazel-remote, and S3 and REAPI after
 * it): a scope is a namespace of action keys, so what one job writes is found
 * only by jobs that read its scope (policy/write-policy.ts decides which).
 *
 * Servers offer no namespace we can rely on (bazel-remote's HTTP API ignores
 * an instance name), so the scope is in the key: the trusted scope keeps
 * Go's ActionID as it is, which keeps it readable by other clients and by
 * what earlier versions wrote; every other scope hashes its name into the
 * key. Objects are content-addressed and checked against their digest, so
 * they are shared by every scope. docs/remote-cache.md#scopes.
 */
import { createHash } from 'node:crypto'
import { TRUSTED_SCOPE } from '../policy/write-policy.ts'

/** The remote key of `key` (a 64-hex ActionID, or a manifest key) in `scope`. */
export function scopedKey(scope: string, key: string): string {
  if (scope === TRUSTED_SCOPE) return key
  return createHash('sha256').update(`go-cache-setup scope v1\n${scope}\n${key}`).digest('hex')
}
