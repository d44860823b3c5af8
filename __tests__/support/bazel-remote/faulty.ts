/**
 * Servers that fail the way a real cache server can but bazel-remote cannot be
 * told to: one that answers every request with HTTP 500, and one that accepts
 * connections and never answers. Loopback only.
 */
import http from 'node:http'
import net from 'node:net'

export interface FaultyServer {
  url: string
  /** Requests (500) or connections (hang) seen. */
  hits(): number
  stop(): Promise<void>
}

export async function startFaultyServer(mode: 'http-500' | 'hang'): Promise<FaultyServer> {
  let hits = 0
  const sockets = new Set<net.Socket>()
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
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
