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
