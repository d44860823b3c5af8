/** Input, output and state names, defined once; a contract test checks them against action.yml. */
export const Input = {
  CacheDependencyPath: 'cache-dependency-path',
  ModuleCache: 'module-cache',
  CacheWrite: 'cache-write',
  KeySuffix: 'key-suffix',
  WorkingDirectory: 'working-directory',
  BuildCache: 'build-cache',
  GoCacheProg: 'gocacheprog',
  StorePath: 'store-path',
  StoreMaxSize: 'store-max-size',
  BundleMaxSize: 'bundle-max-size',
  BundleSaveThreshold: 'bundle-save-threshold',
  Matrix: 'matrix',
} as const

export const Output = {
  GoVersion: 'go-version',
  ModuleCacheKey: 'module-cache-key',
  ModuleCacheHit: 'module-cache-hit',
  ModuleCacheMatchedKey: 'module-cache-matched-key',
  GoCacheProg: 'gocacheprog',
  BuildCacheGets: 'build-cache-gets',
  BuildCacheHits: 'build-cache-hits',
  BuildCacheMisses: 'build-cache-misses',
  BuildCachePuts: 'build-cache-puts',
  BuildCacheBytesIn: 'build-cache-bytes-in',
  BuildCacheBytesOut: 'build-cache-bytes-out',
  BuildCacheHitRatio: 'build-cache-hit-ratio',
  BuildCacheTimeMs: 'build-cache-time-ms',
} as const

export const State = {
  /** The whole SavedState as JSON. */
  Main: 'go-cache-setup',
} as const
