/**
 * Servers that fail the way a real cache server can but bazel-remote cannot be
 * told to, on loopback:
 * - `http-500`: every request answered 500;
 * - `hang`: connections accepted, never answered;
 * - `stall-reads`: uploads accepted (200), reads answered with headers and then
 *   a byte a second (a remote whose reads stall while its writes work);
 * - `slowloris`: the status line and headers of every answer, a byte a second;
 * - `endless`: uploads accepted, reads answered with a body that never ends;
 * - `zstd-bomb`: uploads accepted; every action entry found, naming a 256 MiB
 *   object, and every blob an 8 KiB zstd frame of 256 MiB of zeros (not the
 *   object the digest names).
 *
 * And startSlowProxy: a real server behind a slow link.
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import zlib from 'node:zlib'
import { encodeActionResult } from '../../../src/remote/action-result.ts'

export interface FaultyServer {
  url: string
  /** Requests (500) or connections (hang) seen. */
  hits(): number
  stop(): Promise<void>
}

export type FaultMode = 'http-500' | 'hang' | 'stall-reads' | 'slowloris' | 'endless' | 'zstd-bomb'

const BOMB_BYTES = 256 * 1024 ** 2

export async function startFaultyServer(mode: FaultMode): Promise<FaultyServer> {
  let hits = 0
  const sockets = new Set<net.Socket>()
  const timers = new Set<NodeJS.Timeout>()
  /** Calls `write` every `ms` until it returns false (the socket went). */
  const drip = (write: () => boolean, ms: number): void => {
    const timer = setInterval(() => {
      if (!write()) clearInterval(timer)
    }, ms)
    timers.add(timer)
  }
  const uploadsWork = (request: http.IncomingMessage, response: http.ServerResponse): boolean => {
    if (request.method !== 'PUT') return false
    request.resume()
    request.on('end', () => response.end())
    return true
  }
  const server =
    mode === 'http-500'
      ? http.createServer((request, response) => {
          hits++
          request.resume()
          request.on('end', () => {
            response.writeHead(500, { 'Content-Type': 'text/plain' })
            response.end('internal error (test)')
          })
        })
      : mode === 'zstd-bomb'
        ? bombServer(() => hits++)
        : mode === 'stall-reads'
          ? http.createServer((request, response) => {
              hits++
              if (uploadsWork(request, response)) return
              response.writeHead(200, { 'Content-Length': '100000' })
              drip(() => !response.destroyed && response.write('x'), 1000)
            })
          : mode === 'endless'
            ? http.createServer((request, response) => {
                hits++
                if (uploadsWork(request, response)) return
                response.writeHead(200) // chunked, no length
                const block = Buffer.alloc(64 * 1024)
                drip(() => !response.destroyed && (response.write(block), true), 1)
              })
            : mode === 'slowloris'
              ? net.createServer((socket) => {
                  hits++
                  socket.on('data', () => undefined)
                  const head = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: 10\r\nX-Slow: ${'x'.repeat(10_000)}`)
                  let at = 0
                  drip(() => !socket.destroyed && at < head.length && (socket.write(head.subarray(at, ++at)), true), 1000)
                })
              : net.createServer((socket) => {
                  hits++
                  socket.on('data', () => undefined) // read and never answer
                })
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    stop: async () => {
      for (const timer of timers) clearInterval(timer)
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function bombServer(hit: () => void): http.Server {
  const bomb = zlib.zstdCompressSync(Buffer.alloc(BOMB_BYTES))
  const entry = encodeActionResult({ outputId: randomBytes(32).toString('hex'), size: BOMB_BYTES, timeMs: Date.now() })
  return http.createServer((request, response) => {
    hit()
    request.resume()
    if (request.method === 'PUT') return void request.on('end', () => response.end())
    if (request.url?.includes('/ac/')) return void response.end(entry)
    response.writeHead(200, { 'Content-Encoding': 'zstd', 'Content-Length': String(bomb.length) })
    response.end(bomb)
  })
}

/**
 * A TCP proxy on loopback to a real server on `port` that holds each chunk of
 * its answers `delayMs` before passing it on: a slow server, or a slow
 * network, in front of one that works. `hits()` counts connections.
 */
export async function startSlowProxy(port: number, delayMs: number): Promise<FaultyServer> {
  let hits = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    hits++
    const upstream = net.connect(port, '127.0.0.1')
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => undefined)
    }
    client.pipe(upstream)
    upstream.on('data', (chunk: Buffer) => void setTimeout(() => client.destroyed || client.write(chunk), delayMs))
    // After the data it follows: end() flushes what is written, destroy() would drop it.
    upstream.on('end', () => void setTimeout(() => client.end(), delayMs))
    upstream.on('error', () => void setTimeout(() => client.destroy(), delayMs))
    client.on('close', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as net.AddressInfo
  return {
    url: `http://127.0.0.1:${own}`,
    hits: () => hits,
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
