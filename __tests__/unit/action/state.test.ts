import { loadState, saveState, type SavedState } from '../../../src/action/state.ts'

function memoryStore(): { saveState(n: string, v: string): void; getState(n: string): string; raw: Map<string, string> } {
  const raw = new Map<string, string>()
  return { raw, saveState: (n, v) => void raw.set(n, v), getState: (n) => raw.get(n) ?? '' }
}

const state: SavedState = {
  version: 1,
  goVersion: 'go1.26.8',
  write: { allowed: false, reason: 'cache-write is false' },
  modCache: {
    key: 'k',
    restoreKeys: ['k-'],
    path: '/m/cache/download',
    dependencyFiles: ['go.sum'],
    matchedKey: 'k-old',
    restoreAllowed: true,
    files: 3,
    bytes: 10,
    fingerprint: 'ab',
    restoreMs: 5,
  },
  wiring: {
    autoConfigure: false,
    source: 'environment',
    pants: { address: 'grpc://127.0.0.1:9092', write: false, file: '/t/go-cache-setup/pants-remote-cache.toml', registered: false },
  },
}

describe('state', () => {
  it('round-trips', () => {
    const store = memoryStore()
    saveState(store, state)
    expect(loadState(store)).toEqual(state)
  })

  it('round-trips the bundle restore', () => {
    const store = memoryStore()
    const withBundle: SavedState = {
      ...state,
      bundle: {
        key: 'b',
        restoreKeys: ['b-'],
        path: '/t/build-cache.bundle',
        available: true,
        outcome: 'miss',
        entries: 0,
        objects: 0,
        bytes: 0,
        archiveBytes: 0,
        restoreMs: 3,
        save: { maxBytes: 1024, threshold: { kind: 'count', value: 2 } },
      },
    }
    saveState(store, withBundle)
    expect(loadState(store)).toEqual(withBundle)
  })

  it.each<[string, NonNullable<SavedState['buildCache']>]>([
    ['off', { mode: 'off' }],
    ['custom', { mode: 'custom', command: 'depot gocache' }],
    ['directory', { mode: 'directory', restore: { key: 'g', path: '/home/runner/.cache/go-build', matchedKey: 'g-1', restoreAllowed: true } }],
    [
      'client',
      {
        mode: 'client',
        store: '/t/store',
        socket: '/t/d.sock',
        command: 'node /c/index.js serve',
        daemonStarted: true,
        logFile: '/t/daemon.log',
        owner: 'kit',
        remote: { url: 'https://cache.example.com', scopes: { read: ['pr:acme/app#3', 'trusted'], write: 'pr:acme/app#3' } },
      },
    ],
  ])('round-trips the %s build cache', (_mode, buildCache) => {
    const store = memoryStore()
    saveState(store, { ...state, buildCache })
    expect(loadState(store)).toEqual({ ...state, buildCache })
  })

  it('is undefined when main saved nothing', () => {
    expect(loadState(memoryStore())).toBeUndefined()
  })

  it.each([
    ['{"version":2}'],
    ['{"version":1,"goVersion":"go1.26.8"}'],
    ['{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"modCache":{"key":1}}'],
    ['{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"wiring":{"autoConfigure":true,"source":"somewhere"}}'],
    ['{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"wiring":{"autoConfigure":true,"source":"input","pants":{"address":1}}}'],
    ['{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"bundle":{"key":"b","path":"/f","available":true,"outcome":"hit","save":{"maxBytes":1}}}'],
    [
      '{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"bundle":{"key":"b","path":"/f","available":true,"outcome":"maybe","save":{"maxBytes":1,"threshold":{"kind":"count","value":1}}}}',
    ],
    [
      '{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"buildCache":{"mode":"client","store":"/s","socket":"/d","command":"c","daemonStarted":"yes","logFile":""}}',
    ],
    ['{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"buildCache":{"mode":"remote"}}'],
    [
      '{"version":1,"goVersion":"go1.26.8","write":{"allowed":true},"modCache":{"key":"k","restoreKeys":[],"path":"/m","dependencyFiles":[],"restoreAllowed":true,"files":-1,"bytes":0,"fingerprint":"f","restoreMs":0}}',
    ],
  ])('rejects %s', (raw) => {
    const store = memoryStore()
    store.saveState('go-cache-setup', raw)
    expect(() => loadState(store)).toThrow('not in the expected form')
  })
})
