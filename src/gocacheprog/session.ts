/**
 * One GOCACHEPROG conversation: requests from `input`, responses to `output`,
 * answered concurrently and out of order (cmd/go matches them by ID).
 *
 * Rules from cmd/go/internal/cache/prog.go that shape this:
 * - the ID 0 hello goes out before anything is read (go waits for it);
 * - any get problem is a Miss, never Err: cmd/go treats a get error as a miss
 *   anyway, and Err output only alarms users;
 * - `close` is answered, then the conversation ends (go waits for our stdout
 *   to close, golang/go#70848); stdin EOF without close ends it the same way.
 */
import type { Readable, Writable } from 'node:stream'
import { encodeResponse, ProtocolError, RequestParser, type Hit, type Request, type Response } from './protocol.ts'

export interface Backend {
  get(actionId: string): Hit | undefined | Promise<Hit | undefined>
  /** `notStored`: why the body is only in a temporary file at `diskPath`, not in the store (go goes on; the put counts as an error). */
  put(actionId: string, outputId: string, body: readonly Buffer[], size: number): PutAnswer | Promise<PutAnswer>
}

export interface PutAnswer {
  diskPath: string
  notStored?: string
}

/** What one go process did through its cache program. */
export interface SessionStats {
  gets: number
  hits: number
  misses: number
  puts: number
  /** Body bytes received in puts. */
  bytesIn: number
  /** Object bytes served by hits. */
  bytesOut: number
  /**
   * Puts not stored: answered from a temporary copy (a full or unwritable
   * store: store/spill.ts), or with Err (a body that is not its OutputID, or
   * no room for the copy either, which fails some go commands).
   */
  putErrors: number
  /** 1 when this session's store could not be written: go was told the cache is read-only, and sent no puts. */
  readOnly: number
  /** Wall time spent handling requests, summed over requests. */
  busyMs: number
}

export interface SessionReport {
  stats: SessionStats
  /** Action IDs (hex) hit in this session. */
  used: string[]
  /** Action IDs (hex) put in this session. */
  added: string[]
  /**
   * `used` and `added` together, in the order go first asked for each (its
   * get, or its put when no get came first). The next run asks in about the
   * same order, so a bundle laid out this way arrives as go needs it (docs/decisions.md#d23).
   */
  order: string[]
  /** When the session started (epoch ms): orders the sessions of one job. */
  startedMs: number
  /** How the conversation ended. */
  end: 'close' | 'eof'
}

export function emptyStats(): SessionStats {
  return { gets: 0, hits: 0, misses: 0, puts: 0, bytesIn: 0, bytesOut: 0, putErrors: 0, readOnly: 0, busyMs: 0 }
}

export interface SessionOptions {
  /** Diagnostics; never stdout. */
  log?: (message: string) => void
  /**
   * The store cannot be written: the hello leaves `put` out, and go then sends
   * none (cmd/go/internal/cache/prog.go Put: "Child is a read-only cache").
   */
  readOnly?: boolean
}

