/**
 * What a remote cache is to the rest of the client: entries that name an
 * object, and the objects by their digest. bazel-remote over HTTP
 * (bazel-http.ts) implements it; S3 and REAPI remotes plug in beside it.
 *
 * Nothing a remote returns is trusted: the store's remote tier
 * (store/remote-tier.ts) checks every ID, size and digest before go sees it.
 */
import type { Readable } from 'node:stream'

/** Which object answers a Go ActionID: Go's OutputID (the sha256 of the object), its size, and when Go put it. */
export interface RemoteEntry {
  /** Lowercase hex sha256 of the object. */
  outputId: string
  size: number
  /** When Go put the entry (ms since the epoch); go test reads it (cache expiry). */
  timeMs: number
}

/**
 * An entry as a lookup found it, with the object's bytes when the remote
 * fetched them in the same go (S3: the output's GET gives its size, so no
 * HEAD first). The caller reads `body` to the end, or destroys it.
 */
export interface FoundEntry extends RemoteEntry {
  body?: Readable
}

export interface WireCounters {
  /** Requests sent (each lookup, HEAD, download and upload). */
  requests: number
  /** Body bytes as sent / received on the wire (compressed when zstd). */
  sent: number
  received: number
}

export interface Remote {
  /**
   * The entry under a key (a Go ActionID, or a job's manifest key): undefined
   * when absent, an Error when malformed. Rejects when the request fails. With
   * `inlineMaxBytes`, a remote may bring the body of an object up to that size
   * with it (capped like getBlob's); one that cannot, doesn't.
   */
  getEntry(key: string, inlineMaxBytes?: number): Promise<FoundEntry | Error | undefined>
  putEntry(key: string, entry: RemoteEntry): Promise<void>
  /**
   * The object's bytes as they arrive, decoded; undefined when absent. The
   * stream fails past `size` bytes or the read's deadline, so neither memory
   * nor time depends on what the server sends; the caller reads it to the
   * end, or destroys it.
   */
  getBlob(hash: string, size: number): Promise<Readable | undefined>
  putBlob(hash: string, body: Buffer): Promise<void>
  readonly wire: WireCounters
  close(): void
}

/** A request that failed; `status` when the server answered (a 401 or 403 message says which credentials to check). */
export class RemoteError extends Error {
  readonly status: number | undefined
  constructor(message: string, status?: number) {
    super(message)
    this.status = status
  }
}
