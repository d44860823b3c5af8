/**
 * What a bundle is imported into and saved from: our local store (the
 * GOCACHEPROG client's, store/local-store.ts) or Go's own GOCACHE directory
 * (native mode, store/go-cache-dir.ts). Both verify an entry's object before
 * they serve it.
 */
import type { Hit } from '../gocacheprog/protocol.ts'

export interface BundleStore {
  readonly root: string
  /** The entry and its object, checked; undefined when either is missing or damaged. */
  get(actionId: string): Hit | undefined
  objectPath(outputId: string): string
  /**
   * A verified object from a bundle, with the entries that point at it;
   * `body` may be iterated more than once, and a chunk is valid only until
   * the next is taken. A promise: the import waits for it (a store that
   * writes behind the import holds it back so).
   */
  importShared(outputId: string, body: Iterable<Buffer>, size: number, entries: readonly { actionId: string; timeMs: number }[]): unknown
  /** The import is over: files it kept open are closed, writes behind it done (rejects with the first that failed). */
  endImport(): void | Promise<void>
}
