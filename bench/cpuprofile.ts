/**
 * Sums V8 .cpuprofile files (node --cpu-prof) by function: self time, the
 * time of the function's own samples. Used by bench/build.ts to say where the
 * cache client's CPU goes across the many short shim processes of a build.
 */
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

export interface FunctionTime {
  name: string
  selfMs: number
}

export interface ProfileSummary {
  files: number
  /** Sampled time over all profiles (the processes' lifetimes, idle included). */
  totalMs: number
  /** Sampled time not spent idle (`(idle)`, `(program)` excluded). */
  busyMs: number
  top: FunctionTime[]
}

export async function summarizeProfiles(dir: string, topN = 20): Promise<ProfileSummary> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.cpuprofile'))
  const self = new Map<string, number>()
  let totalMs = 0
  for (const name of names) {
    const profile = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as CpuProfile
    const byId = new Map(profile.nodes.map((n) => [n.id, n]))
    const samples = profile.samples ?? []
    const deltas = profile.timeDeltas ?? []
    // timeDeltas[i] is the time before sample i; attribute the gap after it to sample i.
    for (let i = 0; i < samples.length; i++) {
      const dtUs = deltas[i + 1] ?? 0
      const frame = byId.get(samples[i]!)?.callFrame
      if (frame === undefined) continue
      const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''
      const key = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`
      self.set(key, (self.get(key) ?? 0) + dtUs / 1000)
      totalMs += dtUs / 1000
    }
  }
  const idle = new Set(['(idle)', '(program)'])
  const busyMs = [...self].filter(([k]) => !idle.has(k)).reduce((sum, [, ms]) => sum + ms, 0)
  const top = [...self]
    .map(([name, selfMs]) => ({ name, selfMs }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, topN)
  return { files: names.length, totalMs, busyMs, top }
}

function shortUrl(url: string): string {
  const marker = url.indexOf('/dist/')
  if (marker !== -1) return url.slice(marker + 1)
  return url.replace(/^file:\/\//, '').replace(/^node:/, 'node:')
}
