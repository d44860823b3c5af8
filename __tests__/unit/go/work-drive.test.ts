import { driveOf, goEnvFileNames, goEnvFilePath, planGoDirs } from '../../../src/go/work-drive.ts'

// A hosted Windows runner's variables: the profile on C:, the work folder on D:.
const hosted = {
  RUNNER_TEMP: 'D:\\a\\_temp',
  LOCALAPPDATA: 'C:\\Users\\runneradmin\\AppData\\Local',
  USERPROFILE: 'C:\\Users\\runneradmin',
  APPDATA: 'C:\\Users\\runneradmin\\AppData\\Roaming',
}
const none = new Set<string>()

describe('planGoDirs', () => {
  it('moves both caches to the work drive, beside the runner temp directory, on a hosted Windows runner', () => {
    expect(planGoDirs('win32', hosted, none)).toEqual({
      set: { GOCACHE: 'D:\\a\\_go\\build', GOMODCACHE: 'D:\\a\\_go\\mod' },
      reason: 'GOCACHE moves from C: to D:\\a\\_go\\build; GOMODCACHE moves from C: to D:\\a\\_go\\mod',
    })
  })

  it('moves nothing where the profile is on the work drive already (an image with one disk)', () => {
    const one = { ...hosted, RUNNER_TEMP: 'C:\\a\\_temp' }
    expect(planGoDirs('win32', one, none).set).toEqual({})
  })

  it('compares drives without regard to case', () => {
    expect(planGoDirs('win32', { ...hosted, RUNNER_TEMP: 'c:\\a\\_temp' }, none).set).toEqual({})
  })

  it.each([
    ['GOCACHE set in the environment', { GOCACHE: 'C:\\gc' }, none, { GOMODCACHE: 'D:\\a\\_go\\mod' }],
    ['GOMODCACHE set in the environment', { GOMODCACHE: 'C:\\m' }, none, { GOCACHE: 'D:\\a\\_go\\build' }],
    ['GOPATH set: GOMODCACHE is its pkg\\mod', { GOPATH: 'C:\\go' }, none, { GOCACHE: 'D:\\a\\_go\\build' }],
    ['GOCACHE set with go env -w', {}, new Set(['GOCACHE']), { GOMODCACHE: 'D:\\a\\_go\\mod' }],
    ['both set with go env -w', {}, new Set(['GOCACHE', 'GOPATH']), {}],
  ])('leaves what the user chose: %s', (_, extra, fileNames, set) => {
    expect(planGoDirs('win32', { ...hosted, ...extra }, fileNames).set).toEqual(set)
  })

  it('counts an empty variable as unset, as go does', () => {
    expect(planGoDirs('win32', { ...hosted, GOCACHE: '' }, none).set.GOCACHE).toBe('D:\\a\\_go\\build')
  })

  it.each([
    ['linux', { RUNNER_TEMP: '/home/runner/work/_temp', HOME: '/home/runner' }],
    ['darwin', { RUNNER_TEMP: '/Users/runner/work/_temp', HOME: '/Users/runner' }],
  ])('moves nothing on %s: one disk', (platform, env) => {
    expect(planGoDirs(platform, env, none)).toEqual({ set: {}, reason: 'not Windows' })
  })

  it('moves nothing when it cannot tell the drives', () => {
    expect(planGoDirs('win32', { ...hosted, RUNNER_TEMP: undefined }, none).set).toEqual({})
    expect(planGoDirs('win32', { ...hosted, RUNNER_TEMP: '\\\\server\\share\\_temp' }, none).set).toEqual({})
    expect(planGoDirs('win32', { RUNNER_TEMP: 'D:\\a\\_temp' }, none)).toEqual({
      set: {},
      reason: 'GOCACHE is on the work drive already; GOMODCACHE is on the work drive already',
    })
  })
})

describe('driveOf', () => {
  it.each([
    ['D:\\a\\_temp', 'D:'],
    ['c:/x', 'C:'],
    ['\\\\server\\share', ''],
    ['relative\\dir', ''],
    ['', ''],
  ])('%s is on %s', (p, drive) => {
    expect(driveOf(p)).toBe(drive)
  })
})

describe('the go env file', () => {
  it('is GOENV, none when GOENV=off, else %AppData%\\go\\env', () => {
    expect(goEnvFilePath({ GOENV: 'E:\\cfg\\goenv', APPDATA: 'C:\\x' })).toBe('E:\\cfg\\goenv')
    expect(goEnvFilePath({ GOENV: 'off', APPDATA: 'C:\\x' })).toBeUndefined()
    expect(goEnvFilePath({ APPDATA: 'C:\\Users\\r\\AppData\\Roaming' })).toBe('C:\\Users\\r\\AppData\\Roaming\\go\\env')
    expect(goEnvFilePath({})).toBeUndefined()
  })

  it('names what go env -w set, with values, in CRLF or LF', () => {
    expect([...goEnvFileNames('GOCACHE=E:\\gc\r\nGOPROXY=direct\n# note\nGOPATH=\nbad line\n')]).toEqual(['GOCACHE', 'GOPROXY'])
  })
})
