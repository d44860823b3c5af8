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

export class JobAccount {
  readonly stats: SessionStats = emptyStats()
  sessions = 0
  readonly used = new Set<string>()
  readonly added = new Set<string>()

  add(report: SessionReport): void {
    this.sessions++
    for (const key of Object.keys(this.stats) as (keyof SessionStats)[]) this.stats[key] += report.stats[key]
    for (const id of report.used) this.used.add(id)
    for (const id of report.added) this.added.add(id)
  }

  summary(): JobStats {
    return { ...this.stats, sessions: this.sessions, usedEntries: this.used.size, addedEntries: this.added.size }
  }
}

export function journalDir(storeRoot: string): string {
  return path.join(storeRoot, 'journal')
}

export async function writeJournal(storeRoot: string, report: SessionReport): Promise<void> {
  const dir = journalDir(storeRoot)
  await mkdir(dir, { recursive: true })
  const name = `${process.pid}-${randomBytes(6).toString('hex')}`
  const temp = path.join(dir, `.${name}.tmp`)
  await writeFile(temp, JSON.stringify(report))
  await rename(temp, path.join(dir, `${name}.json`))
}

/** Adds every journal to `account` and removes the files it read. Unreadable journals are skipped and kept. */
export async function drainJournals(storeRoot: string, account: JobAccount): Promise<number> {
  const dir = journalDir(storeRoot)
  const names = await readdir(dir).catch(() => [] as string[])
  let drained = 0
  for (const name of names) {
    if (!name.endsWith('.json')) continue
    const file = path.join(dir, name)
    try {
      const report = parseReport(await readFile(file, 'utf8'))
      account.add(report)
      await rm(file, { force: true })
      drained++
    } catch {
      // Left for a human to look at; it does not block the job.
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
    [...raw.used, ...raw.added].every((id) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id))
  if (!valid) throw new Error('not a session report')
  return raw
}
