/**
 * Where the daemon listens, per platform (pure; launch.ts creates it). Node's
 * net.Server listens on a Unix domain socket path, or on Windows on a named
 * pipe (https://nodejs.org/api/net.html#identifying-paths-for-ipc-connections);
 * the shims dial the same string.
 */
import path from 'node:path'

/** `\\.\pipe\`: a Windows named pipe's namespace. libuv creates the first instance exclusively (FILE_FLAG_FIRST_PIPE_INSTANCE), so a taken name fails listen, never shares it. */
const PIPE_PREFIX = '\\\\.\\pipe\\'

/** A named pipe's name rather than a socket file: nothing on disk to remove or chmod. */
export function isPipeName(endpoint: string): boolean {
  return /^\\\\[.?]\\pipe\\/i.test(endpoint)
}

/**
 * The longest socket path bind() takes, in bytes: sun_path's size less its
 * terminating NUL. 108 on Linux (unix(7)); 104 on macOS and the BSDs
 * (sys/un.h), where RUNNER_TEMP alone can be 60 bytes on a hosted runner.
 */
export function socketPathLimit(platform: string): number {
  return platform === 'linux' ? 107 : 103
}

/** The short parent of a socket whose preferred path is too long: /tmp exists on Linux and macOS alike (a symlink to /private/tmp there), and is short. */
export const SHORT_SOCKET_PARENT = '/tmp'

export type EndpointPlan =
  /** Windows: a pipe name, random per job so concurrent jobs on one machine never meet. */
  | { kind: 'pipe'; path: string }
  /** A socket in the job's owner-only state directory. */
  | { kind: 'socket'; path: string }
  /**
   * The state directory's path is too long for a socket: a fresh owner-only
   * directory (mkdtemp of `dirPrefix`), still one per job, holding `name`.
   */
  | { kind: 'short-socket'; dirPrefix: string; name: string }

export interface EndpointFacts {
  platform: string
  /** The job's owner-only state directory (RUNNER_TEMP/go-cache-setup, or the kit's). */
  stateDir: string
  /** Random hex, fresh for each daemon. */
  id: string
  /** Defaults to socketPathLimit(platform); tests force macOS' limit on Linux. */
  limit?: number
}

/** The fallback directory's name: mkdtemp adds 6 characters, then the socket's short name. */
export const SHORT_SOCKET_NAME = 'd.sock'

export function planEndpoint(f: EndpointFacts): EndpointPlan {
  if (f.platform === 'win32') return { kind: 'pipe', path: `${PIPE_PREFIX}go-cache-setup-${f.id}` }
  const preferred = path.posix.join(f.stateDir, `d-${f.id}.sock`)
  if (Buffer.byteLength(preferred) <= (f.limit ?? socketPathLimit(f.platform))) return { kind: 'socket', path: preferred }
  return { kind: 'short-socket', dirPrefix: path.posix.join(SHORT_SOCKET_PARENT, 'gcs-'), name: SHORT_SOCKET_NAME }
}

/** Whether `socket` is in a directory createEndpoint made for it (mkdtemp of the short-socket prefix): the daemon removes that directory at stop. */
export function isShortSocket(socket: string): boolean {
  const dir = path.posix.dirname(socket)
  return (
    path.posix.basename(socket) === SHORT_SOCKET_NAME &&
    path.posix.dirname(dir) === SHORT_SOCKET_PARENT &&
    /^gcs-[A-Za-z0-9]{6}$/.test(path.posix.basename(dir))
  )
}
