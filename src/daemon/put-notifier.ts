/**
 * The shim's side of background uploads: tells the daemon which entries go put,
 * while go is still building, so uploads overlap the build instead of all
 * waiting for the post step's flush. Fire and forget over one connection per
 * go process; IDs put in the same turn of the event loop go in one line. If the
 * daemon is unreachable nothing is lost: the session report names every put
 * too, and the daemon queues those (each entry is uploaded once).
 */
import net from 'node:net'

export class PutNotifier {
  private readonly socketPath: string
  private socket: net.Socket | undefined
  private broken = false
  private pending: string[] = []

  constructor(socketPath: string) {
    this.socketPath = socketPath
  }

  notify(actionId: string): void {
    if (this.broken) return
    if (this.pending.length === 0) setImmediate(() => this.send())
    this.pending.push(actionId)
  }

  /** Sends what is pending and closes the connection (the daemon still reads what was written). */
  close(): void {
    this.send()
    this.socket?.end()
  }

  private send(): void {
    if (this.pending.length === 0 || this.broken) return
    const line = `${JSON.stringify({ op: 'queue', actionIds: this.pending })}\n`
    this.pending = []
    if (this.socket === undefined) {
      this.socket = net.connect(this.socketPath)
      this.socket.on('error', () => {
        this.broken = true
        this.socket?.destroy()
      })
      // Replies are only acknowledgements.
      this.socket.on('data', () => undefined)
      this.socket.unref()
    }
    this.socket.write(line)
  }
}
