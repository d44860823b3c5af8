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
        }),
        '/ws',
      ),
    ).toEqual({
      moduleCache: false,
      dependencyPatterns: ['go.sum', 'tools/go.sum', '!vendor/**'],
      cacheWrite: 'false',
      keySuffix: 'race',
      workingDirectory: '/ws/services/api',
    })
  })

  it.each([
    [{ 'module-cache': 'yes' }, 'module-cache: "yes" is not a boolean; use true or false.'],
    [{ 'cache-write': 'sometimes' }, 'cache-write: "sometimes" is not one of auto, true, false.'],
    [{ 'key-suffix': 'x'.repeat(101) }, 'key-suffix: at most 100 characters, got 101.'],
    [{ 'cache-dependency-path': '/etc/go.sum' }, 'cache-dependency-path: "/etc/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".'],
    [{ 'cache-dependency-path': '../other/go.sum' }, 'cache-dependency-path: "../other/go.sum" must be a glob relative to the workspace, without "..", for example "**/go.sum".'],
  ])('rejects %o with a message that says how to fix it', (values, message) => {
    expect(() => readInputs(reader(values), '/ws')).toThrow(message)
  })
})
