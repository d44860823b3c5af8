/**
 * A real bazel-remote (installed by .ci/run into .tmp/bin) on loopback, HTTP
 * and gRPC on free ports, storing in its own directory. No jest imports:
 * usable from tests and from bench scripts.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'

export const BAZEL_REMOTE_BIN = process.env.BAZEL_REMOTE_BIN ?? path.resolve(import.meta.dirname, '..', '..', '..', '.tmp', 'bin', 'bazel-remote')

export interface BazelRemoteOptions {
  /** Storage directory (created); its ac/ and cas/ trees are what the server holds. */
  dir: string
  maxSizeGiB?: number
  /** Extra flags, e.g. ['--htpasswd_file', f]. */
  args?: string[]
  log?: (line: string) => void
  startTimeoutMs?: number
}

export interface BazelRemote {
  /** http://127.0.0.1:<port> */
  httpUrl: string
  /** grpc://127.0.0.1:<port> */
  grpcAddress: string
  dir: string
  /** bazel-remote's /status JSON (NumFiles, CurrSize, …). */
  status(): Promise<BazelRemoteStatus>
  /** Entries on disk, counted from the storage directory: action cache, and CAS (cas.v2, plus raw.v2 for blobs kept uncompressed). */
  entries(): Promise<{ ac: number; cas: number }>
  stop(): Promise<void>
}

export interface BazelRemoteStatus {
  CurrSize: number
  NumFiles: number
  [key: string]: unknown
}

export async function startBazelRemote(options: BazelRemoteOptions): Promise<BazelRemote> {
  if (!existsSync(BAZEL_REMOTE_BIN)) throw new Error(`${BAZEL_REMOTE_BIN} is missing: run .ci/run (it go-installs bazel-remote)`)
  await mkdir(options.dir, { recursive: true })
  const [httpPort, grpcPort] = [await freePort(), await freePort()]
  const args = [
    '--dir', options.dir,
    '--max_size', String(options.maxSizeGiB ?? 1),
    '--http_address', `127.0.0.1:${httpPort}`,
    '--grpc_address', `127.0.0.1:${grpcPort}`,
    '--access_log_level', 'all',
    ...(options.args ?? []),
  ]
  const child = spawn(BAZEL_REMOTE_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const log = options.log ?? (() => {})
  let output = ''
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString()
    output = (output + text).slice(-20_000)
    for (const line of text.split('\n')) if (line !== '') log(line)
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))

  const httpUrl = `http://127.0.0.1:${httpPort}`
  const status = async (): Promise<BazelRemoteStatus> => {
    const response = await fetch(`${httpUrl}/status`)
    if (!response.ok) throw new Error(`bazel-remote /status: HTTP ${response.status}`)
    return (await response.json()) as BazelRemoteStatus
  }
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000)
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bazel-remote exited with ${child.exitCode}:\n${output}`)
    const ready = await status().then(
      () => true,
      () => false,
    )
    if (ready) break
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`bazel-remote did not answer on ${httpUrl} in time:\n${output}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    httpUrl,
    grpcAddress: `grpc://127.0.0.1:${grpcPort}`,
    dir: options.dir,
    status,
    entries: async () => ({
      ac: await countFiles(path.join(options.dir, 'ac.v2')),
      cas: (await countFiles(path.join(options.dir, 'cas.v2'))) + (await countFiles(path.join(options.dir, 'raw.v2'))),
    }),
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await exited
      }
      process.off('exit', killOnExit)
    },
  }
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).length
}

/** A port the kernel just handed out; bazel-remote cannot report the one it picked for :0. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
