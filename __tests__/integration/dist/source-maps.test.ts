/**
 * The shipped bundles (dist/, built by `node scripts/package.mjs`) turn stack
 * traces into src/*.ts lines: each dist/<name>/index.js is a loader that
 * enables Node's source maps and then imports bundle.js, whose one
 * sourceMappingURL names the map shipped beside it. Nothing is built here:
 * the committed dist/ is what runners run.
 *
 * The cache client's `serve`, started by every go command, skips source maps
 * unless GO_CACHE_SETUP_DEBUG=1: they cost it start-up time.
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const dist = path.join(repoRoot, 'dist')
const BUNDLES = ['main', 'post', 'client']

interface Run {
  code: number | null
  stderr: string
}

let tmp: string
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'source-maps-'))
  // A file where a directory is expected: mkdir under it fails with a stack.
  writeFileSync(path.join(tmp, 'file'), '')
  // Prints the stack of every process.exit call (main.ts and post.ts end with one).
  writeFileSync(
    path.join(tmp, 'exit-stack.mjs'),
    'const exit = process.exit\nprocess.exit = (...args) => {\n  process.stderr.write(`${new Error("process.exit").stack}\\n`)\n  return exit.apply(process, args)\n}\n',
  )
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

/** Runs `node [nodeArgs] dist/<bundle>/index.js args` with a bare environment (no runner's GITHUB_* files, no NODE_OPTIONS). */
function run(bundle: string, args: string[], options: { env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const cwd = path.join(tmp, 'cwd')
    mkdirSync(cwd, { recursive: true })
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(dist, bundle, 'index.js'), ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

interface Frame {
  fn: string
  file: string
  line: number
}

/** The frames of the first stack trace in `text`. */
function frames(text: string): Frame[] {
  const out: Frame[] = []
  for (const line of text.split('\n')) {
    const m = /^\s+at (?:(.+?) \()?(.+?):(\d+):\d+\)?$/.exec(line)
    if (m) out.push({ fn: m[1] ?? '', file: m[2].replace(/^file:\/\//, ''), line: Number(m[3]) })
    else if (out.length > 0) break
  }
  return out
}

/**
 * The first frame in our code must be a line of a src/*.ts file, and that
 * line must call the function of the frame above it (the one that threw):
 * a map that names the right file at a wrong line (the compiled JavaScript's,
 * say) fails here, and so does a trace left pointing into the bundle.
 */
function expectMappedCall(stderr: string): Frame {
  const stack = frames(stderr)
  const at = stack.findIndex((f) => !f.file.startsWith('node:') && !f.file.startsWith(tmp))
  expect(at).toBeGreaterThan(0)
  const frame = stack[at]
  const relative = path.relative(repoRoot, frame.file)
  if (!/^src\/.+\.ts$/.test(relative)) throw new Error(`the first frame of our code is not in src/*.ts: ${frame.file}\n${stderr}`)
  const source = readFileSync(frame.file, 'utf8').split('\n')[frame.line - 1] ?? ''
  const callee = stack[at - 1].fn.split(' ').at(-1)!
  if (!source.includes(`${callee}(`)) throw new Error(`${relative}:${frame.line} does not call ${callee}: ${JSON.stringify(source)}\n${stderr}`)
  return frame
}

describe('stack traces from the shipped bundles', () => {
  it('main: the process.exit of src/main.ts', async () => {
    // A missing working directory fails the step before anything else runs.
    const r = await run('main', [], { nodeArgs: ['--import', path.join(tmp, 'exit-stack.mjs')], env: { 'INPUT_WORKING-DIRECTORY': path.join(tmp, 'missing') } })
    expect(r.code).toBe(1)
    expect(path.relative(repoRoot, expectMappedCall(r.stderr).file)).toBe(path.join('src', 'main.ts'))
  })

  it('post: the process.exit of src/post.ts', async () => {
    const r = await run('post', [], { nodeArgs: ['--import', path.join(tmp, 'exit-stack.mjs')] })
    expect(r.code).toBe(0)
    expect(path.relative(repoRoot, expectMappedCall(r.stderr).file)).toBe(path.join('src', 'post.ts'))
  })

  it('client daemon: a store that cannot be created fails at the mkdirSync of the store (in makeWritableDir)', async () => {
    const r = await run('client', ['daemon', '--store', path.join(tmp, 'file', 'store'), '--socket', path.join(tmp, 'daemon.sock')])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('fatal: Error: ENOTDIR')
    expect(expectMappedCall(r.stderr).fn).toBe('makeWritableDir')
  })

  it('client serve: mapped with GO_CACHE_SETUP_DEBUG=1', async () => {
    const r = await run('client', ['serve', '--store', path.join(tmp, 'file', 'store')], { env: { GO_CACHE_SETUP_DEBUG: '1' } })
    expect(r.code).toBe(1)
    expect(expectMappedCall(r.stderr).fn).toBe('makeWritableDir')
  })

  it('client serve: left unmapped otherwise (start-up time, every go command)', async () => {
    const r = await run('client', ['serve', '--store', path.join(tmp, 'file', 'store')])
    expect(r.code).toBe(1)
    const stack = frames(r.stderr)
    expect(stack.find((f) => f.fn === 'new LocalStore')?.file).toBe(path.join(dist, 'client', 'bundle.js'))
  })
})

describe.each(BUNDLES)('dist/%s', (name) => {
  const dir = path.join(dist, name)
  const bundleFiles = () => readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js')

  it('ships one sourceMappingURL per bundle file, its last line, naming the map beside it', () => {
    expect(bundleFiles()).toContain('bundle.js')
    for (const file of bundleFiles()) {
      const code = readFileSync(path.join(dir, file), 'utf8')
      expect({ file, urls: code.match(/sourceMappingURL=.*/g) }).toStrictEqual({ file, urls: [`sourceMappingURL=${file}.map`] })
      expect(code.split('\n').at(-1)).toBe(`//# sourceMappingURL=${file}.map`)
      expect(existsSync(path.join(dir, `${file}.map`))).toBe(true)
    }
  })

  it('maps to sources by relative paths, src/ ones that exist', () => {
    for (const file of bundleFiles()) {
      const map = JSON.parse(readFileSync(path.join(dir, `${file}.map`), 'utf8')) as { sources: string[]; file: string }
      expect(map.file).toBe(file)
      const bad = map.sources.filter((s) => !s.startsWith('webpack:///') && !/^\.\.\/\.\.\/(src|node_modules)\//.test(s))
      expect(bad).toStrictEqual([])
      const missing = map.sources.filter((s) => s.startsWith('../../src/') && !existsSync(path.resolve(dir, s)))
      expect(missing).toStrictEqual([])
    }
  })

  it('has a loader that names the digest of the rest of its directory (the client install reuses a copy only when index.js is identical)', () => {
    const digest = createHash('sha256')
    // Every file below it, the compiled shims (shim/…) included, as scripts/package.mjs names them.
    const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(path.join(dir, f)).isFile()).sort()
    for (const file of files) {
      if (file === 'index.js') continue
      const content = readFileSync(path.join(dir, file))
      digest.update(`${file}\0${content.length}\0`).update(content)
    }
    const loader = readFileSync(path.join(dir, 'index.js'), 'utf8')
    expect(loader).toContain(`sha256 ${digest.digest('hex')}`)
    expect(loader.indexOf('setSourceMapsSupport(true)')).toBeLessThan(loader.indexOf("await import('./bundle.js')"))
    expect(loader.indexOf('setSourceMapsSupport(true)')).toBeGreaterThan(-1)
  })
})
