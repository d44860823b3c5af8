import { readInputs } from '../../../src/action/inputs.ts'

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''

describe('readInputs', () => {
  it('applies defaults', () => {
    expect(readInputs(reader({}), '/ws')).toEqual({
      moduleCache: true,
      dependencyPatterns: ['**/go.sum', '**/go.work.sum'],
      cacheWrite: 'auto',
      keySuffix: '',
      workingDirectory: '/ws',
      buildCache: true,
      goCacheProg: '',
      storePath: '',
      storeMaxBytes: 5 * 1024 ** 3,
      bundleMaxBytes: 2 * 1024 ** 3,
      bundleSaveThreshold: { kind: 'percent', value: 5 },
      matrix: '',
    })
  })

  it('reads every input', () => {
    expect(
      readInputs(
        reader({
          'module-cache': 'FALSE',
          'cache-dependency-path': 'go.sum\n\n  tools/go.sum  \n# a comment\n!vendor/**\r\n',
          'cache-write': 'False',
          'key-suffix': ' race ',
          'working-directory': 'services/api',
          'build-cache': 'false',
          gocacheprog: " '/opt/my tools/gocache' serve ",
          'store-path': '.cache/store',
          'store-max-size': '512MiB',
          'bundle-max-size': '1GiB',
          'bundle-save-threshold': '20',
          matrix: ' {"go": "1.26"} ',
        }),
        '/ws',
      ),
    ).toEqual({
      moduleCache: false,
      dependencyPatterns: ['go.sum', 'tools/go.sum', '!vendor/**'],
      cacheWrite: 'false',
      keySuffix: 'race',
      workingDirectory: '/ws/services/api',
      buildCache: false,
      goCacheProg: "'/opt/my tools/gocache' serve",
      storePath: '/ws/.cache/store',
      storeMaxBytes: 512 * 1024 ** 2,
      bundleMaxBytes: 1024 ** 3,
      bundleSaveThreshold: { kind: 'count', value: 20 },
      matrix: '{"go": "1.26"}',
    })
  })

  it.each([
    [{ 'module-cache': 'yes' }, 'module-cache: "yes" is not a boolean; use true or false.'],
    [{ 'cache-write': 'sometimes' }, 'cache-write: "sometimes" is not one of auto, true, false.'],
    [{ 'key-suffix': 'x'.repeat(101) }, 'key-suffix: at most 100 characters, got 101.'],
    [{ 'cache-dependency-path': '/etc/go.sum' }, 'cache-dependency-path: "/etc/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".'],
    [{ 'cache-dependency-path': '../other/go.sum' }, 'cache-dependency-path: "../other/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".'],
    [{ 'store-max-size': 'lots' }, 'store-max-size: "lots" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    [{ 'store-max-size': '100KiB' }, 'store-max-size: "100KiB" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    [{ 'bundle-max-size': '1KiB' }, 'bundle-max-size: "1KiB" is not a size of at least 1MiB; write it like 5GiB or 512MiB.'],
    ...['150%', '-1', '2.5', 'half', '5 %%'].map((value): [Record<string, string>, string] => [
      { 'bundle-save-threshold': value },
      `bundle-save-threshold: "${value}" is neither a percentage from 0% to 100% (the share of the bundle's entries that must be new) nor a whole number of new entries; write it like 5% or 20.`,
    ]),
    [{ gocacheprog: "'/opt/tools/gocache serve" }, `gocacheprog: Go cannot split "'/opt/tools/gocache serve": unterminated ' string. Quote a field with spaces whole, like '/opt/my tools/gocache' serve.`],
  ])('rejects %o with a message that says how to fix it', (values, message) => {
    expect(() => readInputs(reader(values), '/ws')).toThrow(message)
  })
})

describe('store-max-size', () => {
  it.each([
    ['5GiB', 5 * 1024 ** 3],
    ['10G', 10 * 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['512mib', 512 * 1024 ** 2],
    ['2097152', 2097152],
    ['1 TiB', 1024 ** 4],
  ])('%s', (value, bytes) => {
    expect(readInputs(reader({ 'store-max-size': value }), '/ws').storeMaxBytes).toBe(bytes)
  })
})

describe('bundle-save-threshold', () => {
  it.each([
    ['5%', { kind: 'percent', value: 5 }],
    ['0.5 %', { kind: 'percent', value: 0.5 }],
    ['100%', { kind: 'percent', value: 100 }],
    ['0', { kind: 'count', value: 0 }],
    ['200', { kind: 'count', value: 200 }],
  ])('%s', (value, threshold) => {
    expect(readInputs(reader({ 'bundle-save-threshold': value }), '/ws').bundleSaveThreshold).toEqual(threshold)
  })
})
