import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { escapeModulePath, extractedModules, moduleRoots, parseBuildList, planPrune, pruneModCache, type GoLister } from '../../../src/modcache/prune.ts'

const f = (p: string, size = 1) => ({ path: p, size })

describe('planPrune', () => {
  const files = [
    // Selected: everything stays.
    f('github.com/!burnt!sushi/toml/@v/v1.4.0.info'),
    f('github.com/!burnt!sushi/toml/@v/v1.4.0.mod'),
    f('github.com/!burnt!sushi/toml/@v/v1.4.0.zip', 100),
    f('github.com/!burnt!sushi/toml/@v/v1.4.0.ziphash'),
    f('github.com/!burnt!sushi/toml/@v/list'),
    // An old version of it: the zip goes, the go.mod stays for the module graph.
    f('github.com/!burnt!sushi/toml/@v/v1.3.2.info'),
    f('github.com/!burnt!sushi/toml/@v/v1.3.2.mod'),
    f('github.com/!burnt!sushi/toml/@v/v1.3.2.zip', 90),
    f('github.com/!burnt!sushi/toml/@v/v1.3.2.ziphash', 2),
    f('github.com/!burnt!sushi/toml/@v/v1.3.2.lock', 0),
    // Only in the graph, never downloaded whole.
    f('golang.org/x/text/@v/v0.3.0.mod'),
    // A module no longer required at all, with an interrupted download.
    f('example.com/gone/@v/v0.1.0.mod'),
    f('example.com/gone/@v/v0.1.0.zip', 50),
    f('example.com/gone/@v/v0.1.0.partial', 7),
    // A lone lock file.
    f('example.com/gone/@v/v0.2.0.lock', 0),
    // A tool the job ran with `go run tool@v`: extracted, so used.
    f('golang.org/x/tools/@v/v0.30.0.mod'),
    f('golang.org/x/tools/@v/v0.30.0.zip', 30),
    // Replaced by another module version.
    f('example.com/fork/@v/v1.0.1.zip', 10),
    f('example.com/orig/@v/v1.0.0.mod'),
    // Checksum tiles.
    f('sumdb/sum.golang.org/latest'),
    f('sumdb/sum.golang.org/tile/8/0/001'),
    // Not shaped like a module file: left alone.
    f('odd/file.zip', 5),
  ]
  const buildList = [
    { path: 'github.com/BurntSushi/toml', version: 'v1.4.0' },
    { path: 'golang.org/x/text', version: 'v0.3.0' },
    { path: 'example.com/orig', version: 'v1.0.0' },
    { path: 'example.com/fork', version: 'v1.0.1' },
  ]

  it('removes the zips of versions outside the build list and not extracted, and sumdb', () => {
    expect(planPrune({ files, buildList, extracted: ['golang.org/x/tools@v0.30.0'] })).toEqual({
      remove: [
        'example.com/gone/@v/v0.1.0.partial',
        'example.com/gone/@v/v0.1.0.zip',
        'example.com/gone/@v/v0.2.0.lock',
        'github.com/!burnt!sushi/toml/@v/v1.3.2.lock',
        'github.com/!burnt!sushi/toml/@v/v1.3.2.zip',
        'github.com/!burnt!sushi/toml/@v/v1.3.2.ziphash',
      ],
      removeDirs: ['sumdb'],
      prunedVersions: ['example.com/gone@v0.1.0', 'github.com/!burnt!sushi/toml@v1.3.2'],
      bytes: 0 + 7 + 50 + 0 + 90 + 2,
    })
  })

  it('removes the tool too when it was not extracted in this job', () => {
    const plan = planPrune({ files, buildList, extracted: [] })
    expect(plan.prunedVersions).toEqual(['example.com/gone@v0.1.0', 'github.com/!burnt!sushi/toml@v1.3.2', 'golang.org/x/tools@v0.30.0'])
    expect(plan.remove).toContain('golang.org/x/tools/@v/v0.30.0.zip')
    expect(plan.remove).not.toContain('golang.org/x/tools/@v/v0.30.0.mod')
  })

  it('removes nothing when every version is needed', () => {
    const needed = [f('a.com/b/@v/v1.0.0.mod'), f('a.com/b/@v/v1.0.0.zip'), f('a.com/b/@v/v1.0.0.ziphash'), f('a.com/b/@v/list')]
    expect(planPrune({ files: needed, buildList: [{ path: 'a.com/b', version: 'v1.0.0' }], extracted: [] })).toEqual({
      remove: [],
      removeDirs: [],
      prunedVersions: [],
      bytes: 0,
    })
  })

  it('matches versions with upper case and +incompatible', () => {
    const plan = planPrune({
      files: [f('github.com/!a/b/@v/v2.0.0+incompatible.zip'), f('github.com/!a/b/@v/v0.0.0-2020-!x.zip')],
      buildList: [
        { path: 'github.com/A/b', version: 'v2.0.0+incompatible' },
        { path: 'github.com/A/b', version: 'v0.0.0-2020-X' },
      ],
      extracted: [],
    })
    expect(plan.remove).toEqual([])
  })
})

