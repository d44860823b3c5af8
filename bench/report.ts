/**
 * What the job-level benches (bench/bundle.ts, bench/replay.ts) share: the
 * Williams order of their arms, a fresh directory, flags, the compile count,
 * the summary's times read back, and how figures are written.
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { promisify } from 'node:util'

const execFileP = promisify(execFile)

/**
 * Every rotation of `arms`, then every rotation of them reversed: over
 * 2 × arms.length consecutive runs, each arm sits in each place equally often
 * and follows each other arm equally often (a Williams design).
 */
export function williams<T>(arms: readonly T[]): T[][] {
  return [arms, [...arms].reverse()].flatMap((base) => base.map((_, k) => base.map((_, i) => base[(i + k) % base.length]!)))
}

/** Empties `dir` (go leaves module trees read-only) and makes it again. */
export async function wipe(dir: string): Promise<void> {
  await execFileP('chmod', ['-R', 'u+w', dir]).catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
}

/** formatMs's text (src/action/summary.ts) back to ms ("850 ms", "1.2 s"); 0.1 s resolution from a second up. */
export function parseMs(text: string | undefined): number | undefined {
  const m = text === undefined ? null : /^([\d.]+) (ms|s)$/.exec(text)
  return m === null ? undefined : Number(m[1]) * (m[2] === 's' ? 1000 : 1)
}

/** The 1-minute load average (Linux /proc/loadavg). */
export async function load1(): Promise<number> {
  const text = await readFile('/proc/loadavg', 'utf8').catch(() => '')
  return Number(text.split(' ')[0] ?? Number.NaN)
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** "median (min–max)" in ms. */
export function spread(s: { median: number; min: number; max: number } | undefined): string {
  return s === undefined ? '—' : `${Math.round(s.median)} (${Math.round(s.min)}–${Math.round(s.max)})`
}

export function ms(n: number): string {
  return `${Math.round(n)} ms`.padStart(9)
}

export function sec(n: number): string {
  return `${(n / 1000).toFixed(1)} s`
}

export function x(ratio: number): string {
  return `**${ratio.toFixed(2)}×**`
}

export function mib(n: number): string {
  return `${(n / 1024 ** 2).toFixed(1)} MiB`
}

export function entries(n: number): string {
  return `${n} cache ${n === 1 ? 'entry' : 'entries'}`
}

/** A whole number of at least 1 from a flag, or an error naming the flag. */
export function positiveInt(value: string | undefined, flag: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer`)
  return n
}

/** The compiles in a `go build -x` log: `…/compile -o …`, or `"…\\compile.exe" -o …` from a Windows go.exe. */
export function compileCount(xLog: string): number {
  return xLog.split('\n').filter((line) => /[/\\]compile(\.exe)?"?\s/.test(line)).length
}

/**
 * The post step's summary as a run reads it: its restore and save lines,
 * echoed to stderr for the log, and the times read back from them.
 * summary.ts renderBundle: native "…compressed), in T, before go ran"; client
 * "…downloaded in T, imported while go ran in T2; …".
 */
export function summaryTimes(summary: string): { bundleRestoreMs?: number; bundleImportMs?: number; modRestoreMs?: number } {
  process.stderr.write(
    summary
      .split('\n')
      .filter((l) => /Restore|Save|Hit ratio|Restored|Modules after restore/.test(l))
      .map((l) => `    ${l}\n`)
      .join(''),
  )
  const restored = /^\| Restored \| .*?(?:, in|downloaded in) ([\d.]+ m?s)(?:, imported while go ran in ([\d.]+ m?s))?/m.exec(summary)
  const bundleRestoreMs = parseMs(restored?.[1])
  const bundleImportMs = parseMs(restored?.[2])
  const modRestoreMs = parseMs(/^\| Modules after restore \| .*, in ([\d.]+ m?s) \|/m.exec(summary)?.[1])
  return {
    ...(bundleRestoreMs !== undefined && { bundleRestoreMs }),
    ...(bundleImportMs !== undefined && { bundleImportMs }),
    ...(modRestoreMs !== undefined && { modRestoreMs }),
  }
}
