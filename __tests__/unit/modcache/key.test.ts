import { MODCACHE_KEY_PREFIX, modCacheKeys, settingsHash, type ModCacheKeyParts } from '../../../src/modcache/key.ts'

const base: ModCacheKeyParts = {
  hostOS: 'linux',
  hostArch: 'amd64',
  goVersion: 'go1.26.8',
  settings: 'abcdef012345',
  dependencies: 'f'.repeat(64),
}

describe('modCacheKeys', () => {
  it.each([
    [
      'plain',
      {},
      `go-cache-setup-modcache-v1-linux-amd64-go1.26.8-sabcdef012345-${'f'.repeat(64)}`,
      'go-cache-setup-modcache-v1-linux-amd64-go1.26.8-sabcdef012345-',
    ],
    [
      'no go.sum',
      { dependencies: 'nosum' },
      'go-cache-setup-modcache-v1-linux-amd64-go1.26.8-sabcdef012345-nosum',
      'go-cache-setup-modcache-v1-linux-amd64-go1.26.8-sabcdef012345-',
    ],
    [
      'arm64 darwin',
      { hostOS: 'darwin', hostArch: 'arm64', goVersion: 'go1.24.0' },
      `go-cache-setup-modcache-v1-darwin-arm64-go1.24.0-sabcdef012345-${'f'.repeat(64)}`,
      'go-cache-setup-modcache-v1-darwin-arm64-go1.24.0-sabcdef012345-',
    ],
    [
      'devel Go with experiments',
      { goVersion: 'devel go1.27-abc123 X:nocoverageredesign' },
      `go-cache-setup-modcache-v1-linux-amd64-devel_go1.27_abc123_X_nocoverageredesign-sabcdef012345-${'f'.repeat(64)}`,
      'go-cache-setup-modcache-v1-linux-amd64-devel_go1.27_abc123_X_nocoverageredesign-sabcdef012345-',
    ],
    [
      'suffix with comma and dash',
      { suffix: 'cgo,race-on' },
      `go-cache-setup-modcache-v1+cgo%2Crace%2Don-linux-amd64-go1.26.8-sabcdef012345-${'f'.repeat(64)}`,
      'go-cache-setup-modcache-v1+cgo%2Crace%2Don-linux-amd64-go1.26.8-sabcdef012345-',
    ],
    [
      'empty parts',
      { hostOS: '', hostArch: '' },
      `go-cache-setup-modcache-v1-unknown-unknown-go1.26.8-sabcdef012345-${'f'.repeat(64)}`,
      'go-cache-setup-modcache-v1-unknown-unknown-go1.26.8-sabcdef012345-',
    ],
  ])('%s', (_name, overrides, primary, restore) => {
    const keys = modCacheKeys({ ...base, ...overrides })
    expect(keys).toEqual({ primary, restore: [restore] })
  })

  it('never lets a restore key cross a suffix partition', () => {
    const none = modCacheKeys(base)
    const a = modCacheKeys({ ...base, suffix: 'a' })
    const ab = modCacheKeys({ ...base, suffix: 'a-b' })
    expect(a.primary.startsWith(none.restore[0]!)).toBe(false)
    expect(ab.primary.startsWith(a.restore[0]!)).toBe(false)
    expect(none.primary.startsWith(a.restore[0]!)).toBe(false)
  })

  it('keeps every key valid for @actions/cache: no commas, at most 512 characters', () => {
    const keys = modCacheKeys({ ...base, suffix: ',,,'.repeat(30) })
    for (const key of [keys.primary, ...keys.restore]) {
      expect(key).not.toContain(',')
      expect(key.length).toBeLessThanOrEqual(512)
    }
    expect(() => modCacheKeys({ ...base, suffix: ','.repeat(200) })).toThrow(/over the cache service's 512/)
  })

  it('is versioned', () => {
    expect(modCacheKeys(base).primary.startsWith(`${MODCACHE_KEY_PREFIX}-`)).toBe(true)
    expect(MODCACHE_KEY_PREFIX).toBe('go-cache-setup-modcache-v1')
  })
})

describe('settingsHash', () => {
  const settings = {
    GOPROXY: 'https://proxy.golang.org,direct',
    GOPRIVATE: '',
    GONOPROXY: '',
    GONOSUMDB: '',
    GOSUMDB: 'sum.golang.org',
    GOFLAGS: '',
  }

  it('is 12 hex characters and stable', () => {
    expect(settingsHash(settings)).toMatch(/^[0-9a-f]{12}$/)
    expect(settingsHash(settings)).toBe(settingsHash({ ...settings }))
  })

  it.each(['GOPROXY', 'GOPRIVATE', 'GONOPROXY', 'GONOSUMDB', 'GOSUMDB', 'GOFLAGS'] as const)('changes with %s', (name) => {
    expect(settingsHash({ ...settings, [name]: `${settings[name]}x` })).not.toBe(settingsHash(settings))
  })

  it('ignores whitespace differences only', () => {
    expect(settingsHash({ ...settings, GOFLAGS: '  -mod=mod   -modcacherw ' })).toBe(settingsHash({ ...settings, GOFLAGS: '-mod=mod -modcacherw' }))
  })

  it('does not confuse values moved between variables', () => {
    expect(settingsHash({ ...settings, GOPRIVATE: 'x', GONOPROXY: '' })).not.toBe(settingsHash({ ...settings, GOPRIVATE: '', GONOPROXY: 'x' }))
  })
})
