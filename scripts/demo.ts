/**
 * The action end to end on the embedded local cache service: two jobs on a
 * sample Go module with real dependencies. Job 1 starts from nothing, fetches
 * modules, builds and saves; job 2 is a fresh runner that restores the module
 * cache and the build cache bundle, and builds with the module proxy turned
 * off. Prints what was restored and saved.
 *
 *   npm run demo     (builds dist/ first, then runs this on Node 24)
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startCacheService } from '../__tests__/support/cache-service/server.ts'
import { checkoutSample, newMachine, offlineBuildStep, runGoJob, wipeHome } from '../__tests__/support/go-jobs.ts'
import type { JobResult } from '../__tests__/support/runner/index.ts'

const root = await mkdtemp(path.join(os.tmpdir(), 'go-cache-setup-demo-'))
const service = await startCacheService()
let failed = false
try {
  const machine = await newMachine(root)
  await checkoutSample(machine)
  // The same RUNNER_TEMP for both jobs, as on GitHub-hosted runners: the bundle's
  // path under it is part of its cache version (@actions/cache), so a moving
  // RUNNER_TEMP would miss it.
  const runner = { temp: path.join(root, 'runner', 'temp') }
  console.log(`Cache service (twirp v2, blobs in azurite): ${service.resultsUrl}`)
  console.log(`Workspace: ${machine.workspace}\n`)

  console.log('# Job 1: a fresh runner, an empty cache. Fetch modules, build, test, save.\n')
  const job1 = await runGoJob({ machine, service, runner })
  report(job1)

  await wipeHome(machine)
  console.log('# Job 2: another fresh runner (empty GOMODCACHE). Restore, then build with GOPROXY=off.\n')
  const job2 = await runGoJob({ machine, service, runner, steps: [offlineBuildStep] })
  report(job2)
  console.log('Offline build output:')
  console.log(
    indent(
      job2
        .step('offline-build')
        .log.split('\n')
        .filter((l) => !l.startsWith('##['))
        .join('\n'),
    ),
  )

  console.log('\n# Cache entries on the service')
  for (const e of service.entries()) console.log(`  ${e.key}  ${e.sizeBytes} bytes  scope ${e.scope}${e.finalized ? '' : ' (unfinished)'}`)
  failed = job1.conclusion !== 'success' || job2.conclusion !== 'success'
  const hits = job2.step('cache', 'post').outputs['build-cache-hits'] ?? '0'
  console.log(
    failed ? '\nDemo FAILED' : `\nDemo OK: job 2 built offline from the restored module cache, with ${hits} build cache hits from the restored bundle.`,
  )
} finally {
  await service.stop()
  await promisify(execFile)('chmod', ['-R', 'u+w', root]).catch(() => undefined)
  await rm(root, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)

function report(job: JobResult): void {
  const out = job.step('cache', 'main').outputs
  console.log(`  conclusion: ${job.conclusion}`)
  for (const [name, value] of Object.entries(out)) console.log(`  output ${name} = ${value || '(empty)'}`)
  for (const a of job.annotations) console.log(`  ${a.level}: ${a.message}`)
  console.log('\n  Job summary:')
  console.log(indent(job.summary, '    '))
  console.log()
}

function indent(text: string, pad = '  '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n')
}
