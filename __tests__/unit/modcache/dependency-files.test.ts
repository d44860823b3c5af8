import { createHash } from 'node:crypto'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DEFAULT_DEPENDENCY_PATTERNS, findDependencyFiles, keyPath } from '../../../src/modcache/dependency-files.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'depfiles-'))
  const files: Record<string, string> = {
    'go.sum': 'root\n',
    'tools/go.sum': 'tools\n',
    'go.work.sum': 'work\n',
    'vendor/x/go.sum': 'vendored\n',
    'web/node_modules/pkg/go.sum': 'js\n',
    'examples/demo/go.sum': 'demo\n',
    'README.md': 'not a sum\n',
  }
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
    await writeFile(path.join(dir, name), content)
  }
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const expectedHash = (pairs: [string, string][]): string => {
  const h = createHash('sha256')
  for (const [file, content] of pairs) h.update(`${file}\0${createHash('sha256').update(content).digest('hex')}\n`)
  return h.digest('hex')
}

describe('findDependencyFiles', () => {
  it('finds every go.sum and go.work.sum, skipping vendor and node_modules, sorted', async () => {
    const found = await findDependencyFiles(dir, DEFAULT_DEPENDENCY_PATTERNS)
    expect(found.files).toEqual(['examples/demo/go.sum', 'go.sum', 'go.work.sum', 'tools/go.sum'])
    expect(found.hash).toBe(
      expectedHash([
        ['examples/demo/go.sum', 'demo\n'],
        ['go.sum', 'root\n'],
        ['go.work.sum', 'work\n'],
        ['tools/go.sum', 'tools\n'],
      ]),
    )
  })

  it('honours ! exclusions', async () => {
    const found = await findDependencyFiles(dir, ['**/go.sum', '!examples/**'])
    expect(found.files).toEqual(['go.sum', 'tools/go.sum'])
  })

  it('changes the hash when a file changes or moves', async () => {
    const before = (await findDependencyFiles(dir, ['**/go.sum'])).hash
    await writeFile(path.join(dir, 'tools/go.sum'), 'tools v2\n')
    const edited = (await findDependencyFiles(dir, ['**/go.sum'])).hash
    expect(edited).not.toBe(before)
    await mkdir(path.join(dir, 'tools2'))
    await writeFile(path.join(dir, 'tools2/go.sum'), 'tools v2\n')
    await rm(path.join(dir, 'tools/go.sum'))
    expect((await findDependencyFiles(dir, ['**/go.sum'])).hash).not.toBe(edited)
  })

  it('returns the nosum marker when nothing matches', async () => {
    expect(await findDependencyFiles(dir, ['nothing/**/go.sum'])).toEqual({ files: [], hash: 'nosum' })
  })

  it('ignores directories that match a pattern', async () => {
    await mkdir(path.join(dir, 'weird/go.sum'), { recursive: true })
    expect((await findDependencyFiles(dir, ['weird/*'])).files).toEqual([])
  })
})

describe('keyPath: a dependency file as the key names it', () => {
  it.each([
    ['/home/runner/work/app/app', '/home/runner/work/app/app/go.sum', path.posix, 'go.sum'],
    ['/home/runner/work/app/app', '/home/runner/work/app/app/tools/go.sum', path.posix, 'tools/go.sum'],
    // Windows: the same key text as on Linux.
    ['D:\\a\\app\\app', 'D:\\a\\app\\app\\tools\\go.sum', path.win32, 'tools/go.sum'],
    ['D:\\a\\app\\app', 'd:\\a\\app\\app\\go.sum', path.win32, 'go.sum'],
  ])('%s, %s: %s', (workspace, file, p, expected) => {
    expect(keyPath(workspace, file, p)).toBe(expected)
  })

  it.each([
    ['/w', '/other/go.sum', path.posix],
    ['/w/app', '/w/go.sum', path.posix],
    ['/w', '/w', path.posix],
    ['D:\\a\\app', 'E:\\go.sum', path.win32],
    ['D:\\a\\app', 'D:\\a\\go.sum', path.win32],
  ])('%s, %s: outside the workspace, not in the key', (workspace, file, p) => {
    expect(keyPath(workspace, file, p)).toBeUndefined()
  })
})
