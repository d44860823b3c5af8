/**
 * Per-job accounting. Each shim reports what its go process did when it ends;
 * the daemon sums the reports. A shim that cannot reach the daemon writes a
 * journal file into the store instead, so nothing is lost when the daemon dies.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { emptyStats, type SessionReport, type SessionStats } from '../gocacheprog/session.ts'

export interface JobStats extends SessionStats {
  /** go processes that reported. */
  sessions: number
  /** Distinct action IDs hit / added during the job. */
  usedEntries: number
  addedEntries: number
}

/** The action IDs go hit and put during the job. */
export interface JobIds {
  used: string[]
  added: string[]
  /** Both, in the order the job first asked for them: sessions by start, each in its own order. */
  order: string[]
}

export class JobAccount {
  readonly stats: SessionStats = emptyStats()
  sessions = 0
  readonly used = new Set<string>()
  readonly added = new Set<string>()
  /** Reports arrive when sessions end, in any order (and journals in readdir's). */
  private readonly orders: { startedMs: number; order: string[] }[] = []

  add(report: SessionReport): void {
    this.sessions++
    this.orders.push({ startedMs: report.startedMs, order: report.order })
    for (const key of Object.keys(this.stats) as (keyof SessionStats)[]) this.stats[key] += report.stats[key]
    for (const id of report.used) this.used.add(id)
    for (const id of report.added) this.added.add(id)
  }

  ids(): JobIds {
    const sessions = [...this.orders].sort((a, b) => a.startedMs - b.startedMs)
    return { used: [...this.used], added: [...this.added], order: [...new Set(sessions.flatMap((s) => s.order))] }
  }

  summary(): JobStats {
    return { ...this.stats, sessions: this.sessions, usedEntries: this.used.size, addedEntries: this.added.size }
  }
}

export function journalDir(storeRoot: string): string {
  return path.join(storeRoot, 'journal')
}

/** A name for one go process's report; the shim and the daemon journal it under the same name. */
export function newReportId(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`
}

export const REPORT_ID = /^\d+-[0-9a-f]{12}$/

/**
 * Writes the report as <store>/journal/<id>.json. The name is the report's, so
 * when a shim gives up waiting on a slow daemon and journals the report itself,
 * the daemon's late copy replaces it instead of counting it twice.
 */
export async function writeJournal(storeRoot: string, report: SessionReport, id: string = newReportId()): Promise<void> {
  if (!REPORT_ID.test(id)) throw new Error(`invalid report id ${JSON.stringify(id)}`)
  const dir = journalDir(storeRoot)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const name = id
  const temp = path.join(dir, `.${name}.${randomBytes(4).toString('hex')}.tmp`)
  await writeFile(temp, JSON.stringify(report), { mode: 0o600 })
  await rename(temp, path.join(dir, `${name}.json`))
}

/** Adds every journal to `account` and removes the files it read. Unreadable journals are skipped and kept. */
export async function drainJournals(storeRoot: string, account: JobAccount): Promise<number> {
  const dir = journalDir(storeRoot)
  const names = await readdir(dir).catch(() => [] as string[])
  let drained = 0
  for (const name of names) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue
    const file = path.join(dir, name)
    // Claim the journal first: rename is atomic, so when two drains overlap
    // (stats during flush, or the post step after a flush that timed out)
    // each journal is counted by exactly one of them.
    const claimed = path.join(dir, `.${name}.${process.pid}-${randomBytes(4).toString('hex')}.draining`)
    try {
      await rename(file, claimed)
    } catch {
      continue // another drain has it
    }
    try {
      const report = parseReport(await readFile(claimed, 'utf8'))
      account.add(report)
      await rm(claimed, { force: true })
      drained++
    } catch {
      // Left for a human to look at; it does not block the job.
      await rename(claimed, file).catch(() => undefined)
    }
  }
  return drained
}

export function parseReport(text: string): SessionReport {
  const raw = JSON.parse(text) as SessionReport
  const stats = raw?.stats as unknown as Record<string, unknown> | undefined
  const valid =
    stats !== undefined &&
    Object.keys(emptyStats()).every((k) => typeof stats[k] === 'number') &&
    Array.isArray(raw.used) &&
    Array.isArray(raw.added) &&
    Array.isArray(raw.order) &&
    Number.isFinite(raw.startedMs) &&
    [...raw.used, ...raw.added, ...raw.order].every((id) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id))
  if (!valid) throw new Error('not a session report')
  return raw
}
