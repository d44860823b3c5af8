// Cache-key lookup as GitHub documents it ("Cache key matching"): for each readable
// scope in token order, try the primary key exactly, then as a prefix, then each
// restore key (exact, then prefix). Prefix hits return the newest entry. Only
// finalized entries with the same version are candidates; the first scope with a hit wins.

export interface IndexedEntry {
  id: number
  key: string
  version: string
  scope: string
  blobName: string
  sizeBytes: number
  /** ms since epoch when CreateCacheEntry reserved it */
  createdAt: number
  /** ms since epoch when FinalizeCacheEntryUpload committed it */
  finalizedAt?: number
  finalized: boolean
}

export interface LookupRequest {
  key: string
  restoreKeys: readonly string[]
  version: string
  /** readable scopes in token order */
  scopes: readonly string[]
}

export interface LookupResult<E extends IndexedEntry = IndexedEntry> {
  entry: E
  matchedKey: string
  scope: string
}

export function entryTime(e: IndexedEntry): number {
  return e.finalizedAt ?? e.createdAt
}

/** Newest first: finalize (or creation) time, then id as a tie-breaker. */
export function newer(a: IndexedEntry, b: IndexedEntry): number {
  return entryTime(b) - entryTime(a) || b.id - a.id
}

export function findEntry<E extends IndexedEntry>(entries: readonly E[], req: LookupRequest): LookupResult<E> | undefined {
  const keys = [req.key, ...req.restoreKeys].filter((k) => k !== '')
  for (const scope of req.scopes) {
    const candidates = entries.filter((e) => e.finalized && e.version === req.version && e.scope === scope)
    if (candidates.length === 0) continue
    for (const k of keys) {
      const exact = candidates.filter((e) => e.key === k).sort(newer)[0]
      if (exact) return { entry: exact, matchedKey: exact.key, scope }
      const prefix = candidates.filter((e) => e.key.startsWith(k)).sort(newer)[0]
      if (prefix) return { entry: prefix, matchedKey: prefix.key, scope }
    }
  }
  return undefined
}

/** An entry (finalized or still uploading) that blocks a new reservation. */
export function findReservation<E extends IndexedEntry>(entries: readonly E[], key: string, version: string, scope: string): E | undefined {
  return entries.find((e) => e.key === key && e.version === version && e.scope === scope)
}
