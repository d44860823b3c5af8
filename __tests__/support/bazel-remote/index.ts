/**
 * A real bazel-remote (github.com/buchgr/bazel-remote/v2, built by
 * scripts/install-bazel-remote.sh, pinned there) on loopback, for tests and
 * benchmarks. HTTP always; gRPC when asked. Optional htpasswd auth with a
 * `{SHA}` line, one of the formats bazel-remote's htpasswd reader accepts.
 *
 * The binary comes from BAZEL_REMOTE_BIN or <repo>/.tmp/bin/bazel-remote; a
 * missing binary is an error (the tests fail, they do not skip).
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..')

export function bazelRemoteBinary(): string {
  const bin = process.env.BAZEL_REMOTE_BIN || path.join(REPO_ROOT, '.tmp', 'bin', 'bazel-remote')
  // `npm test` on a fresh clone: build the pinned version once (Go and the module proxy, ~1 min).
  if (!existsSync(bin) && !process.env.BAZEL_REMOTE_BIN) {
    execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-bazel-remote.sh')], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  if (!existsSync(bin)) {
    throw new Error(`bazel-remote not found at ${bin}: run \`bash scripts/install-bazel-remote.sh\` (CI does, in .ci/run), or set BAZEL_REMOTE_BIN.`)
  }
  return bin
}

export interface BazelRemoteOptions {
  /** The cache directory; a new temp dir by default. Reused across restarts. */
  dir?: string
  /** Require HTTP Basic auth with this user. */
  htpasswd?: { user: string; password: string }
  /** bazel-remote's --storage_mode; its default is zstd. */
  storageMode?: 'zstd' | 'uncompressed'
  /** --max_size in GiB. */
  maxSizeGiB?: number
  /** Also serve gRPC (REAPI) on a free loopback port. */
  grpc?: boolean
  /**
   * Serve https with this certificate; with `clientCa`, require client
   * certificates signed by it (bazel-remote's mTLS). `ca` is what clients trust.
   */
  tls?: { cert: string; key: string; ca: string; clientCa?: string }
  /** Fixed ports (a restarted server on the same address); free ones by default. */
  httpPort?: number
  grpcPort?: number
  extraArgs?: string[]
}

export interface BazelRemote {
  /** http(s)://127.0.0.1:<port>, no trailing slash, no credentials. */
  httpUrl: string
  httpPort: number
  /** grpc://127.0.0.1:<port> (grpcs:// with tls), as Pants' remote_store_address takes it; '' without grpc. */
  grpcAddress: string
  grpcPort: number
  dir: string
  /** The server's process id (a test may kill it from a job step). */
  pid: number
  /** `user:password` when htpasswd is on (the cache-token form). */
  credentials: string
  /** The Authorization header value for `credentials`. */
  authorization: string
  /** What the server printed (its log file in `dir`). */
  output(): string
  /** Files in the store: action results, and blobs (either storage mode). */
  entries(): Promise<{ ac: number; cas: number }>
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>
  /** A new server on the same ports, directory and auth (after stop). */
  restart(): Promise<BazelRemote>
}

export async function startBazelRemote(options: BazelRemoteOptions = {}): Promise<BazelRemote> {
  const bin = bazelRemoteBinary()
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'bazel-remote-'))
  mkdirSync(dir, { recursive: true })
  const httpPort = options.httpPort ?? (await freePort())
  const grpcPort = options.grpc ? (options.grpcPort ?? (await freePort())) : 0
  const args = [
    '--dir',
    path.join(dir, 'cache'),
    '--max_size',
    String(options.maxSizeGiB ?? 5),
    '--http_address',
    `127.0.0.1:${httpPort}`,
    '--grpc_address',
    options.grpc ? `127.0.0.1:${grpcPort}` : 'none',
    '--storage_mode',
    options.storageMode ?? 'zstd',
    ...(options.extraArgs ?? []),
  ]
  if (options.tls) {
    args.push('--tls_cert_file', options.tls.cert, '--tls_key_file', options.tls.key)
    if (options.tls.clientCa) args.push('--tls_ca_file', options.tls.clientCa)
  }
  let credentials = ''
  if (options.htpasswd) {
    const { user, password } = options.htpasswd
    const file = path.join(dir, 'htpasswd')
    writeFileSync(file, `${user}:{SHA}${createHash('sha1').update(password).digest('base64')}\n`, { mode: 0o600 })
    args.push('--htpasswd_file', file)
    credentials = `${user}:${password}`
  }
  const authorization = credentials === '' ? '' : `Basic ${Buffer.from(credentials).toString('base64')}`

  // To a file, not a pipe: a pipe that fills while this process is busy (a
  // synchronous call, a paused event loop) would block bazel-remote's logging and so its answers.
  const logFile = path.join(dir, `bazel-remote-${httpPort}.log`)
  const logFd = openSync(logFile, 'a')
  const child = spawn(bin, args, { stdio: ['ignore', logFd, logFd], detached: true })
  closeSync(logFd)
  const output = (): string => {
    try {
      return readFileSync(logFile, 'utf8')
    } catch {
      return ''
    }
  }
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', killOnExit)
      resolve()
    }),
  )
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return exited
    stopped = true
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }

  const httpUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${httpPort}`
  // Ready when it accepts connections and answers for the empty blob, which
  // bazel-remote always has (any status: with mTLS, we have no client certificate here).
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bazel-remote exited with ${child.exitCode}:\n${output()}`)
    const status = await headStatus(`${httpUrl}/cas/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`, authorization, options.tls?.ca)
    if (status === 200 || (options.tls?.clientCa && status !== 0)) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`bazel-remote did not get ready on ${httpUrl} (last status ${status}):\n${output()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }

  const server: BazelRemote = {
    httpUrl,
    httpPort,
    grpcAddress: options.grpc ? `${options.tls ? 'grpcs' : 'grpc'}://127.0.0.1:${grpcPort}` : '',
    grpcPort,
    dir,
    pid: child.pid!,
    credentials,
    authorization,
    output,
    entries: async () => ({
      ac: await countFiles(path.join(dir, 'cache', 'ac.v2')),
      cas: (await countFiles(path.join(dir, 'cache', 'cas.v2'))) + (await countFiles(path.join(dir, 'cache', 'raw.v2'))),
    }),
    stop,
    restart: async () => {
      await stop()
      return startBazelRemote({ ...options, dir, httpPort, ...(options.grpc && { grpcPort }) })
    },
  }
  return server
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).length
}

function headStatus(url: string, authorization: string, ca: string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const request = (url.startsWith('https:') ? https : http).request(url, {
      method: 'HEAD',
      headers: authorization ? { Authorization: authorization } : {},
      ...(ca && { ca: readFileSync(ca) }),
      timeout: 2000,
    })
    request.on('response', (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    // A TLS handshake refused for want of a client certificate still proves the server is up.
    request.on('error', (error: NodeJS.ErrnoException) => resolve(/certificate|handshake|alert/i.test(error.message) ? 1 : 0))
    request.on('timeout', () => request.destroy())
    request.end()
  })
}

/** A port nothing listens on now (the kernel's pick for port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Where bazel-remote keeps a CAS blob on disk (its disk layout: cas.v2/<xx>/<hash>-<size>-<random>.v1 or similar); found by search. */
export async function findBlobFiles(dir: string, hash: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises')
  const root = path.join(dir, 'cache')
  const found: string[] = []
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, entry.name)
      if (entry.isDirectory()) await walk(p)
      else if (entry.name.startsWith(hash)) found.push(p)
    }
  }
  await walk(root)
  return found
}
