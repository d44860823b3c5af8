import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { drainJournals, JobAccount, journalDir, parseReport, writeJournal } from '../../../src/daemon/reports.ts'
import type { SessionReport } from '../../../src/gocacheprog/session.ts'
import { hexId } from '../gocacheprog/go-frames.ts'

function report(n: number, used: string[], added: string[], end: 'close' | 'eof' = 'close', startedMs = 1_700_000_000_000 + n): SessionReport {
  return {
    stats: { gets: n, hits: n - 1, misses: 1, puts: 2 * n, bytesIn: 100 * n, bytesOut: 10 * n, putErrors: n % 2, readOnly: 0, busyMs: 0.5 * n },
    used,
    added,
    order: [...used, ...added],
    startedMs,
    end,
  }
}

const [A, B, C, D] = ['a', 'b', 'c', 'd'].map(hexId) as [string, string, string, string]

describe('JobAccount', () => {
  it('starts at zero', () => {
    expect(new JobAccount().summary()).toStrictEqual({
      gets: 0,
      hits: 0,
      misses: 0,
      puts: 0,
      bytesIn: 0,
      bytesOut: 0,
      putErrors: 0,
      readOnly: 0,
      busyMs: 0,
      sessions: 0,
      usedEntries: 0,
      addedEntries: 0,
    })
  })

  it('sums every counter and counts distinct used and added entries', () => {
    const account = new JobAccount()
    account.add(report(3, [A, B], [C]))
    account.add(report(4, [B], [C, D], 'eof'))
    account.add(report(1, [], []))
    expect(account.summary()).toStrictEqual({
      gets: 8,
      hits: 5,
      misses: 3,
      puts: 16,
      bytesIn: 800,
      bytesOut: 80,
      putErrors: 2,
      readOnly: 0,
      busyMs: 4,
      sessions: 3,
      usedEntries: 2,
      addedEntries: 2,
    })
    expect([...account.used].sort()).toStrictEqual([A, B].sort())
    expect([...account.added].sort()).toStrictEqual([C, D].sort())
  })

  it("orders the job's entries by session start, whatever order the reports came in, each entry once", () => {
    const account = new JobAccount()
    // `go test` (started second) ended and reported first; journals drain in readdir order too.
    account.add({ ...report(2, [A, C], [D]), startedMs: 2_000 })
    account.add({ ...report(1, [A], [B]), startedMs: 1_000 })
    expect(account.ids().order).toStrictEqual([A, B, C, D])
  })
})

describe('parseReport', () => {
  it('reads what a shim sends', () => {
    const r = report(2, [A], [B])
    expect(parseReport(JSON.stringify(r))).toStrictEqual(r)
  })

  it.each([
    ['null', 'null'],
    ['a string', '"report"'],
    ['an array', '[]'],
    ['no stats', JSON.stringify({ used: [], added: [] })],
    ['a missing counter', JSON.stringify({ ...report(1, [], []), stats: { gets: 1 } })],
    ['a counter that is a string', JSON.stringify({ ...report(1, [], []), stats: { ...report(1, [], []).stats, hits: '1' } })],
    ['used not an array', JSON.stringify({ ...report(1, [], []), used: A })],
    ['no added', JSON.stringify({ stats: report(1, [], []).stats, used: [] })],
    ['an upper-case ID', JSON.stringify(report(1, [A.toUpperCase()], []))],
    ['a short ID', JSON.stringify(report(1, [], [A.slice(1)]))],
    ['a path as an ID', JSON.stringify(report(1, ['../../etc/passwd'], []))],
    ['a number as an ID', JSON.stringify(report(1, [], [7 as unknown as string]))],
    ['no order', JSON.stringify({ ...report(1, [A], []), order: undefined })],
    ['a path in the order', JSON.stringify({ ...report(1, [A], []), order: ['../x'] })],
    ['no start time', JSON.stringify({ ...report(1, [A], []), startedMs: 'now' })],
  ])('rejects %s', (_, text) => {
    expect(() => parseReport(text)).toThrow(new Error('not a session report'))
  })

  it('throws on text that is not JSON', () => {
    expect(() => parseReport('{"stats":')).toThrow(SyntaxError)
  })
})

