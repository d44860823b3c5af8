import { describe, expect, it } from '@jest/globals'
import { findEntry, findReservation, type IndexedEntry } from '../../support/cache-service/matching.ts'

let nextId = 1
function entry(key: string, scope: string, time: number, extra: Partial<IndexedEntry> = {}): IndexedEntry {
  const id = nextId++
  return { id, key, version: 'v1', scope, blobName: `${id}`, sizeBytes: 1, createdAt: time, finalizedAt: time, finalized: true, ...extra }
}

const FEATURE = 'refs/heads/feature'
const MAIN = 'refs/heads/main'

describe('cache-service key matching', () => {
  const entries = [
    entry('go-linux-abc', MAIN, 10),
    entry('go-linux-old', MAIN, 20),
    entry('go-linux-new', MAIN, 30),
    entry('go-linux-abc', FEATURE, 5),
    entry('go-linux-feat', FEATURE, 40),
    entry('go-darwin-1', FEATURE, 50),
  ]
  const lookup = (key: string, restoreKeys: string[], scopes: string[], version = 'v1') => findEntry(entries, { key, restoreKeys, version, scopes })

  it('prefers an exact primary-key hit over newer prefix hits', () => {
    expect(lookup('go-linux-abc', [], [MAIN])).toMatchObject({ matchedKey: 'go-linux-abc', scope: MAIN })
  })

  it('prefix-matches the primary key and returns the newest entry', () => {
    expect(lookup('go-linux-', [], [MAIN])?.matchedKey).toBe('go-linux-new')
  })

  it('tries restore keys in order, exact before prefix', () => {
    expect(lookup('nope', ['go-linux-old', 'go-linux-'], [MAIN])?.matchedKey).toBe('go-linux-old')
    expect(lookup('nope', ['zzz', 'go-linux-'], [MAIN])?.matchedKey).toBe('go-linux-new')
    expect(lookup('nope', ['zzz'], [MAIN])).toBeUndefined()
  })

  it('searches scopes in token order; the first scope with any hit wins', () => {
    // feature has an exact hit for the primary key
    expect(lookup('go-linux-abc', [], [FEATURE, MAIN])).toMatchObject({ scope: FEATURE })
    // feature only matches a restore key -> still wins over main's exact primary hit
    expect(lookup('go-linux-old', ['go-'], [FEATURE, MAIN])).toMatchObject({ scope: FEATURE, matchedKey: 'go-darwin-1' })
    // nothing in feature -> fall back to main
    expect(lookup('go-linux-new', [], [FEATURE, MAIN])).toMatchObject({ scope: MAIN, matchedKey: 'go-linux-new' })
    // main cannot see feature's entries
    expect(lookup('go-linux-feat', [], [MAIN])).toBeUndefined()
  })

  it('ignores other versions and unfinalized entries', () => {
    expect(lookup('go-linux-abc', [], [MAIN], 'v2')).toBeUndefined()
    const pending = [entry('k-1', MAIN, 1), entry('k-2', MAIN, 2, { finalized: false, finalizedAt: undefined })]
    expect(findEntry(pending, { key: 'k-', restoreKeys: [], version: 'v1', scopes: [MAIN] })?.matchedKey).toBe('k-1')
  })

  it('orders prefix hits by finalize time, falling back to creation time and id', () => {
    const list = [entry('p-a', MAIN, 100, { createdAt: 1, finalizedAt: 100 }), entry('p-b', MAIN, 50, { createdAt: 60, finalizedAt: 50 })]
    expect(findEntry(list, { key: 'p-', restoreKeys: [], version: 'v1', scopes: [MAIN] })?.matchedKey).toBe('p-a')
    const tie = [entry('t-a', MAIN, 7), entry('t-b', MAIN, 7)]
    expect(findEntry(tie, { key: 't-', restoreKeys: [], version: 'v1', scopes: [MAIN] })?.matchedKey).toBe('t-b')
  })

  it('finds reservations by (key, version, scope), finalized or not', () => {
    const list = [entry('r', MAIN, 1, { finalized: false, finalizedAt: undefined })]
    expect(findReservation(list, 'r', 'v1', MAIN)).toBeDefined()
    expect(findReservation(list, 'r', 'v1', FEATURE)).toBeUndefined()
    expect(findReservation(list, 'r', 'v2', MAIN)).toBeUndefined()
  })
})
