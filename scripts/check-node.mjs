// The action runs on Node 24 (action.yml `runs.using: node24`); so must its
// tests and demo. npm scripts put node_modules/.bin first on PATH, where the
// `node` package from the npm registry installs Node 24.
const major = Number(process.versions.node.split('.')[0])
if (major !== 24) {
  console.error(`Node ${process.versions.node} found; tests and the demo run on Node 24. Run them through npm (npm test, npm run demo) after npm install.`)
  process.exit(1)
}
