/**
 * The build-ID check against real Go output: a real `go build` into a fresh
 * GOCACHE, whose entries are walked in Go's own layout, and `go list -export`,
 * whose BuildID is buildid.ReadFile of the cached archive.
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { archiveBuildId, BUILD_ID_HEAD_BYTES, checkObjectForAction, hashToString } from '../../../src/store/build-id.ts'
import { parseEntryText } from '../../../src/store/go-cache-dir.ts'

const execFileP = promisify(execFile)

interface CacheEntry {
  actionId: string
  outputId: string
  head: Buffer
}

let root: string
let gocache: string
let moduleDir: string
let entries: CacheEntry[]

/** go with a private GOCACHE and nothing from the caller's go configuration (no GOCACHEPROG, no go.env file, offline). */
function goEnv(cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GOCACHE: cache, GOENV: 'off', GOFLAGS: '', GOTOOLCHAIN: 'local', GOPROXY: 'off' }
  delete env.GOCACHEPROG
  return env
}

async function go(args: string[]): Promise<string> {
  const { stdout } = await execFileP('go', args, { cwd: moduleDir, env: goEnv(gocache) })
  return stdout
}

async function readHead(file: string): Promise<Buffer> {
  const f = await open(file, 'r')
  try {
    const buf = Buffer.alloc(BUILD_ID_HEAD_BYTES)
    const { bytesRead } = await f.read(buf, 0, buf.length, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await f.close()
  }
}

/** Every entry of a GOCACHE directory: <xx>/<actionID>-a index files naming <xx>/<outputID>-d objects (cmd/go/internal/cache). */
async function walkCache(dir: string): Promise<CacheEntry[]> {
  const out: CacheEntry[] = []
  for (const sub of await readdir(dir)) {
    if (!/^[0-9a-f]{2}$/.test(sub)) continue
    for (const name of await readdir(path.join(dir, sub))) {
      const m = /^([0-9a-f]{64})-a$/.exec(name)
      if (!m) continue
      const entry = parseEntryText(await readFile(path.join(dir, sub, name), 'utf8'), m[1]!)
      if (!entry) throw new Error(`unparsable entry ${name}`)
      const object = path.join(dir, entry.outputId.slice(0, 2), `${entry.outputId}-d`)
      out.push({ actionId: entry.actionId, outputId: entry.outputId, head: await readHead(object) })
    }
  }
  return out
}

const isArchive = (e: CacheEntry) => archiveBuildId(e.head) !== undefined

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'build-id-integ-'))
  gocache = path.join(root, 'gocache')
  moduleDir = path.join(root, 'm')
  // Three library packages, no imports outside the module: go compiles just these (no runtime, no std), in well under a second.
  const files: Record<string, string> = {
    'go.mod': 'module example.com/m\n\ngo 1.24\n',
    'a/a.go': 'package a\n\nfunc A() int { return 1 }\n',
    'b/b.go': 'package b\n\nimport "example.com/m/a"\n\nfunc B() int { return a.A() + 1 }\n',
    'c/c.go': 'package c\n\nimport (\n\t"example.com/m/a"\n\t"example.com/m/b"\n)\n\nfunc C() int { return a.A() + b.B() }\n',
  }
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(moduleDir, rel)), { recursive: true })
    await writeFile(path.join(moduleDir, rel), text)
  }
  await go(['build', './...'])
  entries = await walkCache(gocache)
}, 60_000)

afterAll(() => rm(root, { recursive: true, force: true }))

describe('build IDs in a real GOCACHE', () => {
  it('passes every archive go stored: each names the action it is stored under, and objects that are not archives pass', () => {
    const archives = entries.filter(isArchive)
    expect(archives.length).toBe(3) // one per package compile (buildid.go updateBuildID: c.Put(a.actionID, …))
    for (const e of archives) expect([e.actionId, checkObjectForAction(e.actionId, e.head)]).toEqual([e.actionId, { ok: true }])
    // The compile's stdout and srcfiles entries (Subkey(actionID, …)) carry no build ID.
    const others = entries.filter((e) => !isArchive(e))
    expect(others.length).toBeGreaterThan(0)
    for (const e of others) expect(checkObjectForAction(e.actionId, e.head)).toEqual({ ok: true })
    expect(others.some((e) => e.head.toString().startsWith('./'))).toBe(true) // a srcfiles list
  })

  it("fails both entries when two archives' objects are swapped", () => {
    const [x, y] = entries.filter(isArchive) as [CacheEntry, CacheEntry]
    const xUnderY = checkObjectForAction(y.actionId, x.head)
    const yUnderX = checkObjectForAction(x.actionId, y.head)
    expect(xUnderY.ok).toBe(false)
    expect(yUnderX.ok).toBe(false)
    if (!xUnderY.ok) expect(xUnderY.reason).toContain(hashToString(y.actionId))
    if (!xUnderY.ok) expect(xUnderY.reason).toContain(archiveBuildId(x.head)!)
  })

  it('reads the build ID go reads from the cache: `go list -export` on a warm cache reports buildid.ReadFile of the cached object', async () => {
    // On a hit, useCache takes a.buildID from buildid.ReadFile(file); -export prints it with the object's path.
    const lines = (await go(['list', '-export', '-f', '{{.ImportPath}} {{.Export}} {{.BuildID}}', './...'])).trim().split('\n')
    expect(lines).toHaveLength(3)
    for (const line of lines) {
      const [, exportFile, buildId] = line.split(' ') as [string, string, string]
      expect(path.dirname(path.dirname(exportFile))).toBe(gocache)
      expect(archiveBuildId(await readHead(exportFile))).toBe(buildId)
      const entry = entries.find((e) => exportFile.endsWith(`${e.outputId}-d`))!
      expect(hashToString(entry.actionId)).toBe(buildId.split('/')[0])
    }
  })
})
