/**
 * What main hands to post. Post runs in a new process where inputs are
 * re-evaluated, so keys come from here and are never recomputed (the reason
 * actions/cache and setup-java do the same). Never put a token in here.
 */
import type { BundleRestoreReport } from '../buildcache/bundle-restore.ts'
import type { BuildCacheState } from '../buildcache/setup.ts'
import { isWiringReport, type WiringReport } from '../policy/auto-configure.ts'
import type { ModCacheRestoreReport } from '../modcache/restore.ts'
import type { WriteDecision } from '../policy/write-policy.ts'
import { State } from './constants.ts'

export interface SavedState {
  version: 1
  goVersion: string
  /** Decided in main, where the event and inputs are read. */
  write: WriteDecision
  /** Absent when the module cache is off or main failed before it. */
  modCache?: ModCacheRestoreReport
  /** Absent when main failed before wiring the build cache. */
  buildCache?: BuildCacheState
  /** Auto-configure and the Pants config, for the summary. */
  wiring?: WiringReport
  /** The build-cache bundle's restore; absent unless our client serves the build cache. */
  bundle?: BundleRestoreReport
}

export interface StateStore {
  saveState(name: string, value: string): void
  getState(name: string): string
}

export function saveState(store: StateStore, state: SavedState): void {
  store.saveState(State.Main, JSON.stringify(state))
}

/** Returns undefined when main saved nothing; throws when what it saved is not ours. */
export function loadState(store: StateStore): SavedState | undefined {
  const raw = store.getState(State.Main)
  if (raw === '') return undefined
  const parsed: unknown = JSON.parse(raw)
  if (!isSavedState(parsed)) throw new Error('the state saved by the main step is not in the expected form')
  return parsed
}

function isSavedState(value: unknown): value is SavedState {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  if (v.version !== 1 || typeof v.goVersion !== 'string') return false
  const w = v.write as Record<string, unknown> | null
  if (typeof w !== 'object' || w === null || typeof w.allowed !== 'boolean') return false
  if (v.buildCache !== undefined && !isBuildCacheState(v.buildCache)) return false
  if (v.wiring !== undefined && !isWiringReport(v.wiring)) return false
  if (v.bundle !== undefined && !isBundleState(v.bundle)) return false
  if (v.modCache === undefined) return true
  const m = v.modCache as Record<string, unknown>
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.key === 'string' &&
    typeof m.path === 'string' &&
    (m.matchedKey === undefined || typeof m.matchedKey === 'string') &&
    typeof m.fingerprint === 'string' &&
    typeof m.restoreAllowed === 'boolean'
  )
}

function isBuildCacheState(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const b = value as Record<string, unknown>
  const str = (k: string) => typeof b[k] === 'string'
  switch (b.mode) {
    case 'off':
      return true
    case 'custom':
      return str('command')
    case 'directory': {
      const r = b.restore as Record<string, unknown> | null
      return typeof r === 'object' && r !== null && typeof r.key === 'string' && typeof r.path === 'string' && typeof r.restoreAllowed === 'boolean'
    }
    case 'client':
      return (
        str('store') &&
        str('socket') &&
        str('command') &&
        typeof b.daemonStarted === 'boolean' &&
        (b.owner === undefined || b.owner === 'kit') &&
        (b.remote === undefined || (typeof (b.remote as { url?: unknown }).url === 'string' && typeof (b.remote as { write?: unknown }).write === 'boolean'))
      )
    default:
      return false
  }
}

function isBundleState(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false
  const b = value as Record<string, unknown>
  const save = b.save as Record<string, unknown> | null
  const threshold = (typeof save === 'object' && save !== null ? save.threshold : undefined) as Record<string, unknown> | undefined
  return (
    typeof b.key === 'string' &&
    typeof b.path === 'string' &&
    typeof b.available === 'boolean' &&
    ['skipped', 'miss', 'hit', 'corrupt'].includes(b.outcome as string) &&
    typeof save?.maxBytes === 'number' &&
    typeof threshold === 'object' &&
    threshold !== null &&
    (threshold.kind === 'percent' || threshold.kind === 'count') &&
    typeof threshold.value === 'number'
  )
}
