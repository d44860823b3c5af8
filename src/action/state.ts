/**
 * What main hands to post. Post runs in a new process where inputs are
 * re-evaluated, so keys come from here and are never recomputed (the reason
 * actions/cache and setup-java do the same). Never put a token in here.
 */
import type { BundleRestoreReport, SaveThreshold } from '../buildcache/bundle-restore.ts'
import type { BuildCacheState } from '../buildcache/setup.ts'
import { array, boolean, check, enums, type Infer, literal, number, object, optional, parse, type Same, type Schema, string, tagged } from '../common/schema.ts'
import type { WiringReport } from '../policy/auto-configure.ts'
import type { MtimeReport } from '../testcache/canonicalize.ts'
import type { ModCacheRestoreReport } from '../modcache/restore.ts'
import type { WriteDecision } from '../policy/write-policy.ts'
import { remoteScopes } from '../remote/config.ts'
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
  /** What main did to the workspace's mtimes for go test's cache. */
  testCache?: MtimeReport
}

export interface StateStore {
  saveState(name: string, value: string): void
  getState(name: string): string
}

export function saveState(store: StateStore, state: SavedState): void {
  store.saveState(State.Main, JSON.stringify(state))
}

/** Returns undefined when main saved nothing; throws when what it saved is not ours, naming the first field that is not. */
export function loadState(store: StateStore): SavedState | undefined {
  const raw = store.getState(State.Main)
  if (raw === '') return undefined
  try {
    return parse(savedState, JSON.parse(raw), 'state')
  } catch (error) {
    throw new Error(`the state saved by the main step is not in the expected form: ${(error as Error).message}`)
  }
}

// Every field of what main saves, checked when post reads it back: post runs
// in a new process, and the runner hands it whatever STATE_ file it finds.
const count = check(number, (n) => Number.isSafeInteger(n) && n >= 0, 'a whole number of at least 0')
const ms = check(number, (n) => n >= 0, 'a duration of at least 0 ms')
const strings = array(string)
const writeDecision: Schema<WriteDecision> = object({ allowed: boolean, reason: optional(string) })
const threshold: Schema<SaveThreshold> = tagged('kind', {
  percent: object({ kind: literal('percent'), value: number }),
  count: object({ kind: literal('count'), value: number }),
})
const modCache = object({
  key: string,
  restoreKeys: strings,
  path: string,
  dependencyFiles: strings,
  matchedKey: optional(string),
  restoreAllowed: boolean,
  skipReason: optional(string),
  files: count,
  bytes: count,
  fingerprint: string,
  restoreMs: ms,
})
const directoryRestore = object({ key: string, path: string, matchedKey: optional(string), restoreAllowed: boolean })
const buildCache = tagged('mode', {
  off: object({ mode: literal('off') }),
  custom: object({ mode: literal('custom'), command: string }),
  directory: object({ mode: literal('directory'), restore: directoryRestore }),
  native: object({ mode: literal('native'), dir: string, startedAtMs: ms }),
  client: object({
    mode: literal('client'),
    store: string,
    socket: string,
    command: string,
    daemonStarted: boolean,
    logFile: string,
    owner: optional(literal('kit')),
    remote: optional(object({ url: string, instance: optional(string), scopes: remoteScopes })),
  }),
})
const wiring = object({
  autoConfigure: boolean,
  source: enums(['input', 'environment', 'kit-config', 'default']),
  pants: optional(object({ address: string, instance: optional(string), write: boolean, file: string, registered: boolean })),
})
const bundle = object({
  key: string,
  restoreKeys: strings,
  path: string,
  available: boolean,
  outcome: enums(['skipped', 'miss', 'hit', 'corrupt']),
  reason: optional(string),
  matchedKey: optional(string),
  baseKey: optional(string),
  baseManifest: optional(string),
  entries: count,
  objects: count,
  bytes: count,
  archiveBytes: count,
  restoreMs: ms,
  downloadMs: optional(ms),
  importing: optional(literal('daemon')),
  importMs: optional(ms),
  waits: optional(count),
  waitMs: optional(ms),
  save: object({ maxBytes: count, threshold }),
})
const testCache = object({
  status: enums(['done', 'off', 'not-git']),
  files: count,
  dirs: count,
  skipped: count,
  failed: count,
  ms,
  reason: optional(string),
})
const savedState = object({
  version: literal(1),
  goVersion: string,
  write: writeDecision,
  modCache: optional(modCache),
  buildCache: optional(buildCache),
  wiring: optional(wiring),
  bundle: optional(bundle),
  testCache: optional(testCache),
})

// Each schema says exactly what its interface says, optional keys included: a
// key added to an interface and not here would be dropped on the way to post.
const exact: [
  Same<Infer<typeof modCache>, ModCacheRestoreReport>,
  Same<Infer<typeof buildCache>, BuildCacheState>,
  Same<Infer<typeof wiring>, WiringReport>,
  Same<Infer<typeof bundle>, BundleRestoreReport>,
  Same<Infer<typeof testCache>, MtimeReport>,
  Same<Infer<typeof savedState>, SavedState>,
] = [true, true, true, true, true, true]
void exact
