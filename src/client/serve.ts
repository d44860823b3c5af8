/**
 * `serve`: the GOCACHEPROG process that every go command starts. It answers
 * go from the local store itself (a hit is one small read and one stat), asks
 * the job's daemon only on a local miss, and leaves its report with the
 * daemon, or in a journal when the daemon is gone.
 *
 * stdout belongs to the protocol: cmd/go treats anything that is not JSON as
 * fatal ("error reading JSON from GOCACHEPROG"), so messages go to stderr.
 */
import { createHash } from 'node:crypto'
import { controlRequest } from '../daemon/control.ts'
import { PutNotifier } from '../daemon/put-notifier.ts'
import { newReportId, writeJournal } from '../daemon/reports.ts'
import { ProtocolError, type Hit } from '../gocacheprog/protocol.ts'
import { type SessionReport, serveSession } from '../gocacheprog/session.ts'
import { LocalStore } from '../store/local-store.ts'
import { Spill } from '../store/spill.ts'

/** How long a finished go process may wait to hand its report to the daemon before journaling it. */
const REPORT_TIMEOUT_MS = 500

export interface ServeOptions {
  storeDir: string
  socket?: string
  readStoreDir?: string
  /** How long a local miss may wait for the daemon's remote lookup. */
  remoteWaitMs?: number
  /** How long a local miss may wait for an entry the daemon's bundle import is bringing. */
  bundleWaitMs?: number
}

export interface ServeLog {
  /** Set GO_CACHE_SETUP_DEBUG=1 to see what each request did. */
  debug: boolean
  warn(message: string): void
}

/** The exit status: 0, or 2 when go spoke something that is not the protocol. */
export async function serve({ storeDir, socket, readStoreDir, remoteWaitMs, bundleWaitMs }: ServeOptions, { debug, warn }: ServeLog): Promise<number> {
  const store = new LocalStore(storeDir)
  // Read-only behind ours: hits from it, puts never go to it (bootstrap/job-hooks.ts).
  const readStore = readStoreDir === undefined ? undefined : new LocalStore(readStoreDir)
  const local = readStore === undefined ? (id: string) => store.get(id) : (id: string) => store.get(id) ?? readStore.get(id)
  // Hits from the local store stay synchronous (the fast path); only a local
  // miss asks the daemon, which holds the remote's settings and connections,
  // and the bundle it imports while go runs. Once it says nothing more can
  // come (no remote, the import is over), misses stop asking.
  const waitMs = Math.max(remoteWaitMs ?? 0, bundleWaitMs ?? 0)
  let daemonFinal = false
  const ask = socket !== undefined && waitMs > 0
  const get = ask
    ? (id: string) =>
        local(id) ??
        (daemonFinal
          ? undefined
          : fetchThroughDaemon(store, socket, id, waitMs, { debug, warn }, () => {
              daemonFinal = true
            }))
    : local
  const notifier = socket !== undefined && remoteWaitMs !== undefined ? new PutNotifier(socket) : undefined
  const spill = new Spill()
  const put = (actionId: string, outputId: string, body: readonly Buffer[], size: number) => {
    // go computes the OutputID as the body's sha256 (cmd/go/internal/cache Put): anything else is refused, not stored.
    const hash = createHash('sha256')
    for (const chunk of body) hash.update(chunk)
    const digest = hash.digest('hex')
    if (digest !== outputId) throw new Error(`the body's sha256 is ${digest}, not its OutputID ${outputId}`)
    let result: { diskPath: string }
    try {
      result = store.put(actionId, outputId, body, size)
    } catch (error) {
      // go needs a DiskPath to go on (store/spill.ts); the store has no entry, so nothing is uploaded.
      return { diskPath: spill.put(outputId, body), notStored: String(error) }
    }
    notifier?.notify(actionId)
    return result
  }
  let report: SessionReport
  try {
    report = await serveSession(process.stdin, process.stdout, { get, put }, { log: debug ? warn : undefined, readOnly: !store.writable })
  } catch (error) {
    if (error instanceof ProtocolError) {
      warn(`protocol error: ${error.message}`)
      return 2
    }
    throw error
  } finally {
    process.stdin.destroy()
    notifier?.close()
    spill.remove()
  }
  // Standalone (a workstation): nobody sums reports, so none are kept.
  if (socket === undefined) return 0
  // go waits for our stdout to close, not for us to exit (cache/prog.go
  // Close), so close it before the report: the report costs go nothing.
  await new Promise<void>((resolve) => process.stdout.end(resolve))
  // The daemon journals the report; if it is gone or slow, we journal it
  // ourselves under the same name, so it is counted once either way.
  const id = newReportId()
  try {
    const reply = await controlRequest(socket, { op: 'report', id, report }, REPORT_TIMEOUT_MS)
    if (!reply.ok) throw new Error(reply.error)
  } catch (error) {
    if (debug) warn(`daemon unavailable (${String(error)}); journaling the report`)
    await writeJournal(store.root, report, id).catch((e: unknown) => warn(`could not write the journal: ${String(e)}`))
  }
  return 0
}

/** A miss unless the daemon brought a verified copy into the store in time. */
async function fetchThroughDaemon(
  store: LocalStore,
  socket: string,
  actionId: string,
  waitMs: number,
  { debug, warn }: ServeLog,
  onFinal: () => void,
): Promise<Hit | undefined> {
  try {
    const reply = await controlRequest(socket, { op: 'fetch', actionId }, waitMs)
    if (reply.ok && reply.hit) return store.get(actionId)
    if (reply.ok && reply.final) onFinal()
    if (!reply.ok && debug) warn(`fetch ${actionId}: ${reply.error}`)
  } catch (error) {
    if (debug) warn(`fetch ${actionId}: ${String(error)}`)
  }
  return undefined
}
