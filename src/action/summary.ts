/** The job summary: a pure render of what the cache did, tested for exact text. */
import type { BundleRestoreReport } from '../buildcache/bundle-restore.ts'
import type { BundleSaveReport } from '../buildcache/bundle-save.ts'
import type { DirectoryRestore } from '../buildcache/directory.ts'
import { renderWiring, type WiringReport } from '../policy/auto-configure.ts'
import { describeScopes } from '../policy/write-policy.ts'
import type { JobStats } from '../daemon/reports.ts'
import type { ClientReport } from '../buildcache/finish.ts'
import type { ModCacheRestoreReport } from '../modcache/restore.ts'
import type { ModCacheSaveReport } from '../modcache/save.ts'
import type { MtimeReport } from '../testcache/canonicalize.ts'
import type { DirectionHealth } from '../store/remote-tier.ts'

export interface SummaryReport {
  goVersion: string
  modCache?: { restore: ModCacheRestoreReport; save: ModCacheSaveReport }
  buildCache?: BuildCacheSummary
  wiring?: WiringReport
  /** The build cache's trip through the GitHub Actions cache. */
  bundle?: { restore: BundleRestoreReport; save: BundleSaveReport; stats: JobStats; native?: boolean }
  /** What main did to the workspace's mtimes for go test's cache. */
  mtimes?: MtimeReport
  /** Test results go took from the cache (our client, or native mode). */
  testResultsCached?: number
  /** One line per problem the post step hit (already warned about). */
  problems: string[]
}

export type BuildCacheSummary =
  | { mode: 'off' }
  | { mode: 'custom'; command: string }
  | { mode: 'directory'; restore: DirectoryRestore; save: { saved: boolean; reason?: string } }
  | { mode: 'client'; report: ClientReport }
  | { mode: 'native'; dir: string; stats: JobStats }

export function renderSummary(report: SummaryReport): string {
  const lines = ['## go-cache-setup', '', `Go ${report.goVersion}`, '']
  if (report.wiring !== undefined) lines.push(...renderWiring(report.wiring), '')
  if (report.buildCache !== undefined) lines.push(...renderBuildCache(report.buildCache), '')
  if (report.bundle !== undefined) lines.push(...renderBundle(report.bundle), '')
  if (report.mtimes !== undefined) lines.push(...renderTests(report.mtimes, report.testResultsCached), '')
  const m = report.modCache
  if (m === undefined) {
    lines.push('Module cache: off.')
  } else {
    const { restore, save } = m
    const outcome = !restore.restoreAllowed
      ? `skipped (${restore.skipReason})`
      : restore.matchedKey === undefined
        ? 'miss'
        : restore.matchedKey === restore.key
          ? 'exact hit'
          : 'restored from a fallback key'
    lines.push('### Module cache (GOMODCACHE)', '', '| | |', '| --- | --- |', `| Key | \`${restore.key}\` |`, `| Restore | ${outcome} |`)
    if (restore.matchedKey !== undefined) lines.push(`| Matched key | \`${restore.matchedKey}\` |`)
    lines.push(
      `| Modules after restore | ${restore.files} files, ${formatBytes(restore.bytes)}, in ${formatMs(restore.restoreMs)} |`,
      `| Modules at end of job | ${save.files} files, ${formatBytes(save.bytes)} |`,
      ...(save.prune === undefined
        ? []
        : [
            save.prune.pruned
              ? `| Pruned to the build list | ${save.prune.versions} module versions, ${formatBytes(save.prune.bytes)} removed |`
              : `| Pruned to the build list | no: ${save.prune.reason} |`,
          ]),
      `| Save | ${save.saved ? `saved in ${formatMs(save.saveMs)}` : `not saved: ${save.reason}`} |`,
    )
  }
  if (report.problems.length > 0) {
    lines.push('', '### Problems', '', ...report.problems.map((p) => `- ${p}`))
  }
  return `${lines.join('\n')}\n`
}

function renderTests(m: MtimeReport, cached: number | undefined): string[] {
  const mtimes =
    m.status === 'off'
      ? 'left as they are (`test-cache: false`)'
      : m.status === 'not-git'
        ? `left as they are: ${m.reason}`
        : `canonical for ${m.files} files and ${m.dirs} directories, in ${formatMs(m.ms)}` +
          `${m.skipped > 0 ? `; ${m.skipped} changed or special files keep theirs` : ''}${m.failed > 0 ? `; ${m.failed} could not be set` : ''}`
  const rows = ['### Test results (go test)', '', '| | |', '| --- | --- |', `| Workspace mtimes | ${mtimes} |`]
  if (cached !== undefined) rows.push(`| Served from the cache | ${cached} test ${cached === 1 ? 'result' : 'results'} (\`(cached)\`) |`)
  return rows
}

