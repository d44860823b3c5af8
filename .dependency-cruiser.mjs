// Layers run one way: each folder of src/ may import only the folders below it
// in LAYERS (and itself). The entry files (src/*.ts) sit above every folder.
// `npm run lint` runs this in CI; docs/architecture.md draws the same order.
const LAYERS = [
  'action', // the GitHub Action's main and post steps
  'bootstrap', // the runner kit: install, job hooks
  'client', // the GOCACHEPROG shim that go spawns
  'buildcache', // the build cache's setup and finish, bundles through the Actions cache
  'pants', // the Pants config
  'modcache', // the module cache
  'testcache', // canonical mtimes for go test's cache
  'actions-cache', // the GitHub Actions cache service
  'daemon', // the per-job daemon and its socket protocol
  'bundle', // the bundle format and its import into a store
  'store', // the local store, its trim, and the remote tier in front of a remote
  'remote', // remote backends (bazel-remote over HTTP) and their config
  'policy', // trust and toggles, pure
  'gocacheprog', // Go's GOCACHEPROG protocol, pure
  'go', // facts about the Go toolchain
  'common', // errors, logging, environment names
]

const folder = (names) => `^src/(${names.join('|')})/`

export default {
  forbidden: [
    ...LAYERS.map((name, i) => ({
      name: `layer-${name}`,
      comment: `src/${name}/ is below ${LAYERS.slice(0, i).join(', ') || 'nothing'}: it may import only ${LAYERS.slice(i + 1).join(', ') || 'itself'}.`,
      severity: 'error',
      from: { path: `^src/${name}/` },
      to: { path: i === 0 ? '^src/[^/]+\\.ts$' : [folder(LAYERS.slice(0, i)), '^src/[^/]+\\.ts$'] },
    })),
    {
      name: 'layer-known',
      comment: 'Every folder of src/ has its place in LAYERS (.dependency-cruiser.mjs).',
      severity: 'error',
      from: { path: '^src/', pathNot: [folder(LAYERS), '^src/[^/]+\\.ts$'] },
      to: {},
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, within a folder either.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-is-shipped',
      comment: 'What is shipped never imports tests, benchmarks or scripts.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(__tests__|bench|scripts)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
}
