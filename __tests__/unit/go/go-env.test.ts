import { GoNotFoundError, parseGoEnv, readGoEnv, type CommandRunner } from '../../../src/go/go-env.ts'

const sample = JSON.stringify({
  GOVERSION: 'go1.26.8',
  GOHOSTOS: 'linux',
  GOHOSTARCH: 'amd64',
  GOMODCACHE: '/home/runner/go/pkg/mod',
  GOCACHE: '/home/runner/.cache/go-build',
  GOFLAGS: '-mod=mod',
  GOPROXY: 'https://proxy.golang.org,direct',
  GOPRIVATE: 'example.com/private',
  GONOPROXY: 'example.com/private',
  GONOSUMDB: 'example.com/private',
  GOSUMDB: 'sum.golang.org',
  GOTOOLCHAIN: 'local',
})

describe('parseGoEnv', () => {
  it('reads what go env -json prints', () => {
    expect(parseGoEnv(sample)).toEqual({
      goVersion: 'go1.26.8',
      hostOS: 'linux',
      hostArch: 'amd64',
      modCache: '/home/runner/go/pkg/mod',
      buildCache: '/home/runner/.cache/go-build',
      toolchain: 'local',
      fetch: {
        GOPROXY: 'https://proxy.golang.org,direct',
        GOPRIVATE: 'example.com/private',
        GONOPROXY: 'example.com/private',
        GONOSUMDB: 'example.com/private',
        GOSUMDB: 'sum.golang.org',
        GOFLAGS: '-mod=mod',
      },
    })
  })

  it('treats variables go omits as empty', () => {
    const env = parseGoEnv(JSON.stringify({ GOVERSION: 'go1.21.0', GOMODCACHE: '/m' }))
    expect(env.fetch.GOPRIVATE).toBe('')
    expect(env.toolchain).toBe('')
  })

  it.each([
    ['not JSON', 'go: unknown flag', /could not parse/],
    ['an array', '[]', /did not print an object/],
    ['no GOVERSION', JSON.stringify({ GOMODCACHE: '/m' }), /no GOVERSION/],
    ['no GOMODCACHE', JSON.stringify({ GOVERSION: 'go1.26.8' }), /no GOMODCACHE/],
    ['a non-string', JSON.stringify({ GOVERSION: 'go1.26.8', GOMODCACHE: '/m', GOFLAGS: 3 }), /non-string GOFLAGS/],
  ])('rejects %s', (_name, input, error) => {
    expect(() => parseGoEnv(input)).toThrow(error)
  })
})

describe('readGoEnv', () => {
  it('asks go for exactly the variables it parses, in the given directory', async () => {
    const calls: unknown[] = []
    const run: CommandRunner = async (command, args, options) => {
      calls.push([command, args, options])
      return { exitCode: 0, stdout: sample, stderr: '' }
    }
    await readGoEnv(run, '/work')
    expect(calls).toEqual([
      [
        'go',
        [
          'env',
          '-json',
          'GOVERSION',
          'GOHOSTOS',
          'GOHOSTARCH',
          'GOMODCACHE',
          'GOCACHE',
          'GOFLAGS',
          'GOPROXY',
          'GOPRIVATE',
          'GONOPROXY',
          'GONOSUMDB',
          'GOSUMDB',
          'GOTOOLCHAIN',
        ],
        { cwd: '/work' },
      ],
    ])
  })

  it('says to add actions/setup-go when go is missing', async () => {
    const run: CommandRunner = async () => {
      throw Object.assign(new Error('Unable to locate executable file: go'), {})
    }
    await expect(readGoEnv(run, '/work')).rejects.toThrow(GoNotFoundError)
    await expect(readGoEnv(run, '/work')).rejects.toThrow(/actions\/setup-go/)
  })

  it('reports go env failures with go’s own message', async () => {
    const run: CommandRunner = async () => ({ exitCode: 1, stdout: '', stderr: 'go: parsing $GOFLAGS: non-flag "bogus"\n' })
    await expect(readGoEnv(run, '/work')).rejects.toThrow(/parsing \$GOFLAGS: non-flag "bogus"/)
  })
})
