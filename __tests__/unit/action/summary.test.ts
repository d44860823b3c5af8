import { formatBytes, renderSummary } from '../../../src/action/summary.ts'
import type { ModCacheRestoreReport } from '../../../src/modcache/restore.ts'

const restore: ModCacheRestoreReport = {
  key: 'go-cache-setup-modcache-v1-linux-amd64-go1.26.8-s1-abc',
  restoreKeys: ['go-cache-setup-modcache-v1-linux-amd64-go1.26.8-s1-'],
  path: '/m/cache/download',
  dependencyFiles: ['go.sum'],
  matchedKey: 'go-cache-setup-modcache-v1-linux-amd64-go1.26.8-s1-old',
  restoreAllowed: true,
  files: 60,
  bytes: 4_400_000,
  fingerprint: 'f',
  restoreMs: 1234,
}

describe('renderSummary', () => {
  it('renders a fallback restore and a save', () => {
    expect(
      renderSummary({
        goVersion: 'go1.26.8',
        modCache: { restore, save: { saved: true, files: 64, bytes: 4_600_000, saveMs: 800 } },
        problems: [],
      }),
    ).toBe(
      [
        '## go-cache-setup',
        '',
        'Go go1.26.8',
        '',
        '### Module cache (GOMODCACHE)',
        '',
        '| | |',
        '| --- | --- |',
        '| Key | `go-cache-setup-modcache-v1-linux-amd64-go1.26.8-s1-abc` |',
        '| Restore | restored from a fallback key |',
        '| Matched key | `go-cache-setup-modcache-v1-linux-amd64-go1.26.8-s1-old` |',
        '| Modules after restore | 60 files, 4.2 MiB, in 1.2 s |',
        '| Modules at end of job | 64 files, 4.4 MiB |',
        '| Save | saved in 800 ms |',
        '',
      ].join('\n'),
    )
  })

  it('says why nothing was saved, and lists problems', () => {
    const text = renderSummary({
      goVersion: 'go1.26.8',
      modCache: {
        restore: { ...restore, matchedKey: restore.key },
        save: { saved: false, reason: 'exact hit on the primary key; entries are immutable', files: 60, bytes: 4_400_000, saveMs: 1 },
      },
      problems: ['Module cache save failed: boom'],
    })
    expect(text).toContain('| Restore | exact hit |\n')
    expect(text).toContain('| Save | not saved: exact hit on the primary key; entries are immutable |\n')
    expect(text.endsWith('### Problems\n\n- Module cache save failed: boom\n')).toBe(true)
  })

  it('renders a skipped restore and an off module cache', () => {
    const skipped = renderSummary({
      goVersion: 'go1.26.8',
      modCache: {
        restore: { ...restore, matchedKey: undefined, restoreAllowed: false, skipReason: 'ACTIONS_CACHE_MODE=none forbids cache reads' },
        save: { saved: false, reason: 'ACTIONS_CACHE_MODE=none forbids cache reads', files: 0, bytes: 0, saveMs: 0 },
      },
      problems: [],
    })
    expect(skipped).toContain('| Restore | skipped (ACTIONS_CACHE_MODE=none forbids cache reads) |')
    expect(skipped).not.toContain('Matched key')
    expect(renderSummary({ goVersion: 'go1.24.0', problems: [] })).toBe('## go-cache-setup\n\nGo go1.24.0\n\nModule cache: off.\n')
  })
})

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
  ])('%d', (bytes, text) => expect(formatBytes(bytes)).toBe(text))
})