describe('escapeModulePath', () => {
  it.each([
    ['github.com/BurntSushi/toml', 'github.com/!burnt!sushi/toml'],
    ['golang.org/x/mod', 'golang.org/x/mod'],
    ['github.com/Azure/AZURE', 'github.com/!azure/!a!z!u!r!e'],
  ])('%s', (input, escaped) => expect(escapeModulePath(input)).toBe(escaped))
})

describe('parseBuildList', () => {
  it('reads path@version lines, replacements, and skips main modules and directory replacements', () => {
    const stdout = ['example.com/main@', 'github.com/a/b@v1.0.0', 'github.com/c/d@v1.2.0 github.com/fork/d@v1.2.1', 'github.com/e/f@v0.1.0 ../local@', ''].join(
      '\n',
    )
    expect(parseBuildList(stdout)).toEqual([
      { path: 'github.com/a/b', version: 'v1.0.0' },
      { path: 'github.com/c/d', version: 'v1.2.0' },
      { path: 'github.com/fork/d', version: 'v1.2.1' },
      { path: 'github.com/e/f', version: 'v0.1.0' },
    ])
  })
})

describe('on disk', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'modcache-prune-unit-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))
  const put = async (rel: string, content = 'x') => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), content)
  }

  it('finds the extracted module trees, not descending into them or into cache/', async () => {
    await put('mod/github.com/!a/b@v1.0.0/go.mod')
    await put('mod/github.com/!a/b@v1.0.0/sub/c@v2/x.go')
    await put('mod/golang.org/toolchain@v0.0.1-go1.27.3.linux-amd64/bin/go')
    await put('mod/cache/download/x.com/y/@v/v1.0.0.zip')
    await put('mod/cache/vcs/abc@def/file')
    expect(await extractedModules(path.join(dir, 'mod'))).toEqual(['github.com/!a/b@v1.0.0', 'golang.org/toolchain@v0.0.1-go1.27.3.linux-amd64'])
    expect(await extractedModules(path.join(dir, 'absent'))).toEqual([])
  })

  it('takes the go.mod and go.work next to each dependency file as module roots', async () => {
    await put('ws/go.mod')
    await put('ws/go.sum')
    await put('ws/go.work')
    await put('ws/go.work.sum')
    await put('ws/tools/go.mod')
    await put('ws/tools/go.sum')
    await put('ws/stray/go.sum')
    expect(await moduleRoots(path.join(dir, 'ws'), ['go.sum', 'go.work.sum', 'stray/go.sum', 'tools/go.sum'])).toEqual(['go.mod', 'go.work', 'tools/go.mod'])
  })

  it('deletes nothing when go cannot list the build list', async () => {
    await put('ws/go.mod', 'module x\n')
    await put('ws/go.sum', '')
    await put('mod/cache/download/a.com/b/@v/v1.0.0.zip')
    const failing: GoLister = async () => {
      throw new Error('go: a.com/b@v1.0.0: module lookup disabled by GOPROXY=off')
    }
    const logged: string[] = []
    const report = await pruneModCache({
      log: { info: (m) => logged.push(m), warning: (m) => logged.push(m), debug: () => {} },
      modCache: path.join(dir, 'mod'),
      workspace: path.join(dir, 'ws'),
      dependencyFiles: ['go.sum'],
      env: {},
      go: failing,
    })
    expect(report).toMatchObject({ pruned: false, roots: ['go.mod'], versions: 0 })
    expect(logged).toEqual(['Module cache not pruned: could not read the build list (go: a.com/b@v1.0.0: module lookup disabled by GOPROXY=off)'])
    expect(await extractedModules(path.join(dir, 'mod'))).toEqual([])
    await expect(writeFile(path.join(dir, 'mod/cache/download/a.com/b/@v/v1.0.0.zip'), 'x', { flag: 'r+' })).resolves.toBeUndefined()
  })

  it('passes go GOPROXY=off, our GOMODCACHE and GOFLAGS without -mod', async () => {
    await put('ws/go.mod', 'module x\n')
    await put('ws/go.sum', '')
    const calls: { args: string[]; cwd: string; env: Record<string, string | undefined> }[] = []
    const go: GoLister = async (args, o) => {
      calls.push({ args, ...o })
      return 'x@\n'
    }
    await pruneModCache({
      log: { info: () => {}, warning: () => {}, debug: () => {} },
      modCache: path.join(dir, 'mod'),
      workspace: path.join(dir, 'ws'),
      dependencyFiles: ['go.sum'],
      env: { GOFLAGS: '-mod=mod -modcacherw', GOPROXY: 'https://proxy.golang.org', HOME: '/h' },
      go,
    })
    expect(calls).toEqual([
      {
        args: ['list', '-mod=readonly', '-m', '-f', '{{.Path}}@{{.Version}}{{with .Replace}} {{.Path}}@{{.Version}}{{end}}', 'all'],
        cwd: path.join(dir, 'ws'),
        env: { GOFLAGS: '-modcacherw', GOPROXY: 'off', HOME: '/h', GOMODCACHE: path.join(dir, 'mod') },
      },
    ])
  })
})
