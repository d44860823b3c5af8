// Runs after go-cache-setup's post step (src/action/run-post.ts keeps the
// summary in its state directory): the restore job's summary must show hits.
import { readFileSync } from 'node:fs'
import path from 'node:path'

const file = path.join(process.env.RUNNER_TEMP ?? '', 'go-cache-setup', 'summary.md')
let summary
try {
  summary = readFileSync(file, 'utf8')
} catch (error) {
  console.log(`::error::no job summary at ${file}: ${error.message}`)
  process.exit(1)
}
console.log(summary)
// The build cache's line (src/action/summary.ts): "| Hit ratio | 100.0% (N of …".
const m = /\| Hit ratio \| [\d.]+% \((\d+) of /.exec(summary)
if (m === null || Number(m[1]) === 0) {
  console.log(`::error::the job summary shows no build cache hits${m === null ? ' (no hit ratio line)' : ''}`)
  process.exit(1)
}
console.log(`The summary shows ${m[1]} build cache hits.`)
