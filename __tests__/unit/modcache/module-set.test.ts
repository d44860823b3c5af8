import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { downloadCacheDir, snapshotModuleSet } from '../../../src/modcache/module-set.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'modset-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

async function put(rel: string, content: string): Promise<void> {
  await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
  await writeFile(path.join(dir, rel), content)
}

describe('snapshotModuleSet', () => {
  it('is empty for a missing directory', async () => {
    const set = await snapshotModuleSet(path.join(dir, 'absent'))
    expect(set.files).toBe(0)
    expect(set.bytes).toBe(0)
  })

  it('counts .mod, .info and .zip files only, and notices a new module', async () => {
    await put('github.com/a/b/@v/v1.0.0.mod', 'module b\n')
    await put('github.com/a/b/@v/v1.0.0.info', '{}')
    await put('github.com/a/b/@v/v1.0.0.zip', 'zipbytes')
    await put('github.com/a/b/@v/v1.0.0.lock', '')
    await put('github.com/a/b/@v/list', 'v1.0.0\n')
    await put('sumdb/sum.golang.org/tile/8/0/000', 'tile')
    const first = await snapshotModuleSet(dir)
    expect(first.files).toBe(3)
    expect(first.bytes).toBe('module b\n'.length + 2 + 'zipbytes'.length)

    await put('sumdb/sum.golang.org/tile/8/0/001', 'tile')
    await put('github.com/a/b/@v/v1.0.0.lock', 'x')
    expect((await snapshotModuleSet(dir)).fingerprint).toBe(first.fingerprint)

    await put('golang.org/x/c/@v/v0.1.0.mod', 'module c\n')
    expect((await snapshotModuleSet(dir)).fingerprint).not.toBe(first.fingerprint)
  })

  it('archives the download cache under GOMODCACHE', () => {
    expect(downloadCacheDir('/home/runner/go/pkg/mod')).toBe('/home/runner/go/pkg/mod/cache/download')
  })
})
