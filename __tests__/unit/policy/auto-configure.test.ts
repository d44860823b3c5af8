import { describeAutoConfigure, renderWiring, resolveAutoConfigure, type AutoConfigureLevels } from '../../../src/policy/auto-configure.ts'
import type { KitConfig, KitConfigLookup } from '../../../src/bootstrap/kit-config.ts'

const kitConfig = (autoConfigure: boolean): KitConfigLookup => ({
  found: true,
  file: '/etc/go-cache-setup/kit.json',
  config: {
    version: 1,
    autoConfigure,
    repositories: { include: [], exclude: [] },
    cacheWrite: 'auto',
    trustedRefs: [],
    storePath: '/var/cache/go-cache-setup',
    storeMaxSize: '5GiB',
  } satisfies KitConfig,
})
const noKit: KitConfigLookup = { found: false }
const brokenKit: KitConfigLookup = { found: true, file: '/etc/kit.json', problem: '/etc/kit.json is not valid JSON: Unexpected end' }

describe('resolveAutoConfigure: input, then GO_CACHE_SETUP_AUTO_CONFIGURE, then the kit config, then on', () => {
  it.each<[string, AutoConfigureLevels, boolean, string]>([
    ['nothing set', { input: undefined, env: undefined, kit: noKit }, true, 'default'],
    ['input off beats everything', { input: false, env: 'true', kit: kitConfig(true) }, false, 'input'],
    ['input on beats an org-wide off', { input: true, env: 'false', kit: kitConfig(false) }, true, 'input'],
    ['env off beats the kit', { input: undefined, env: 'false', kit: kitConfig(true) }, false, 'environment'],
    ['env on beats a kit off', { input: undefined, env: 'true', kit: kitConfig(false) }, true, 'environment'],
    ['env spellings: off', { input: undefined, env: ' OFF ', kit: noKit }, false, 'environment'],
    ['env spellings: 0', { input: undefined, env: '0', kit: noKit }, false, 'environment'],
    ['env spellings: no', { input: undefined, env: 'No', kit: noKit }, false, 'environment'],
    ['env spellings: 1', { input: undefined, env: '1', kit: kitConfig(false) }, true, 'environment'],
    ['empty env (an undefined org variable) is not set', { input: undefined, env: '', kit: kitConfig(false) }, false, 'kit-config'],
    ['the kit config when nothing above says', { input: undefined, env: undefined, kit: kitConfig(false) }, false, 'kit-config'],
    ['a kit config that says on', { input: undefined, env: undefined, kit: kitConfig(true) }, true, 'kit-config'],
    ['a broken kit config falls through to the default', { input: undefined, env: undefined, kit: brokenKit }, true, 'default'],
    ['an unreadable env value falls through to the kit', { input: undefined, env: 'maybe', kit: kitConfig(false) }, false, 'kit-config'],
  ])('%s', (_what, levels, value, source) => {
    const resolved = resolveAutoConfigure(levels)
    expect({ value: resolved.value, source: resolved.source }).toEqual({ value, source })
  })

  it('warns about a level it had to skip, and only then', () => {
    expect(resolveAutoConfigure({ input: undefined, env: 'maybe', kit: brokenKit }).warnings).toEqual([
      'GO_CACHE_SETUP_AUTO_CONFIGURE="maybe" is not true or false; ignored.',
      'The bootstrap kit config cannot be used for auto-configure: /etc/kit.json is not valid JSON: Unexpected end',
    ])
    expect(resolveAutoConfigure({ input: false, env: 'maybe', kit: brokenKit }).warnings).toEqual([])
    expect(resolveAutoConfigure({ input: undefined, env: 'off', kit: kitConfig(true) }).warnings).toEqual([])
  })

  it('says where the value came from', () => {
    expect(describeAutoConfigure(resolveAutoConfigure({ input: undefined, env: 'false', kit: noKit }))).toBe(
      'Auto-configure off (from GO_CACHE_SETUP_AUTO_CONFIGURE)',
    )
    expect(describeAutoConfigure(resolveAutoConfigure({ input: undefined, env: undefined, kit: kitConfig(false) }))).toBe(
      "Auto-configure off (from the bootstrap kit's config)",
    )
    expect(describeAutoConfigure(resolveAutoConfigure({ input: undefined, env: undefined, kit: noKit }))).toBe('Auto-configure on (from the default)')
  })
})

describe('renderWiring', () => {
  it('on, with Pants registered', () => {
    expect(
      renderWiring({
        autoConfigure: true,
        source: 'default',
        pants: { address: 'grpcs://cache.example.com:9092', write: true, file: '/t/go-cache-setup/pants-remote-cache.toml', registered: true },
      }),
    ).toEqual([
      'Auto-configure on (from the default).',
      '',
      'Pants remote cache: `grpcs://cache.example.com:9092`, read and write; `/t/go-cache-setup/pants-remote-cache.toml` added to PANTS_CONFIG_FILES.',
    ])
  })

  it('off, read only, without Pants and with it', () => {
    expect(renderWiring({ autoConfigure: false, source: 'kit-config' })).toEqual([
      "Auto-configure off (from the bootstrap kit's config): GOCACHEPROG and the Pants config are outputs only.",
    ])
    expect(
      renderWiring({ autoConfigure: false, source: 'input', pants: { address: 'grpc://h:9092', write: false, file: '/t/p.toml', registered: false } })[2],
    ).toBe('Pants remote cache: `grpc://h:9092`, read only; config written to `/t/p.toml`, not registered.')
  })

  it('names the REAPI instance Pants sends', () => {
    expect(
      renderWiring({
        autoConfigure: true,
        source: 'input',
        pants: { address: 'grpc://h:9092', instance: 'ci/linux', write: true, file: '/t/p.toml', registered: true },
      })[2],
    ).toBe('Pants remote cache: `grpc://h:9092` instance `ci/linux`, read and write; `/t/p.toml` added to PANTS_CONFIG_FILES.')
  })
})
