/**
 * Drives the real cache program (dist/client/index.js) over its stdin/stdout
 * the way cmd/go does: hand-framed requests in, one JSON response per line out.
 * Used by the CLI protocol test and bench/protocol.ts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import path from 'node:path'

export const repoRoot = path.resolve(import.meta.dirname, '../../..')
export const clientBundle = path.join(repoRoot, 'dist/client/index.js')

export interface Response {
  ID: number
  Err?: string
  KnownCommands?: string[]
  Miss?: boolean
  OutputID?: string
  Size?: number
  Time?: string
  DiskPath?: string
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Shim {
  child: ChildProcessWithoutNullStreams
  /** Every stdout line so far, as written (without the newline). */
  lines: string[]
  /** Complete responses by ID (a duplicate ID is recorded in `duplicates`). */
  responses: Map<number, Response>
  duplicates: number[]
  /** Lines that were not JSON (must stay empty for go). */
  garbage: string[]
  stdout(): string
  stderr(): string
  write(data: string | Buffer): void
  end(): void
  /** Resolves with the response for `id` (waits for it). */
  response(id: number): Promise<Response>
  /** Resolves when stdout has closed (what cmd/go waits for after close). */
  stdoutClosed: Promise<void>
  exited: Promise<Exit>
  /** Called with (id, response, time) as each response line is read. */
  onResponse?: (response: Response, at: number) => void
}

export function startShim(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Shim {
  const child = spawn(process.execPath, [clientBundle, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let partial = ''
  const waiting = new Map<number, ((r: Response) => void)[]>()
  const shim: Shim = {
    child,
    lines: [],
    responses: new Map(),
    duplicates: [],
    garbage: [],
    stdout: () => out,
    stderr: () => err,
    write: (data) => void child.stdin.write(data),
    end: () => child.stdin.end(),
    response: (id) => {
      const have = shim.responses.get(id)
      if (have) return Promise.resolve(have)
      return new Promise((resolve, reject) => {
        const list = waiting.get(id) ?? []
        list.push(resolve)
        waiting.set(id, list)
        void shim.exited.then(() => {
          if (!shim.responses.has(id)) reject(new Error(`the shim exited without answering ${id}; stderr: ${err}`))
        })
      })
    },
    stdoutClosed: new Promise((resolve) => child.stdout.once('close', () => resolve())),
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  }
  child.stdin.on('error', () => undefined) // EPIPE once it has exited on a protocol error
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => (err += chunk))
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk: string) => {
    const at = performance.now()
    out += chunk
    partial += chunk
    let end: number
    while ((end = partial.indexOf('\n')) !== -1) {
      const line = partial.slice(0, end)
      partial = partial.slice(end + 1)
      shim.lines.push(line)
      let response: Response
      try {
        response = JSON.parse(line) as Response
      } catch {
        shim.garbage.push(line)
        continue
      }
      if (shim.responses.has(response.ID)) shim.duplicates.push(response.ID)
      shim.responses.set(response.ID, response)
      shim.onResponse?.(response, at)
      for (const resolve of waiting.get(response.ID) ?? []) resolve(response)
      waiting.delete(response.ID)
    }
  })
  return shim
}

/** Runs the client program to completion (daemon control commands). */
export function runClient(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [clientBundle, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Starts `daemon --store --socket` as the action does, and waits until it answers ping. */
export async function startDaemonProcess(store: string, socket: string, extra: string[] = []) {
  const child = spawn(process.execPath, [clientBundle, 'daemon', '--store', store, '--socket', socket, ...extra], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const deadline = Date.now() + 10_000
  for (;;) {
    const ping = await runClient(['ping', '--socket', socket])
    if (ping.code === 0) break
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the daemon did not start: ${stderr}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    child,
    exited,
    stderr: () => stderr,
    async stop(): Promise<number | null> {
      if (child.exitCode !== null) return child.exitCode
      await runClient(['stop', '--socket', socket])
      return exited
    },
  }
}