describe('journals', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'journal-'))
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('round-trips reports through journal files, then removes them', async () => {
    const reports = [report(1, [A], []), report(2, [B], [C]), report(5, [A], [D], 'eof')]
    await Promise.all(reports.map((r) => writeJournal(root, r)))
    const names = readdirSync(journalDir(root))
    expect(names).toHaveLength(3)
    for (const name of names) expect(name).toMatch(new RegExp(`^${process.pid}-[0-9a-f]{12}\\.json$`))
    const account = new JobAccount()
    expect(await drainJournals(root, account)).toBe(3)
    const expected = new JobAccount()
    reports.forEach((r) => expected.add(r))
    expect(account.summary()).toStrictEqual(expected.summary())
    expect(readdirSync(journalDir(root))).toStrictEqual([])
    expect(await drainJournals(root, account)).toBe(0)
    expect(account.summary().sessions).toBe(3)
  })

  it('drains nothing when there is no journal directory', async () => {
    const account = new JobAccount()
    expect(await drainJournals(path.join(root, 'none'), account)).toBe(0)
    expect(account.sessions).toBe(0)
  })

  it('keeps journals it cannot read and ignores files that are not journals', async () => {
    await writeJournal(root, report(1, [A], []))
    const dir = journalDir(root)
    writeFileSync(path.join(dir, 'broken.json'), '{"stats":')
    writeFileSync(path.join(dir, 'wrong.json'), JSON.stringify({ stats: {}, used: [], added: [] }))
    writeFileSync(path.join(dir, '.123-abc.tmp'), JSON.stringify(report(9, [], []))) // a journal being written
    writeFileSync(path.join(dir, 'notes.txt'), 'hello')
    mkdirSync(path.join(dir, 'sub.json'))
    const account = new JobAccount()
    expect(await drainJournals(root, account)).toBe(1)
    expect(account.summary().gets).toBe(1)
    expect(readdirSync(dir).sort()).toStrictEqual(['.123-abc.tmp', 'broken.json', 'notes.txt', 'sub.json', 'wrong.json'])
  })

  it('counts each journal once when two drains run at the same time (stats during flush)', async () => {
    for (let i = 0; i < 20; i++) await writeJournal(root, report(1, [hexId(i)], []))
    const first = new JobAccount()
    const second = new JobAccount()
    const drained = await Promise.all([drainJournals(root, first), drainJournals(root, second)])
    expect(drained[0] + drained[1]).toBe(20)
    expect(first.sessions + second.sessions).toBe(20)
    expect(readdirSync(journalDir(root))).toStrictEqual([])
  })

  it('counts each journal once when one account drains twice at the same time', async () => {
    for (let i = 0; i < 20; i++) await writeJournal(root, report(1, [hexId(i)], []))
    const account = new JobAccount()
    await Promise.all([drainJournals(root, account), drainJournals(root, account), drainJournals(root, account)])
    expect(account.summary()).toMatchObject({ sessions: 20, gets: 20, usedEntries: 20 })
  })
})

describe('report ids', () => {
  it('counts a report once when both the shim and a late daemon journal it', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises')
    const os = await import('node:os')
    const path = await import('node:path')
    const { JobAccount, drainJournals, newReportId, writeJournal } = await import('../../../src/daemon/reports.ts')
    const root = await mkdtemp(path.join(os.tmpdir(), 'reportid-'))
    try {
      const report = {
        stats: { gets: 2, hits: 1, misses: 1, puts: 1, bytesIn: 3, bytesOut: 4, putErrors: 0, readOnly: 0, busyMs: 1 },
        used: [],
        added: [],
        order: [],
        startedMs: 1,
        end: 'close' as const,
      }
      const id = newReportId()
      await writeJournal(root, report, id)
      await writeJournal(root, report, id)
      const account = new JobAccount()
      expect(await drainJournals(root, account)).toBe(1)
      expect(account.summary().gets).toBe(2)
      await expect(writeJournal(root, report, '../x')).rejects.toThrow('invalid report id')
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
