/** `5GiB`, `512MiB`, `10G`, `1073741824`: binary multiples. Undefined when it is not a size of at least 1 MiB. */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim())
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!) : NaN
  return Number.isSafeInteger(bytes) && bytes >= MIN_BYTES ? bytes : undefined
}

const MIN_BYTES = 1024 ** 2
const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }
