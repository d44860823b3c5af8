import { existsSync, statSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { isPipeName, isShortSocket, planEndpoint, SHORT_SOCKET_NAME, socketPathLimit } from '../../../src/daemon/endpoint.ts'
import { createEndpoint } from '../../../src/daemon/launch.ts'

const id = '0123456789abcdef'

describe('planEndpoint', () => {
  it('is a named pipe on Windows, one name per daemon, whatever the state directory', () => {
    const plan = planEndpoint({ platform: 'win32', stateDir: 'D:\\a\\_temp\\go-cache-setup', id })
    expect(plan).toEqual({ kind: 'pipe', path: '\\\\.\\pipe\\go-cache-setup-0123456789abcdef' })
    expect(planEndpoint({ platform: 'win32', stateDir: 'D:\\a\\_temp\\go-cache-setup', id: 'fedcba9876543210' })).not.toEqual(plan)
  })

  it('is a socket in the state directory while its path fits', () => {
    expect(planEndpoint({ platform: 'linux', stateDir: '/home/runner/work/_temp/go-cache-setup', id })).toEqual({
      kind: 'socket',
      path: '/home/runner/work/_temp/go-cache-setup/d-0123456789abcdef.sock',
    })
  })

  // sun_path: 108 bytes on Linux, 104 on macOS, each with its NUL.
  it.each([
    ['linux', 107, 'socket'],
    ['linux', 108, 'short-socket'],
    ['darwin', 103, 'socket'],
    ['darwin', 104, 'short-socket'],
  ])('on %s, a %i-byte socket path is a %s', (platform, length, kind) => {
    const name = `/d-${id}.sock`
    const stateDir = `/${'x'.repeat(length - name.length - 1)}`
    expect(Buffer.byteLength(stateDir + name)).toBe(length)
    expect(planEndpoint({ platform, stateDir, id }).kind).toBe(kind)
  })

  it('counts bytes, not characters', () => {
    const stateDir = `/${'é'.repeat(40)}` // 81 bytes, 41 characters
    expect(planEndpoint({ platform: 'darwin', stateDir, id }).kind).toBe('short-socket')
  })

  it('falls back to a private directory under /tmp, the same on every platform that has sockets', () => {
    expect(planEndpoint({ platform: 'linux', stateDir: '/x', id, limit: 5 })).toEqual({ kind: 'short-socket', dirPrefix: '/tmp/gcs-', name: 'd.sock' })
  })

  it('knows the limits', () => {
    expect([socketPathLimit('linux'), socketPathLimit('darwin'), socketPathLimit('freebsd')]).toEqual([107, 103, 103])
  })
})

describe('isPipeName', () => {
  it.each([
    ['\\\\.\\pipe\\go-cache-setup-1', true],
    ['\\\\?\\pipe\\x', true],
    ['\\\\.\\PIPE\\x', true],
    ['/tmp/d.sock', false],
    ['C:\\pipe\\x', false],
  ])('%s: %s', (endpoint, expected) => {
    expect(isPipeName(endpoint)).toBe(expected)
  })
})

describe('isShortSocket', () => {
  it.each([
    ['/tmp/gcs-a1B2c3/d.sock', true],
    // A socket someone named d.sock elsewhere: its directory is not ours to remove.
    ['/home/me/d.sock', false],
    ['/tmp/d.sock', false],
    ['/tmp/gcs-a1B2c3/other.sock', false],
    ['/var/tmp/gcs-a1B2c3/d.sock', false],
    ['/tmp/gcs-toolong1/d.sock', false],
  ])('%s: %s', (socket, expected) => {
    expect(isShortSocket(socket)).toBe(expected)
  })
})

describe('createEndpoint', () => {
  it('makes the fallback directory owner-only, and a fresh one each time, when the limit is exceeded', async () => {
    // macOS' limit forced on Linux: the fallback is the same code.
    const stateDir = `/tmp/${'r'.repeat(90)}`
    const a = createEndpoint(stateDir, 'linux', socketPathLimit('darwin'))
    const b = createEndpoint(stateDir, 'linux', socketPathLimit('darwin'))
    try {
      for (const socket of [a, b]) {
        expect(path.basename(socket)).toBe(SHORT_SOCKET_NAME)
        expect(isShortSocket(socket)).toBe(true)
        expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(socketPathLimit('darwin'))
        expect(statSync(path.dirname(socket)).mode & 0o777).toBe(0o700)
        expect(existsSync(socket)).toBe(false)
      }
      expect(path.dirname(a)).not.toBe(path.dirname(b))
    } finally {
      await rm(path.dirname(a), { recursive: true, force: true })
      await rm(path.dirname(b), { recursive: true, force: true })
    }
  })

  it('creates nothing when the path fits', () => {
    expect(createEndpoint('/tmp/short', 'linux')).toMatch(/^\/tmp\/short\/d-[0-9a-f]{16}\.sock$/)
  })
})
