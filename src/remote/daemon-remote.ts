/**
 * Builds the daemon's remote tier from its environment (REMOTE_ENV, set by
 * the main step when it spawns the daemon). The variable is removed from the
 * process environment once read, so nothing the daemon might start inherits it.
 */
import type { LocalStore } from '../store/local-store.ts'
import { BazelHttpClient } from './bazel-http.ts'
import { CircuitBreaker } from './breaker.ts'
import { PREFETCH_CONCURRENCY, RemoteCache } from './remote-cache.ts'
import { decodeRemoteSettings, REMOTE_ENV, type RemoteSettings } from './settings.ts'

/** Failures in a row that open the circuit, and for how long it stays open at first and at most. */
export const BREAKER = { failureThreshold: 3, openMs: 30_000, maxOpenMs: 300_000 }

/** How long a shim waits for the daemon's answer to a fetch: an AC and a CAS request, plus slack. */
export function fetchWaitMs(settings: Pick<RemoteSettings, 'timeoutMs'>): number {
  return 2 * settings.timeoutMs + 2_000
}

export function takeRemoteSettings(env: NodeJS.ProcessEnv): RemoteSettings | undefined {
  const text = env[REMOTE_ENV]
  delete env[REMOTE_ENV]
  if (text === undefined || text === '') return undefined
  return decodeRemoteSettings(text)
}

export function remoteTier(settings: RemoteSettings, log: (message: string) => void): (store: LocalStore) => RemoteCache {
  return (store) => {
    // Sockets: the uploads plus the lookups of a parallel build.
    const client = new BazelHttpClient(settings, settings.uploadConcurrency + PREFETCH_CONCURRENCY + 8)
    const breaker = new CircuitBreaker({ ...BREAKER, now: () => performance.now() })
    log(`remote cache ${settings.baseUrl} (${settings.write ? 'read-write' : 'read-only'}, timeout ${settings.timeoutMs} ms, compression ${settings.compression})`)
    return new RemoteCache(client, store, breaker, {
      write: settings.write,
      uploadConcurrency: settings.uploadConcurrency,
      log,
      ...(settings.manifestKey && { manifestKey: settings.manifestKey }),
    })
  }
}
