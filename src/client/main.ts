/**
 * The cache client program (dist/client/index.js). GOCACHEPROG runs `serve`;
 * the action runs `daemon`, `stats`, `flush` and `stop`; the bootstrap kit runs
 * `bootstrap …` (people) and `hook …` (the runner's job hooks).
 *
 * stdout belongs to the protocol: cmd/go treats anything that is not JSON as
 * fatal ("error reading JSON from GOCACHEPROG"), so every message goes to
 * stderr, and only when something is wrong (or GO_CACHE_SETUP_DEBUG=1).
 */
import { createWriteStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { controlRequest, type ControlRequest } from '../daemon/control.ts'
import { startDaemon } from '../daemon/daemon.ts'
import { PutNotifier } from '../daemon/put-notifier.ts'
import { newReportId, writeJournal } from '../daemon/reports.ts'
import { ProtocolError, type Hit } from '../gocacheprog/protocol.ts'
import { serveSession } from '../gocacheprog/session.ts'
import { remoteTier, takeRemoteSettings } from '../remote/daemon-remote.ts'
import { LocalStore } from '../store/local-store.ts'

const USAGE = `usage:
  go-cache-setup serve --store DIR [--read-store DIR] [--daemon SOCKET [--remote-wait-ms N] [--bundle-wait-ms N]]
      speak GOCACHEPROG on stdin/stdout (set GOCACHEPROG to this); --read-store: a store read behind
      ours, never written; with --remote-wait-ms, local misses are looked up through the daemon's remote cache;
      with --bundle-wait-ms, a local miss waits for the entry if the bundle the daemon is importing brings it
  go-cache-setup daemon --store DIR --socket SOCKET [--max-bytes N] [--idle-timeout-seconds N] [--log FILE]
      the remote cache's settings come from the GO_CACHE_SETUP_REMOTE environment variable
  go-cache-setup stats|flush|stop|ping --socket SOCKET
  go-cache-setup bootstrap install --runner-dir DIR [--kit-dir DIR] [--tool-cache DIR] [--node PATH]
        [--config FILE | --store-path DIR [--cache-url URL] [--token-file FILE] [--auto-configure true|false]
         [--include OWNER/NAME]... [--exclude OWNER/NAME]... [--cache-write auto|true|false] [--store-max-size SIZE]]
  go-cache-setup bootstrap uninstall [--kit-dir DIR] [--purge-store]
  go-cache-setup bootstrap status --runner-dir DIR [--kit-dir DIR] [--tool-cache DIR]
  go-cache-setup hook job-started|job-completed     (the runner's job hooks run these)`

const debug = process.env.GO_CACHE_SETUP_DEBUG === '1'
const warn = (message: string): void => void process.stderr.write(`go-cache-setup: ${message}\n`)

/** How long a finished go process may wait to hand its report to the daemon before journaling it. */
const REPORT_TIMEOUT_MS = 500

interface ServeOptions {
  storeDir: string
  socket?: string
  readStoreDir?: string
  /** How long a local miss may wait for the daemon's remote lookup. */
  remoteWaitMs?: number
  /** How long a local miss may wait for an entry the daemon's bundle import is bringing. */
  bundleWaitMs?: number
}

async function serve({ storeDir, socket, readStoreDir, remoteWaitMs, bundleWaitMs }: ServeOptions): Promise<number> {
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
          : fetchThroughDaemon(store, socket, id, waitMs, () => {
              daemonFinal = true
            }))
    : local
  const notifier = socket !== undefined && remoteWaitMs !== undefined ? new PutNotifier(socket) : undefined
  const put = (actionId: string, outputId: string, body: readonly Buffer[], size: number) => {
    const result = store.put(actionId, outputId, body, size)
    notifier?.notify(actionId)
    return result
  }
  let report
  try {
    report = await serveSession(
      process.stdin,
      process.stdout,
      { get, put },
      { log: debug ? warn : undefined },
    )
  } catch (error) {
    if (error instanceof ProtocolError) {
      warn(`protocol error: ${error.message}`)
      return 2
    }
    throw error
  } finally {
    process.stdin.destroy()
    notifier?.close()
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
async function fetchThroughDaemon(store: LocalStore, socket: string, actionId: string, waitMs: number, onFinal: () => void): Promise<Hit | undefined> {
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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === 'bootstrap' || command === 'hook') {
    // Loaded on demand: serve starts with every go command and must stay lean.
    const kit = await import('../bootstrap/cli.ts')
    const print = (line: string): void => void process.stdout.write(`${line}\n`)
    try {
      return command === 'hook' ? await kit.hookCommand(rest, print) : await kit.bootstrapCommand(rest, print)
    } catch (error) {
      if (error instanceof kit.KitUsageError) throw new UsageError(error.message)
      throw error
    }
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      store: { type: 'string' },
      'read-store': { type: 'string' },
      daemon: { type: 'string' },
      socket: { type: 'string' },
      'max-bytes': { type: 'string' },
      'idle-timeout-seconds': { type: 'string' },
      'remote-wait-ms': { type: 'string' },
      'bundle-wait-ms': { type: 'string' },
      log: { type: 'string' },
    },
    strict: true,
  })
  switch (command) {
    case 'serve':
      if (!values.store) throw new UsageError('serve needs --store DIR')
      for (const flag of ['remote-wait-ms', 'bundle-wait-ms'] as const) {
        if (values[flag] !== undefined && !values.daemon) throw new UsageError(`--${flag} needs --daemon SOCKET`)
      }
      const ms = (flag: 'remote-wait-ms' | 'bundle-wait-ms') => (values[flag] === undefined ? undefined : positive(values[flag], `--${flag}`))
      return serve({
        storeDir: values.store,
        socket: values.daemon,
        readStoreDir: values['read-store'],
        remoteWaitMs: ms('remote-wait-ms'),
        bundleWaitMs: ms('bundle-wait-ms'),
      })
    case 'daemon': {
      if (!values.store || !values.socket) throw new UsageError('daemon needs --store DIR and --socket SOCKET')
      const logStream = values.log ? createWriteStream(values.log, { flags: 'a' }) : undefined
      const log = (m: string): void => void logStream?.write(`${new Date().toISOString()} ${m}\n`)
      const remote = takeRemoteSettings(process.env)
      const daemon = await startDaemon({
        store: values.store,
        socket: values.socket,
        maxBytes: positive(values['max-bytes'] ?? String(5 * 1024 ** 3), '--max-bytes'),
        idleTimeoutMs: positive(values['idle-timeout-seconds'] ?? String(6 * 3600), '--idle-timeout-seconds') * 1000,
        log,
        ...(remote && { remote: remoteTier(remote, log) }),
      })
      await daemon.closed
      logStream?.end()
      return 0
    }
    case 'stats':
    case 'flush':
    case 'stop':
    case 'ping': {
      if (!values.socket) throw new UsageError(`${command} needs --socket SOCKET`)
      // A flush waits for background uploads (up to the daemon's 60 s deadline) and trims the store.
      const reply = await controlRequest(values.socket, { op: command } as ControlRequest, command === 'flush' ? 240_000 : 60_000)
      // These are for people and scripts, not for go: stdout is fine here.
      process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`)
      return reply.ok ? 0 : 1
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command')
  }
}

class UsageError extends Error {}

function positive(value: string, flag: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got ${value}`)
  return n
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof UsageError || (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    warn(`${(error as Error).message}\n${USAGE}`)
    process.exitCode = 2
  } else {
    warn(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  }
}
