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
  CacheUrl: 'cache-url',
  CacheToken: 'cache-token',
  AutoConfigure: 'auto-configure',
  PantsRemoteCache: 'pants-remote-cache',
  PantsRemoteStoreAddress: 'pants-remote-store-address',
  PantsRemoteInstanceName: 'pants-remote-instance-name',
  PantsRemoteHeaders: 'pants-remote-headers',
  PantsAuthHeader: 'pants-auth-header',
  CacheHeaders: 'cache-headers',
  CacheCaCert: 'cache-ca-cert',
  CacheClientCert: 'cache-client-cert',
  CacheClientKey: 'cache-client-key',
  CacheTimeout: 'cache-timeout',
  CacheCompression: 'cache-compression',
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
  AutoConfigure: 'auto-configure',
  PantsConfig: 'pants-config',
  RemoteCacheHits: 'remote-cache-hits',
  RemoteCacheMisses: 'remote-cache-misses',
  RemoteCacheErrors: 'remote-cache-errors',
  RemoteCacheUploads: 'remote-cache-uploads',
  RemoteCacheUnsent: 'remote-cache-unsent',
} as const

export const State = {
  /** The whole SavedState as JSON. */
  Main: 'go-cache-setup',
} as const