function renderBuildCache(b: BuildCacheSummary): string[] {
  switch (b.mode) {
    case 'off':
      return ['Build cache: off.']
    case 'custom':
      return [`Build cache: your own GOCACHEPROG client (\`${b.command}\`); it keeps its own figures.`]
    case 'directory':
      return [
        '### Build cache (GOCACHE as a directory: Go before 1.24 ignores GOCACHEPROG)',
        '',
        '| | |',
        '| --- | --- |',
        `| Restore | ${!b.restore.restoreAllowed ? 'skipped' : b.restore.matchedKey === undefined ? 'miss' : `from \`${b.restore.matchedKey}\``} |`,
        `| Save | ${b.save.saved ? `saved as \`${b.restore.key}\`` : `not saved: ${b.save.reason}`} |`,
      ]
    case 'native': {
      const s = b.stats
      return [
        "### Build cache (go's own GOCACHE, no GOCACHEPROG)",
        '',
        '| | |',
        '| --- | --- |',
        `| GOCACHE | \`${b.dir}\` |`,
        `| Entries used | ${s.usedEntries} from the cache, ${formatBytes(s.bytesOut)} (counted per entry, from mtimes) |`,
        `| New entries | ${s.addedEntries}, ${formatBytes(s.bytesIn)} |`,
      ]
    }
    case 'client': {
      const s = b.report.stats
      const ratio = s.gets === 0 ? '—' : `${((100 * s.hits) / s.gets).toFixed(1)}%`
      const rows = [
        '### Build cache (GOCACHEPROG)',
        '',
        '| | |',
        '| --- | --- |',
        `| go processes | ${s.sessions} |`,
        `| Gets | ${s.gets}: ${s.hits} hits, ${s.misses} misses (hit ratio ${ratio}) |`,
        `| Puts | ${s.puts}${s.putErrors > 0 ? ` (${s.putErrors} not stored)` : ''} |`,
        `| Bytes | ${formatBytes(s.bytesOut)} served, ${formatBytes(s.bytesIn)} stored |`,
        `| Time inside the cache | ${formatMs(s.busyMs)} (summed over requests) |`,
      ]
      if (b.report.daemonPeakRssBytes !== undefined) rows.push(`| Cache daemon | peak memory ${formatBytes(b.report.daemonPeakRssBytes)} |`)
      if (b.report.remote) rows.push(...renderRemote(b.report.remote))
      if (b.report.trim) {
        const t = b.report.trim
        rows.push(
          `| Local store | ${formatBytes(t.storeBytes)} after trim${t.entriesRemoved > 0 ? ` (${t.entriesRemoved} entries, ${formatBytes(t.bytesRemoved)} evicted)` : ''} |`,
        )
      }
      return rows
    }
  }
}

function renderRemote(remote: NonNullable<ClientReport['remote']>): string[] {
  const { settings, stats: r } = remote
  const scopes = `| Remote scopes | ${describeScopes(settings.scopes, (name) => `\`${name}\``).replace(/\|/g, '\\|')} |`
  const where = `\`${settings.url}\`${settings.instance === undefined ? '' : ` instance \`${settings.instance}\``}`
  if (r === undefined) return [`| Remote cache | ${where}: no figures (the daemon could not be reached) |`, scopes]
  const lookups = [`${r.demandHits} hits`, `${r.misses} misses`]
  if (r.errors > 0) lookups.push(`${r.errors} failed`)
  if (r.rejected > 0) lookups.push(`${r.rejected} rejected (digest or format)`)
  if (r.skipped > 0) lookups.push(`${r.skipped} skipped (circuit open)`)
  const rows = [
    `| Remote cache | ${where} |`,
    scopes,
    `| Remote hits | ${r.hits} entries go used came from the remote (${r.demandHits} on demand, ${r.hits - r.demandHits} prefetched); ${formatBytes(r.bytesDown)} fetched |`,
    `| Remote lookups | ${r.gets} local misses asked: ${lookups.join(', ')} |`,
  ]
  if (r.manifestEntries > 0) rows.push(`| Prefetch | ${r.prefetched} entries fetched ahead from the ${r.manifestEntries} in this job's last manifest |`)
  if (settings.scopes.write !== undefined) {
    const failed = r.uploadErrors > 0 ? `, ${r.uploadErrors} failed requests` : ''
    rows.push(`| Uploads | ${r.uploads} entries, ${formatBytes(r.bytesUp)}${failed}; ${r.unsent} left unsent |`)
  }
  rows.push(
    `| On the wire | ${r.wireRequests} requests; ${formatBytes(r.wireReceived)} received, ${formatBytes(r.wireSent)} sent |`,
    `| Remote health | reads ${describeHealth(r.health.read)}; writes ${describeHealth(r.health.write)} |`,
  )
  if (r.firstErrors.length > 0) rows.push(`| First remote error | ${r.firstErrors[0]!.replace(/\|/g, '\\|').replace(/\s+/g, ' ')} |`)
  return rows
}

