/** Input, output and state names, defined once; a contract test checks them against action.yml. */
export const Input = {
  CacheDependencyPath: 'cache-dependency-path',
  ModuleCache: 'module-cache',
  CacheWrite: 'cache-write',
  KeySuffix: 'key-suffix',
  WorkingDirectory: 'working-directory',
} as const

export const Output = {
  GoVersion: 'go-version',
  ModuleCacheKey: 'module-cache-key',
  ModuleCacheHit: 'module-cache-hit',
  ModuleCacheMatchedKey: 'module-cache-matched-key',
} as const

export const State = {
  /** The whole SavedState as JSON. */
  Main: 'go-cache-setup',
} as const
