/** The job summary: a pure render of what the cache did, tested for exact text. */
import type { ModCacheRestoreReport } from '../modcache/restore.ts'
import type { ModCacheSaveReport } from '../modcache/save.ts'

export interface SummaryReport {
  goVersion: string
  modCache?: { restore: ModCacheRestoreReport; save: ModCacheSaveReport }
  /** One line per problem the post step hit (already warned about). */
  problems: string[]
}

export function renderSummary(report: SummaryReport): string {
  const lines = ['## go-cache-setup', '', `Go ${report.goVersion}`, '']
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
    lines.push(
      '### Module cache (GOMODCACHE)',
      '',
      '| | |',
      '| --- | --- |',
      `| Key | \`${restore.key}\` |`,
      `| Restore | ${outcome} |`,
    )
    if (restore.matchedKey !== undefined) lines.push(`| Matched key | \`${restore.matchedKey}\` |`)
    lines.push(
      `| Modules after restore | ${restore.files} files, ${formatBytes(restore.bytes)}, in ${formatMs(restore.restoreMs)} |`,
      `| Modules at end of job | ${save.files} files, ${formatBytes(save.bytes)} |`,
      `| Save | ${save.saved ? `saved in ${formatMs(save.saveMs)}` : `not saved: ${save.reason}`} |`,
    )
  }
  if (report.problems.length > 0) {
    lines.push('', '### Problems', '', ...report.problems.map((p) => `- ${p}`))
  }
  return `${lines.join('\n')}\n`
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
