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

  it('says what pruning removed, or why it did not prune', () => {
    const prune = { pruned: true, roots: ['go.mod'], versions: 3, files: 6, bytes: 3 * 1024 ** 2, fetched: 0 }
    const pruned = renderSummary({
      goVersion: 'go1.26.8',
      modCache: { restore, save: { saved: true, files: 64, bytes: 4_600_000, saveMs: 800, prune } },
      problems: [],
    })
    expect(pruned).toContain(
      '| Modules at end of job | 64 files, 4.4 MiB |\n| Pruned to the build list | 3 module versions, 3.0 MiB removed |\n| Save | saved in 800 ms |\n',
    )
    const kept = renderSummary({
      goVersion: 'go1.26.8',
      modCache: {
        restore,
        save: { saved: true, files: 64, bytes: 4_600_000, saveMs: 800, prune: { ...prune, pruned: false, reason: 'could not read the build list (x)' } },
      },
      problems: [],
    })
    expect(kept).toContain('| Pruned to the build list | no: could not read the build list (x) |\n')
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

describe('renderSummary: build cache', () => {
  const base = { goVersion: 'go1.26.8', problems: [] }

  it('renders the client figures and the trim', () => {
    const text = renderSummary({
      ...base,
      buildCache: {
        mode: 'client',
        report: {
          stats: {
            gets: 810,
            hits: 800,
            misses: 10,
            puts: 20,
            bytesIn: 2048,
            bytesOut: 3 * 1024 ** 2,
            putErrors: 1,
            readOnly: 0,
            busyMs: 1500,
            sessions: 4,
            usedEntries: 800,
            addedEntries: 20,
          },
          trim: { entriesRemoved: 3, bytesRemoved: 4096, storeBytes: 5 * 1024 ** 2 },
          daemonPeakRssBytes: 84 * 1024 ** 2,
        },
      },
    })
    expect(text).toBe(
      [
        '## go-cache-setup',
        '',
        'Go go1.26.8',
        '',
        '### Build cache (GOCACHEPROG)',
        '',
        '| | |',
        '| --- | --- |',
        '| go processes | 4 |',
        '| Gets | 810: 800 hits, 10 misses (hit ratio 98.8%) |',
        '| Puts | 20 (1 not stored) |',
        '| Bytes | 3.0 MiB served, 2.0 KiB stored |',
        '| Time inside the cache | 1.5 s (summed over requests) |',
        '| Cache daemon | peak memory 84.0 MiB |',
        '| Local store | 5.0 MiB after trim (3 entries, 4.0 KiB evicted) |',
        '',
        'Module cache: off.',
        '',
      ].join('\n'),
    )
  })

  const remoteStats = {
    gets: 300,
    hits: 1280,
    demandHits: 280,
    misses: 20,
    manifestEntries: 1100,
    prefetched: 1050,
    errors: 2,
    rejected: 1,
    skipped: 5,
    uploads: 18,
    uploadErrors: 1,
    unsent: 2,
    bytesDown: 40 * 1024 ** 2,
    bytesUp: 3 * 1024 ** 2,
    wireRequests: 412,
    wireReceived: 15 * 1024 ** 2,
    wireSent: 1024 ** 2,
    health: {
      read: { breaker: 'closed' as const, opened: 1, lostMs: 4200, budgetMs: 10_000, off: false },
      write: { breaker: 'open' as const, opened: 2, lostMs: 31_000, budgetMs: 30_000, off: true },
    },
    scopes: { read: ['trusted'], write: 'trusted' },
    firstErrors: ['GET /ac/0123456789ab…: no answer within 10000 ms', 'second'],
  }
  const clientStats = {
    gets: 310,
    hits: 290,
    misses: 20,
    puts: 20,
    bytesIn: 2048,
    bytesOut: 1024,
    putErrors: 0,
    readOnly: 0,
    busyMs: 800,
    sessions: 2,
    usedEntries: 290,
    addedEntries: 20,
  }

  it('renders the remote cache rows', () => {
    const text = renderSummary({
      ...base,
      buildCache: {
        mode: 'client',
        report: {
          stats: clientStats,
          remote: { settings: { url: 'https://cache.example.com/team', scopes: { read: ['trusted'], write: 'trusted' } }, stats: remoteStats },
        },
      },
    })
    expect(text).toContain(
      [
        '| Time inside the cache | 800 ms (summed over requests) |',
        '| Remote cache | `https://cache.example.com/team` |',
        '| Remote scopes | reads `trusted`; writes `trusted` |',
        '| Remote hits | 1280 entries go used came from the remote (280 on demand, 1000 prefetched); 40.0 MiB fetched |',
        '| Remote lookups | 300 local misses asked: 280 hits, 20 misses, 2 failed, 1 rejected (digest or format), 5 skipped (circuit open) |',
        "| Prefetch | 1050 entries fetched ahead from the 1100 in this job's last manifest |",
        '| Uploads | 18 entries, 3.0 MiB, 1 failed requests; 2 left unsent |',
        '| On the wire | 412 requests; 15.0 MiB received, 1.0 MiB sent |',
        "| Remote health | reads circuit opened 1 time, closed at the end, 4.2 s lost to failed requests; writes off for the rest of the job: 31.0 s lost to failed requests, past the job's budget of 30.0 s |",
        '| First remote error | GET /ac/0123456789ab…: no answer within 10000 ms |',
        '',
      ].join('\n'),
    )
  })

  it('renders a read-only remote without upload figures, and one whose daemon was gone', () => {
    const readOnly = renderSummary({
      ...base,
      buildCache: {
        mode: 'client',
        report: {
          stats: clientStats,
          remote: {
            settings: {
              url: 'http://127.0.0.1:8080',
              scopes: { read: ['trusted'], reason: 'pull requests are read-only on the remote; cache-write: true writes their own scope' },
            },
            stats: {
              ...remoteStats,
              hits: 280,
              manifestEntries: 0,
              prefetched: 0,
              errors: 0,
              rejected: 0,
              skipped: 0,
              health: {
                read: { breaker: 'closed', opened: 0, lostMs: 0, budgetMs: 10_000, off: false },
                write: { breaker: 'closed', opened: 0, lostMs: 0, budgetMs: 30_000, off: false },
              },
              firstErrors: [],
              scopes: { read: ['trusted'], reason: 'pull requests are read-only on the remote; cache-write: true writes their own scope' },
            },
          },
        },
      },
    })
    expect(readOnly).toContain(
      [
        '| Remote cache | `http://127.0.0.1:8080` |',
        '| Remote scopes | reads `trusted`; writes nothing (pull requests are read-only on the remote; cache-write: true writes their own scope) |',
        '| Remote hits | 280 entries go used came from the remote (280 on demand, 0 prefetched); 40.0 MiB fetched |',
        '| Remote lookups | 300 local misses asked: 280 hits, 20 misses |',
        '| On the wire |',
      ].join('\n'),
    )
    expect(readOnly).toContain('| Remote health | reads circuit never opened; writes circuit never opened |')
    expect(readOnly).not.toContain('| Uploads |')
    expect(readOnly).not.toContain('First remote error')
    const gone = renderSummary({
      ...base,
      buildCache: {
        mode: 'client',
        report: {
          stats: clientStats,
          remote: {
            settings: { url: 'http://127.0.0.1:8080', scopes: { read: ['ref:acme/app:refs/heads/x', 'trusted'], write: 'ref:acme/app:refs/heads/x' } },
          },
        },
      },
    })
    expect(gone).toContain(
      [
        '| Remote cache | `http://127.0.0.1:8080`: no figures (the daemon could not be reached) |',
        '| Remote scopes | reads `ref:acme/app:refs/heads/x`, then `trusted`; writes `ref:acme/app:refs/heads/x` |',
      ].join('\n'),
    )
  })

  it.each([
    [{ mode: 'off' } as const, 'Build cache: off.'],
    [{ mode: 'custom', command: 'depot gocache' } as const, 'Build cache: your own GOCACHEPROG client (`depot gocache`); it keeps its own figures.'],
  ])('renders %o', (buildCache, line) => {
    expect(renderSummary({ ...base, buildCache })).toContain(`\n${line}\n`)
  })

  it("renders native mode: go's own GOCACHE, counted per entry", () => {
    const stats = {
      gets: 12,
      hits: 10,
      misses: 2,
      puts: 2,
      bytesIn: 2048,
      bytesOut: 3 * 1024 ** 2,
      putErrors: 0,
      readOnly: 0,
      busyMs: 0,
      sessions: 0,
      usedEntries: 10,
      addedEntries: 2,
    }
    const text = renderSummary({ ...base, buildCache: { mode: 'native', dir: '/home/runner/.cache/go-build', stats } })
    expect(text).toContain(
      [
        "### Build cache (go's own GOCACHE, no GOCACHEPROG)",
        '',
        '| | |',
        '| --- | --- |',
        '| GOCACHE | `/home/runner/.cache/go-build` |',
        '| Entries used | 10 from the cache, 3.0 MiB (counted per entry, from mtimes) |',
        '| New entries | 2, 2.0 KiB |',
        '',
      ].join('\n'),
    )
  })

  it('renders the directory fallback', () => {
    const text = renderSummary({
      ...base,
      buildCache: {
        mode: 'directory',
        restore: {
          key: 'go-cache-setup-gocache-v1-linux-amd64-go1.23.12-7-1-build',
          path: '/g',
          matchedKey: 'go-cache-setup-gocache-v1-linux-amd64-go1.23.12-6-1-build',
          restoreAllowed: true,
        },
        save: { saved: false, reason: 'cache-write is false' },
      },
    })
    expect(text).toContain('| Restore | from `go-cache-setup-gocache-v1-linux-amd64-go1.23.12-6-1-build` |\n| Save | not saved: cache-write is false |')
  })
})

describe('renderSummary: build cache bundle', () => {
  const stats = {
    gets: 200,
    hits: 150,
    misses: 50,
    puts: 50,
    bytesIn: 1,
    bytesOut: 1,
    putErrors: 0,
    readOnly: 0,
    busyMs: 1,
    sessions: 2,
    usedEntries: 150,
    addedEntries: 50,
  }
  const restore = {
    key: 'go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-2-1',
    restoreKeys: ['go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-'],
    path: '/t/build-cache.bundle',
    available: true,
    outcome: 'hit' as const,
    matchedKey: 'go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-1-1',
    entries: 180,
    objects: 170,
    bytes: 30 * 1024 ** 2,
    archiveBytes: 6 * 1024 ** 2,
    restoreMs: 900,
    save: { maxBytes: 1, threshold: { kind: 'percent' as const, value: 5 } },
  }
  const section = (bundle: Parameters<typeof renderSummary>[0]['bundle']) =>
    renderSummary({ goVersion: 'go1.26.8', problems: [], bundle }).split('\n').slice(4, -3)

  it('shows entries and bytes restored, the hit ratio and the bytes saved', () => {
    expect(
      section({ restore, stats, save: { saved: true, entries: 200, objects: 190, rawBytes: 32 * 1024 ** 2, bytes: 7 * 1024 ** 2, saveMs: 1200 } }),
    ).toEqual([
      '### Build cache bundle (GitHub Actions cache)',
      '',
      '| | |',
      '| --- | --- |',
      '| Key | `go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-2-1` |',
      '| Restore | from `go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-1-1` |',
      '| Restored | 180 entries, 30.0 MiB (6.0 MiB compressed), in 900 ms |',
      '| Hit ratio | 75.0% (150 of 200 lookups; 50 new entries) |',
      '| Save | saved 200 entries, 32.0 MiB (7.0 MiB compressed), in 1.2 s |',
    ])
  })

  it('in native mode, counts entries, not lookups, and says the import came before go ran', () => {
    expect(
      section({
        restore: { ...restore, downloadMs: 350, importMs: 550 },
        stats: { ...stats, sessions: 0, busyMs: 0 },
        native: true,
        save: { saved: false, reason: 'r', entries: 0, objects: 0, rawBytes: 0, bytes: 0, saveMs: 0 },
      }),
    ).toEqual([
      '### Build cache bundle (GitHub Actions cache)',
      '',
      '| | |',
      '| --- | --- |',
      '| Key | `go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-2-1` |',
      '| Restore | from `go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-1-1` |',
      '| Restored | 180 entries, 30.0 MiB (6.0 MiB compressed), in 900 ms (download 350 ms, import 550 ms), before go ran |',
      '| Hit ratio | 75.0% (150 of the 200 entries the job used came from the cache) |',
      '| Save | not saved: r |',
    ])
  })

  it('names the base of a layer restored and of a layer saved', () => {
    const layered = { ...restore, baseKey: 'go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-0-1' }
    const save = {
      saved: true,
      entries: 20,
      objects: 19,
      rawBytes: 2 * 1024 ** 2,
      bytes: 1024 ** 2 / 2,
      saveMs: 300,
      baseKey: layered.baseKey,
      baseBytes: 30 * 1024 ** 2,
    }
    const rows = section({ restore: layered, stats, save })
    expect(rows[5]).toBe(
      '| Restore | from `go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-1-1`, a layer on `go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-0-1` |',
    )
    expect(rows.at(-1)).toBe(
      '| Save | saved 20 entries, 2.0 MiB (512.0 KiB compressed), in 300 ms, as a layer on `go-cache-setup-build-v3-linux-amd64-go1.26.8-main-test-m1-0-1` (30.0 MiB) |',
    )
  })

  it('says why nothing was restored or saved', () => {
    const none = { ...stats, gets: 0, hits: 0 }
    expect(
      section({
        restore: { ...restore, outcome: 'miss', matchedKey: undefined },
        stats: none,
        save: { saved: false, reason: 'untrusted event: x', entries: 0, objects: 0, rawBytes: 0, bytes: 0, saveMs: 0 },
      }).slice(5),
    ).toEqual(['| Restore | miss: the build started cold |', '| Hit ratio | — (0 of 0 lookups; 50 new entries) |', '| Save | not saved: untrusted event: x |'])
    expect(
      section({
        restore: { ...restore, outcome: 'skipped', reason: 'ACTIONS_CACHE_MODE=none forbids cache reads' },
        stats,
        save: { saved: false, reason: 'r', entries: 0, objects: 0, rawBytes: 0, bytes: 0, saveMs: 0 },
      })[5],
    ).toBe('| Restore | skipped: ACTIONS_CACHE_MODE=none forbids cache reads |')
    expect(
      section({
        restore: { ...restore, outcome: 'corrupt', reason: 'the bundle k is unreadable (bad); treated as a miss', entries: 3 },
        stats,
        save: { saved: false, reason: 'r', entries: 0, objects: 0, rawBytes: 0, bytes: 0, saveMs: 0 },
      }).slice(5, 7),
    ).toEqual(['| Restore | the bundle k is unreadable (bad); treated as a miss |', '| Restored | 3 entries, 30.0 MiB (6.0 MiB compressed), in 900 ms |'])
  })

  it('says when the daemon imported the bundle while go ran, and what go waited for', () => {
    const save = { saved: false, reason: 'r', entries: 0, objects: 0, rawBytes: 0, bytes: 0, saveMs: 0 }
    const background = { ...restore, importing: 'daemon' as const, restoreMs: 250 }
    expect(section({ restore: { ...background, importMs: 1400, waits: 12, waitMs: 830 }, stats, save })[6]).toBe(
      '| Restored | 180 entries, 30.0 MiB (6.0 MiB compressed), downloaded in 250 ms, imported while go ran in 1.4 s; 12 lookups waited for entries still arriving (830 ms summed) |',
    )
    // The daemon died before post asked: only what the main step knew.
    expect(section({ restore: background, stats, save })[6]).toBe(
      '| Restored | 6.0 MiB compressed, downloaded in 250 ms; imported while go ran, by the daemon, whose figures were lost |',
    )
  })
})

describe('renderSummary: test results', () => {
  const section = (report: Parameters<typeof renderSummary>[0]) => renderSummary(report).split('\n').slice(4, -3)
  const mtimes = { status: 'done' as const, files: 1200, dirs: 80, skipped: 2, failed: 0, ms: 95 }

  it('says what was done to the mtimes and how many results came from the cache', () => {
    expect(section({ goVersion: 'go1.26.8', problems: [], mtimes, testResultsCached: 14 })).toEqual([
      '### Test results (go test)',
      '',
      '| | |',
      '| --- | --- |',
      '| Workspace mtimes | canonical for 1200 files and 80 directories, in 95 ms; 2 changed or special files keep theirs |',
      '| Served from the cache | 14 test results (`(cached)`) |',
    ])
  })

  it('says why the mtimes were left alone, and leaves out the count when the client did not report', () => {
    expect(section({ goVersion: 'go1.26.8', problems: [], mtimes: { ...mtimes, status: 'off', files: 0, dirs: 0, skipped: 0 } })).toEqual([
      '### Test results (go test)',
      '',
      '| | |',
      '| --- | --- |',
      '| Workspace mtimes | left as they are (`test-cache: false`) |',
    ])
    expect(
      section({
        goVersion: 'go1.26.8',
        problems: [],
        mtimes: { ...mtimes, status: 'not-git', reason: '/w is not in a git work tree' },
        testResultsCached: 1,
      }).slice(4),
    ).toEqual(['| Workspace mtimes | left as they are: /w is not in a git work tree |', '| Served from the cache | 1 test result (`(cached)`) |'])
  })
})
