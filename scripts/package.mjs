// Rebuilds dist/ from scratch: one ESM bundle per entry point. CI rebuilds and
// fails if the result differs from what is committed.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const ncc = path.join(root, 'node_modules', '.bin', 'ncc')
const entries = { main: 'src/main.ts', post: 'src/post.ts', client: 'src/client/main.ts' }

rmSync(path.join(root, 'dist'), { recursive: true, force: true })
for (const [name, entry] of Object.entries(entries)) {
  const result = spawnSync(ncc, ['build', entry, '-o', `dist/${name}`, '--license', 'licenses.txt', '--quiet'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
