/**
 * The long-lived daemon the action's main step starts. go processes never wait
 * on it: their shims serve hits and write puts straight to the shared store.
 * The daemon holds what outlives one go process: the job's accounting (sessions
 * report to it when they end), LRU bookkeeping and trimming at flush, the
 * import of the build-cache bundle while go runs, and, with the remote tiers,
 * background transfers.
 */
import { chmodSync, existsSync, lstatSync, rmdirSync, rmSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { errorMessage } from '../common/errors.ts'
import { Arrivals, importBundle, type ImportReport } from '../bundle/import.ts'
import type { RemoteTier } from '../store/remote-tier.ts'
import { LocalStore } from '../store/local-store.ts'
import { applyTrim, planTrim, scanStore } from '../store/trim.ts'
import type { ControlReply, ControlRequest } from './control.ts'
import { isPipeName, isShortSocket } from './endpoint.ts'
import { drainJournals, JobAccount, parseReport, writeJournal } from './reports.ts'

export interface DaemonOptions {
  store: string
  socket: string
  /** Trim the store to this many bytes at flush. */
  maxBytes: number
  /** Exit after this long without any request (a job that never ran post). */
  idleTimeoutMs: number
  log: (message: string) => void
  /** The remote tier (daemon/remote.ts builds it from REMOTE_ENV), when a cache-url is set. */
  remote?: (store: LocalStore) => RemoteTier
}

/** How long a flush waits for background uploads when the request does not say. */
export const DEFAULT_UPLOAD_FLUSH_MS = 60_000

export interface RunningDaemon {
  closed: Promise<void>
  close(): Promise<void>
}

export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const store = new LocalStore(options.store)
  for (const change of store.tighten()) options.log(`store: ${change}`)
  const account = new JobAccount()
  const remote = options.remote?.(store)
  // While go starts: fetch what the last run of this job used (store/remote-tier.ts prefetch).
  void remote?.prefetch().catch((error: unknown) => options.log(`prefetch: ${String(error)}`))
  /** The bundle the main step handed over, while and after it is imported. */
  let bundle: { arrivals: Arrivals; done?: Promise<ImportReport>; waits: number; waitMs: number } | undefined
  let idleTimer: NodeJS.Timeout | undefined
  let closing = false

  const handle = async (request: ControlRequest): Promise<ControlReply> => {
    switch (request.op) {
      case 'ping':
        return { ok: true, pid: process.pid, store: store.root }
      case 'report':
        // Journaled, not summed in memory: the report is on disk before the shim
        // hears ok, so if this daemon dies (OOM, a runner cleaning up processes)
        // the post step still finds it (finish.ts). Summed at the next stats or flush.
        {
          const report = parseReport(JSON.stringify(request.report))
          // A store with no room for the journal (a full disk): counted here
          // instead, so the job's figures still say what go did.
          await writeJournal(store.root, report, request.id).catch((error: unknown) => {
            options.log(`report ${request.id}: not journaled (${errorMessage(error)}); counted in memory`)
            account.add(report)
          })
          // Uploads start now, in the background: the go process is done with these entries.
          remote?.enqueue(report.added)
        }
        return { ok: true }
      case 'queue':
        if (Array.isArray(request.actionIds)) remote?.enqueue(request.actionIds.filter((id): id is string => typeof id === 'string'))
        return { ok: true }
      case 'import':
        if (bundle !== undefined) return { ok: false, error: 'a bundle was imported already' }
        {
          // The files are deleted after the import: take only what the main step hands over.
          const { files, baseManifest } = request
          const bundleFile = (file: unknown) =>
            typeof file === 'string' && file.endsWith('.bundle') && lstatSync(file, { throwIfNoEntry: false })?.isFile() === true
          if (!Array.isArray(files) || files.length === 0 || files.length > 2 || !files.every(bundleFile)) {
            return { ok: false, error: `not bundle files: ${JSON.stringify(files)}` }
          }
          if (
            baseManifest !== undefined &&
            (typeof baseManifest.key !== 'string' || typeof baseManifest.file !== 'string' || !baseManifest.file.endsWith('.base.json'))
          ) {
            return { ok: false, error: 'baseManifest must be a .base.json file and a key' }
          }
          if (!Number.isSafeInteger(request.maxBytes) || request.maxBytes <= 0) return { ok: false, error: 'maxBytes must be a positive integer' }
          bundle = { arrivals: new Arrivals(), waits: 0, waitMs: 0 }
          const importOptions = { maxBytes: request.maxBytes, arrivals: bundle.arrivals, ...(baseManifest && { baseManifest }) }
          bundle.done = importBundle(files, store, importOptions).then((report) => {
            options.log(
              `import: ${report.objects} objects, ${report.entries} entries, ${report.bytes} bytes in ${Math.round(report.importMs)} ms${report.error ? `; stopped: ${report.error}` : ''}`,
            )
            return report
          })
        }
        return { ok: true }
      case 'fetch': {
        const arriving = bundle?.arrivals.settled(request.actionId)
        if (arriving !== undefined) {
          const started = performance.now()
          if (await arriving) {
            bundle!.waits++
            bundle!.waitMs += performance.now() - started
          }
        }
        // Also when nothing was pending: the import may have brought the entry
        // between the shim's own look and this request.
        if (bundle !== undefined && store.get(request.actionId) !== undefined) return { ok: true, hit: true }
        if (remote !== undefined) return { ok: true, hit: await remote.fetch(request.actionId) }
        return { ok: true, hit: false, final: !(bundle?.arrivals.active ?? false) }
      }
      case 'stats':
        await drainJournals(store.root, account)
        return { ok: true, stats: account.summary(), peakRssBytes: peakRssBytes(), ...(remote && { remote: remote.stats(account.used) }) }
      case 'flush': {
        // The bundle's save reads the store: the import must be over first.
        const imported = bundle?.done && { ...(await bundle.done), waits: bundle.waits, waitMs: bundle.waitMs }
        await drainJournals(store.root, account)
        // Journals the shims wrote themselves (the daemon was busy or gone) name puts too.
        remote?.enqueue(account.added)
        const remoteStats = await remote?.flush(request.uploadDeadlineMs ?? DEFAULT_UPLOAD_FLUSH_MS, account.used)
        await store.touch(account.used)
        const plan = planTrim(await scanStore(store.root, Date.now(), account.used), options.maxBytes)
        await applyTrim(store.root, plan)
        options.log(`flush: kept ${plan.keptBytes} bytes, removed ${plan.removeEntries.length} entries (${plan.removedBytes} bytes)`)
        return {
          ok: true,
          stats: account.summary(),
          trim: { entriesRemoved: plan.removeEntries.length, bytesRemoved: plan.removedBytes, storeBytes: plan.keptBytes },
          peakRssBytes: peakRssBytes(),
          ...(remoteStats && { remote: remoteStats }),
          ...(request.ids ? { ids: account.ids() } : {}),
          ...(imported && { import: imported }),
        }
      }
      case 'stop':
        setImmediate(() => void running.close())
        return { ok: true }
      default:
        // Without this the reply was `undefined`, not JSON, and the client failed parsing it.
        return { ok: false, error: `unknown op ${JSON.stringify((request as { op?: unknown } | null)?.op)}` }
    }
  }

  const server = net.createServer((socket) => {
    resetIdle()
    let buffer = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end)
        buffer = buffer.slice(end + 1)
        void (async () => {
          let reply: ControlReply
          try {
            reply = await handle(JSON.parse(line) as ControlRequest)
          } catch (error) {
            reply = { ok: false, error: String(error) }
          }
          if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`)
        })()
      }
      if (buffer.length > 64 << 20) socket.destroy()
    })
    socket.on('error', () => undefined)
  })

  const resetIdle = (): void => {
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => {
      options.log('idle timeout: exiting')
      void running.close()
    }, options.idleTimeoutMs)
    idleTimer.unref()
  }

  // A named pipe (Windows) is no file: it goes when the server closes, and its
  // default ACL already limits writers to its creator, SYSTEM and administrators.
  const pipe = isPipeName(options.socket)
  // A socket file left by a daemon that died would make listen fail with EADDRINUSE.
  if (!pipe && existsSync(options.socket)) rmSync(options.socket, { force: true })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.socket, () => resolve())
  })
  // Only this user may talk to the daemon, whatever the umask; the directory
  // it sits in is owner-only too (client-daemon.ts), so there is no window.
  if (!pipe) chmodSync(options.socket, 0o600)
  resetIdle()
  let resolveClosed!: () => void
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve))
  const running: RunningDaemon = {
    closed,
    close: async () => {
      if (closing) return closed
      closing = true
      clearTimeout(idleTimer)
      remote?.stop()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (!pipe) removeSocket(options.socket)
      resolveClosed()
    },
  }
  options.log(`listening on ${options.socket}, store ${store.root}`)
  return running
}

/** Removes the socket, and the private directory launch.ts made for it when the state directory's path was too long (endpoint.ts). */
function removeSocket(socket: string): void {
  rmSync(socket, { force: true })
  if (isShortSocket(socket)) {
    try {
      rmdirSync(path.dirname(socket))
    } catch {
      // Not empty, or gone: not ours to force.
    }
  }
}

/** The process' peak resident set (getrusage's ru_maxrss; Node reports it in KiB). */
function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024
}
