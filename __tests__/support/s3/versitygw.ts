/**
 * A real S3 server on loopback for tests: versitygw (github.com/versity/versitygw,
 * posix backend, built by scripts/install-s3-tools.sh, pinned there), one
 * process, objects as plain files under `<dir>/<bucket>/<key>`. Also where
 * go-cache-plugin (the client our S3 layout matches) is.
 */
import { execFileSync, spawn } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { freePort, REPO_ROOT } from '../bazel-remote/index.ts'

export const S3_ACCESS_KEY = 'ciaccesskey'
export const S3_SECRET_KEY = 'cisecretkey123'

/** A binary from scripts/install-s3-tools.sh, built on first use (`npm test` on a fresh clone). */
export function s3Tool(name: 'versitygw' | 'go-cache-plugin'): string {
  const bin = path.join(REPO_ROOT, '.tmp', 'bin', name)
  if (!existsSync(bin)) execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-s3-tools.sh')], { stdio: ['ignore', 'ignore', 'inherit'] })
  if (!existsSync(bin)) throw new Error(`${name} not found at ${bin}: run \`bash scripts/install-s3-tools.sh\` (CI does, in .ci/run).`)
  return bin
}

export interface S3Server {
  /** http://127.0.0.1:<port> */
  endpoint: string
  /** The data directory: `<dir>/<bucket>/<key>` is each object's bytes. */
  dir: string
  output(): string
  stop(): Promise<void>
}

/** Starts versitygw with each of `buckets` made (a directory is a bucket in its posix backend). */
export async function startS3Server(buckets: string[], dir = mkdtempSync(path.join(os.tmpdir(), 's3-'))): Promise<S3Server> {
  for (const bucket of buckets) mkdirSync(path.join(dir, 'data', bucket), { recursive: true })
  const port = await freePort()
  const logFile = path.join(dir, 'versitygw.log')
  const logFd = openSync(logFile, 'a')
  const child = spawn(s3Tool('versitygw'), ['--port', `127.0.0.1:${port}`, '--quiet', 'posix', path.join(dir, 'data')], {
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, ROOT_ACCESS_KEY_ID: S3_ACCESS_KEY, ROOT_SECRET_ACCESS_KEY: S3_SECRET_KEY },
  })
  closeSync(logFd)
  const killOnExit = (): void => void child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const output = (): string => readFileSync(logFile, 'utf8')
  for (let i = 0; ; i++) {
    if (await connects(port)) break
    if (i > 200 || child.exitCode !== null) throw new Error(`versitygw did not start:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dir: path.join(dir, 'data'),
    output,
    stop: async () => {
      process.off('exit', killOnExit)
      child.kill('SIGTERM')
      await exited
    },
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.end()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}
