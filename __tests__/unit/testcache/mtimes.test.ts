import { BASE_SECONDS, canonicalSeconds, parseLsFiles, parsePathList, planMtimes, SPAN_SECONDS, type TrackedFile } from '../../../src/testcache/mtimes.ts'

const blob = (n: number) => n.toString(16).padStart(40, '0')
const file = (path: string, n: number, mode = '100644'): TrackedFile => ({ mode, blob: blob(n), path })

describe('parseLsFiles', () => {
  it('reads mode, blob and path, paths with tabs and newlines included, and leaves conflicts out', () => {
    const out = `100644 ${blob(1)} 0\ta.go\x00100755 ${blob(2)} 0\tdir/run me.sh\x00120000 ${blob(3)} 0\tlink\x00100644 ${blob(4)} 0\tweird\tname\nx\x00100644 ${blob(5)} 2\tconflict.go\x00`
    expect(parseLsFiles(out)).toEqual([
      { mode: '100644', blob: blob(1), path: 'a.go' },
      { mode: '100755', blob: blob(2), path: 'dir/run me.sh' },
      { mode: '120000', blob: blob(3), path: 'link' },
      { mode: '100644', blob: blob(4), path: 'weird\tname\nx' },
    ])
  })

  it('takes sha256 object IDs, and refuses what git does not print', () => {
    expect(parseLsFiles(`100644 ${'a'.repeat(64)} 0\tx\0`)).toEqual([{ mode: '100644', blob: 'a'.repeat(64), path: 'x' }])
    expect(() => parseLsFiles('100644 xyz 0\tx\0')).toThrow('unexpected git ls-files line')
  })
})

describe('canonicalSeconds', () => {
  it('is a fixed function of the hash: in 2001, whole microseconds, generated files one span later', () => {
    const s = canonicalSeconds(blob(1), false)
    expect(canonicalSeconds(blob(1), false)).toBe(s)
    expect(s).toBeGreaterThanOrEqual(BASE_SECONDS)
    expect(s).toBeLessThan(BASE_SECONDS + SPAN_SECONDS)
    // The scheme is a contract: a change gives every file of every user a new mtime, and every test result misses once.
    expect(s).toBe(979_012_626.44007)
    const g = canonicalSeconds(blob(1), true)
    expect(g - s).toBeCloseTo(SPAN_SECONDS, 6)
    // Every generated file is newer than every source: the spans do not overlap.
    expect(canonicalSeconds(blob(2), true)).toBeGreaterThanOrEqual(BASE_SECONDS + SPAN_SECONDS)
  })

  it('differs for different content: 2,000 blobs, 2,000 distinct mtimes', () => {
    const seen = new Set(Array.from({ length: 2000 }, (_, i) => canonicalSeconds(blob(i), false)))
    expect(seen.size).toBe(2000)
  })
})

describe('planMtimes', () => {
  const files = [
    file('go.mod', 1),
    file('pkg/a.go', 2),
    file('pkg/testdata/in.txt', 3),
    file('pkg/zz_gen.go', 4),
    file('tools/run.sh', 5, '100755'),
    file('link', 6, '120000'),
    file('sub', 7, '160000'),
  ]

  it('sets every tracked regular file and symlink, leaves submodules, and gives directories a hash of what they hold', () => {
    const plan = planMtimes(files, new Set(), new Set(['pkg/zz_gen.go']))
    expect(plan.files.map((f) => [f.path, f.symlink])).toEqual([
      ['go.mod', false],
      ['pkg/a.go', false],
      ['pkg/testdata/in.txt', false],
      ['pkg/zz_gen.go', false],
      ['tools/run.sh', false],
      ['link', true],
    ])
    expect(plan.files.find((f) => f.path === 'pkg/zz_gen.go')!.seconds).toBe(canonicalSeconds(blob(4), true))
    expect(plan.files.find((f) => f.path === 'pkg/a.go')!.seconds).toBe(canonicalSeconds(blob(2), false))
    expect(plan.skipped).toBe(1)
    // The root holds a submodule, so it keeps its real mtime; the others are set, deepest first.
    expect(plan.dirs.map((d) => d.path)).toEqual(['pkg/testdata', 'pkg', 'tools'])
  })

  it('changes a directory mtime when an entry is added, removed or changed, below it too, and not otherwise', () => {
    const dirOf = (list: TrackedFile[], dir: string) => planMtimes(list, new Set(), new Set()).dirs.find((d) => d.path === dir)!.seconds
    const base = dirOf(files, 'pkg')
    expect(dirOf([...files], 'pkg')).toBe(base)
    expect(dirOf([...files, file('pkg/b.go', 8)], 'pkg')).not.toBe(base)
    expect(
      dirOf(
        files.filter((f) => f.path !== 'pkg/a.go'),
        'pkg',
      ),
    ).not.toBe(base)
    expect(
      dirOf(
        files.map((f) => (f.path === 'pkg/a.go' ? file('pkg/a.go', 9) : f)),
        'pkg',
      ),
    ).not.toBe(base)
    // A change in a subdirectory changes the subdirectory's mtime, which pkg lists.
    expect(dirOf([...files, file('pkg/testdata/more.txt', 10)], 'pkg')).not.toBe(base)
    // A mode change (chmod +x) too.
    expect(
      dirOf(
        files.map((f) => (f.path === 'pkg/a.go' ? file('pkg/a.go', 2, '100755') : f)),
        'pkg',
      ),
    ).not.toBe(base)
  })

  it('leaves files an earlier step changed, and their directories, with real mtimes', () => {
    const plan = planMtimes(files, new Set(['pkg/testdata/in.txt']), new Set())
    expect(plan.files.map((f) => f.path)).not.toContain('pkg/testdata/in.txt')
    expect(plan.dirs.map((d) => d.path)).not.toContain('pkg/testdata')
    expect(plan.dirs.map((d) => d.path)).toContain('pkg')
    expect(plan.skipped).toBe(2)
  })

  it('reads git -z path lists', () => {
    expect([...parsePathList('a\x00b c\x00\x00')]).toEqual(['a', 'b c'])
  })
})
