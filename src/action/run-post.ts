/**
 * The post step: save the module cache if it is worth it, and report. It
 * never fails the job: every problem becomes a warning and a summary line.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { saveGoCacheDir } from '../buildcache/directory.ts'
import { buildCacheFigures, finishClient, remoteWarning, storeWarnings } from '../buildcache/finish.ts'
import { withImport } from '../buildcache/bundle-restore.ts'
import { saveBundle } from '../buildcache/bundle-save.ts'
import { saveModCache, type ModCacheSaveReport } from '../modcache/save.ts'
import { finishNative } from '../buildcache/native.ts'
import type { ImportReport } from '../bundle/import.ts'
import type { JobIds, JobStats } from '../daemon/reports.ts'
import type { BundleStore } from '../store/bundle-store.ts'
import { LocalStore } from '../store/local-store.ts'
import type { RemoteStats } from '../store/remote-tier.ts'
import { countTestResults } from '../store/test-results.ts'
import { Output } from './constants.ts'
import type { ActionContext } from './context.ts'
import { errorMessage } from '../common/errors.ts'
import { runFacts } from '../common/run.ts'
import { loadState } from './state.ts'
import { renderSummary, type SummaryReport } from './summary.ts'

/** The job summary's copy in the state directory (RUNNER_TEMP/go-cache-setup). */
export const SUMMARY_FILE_NAME = 'summary.md'

export async function runPost(ctx: ActionContext): Promise<void> {
  try {
    const state = loadState(ctx)
    if (state === undefined) {
      ctx.log.info('Nothing to save: the main step did not get far enough to record state.')
      return
    }
    const report: SummaryReport = {
      goVersion: state.goVersion,
      ...(state.wiring !== undefined && { wiring: state.wiring }),
      ...(state.testCache !== undefined && { mtimes: state.testCache }),
      problems: [],
    }
    const build = state.buildCache
    if (build !== undefined) {
      try {
        if (build.mode === 'client' || build.mode === 'native') {
          let job: JobFigures
          if (build.mode === 'client') {
            const client = await finishClient(build.socket, build.store, { owner: build.owner, remote: build.remote })
            const remoteProblem = client.remote?.stats && remoteWarning(client.remote.stats)
            for (const problem of [...(client.problem ? [client.problem] : []), ...storeWarnings(client.stats), ...(remoteProblem ? [remoteProblem] : [])]) {
              ctx.log.warning(problem)
              report.problems.push(problem)
            }
            report.buildCache = { mode: 'client', report: client }
            job = { stats: client.stats, ids: client.ids, import: client.import, store: new LocalStore(build.store), remote: client.remote?.stats }
          } else {
            const native = finishNative(build.dir, build.startedAtMs)
            report.buildCache = { mode: 'native', dir: build.dir, stats: native.stats }
            job = { stats: native.stats, ids: native.ids, store: native.cache }
          }
          const f = buildCacheFigures(job.stats)
          const outputs: [string, string][] = [
            [Output.BuildCacheGets, f.gets],
            [Output.BuildCacheHits, f.hits],
            [Output.BuildCacheMisses, f.misses],
            [Output.BuildCachePuts, f.puts],
            [Output.BuildCacheBytesIn, f.bytesIn],
            [Output.BuildCacheBytesOut, f.bytesOut],
            [Output.BuildCacheHitRatio, f.hitRatio],
            [Output.BuildCacheTimeMs, f.timeMs],
          ]
          const remote = job.remote
          if (remote !== undefined) {
            outputs.push(
              [Output.RemoteCacheHits, String(remote.hits)],
              [Output.RemoteCacheMisses, String(remote.misses)],
              [Output.RemoteCacheErrors, String(remote.errors + remote.uploadErrors)],
              [Output.RemoteCacheUploads, String(remote.uploads)],
              [Output.RemoteCacheUnsent, String(remote.unsent)],
            )
          }
          // Test outputs go took from the cache: the `(cached)` lines of go test.
          // A count that fails (a store it cannot open) is left out; it must not cost the bundle's save.
          const cached = job.ids && attempt(() => countTestResults(job.store, job.ids!.used))
          if (cached !== undefined) {
            outputs.push([Output.TestResultsCached, String(cached)])
            report.testResultsCached = cached
          }
          for (const [name, value] of outputs) ctx.setOutput(name, value)
          if (state.bundle !== undefined) {
            // Imported by the daemon while go ran: its figures (and any damage) arrive with the flush.
            const restore = state.bundle.importing === 'daemon' && job.import !== undefined ? withImport(state.bundle, job.import, ctx.log) : state.bundle
            const save = await saveBundle({
              cache: ctx.cache,
              log: ctx.log,
              store: job.store,
              restore,
              write: state.write,
              ids: job.ids,
              now: ctx.now,
            }).catch((error: unknown) => {
              const message = `Build cache bundle save failed: ${errorMessage(error)}`
              ctx.log.warning(message)
              report.problems.push(message)
              return { saved: false, reason: 'save failed (see Problems)', entries: 0, objects: 0, rawBytes: 0, bytes: 0, saveMs: 0 }
            })
            report.bundle = { restore, save, stats: job.stats, native: build.mode === 'native' }
          }
        } else if (build.mode === 'directory') {
          report.buildCache = { mode: 'directory', restore: build.restore, save: await saveGoCacheDir(ctx.cache, ctx.log, build.restore, state.write) }
        } else {
          report.buildCache = build
        }
      } catch (error) {
        const message = `Build cache: ${errorMessage(error)}`
        ctx.log.warning(message)
        report.problems.push(message)
      }
    }
    if (state.modCache !== undefined) {
      let save: ModCacheSaveReport
      try {
        save = await saveModCache({
          cache: ctx.cache,
          log: ctx.log,
          restored: state.modCache,
          write: state.write,
          now: ctx.now,
          // Only what the build list needs is saved, so old versions do not pile up across runs.
          prune: { workspace: ctx.env.GITHUB_WORKSPACE || process.cwd(), env: ctx.env },
        })
      } catch (error) {
        const message = `Module cache save failed: ${errorMessage(error)}`
        ctx.log.warning(message)
        report.problems.push(message)
        save = { saved: false, reason: 'save failed (see Problems)', files: 0, bytes: 0, saveMs: 0 }
      }
      report.modCache = { restore: state.modCache, save }
    }
    const summary = renderSummary(report)
    await ctx.appendSummary(summary)
    // Kept beside our state too, for a later step's post (e2e.yml checks it there) or a
    // runner's log collection; only where main made the directory (a job that started nothing keeps none).
    const { stateDir } = runFacts(ctx.env, undefined)
    if (existsSync(stateDir)) {
      await writeFile(path.join(stateDir, SUMMARY_FILE_NAME), summary, { mode: 0o600 }).catch((error: unknown) =>
        ctx.log.debug(`The summary was not kept in a file: ${errorMessage(error)}`),
      )
    }
  } catch (error) {
    ctx.log.warning(`go-cache-setup post step: ${errorMessage(error)}`)
  }
}

/** What either way of serving the build cache tells post. */
interface JobFigures {
  stats: JobStats
  ids: JobIds | undefined
  /** Where the job's entries are: the bundle is saved and test results counted from there. */
  store: BundleStore
  import?: ImportReport
  remote?: RemoteStats
}

function attempt<T>(f: () => T): T | undefined {
  try {
    return f()
  } catch {
    return undefined
  }
}
