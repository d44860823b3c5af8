// Rebuilds dist/ from scratch: one ESM bundle per entry point, with a source
// map, behind a small loader. CI rebuilds and fails if the result differs from
// what is committed, so everything written here is deterministic: no absolute
// paths, no times, files written in a fixed order.
//
//   dist/<name>/index.js        the loader (action.yml and GOCACHEPROG run this):
//                               enables source maps, then imports bundle.js
//   dist/<name>/bundle.js       ncc's bundle, ending in its only sourceMappingURL
//   dist/<name>/bundle.js.map   lines of bundle.js -> lines of src/*.ts (and of
//                               the dependencies' files), sources relative to it
//   dist/<name>/<id>.bundle.js  chunks loaded on demand (+ .map), package.json
//                               ({"type":"module"}), licenses.txt
//
// Why a loader: Node applies source maps only to modules loaded after they are
// enabled, so a bundle cannot enable them for itself (process.setSourceMapsEnabled
// or module.setSourceMapsSupport inside it maps nothing of it).
//
// `node scripts/package.mjs --out DIR` writes the same bytes to DIR instead
// of dist/ (the maps' sources stay relative to dist/<name>/), to compare a
// build with the committed dist/ without touching it. DIR must not exist or
// be empty: only dist/ is ever deleted.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const { values } = parseArgs({ options: { out: { type: 'string' } } })
const outDir = path.resolve(values.out ?? path.join(root, 'dist'))
// dist/ is emptied first; another directory must not exist or be empty (it is never emptied).
if (values.out !== undefined && fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) throw new Error(`--out ${outDir}: not empty`)

/**
 * `maps`: when the loader enables source maps. The cache client's `serve`
 * starts with every go command (GOCACHEPROG), and source maps cost it about
 * 6 ms of a 40 ms start (median, 2-CPU machine, Node 24): it runs without
 * them unless GO_CACHE_SETUP_DEBUG=1. Its other commands (the daemon, the
 * kit's) start rarely and get them, as do the action's steps.
 */
const entries = [
  { name: 'main', entry: 'src/main.ts', maps: 'always' },
  { name: 'post', entry: 'src/post.ts', maps: 'always' },
  { name: 'client', entry: 'src/cli.ts', maps: 'unless-serve', shims: true },
]

/**
 * The compiled GOCACHEPROG shim (src/shim, docs/decisions.md#d28), shipped
 * beside the client: it dials the daemon's Unix socket, or its named pipe on
 * Windows. Built reproducibly: one pinned toolchain, no VCS stamp, no build
 * ID, no paths, so CI's rebuild gives the same bytes.
 */
const SHIM_TOOLCHAIN = 'go1.26.8'
const SHIM_TARGETS = [
  ['linux', 'amd64'],
  ['linux', 'arm64'],
  ['darwin', 'amd64'],
  ['darwin', 'arm64'],
  ['windows', 'amd64'],
  ['windows', 'arm64'],
]
const SHIM_DIR = 'shim'

function buildShims() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'go-cache-setup-shim-'))
  try {
    return SHIM_TARGETS.map(([goos, goarch]) => {
      const name = `${SHIM_DIR}/go-cache-shim-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}`
      const out = path.join(tmp, path.basename(name))
      execFileSync('go', ['build', '-trimpath', '-buildvcs=false', '-ldflags=-s -w -buildid=', '-o', out, '.'], {
        cwd: path.join(root, 'src', 'shim'),
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          GOTOOLCHAIN: SHIM_TOOLCHAIN,
          GOOS: goos,
          GOARCH: goarch,
          GOAMD64: 'v1',
          GOARM64: 'v8.0',
          CGO_ENABLED: '0',
          GOFLAGS: '',
          GOEXPERIMENT: '',
          GOWORK: 'off',
        },
      })
      return [name, fs.readFileSync(out)]
    })
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}
const BUNDLE = 'bundle.js'
/** ncc names sources `${prefix}[resource-path]`; relative to dist/<name>/, the repository root is two levels up. */
const SOURCE_PREFIX = '../../'

process.chdir(root) // ncc resolves its context, assets and tsconfig.json from the working directory
const ncc = createRequire(import.meta.url)('@vercel/ncc')

