/**
 * LRU trimming of the local store to a byte budget. Entries are ranked by the
 * mtime of their action file, which the daemon bumps for every entry a job
 * used (LocalStore.touch), so what builds read survives and the rest goes.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { parseEntry } from './local-store.ts'

// A restored or shared store is input: only names we could have written count.
const HEX_ID = /^[0-9a-f]{64}$/
const SHARD = /^[0-9a-f]{2}$/

export interface ScannedEntry {
  actionId: string
  /** Undefined when the entry file does not parse. */
  outputId?: string
  lastUsedMs: number
}

export interface StoreScan {
  entries: ScannedEntry[]
  /** outputID → bytes on disk. */
  objects: Map<string, number>
  /** Leftovers of interrupted writes, with their age. */
  temps: { name: string; ageMs: number }[]
}

export interface TrimPlan {
  removeEntries: string[]
  removeObjects: string[]
  removeTemps: string[]
  keptBytes: number
  removedBytes: number
}

/** Pure: which entries and objects to delete so that objects fit in maxBytes, newest use first. */
export function planTrim(scan: StoreScan, maxBytes: number, tempMaxAgeMs = 3_600_000): TrimPlan {
  const ranked = [...scan.entries].sort((a, b) => b.lastUsedMs - a.lastUsedMs || a.actionId.localeCompare(b.actionId))
  const keptObjects = new Set<string>()
  const removeEntries: string[] = []
  let keptBytes = 0
  for (const entry of ranked) {
    const size = entry.outputId === undefined ? undefined : scan.objects.get(entry.outputId)
    if (size === undefined) {
      removeEntries.push(entry.actionId) // broken or its object is gone
      continue
    }
    if (keptObjects.has(entry.outputId!)) continue
    if (keptBytes + size > maxBytes) {
      removeEntries.push(entry.actionId)
      continue
    }
    keptObjects.add(entry.outputId!)
    keptBytes += size
  }
  const removeObjects = [...scan.objects.keys()].filter((id) => !keptObjects.has(id))
  const removedBytes = removeObjects.reduce((sum, id) => sum + scan.objects.get(id)!, 0)
  const removeTemps = scan.temps.filter((t) => t.ageMs > tempMaxAgeMs).map((t) => t.name)
  return { removeEntries: removeEntries.sort(), removeObjects: removeObjects.sort(), removeTemps, keptBytes, removedBytes }
}

export async function scanStore(root: string, now = Date.now()): Promise<StoreScan> {
  const entries: ScannedEntry[] = []
  const objects = new Map<string, number>()
  for (const shard of (await readdir(path.join(root, 'a')).catch(() => [] as string[])).filter((s) => SHARD.test(s))) {
    for (const actionId of (await readdir(path.join(root, 'a', shard)).catch(() => [] as string[])).filter((n) => HEX_ID.test(n))) {
      const file = path.join(root, 'a', shard, actionId)
      const [text, info] = await Promise.all([readFile(file, 'latin1').catch(() => ''), stat(file).catch(() => undefined)])
      entries.push({ actionId, outputId: parseEntry(text)?.outputId, lastUsedMs: info?.mtimeMs ?? 0 })
    }
  }
  for (const shard of (await readdir(path.join(root, 'o')).catch(() => [] as string[])).filter((s) => SHARD.test(s))) {
    for (const outputId of (await readdir(path.join(root, 'o', shard)).catch(() => [] as string[])).filter((n) => HEX_ID.test(n))) {
      const info = await stat(path.join(root, 'o', shard, outputId)).catch(() => undefined)
      if (info?.isFile()) objects.set(outputId, info.size)
    }
  }
  const temps: StoreScan['temps'] = []
  for (const name of await readdir(path.join(root, 'tmp')).catch(() => [] as string[])) {
    const info = await stat(path.join(root, 'tmp', name)).catch(() => undefined)
    if (info) temps.push({ name, ageMs: now - info.mtimeMs })
  }
  return { entries, objects, temps }
}

export async function applyTrim(root: string, plan: TrimPlan): Promise<void> {
  const remove = (...parts: string[]) => rm(path.join(root, ...parts), { force: true })
  for (const id of plan.removeEntries) await remove('a', id.slice(0, 2), id)
  for (const id of plan.removeObjects) await remove('o', id.slice(0, 2), id)
  for (const name of plan.removeTemps) await remove('tmp', name)
}