/** One direction's circuit and budget, in words. */
function describeHealth(h: DirectionHealth): string {
  if (h.off) return `off for the rest of the job: ${formatMs(h.lostMs)} lost to failed requests, past the job's budget of ${formatMs(h.budgetMs)}`
  const circuit = h.opened === 0 ? 'circuit never opened' : `circuit opened ${h.opened} time${h.opened === 1 ? '' : 's'}, ${h.breaker} at the end`
  return h.lostMs > 0 ? `${circuit}, ${formatMs(h.lostMs)} lost to failed requests` : circuit
}

function renderBundle({ restore: r, save: s, stats, native }: NonNullable<SummaryReport['bundle']>): string[] {
  const restore =
    r.outcome === 'skipped'
      ? `skipped: ${r.reason}`
      : r.outcome === 'miss'
        ? `miss${r.reason ? ` (${r.reason})` : ''}: the build started cold`
        : r.outcome === 'corrupt'
          ? `${r.reason}`
          : r.baseKey === undefined
            ? `from \`${r.matchedKey}\``
            : `from \`${r.matchedKey}\`, a layer on \`${r.baseKey}\``
  const rows = ['### Build cache bundle (GitHub Actions cache)', '', '| | |', '| --- | --- |', `| Key | \`${r.key}\` |`, `| Restore | ${restore} |`]
  if ((r.outcome === 'hit' || r.outcome === 'corrupt') && r.importing === 'daemon' && r.importMs === undefined) {
    rows.push(
      `| Restored | ${formatBytes(r.archiveBytes)} compressed, downloaded in ${formatMs(r.restoreMs)}; imported while go ran, by the daemon, whose figures were lost |`,
    )
  } else if (r.outcome === 'hit' || r.outcome === 'corrupt') {
    const timing =
      r.importing === 'daemon'
        ? `downloaded in ${formatMs(r.restoreMs)}, imported while go ran in ${formatMs(r.importMs!)}; ${r.waits ?? 0} lookups waited for entries still arriving (${formatMs(r.waitMs ?? 0)} summed)`
        : `in ${formatMs(r.restoreMs)}${r.downloadMs !== undefined && r.importMs !== undefined ? ` (download ${formatMs(r.downloadMs)}, import ${formatMs(r.importMs)})` : ''}${native ? ', before go ran' : ''}`
    rows.push(`| Restored | ${r.entries} entries, ${formatBytes(r.bytes)} (${formatBytes(r.archiveBytes)} compressed), ${timing} |`)
  }
  const ratio = stats.gets === 0 ? '—' : `${((100 * stats.hits) / stats.gets).toFixed(1)}%`
  rows.push(
    native
      ? `| Hit ratio | ${ratio} (${stats.hits} of the ${stats.gets} entries the job used came from the cache) |`
      : `| Hit ratio | ${ratio} (${stats.hits} of ${stats.gets} lookups; ${stats.addedEntries} new entries) |`,
  )
  rows.push(
    s.saved
      ? `| Save | saved ${s.entries} entries, ${formatBytes(s.rawBytes)} (${formatBytes(s.bytes)} compressed), in ${formatMs(s.saveMs)}${s.baseKey === undefined ? '' : `, as a layer on \`${s.baseKey}\` (${formatBytes(s.baseBytes ?? 0)})`} |`
      : `| Save | not saved: ${s.reason} |`,
  )
  return rows
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