/** Blanks the sourceMappingURL comments the dependencies' files carried into the bundle (their maps are not shipped; blank lines keep the map's line numbers) and checks that the last line points at `${file}.map`. */
function keepOwnSourceMappingURL(file, code) {
  const lines = code.split('\n')
  const own = `//# sourceMappingURL=${file}.map`
  if (lines.at(-1) !== own) throw new Error(`${file}: ncc did not end it with ${own}`)
  for (let i = 0; i < lines.length - 1; i++) {
    if (/^\s*\/\/[#@] sourceMappingURL=/.test(lines[i])) lines[i] = ''
  }
  const out = lines.join('\n')
  if (out.match(/sourceMappingURL=/g).length !== 1) throw new Error(`${file}: a sourceMappingURL left inside a line`)
  return out
}

/** Sources relative to the map (../../src/…, ../../node_modules/…), webpack's own modules as webpack:///…; no sourcesContent (src/ is in the repository, and stack traces need only the mappings). */
function normalizeMap(file, text) {
  const map = JSON.parse(text)
  map.sources = map.sources.map((source) => {
    if (!source.startsWith(SOURCE_PREFIX)) throw new Error(`${file}: unexpected source ${source}`)
    const rest = source.slice(SOURCE_PREFIX.length)
    if (!rest.startsWith('./') && !rest.startsWith('../')) return `webpack:///${rest}` // webpack's runtime, externals
    const relative = path.posix.normalize(SOURCE_PREFIX + rest)
    // A symlinked node_modules does this, and changes module IDs too: the build would not match CI's.
    if (relative.startsWith(`${SOURCE_PREFIX}../`)) throw new Error(`${file}: source outside the repository: ${relative}`)
    return relative
  })
  delete map.sourcesContent
  const out = JSON.stringify(map)
  if (out.includes(root)) throw new Error(`${file}: the map names ${root}`)
  return out
}

function loader(maps, files) {
  // The client's install reuses a copy in the tool cache only when index.js is
  // byte-identical (buildcache/client-install.ts): the digest of the bundle
  // makes this file change whenever the bundle does.
  const digest = createHash('sha256')
  for (const [name, content] of files) digest.update(`${name}\0${content.length}\0`).update(content) // content: a Buffer
  const enable =
    maps === 'always'
      ? 'module.setSourceMapsSupport(true)'
      : "if (process.argv[2] !== 'serve' || process.env.GO_CACHE_SETUP_DEBUG === '1') module.setSourceMapsSupport(true)"
  return `// Generated by scripts/package.mjs. Source maps apply only to modules loaded
// after they are enabled, so they are enabled here, before the bundle loads.
// ${BUNDLE} and the rest of this directory: sha256 ${digest.digest('hex')}
import module from 'node:module'
${enable}
await import('./${BUNDLE}')
`
}

async function build({ name, entry, maps, shims }) {
  const { code, assets, symlinks } = await ncc(path.join(root, entry), {
    filename: BUNDLE,
    sourceMap: true,
    sourceMapRegister: false, // Node maps stack traces itself (the loader enables it)
    sourceMapBasePrefix: SOURCE_PREFIX,
    license: 'licenses.txt',
    cache: false,
    quiet: true,
  })
  if (Object.keys(symlinks).length > 0) throw new Error(`${entry}: symlinks in the output`)
  const files = new Map([[BUNDLE, code], ...Object.entries(assets).map(([file, asset]) => [file, asset.source])])
  for (const [file, content] of files) {
    if (file.endsWith('.js')) files.set(file, keepOwnSourceMappingURL(file, content.toString()))
    if (file.endsWith('.js.map')) files.set(file, normalizeMap(file, content.toString()))
  }
  for (const file of files.keys()) {
    if (file.endsWith('.js') && !files.has(`${file}.map`)) throw new Error(`${entry}: ${file} has no map`)
  }
  if (files.has('index.js')) throw new Error(`${entry}: ncc wrote index.js, the loader's name`)
  if (shims) for (const [file, content] of buildShims()) files.set(file, content)
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([file, content]) => [file, Buffer.from(content)])
  const dir = path.join(outDir, name)
  for (const [file, content] of [['index.js', loader(maps, sorted)], ...sorted]) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
    fs.writeFileSync(path.join(dir, file), content, { mode: file.startsWith(`${SHIM_DIR}/`) ? 0o755 : 0o644 })
  }
}

if (values.out === undefined) fs.rmSync(outDir, { recursive: true, force: true })
// ncc compiles TypeScript with tsconfig.json's options; its `sourceMap` makes
// the maps point at lines of the .ts files, not of the emitted JavaScript.
for (const entry of entries) await build(entry)
