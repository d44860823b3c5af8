/** A real bundle file for tests of its import, written by the real writer. */
import { createHash } from 'node:crypto'
import path from 'node:path'
import { planBundle, writeBundle } from '../../src/buildcache/bundle-save.ts'
import { LocalStore } from '../../src/store/local-store.ts'

export const id = (n: number) => n.toString(16).padStart(64, '0')
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/**
 * A bundle of `n` objects (entry i → object i, entry 100+i → object i too,
 * for i from `first`), written by the real writer; a layer when `baseKey` is given.
 */
export async function bundleFile(root: string, n: number, size = 50_000, layer: { first?: number; name?: string; baseKey?: string } = {}): Promise<string> {
  const source = new LocalStore(path.join(root, 'source'))
  const candidates = []
  const first = layer.first ?? 0
  for (let i = first; i < first + n; i++) {
    const body = Buffer.alloc(size, i)
    for (const actionId of [id(i), id(100 + i)]) {
      source.put(actionId, sha(body), [body], size, 1_700_000_000_000 + i)
      candidates.push({ actionId, outputId: sha(body), size, timeMs: 1_700_000_000_000 + i })
    }
  }
  const file = path.join(root, layer.name ?? 'build-cache.bundle')
  await writeBundle(source, planBundle(candidates, 1 << 30), file, layer.baseKey)
  return file
}