/** Resolves when the conversation ends; rejects with ProtocolError on a malformed stream. */
export function serveSession(input: Readable, output: Writable, backend: Backend, options: SessionOptions = {}): Promise<SessionReport> {
  const stats = emptyStats()
  const startedMs = Date.now()
  const used = new Set<string>()
  const added = new Set<string>()
  /** The position of each action ID's first request; a miss's later put keeps the miss's place. */
  const asked = new Map<string, number>()
  const ask = (actionId: string): void => {
    if (!asked.has(actionId)) asked.set(actionId, asked.size)
  }
  const parser = new RequestParser()
  // The answers produced in one turn of the event loop (say, to a chunk of
  // pipelined gets) leave in one write: the pipe write was the largest cost
  // per request (bench/protocol.ts). Flushed before the turn ends, so no
  // answer waits for I/O.
  let batch = ''
  const flush = (): void => {
    if (batch === '') return
    const text = batch
    batch = ''
    output.write(text)
  }
  const sendLine = (line: string): void => {
    if (batch === '') process.nextTick(flush)
    batch += line
  }
  const send = (response: Response): void => sendLine(encodeResponse(response))
  if (options.readOnly) stats.readOnly = 1
  output.write(encodeResponse({ id: 0, kind: 'hello', readOnly: options.readOnly ?? false }))

  return new Promise<SessionReport>((resolve, reject) => {
    let inFlight = 0
    let ending: 'close' | 'eof' | undefined
    let closeId: number | undefined
    let failed = false

    const finishIfDone = (): void => {
      if (ending === undefined || inFlight > 0 || failed) return
      if (closeId !== undefined) send({ id: closeId, kind: 'ok' })
      flush()
      input.off('data', onData)
      const order = [...new Set([...used, ...added])].sort((a, b) => asked.get(a)! - asked.get(b)!)
      resolve({ stats, used: [...used], added: [...added], order, startedMs, end: ending })
    }

    const fail = (error: unknown): void => {
      if (failed) return
      failed = true
      flush()
      input.off('data', onData)
      reject(error instanceof ProtocolError ? error : new ProtocolError(String(error)))
    }

    /** Answers a request from what the backend returned (ok) or threw (not ok). Never throws. */
    const answer = (request: Request, ok: boolean, value: unknown, started: number): void => {
      if (request.command === 'get') {
        const hit = ok ? (value as Hit | undefined) : undefined
        let line: string | undefined
        if (!ok) options.log?.(`get ${request.actionId}: ${String(value)}`)
        else if (hit !== undefined) {
          // Encoded here so that a hit Go could not read (say, a time out of
          // range) is a miss too, not an exception that kills us.
          try {
            line = encodeResponse({ id: request.id, kind: 'hit', hit })
          } catch (error) {
            options.log?.(`get ${request.actionId}: ${String(error)}`)
          }
        }
        if (hit === undefined || line === undefined) {
          stats.misses++
          send({ id: request.id, kind: 'miss' })
        } else {
          stats.hits++
          stats.bytesOut += hit.size
          used.add(request.actionId!)
          sendLine(line)
        }
      } else {
        const { diskPath, notStored } = ok ? ((value ?? {}) as Partial<PutAnswer>) : {}
        if (typeof diskPath === 'string') {
          if (notStored === undefined) added.add(request.actionId!)
          else {
            stats.putErrors++
            options.log?.(`put ${request.actionId}: not stored (${notStored}); answered from ${diskPath}`)
          }
          send({ id: request.id, kind: 'put', diskPath })
        } else {
          const error = ok ? new Error('the store returned no DiskPath') : value
          stats.putErrors++
          options.log?.(`put ${request.actionId}: ${String(error)}`)
          send({ id: request.id, kind: 'error', message: `go-cache-setup: ${String(error)}` })
        }
      }
      stats.busyMs += performance.now() - started
    }

    /**
     * Starts a request. A backend that answers synchronously (the local
     * store) is answered at once, with no promise in between: that was a
     * measurable share of a hit's cost (bench/protocol.ts).
     */
    const handle = (request: Request): void => {
      const started = performance.now()
      let result: unknown
      try {
        ask(request.actionId!)
        if (request.command === 'get') {
          stats.gets++
          result = backend.get(request.actionId!)
        } else {
          stats.puts++
          stats.bytesIn += request.bodySize
          result = backend.put(request.actionId!, request.outputId!, request.body ?? [], request.bodySize)
        }
      } catch (error) {
        answer(request, false, error, started)
        return
      }
      if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') {
        answer(request, true, result, started)
        return
      }
      inFlight++
      Promise.resolve(result)
        .then(
          (value: unknown) => answer(request, true, value, started),
          (error: unknown) => answer(request, false, error, started),
        )
        .finally(() => {
          inFlight--
          finishIfDone()
        })
    }

    const onData = (chunk: Buffer): void => {
      if (failed || ending === 'close') return
      let requests: Request[]
      try {
        requests = parser.push(chunk)
      } catch (error) {
        fail(error)
        return
      }
      for (const request of requests) {
        if (request.command === 'close') {
          ending = 'close'
          closeId = request.id
          break
        }
        handle(request)
      }
      finishIfDone()
    }

    input.on('data', onData)
    input.once('end', () => {
      if (ending !== undefined) return
      if (!parser.idle) {
        fail(new ProtocolError('input ended in the middle of a request'))
        return
      }
      ending = 'eof'
      finishIfDone()
    })
    input.once('error', fail)
  })
}
