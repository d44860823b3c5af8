// Spawning a step's process the way the runner's ProcessInvoker does on Linux:
// stdout and stderr are read line by line (.NET ReadLine: "\n", "\r\n" or a lone
// "\r" ends a line), and a timeout cancels the whole process group with SIGINT,
// then SIGTERM, then SIGKILL (ProcessInvoker.CancelAndKillProcessTree waits 7.5 s
// after SIGINT and 2.5 s after SIGTERM).
import { spawn } from 'node:child_process'
import { StringDecoder } from 'node:string_decoder'

/** Splits a byte stream into .NET ReadLine lines, across chunk boundaries. */
export class LineSplitter {
  readonly #decoder = new StringDecoder('utf8')
  readonly #onLine: (line: string) => void
  #buffer = ''
  #pendingCr = false

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine
  }

  push(chunk: Buffer | string): void {
    this.#consume(typeof chunk === 'string' ? chunk : this.#decoder.write(chunk))
  }

  /** Flushes the last line (a final line without terminator is still a line). */
  end(): void {
    this.#consume(this.#decoder.end())
    if (this.#pendingCr || this.#buffer !== '') {
      this.#pendingCr = false
      this.#onLine(this.#buffer)
      this.#buffer = ''
    }
  }

  #consume(text: string): void {
    let i = 0
    if (this.#pendingCr && text.length > 0) {
      // a "\r" ended the previous chunk: it ends a line, and swallows a following "\n"
      this.#pendingCr = false
      this.#onLine(this.#buffer)
      this.#buffer = ''
      if (text[0] === '\n') i = 1
    }
    const terminator = /[\r\n]/g
    terminator.lastIndex = i
    for (let m = terminator.exec(text); m !== null; m = terminator.exec(text)) {
      const line = this.#buffer + text.slice(i, m.index)
      this.#buffer = ''
      i = m.index + 1
      if (m[0] === '\r') {
        if (i === text.length) {
          // wait for the next chunk to know whether "\n" follows
          this.#buffer = line
          this.#pendingCr = true
          return
        }
        if (text[i] === '\n') i++
      }
      this.#onLine(line)
      terminator.lastIndex = i
    }
    this.#buffer += text.slice(i)
  }
}

export interface SpawnStepOptions {
  file: string
  args: string[]
  cwd: string
  env: Record<string, string>
  /** kill the process group after this many ms */
  timeoutMs?: number
  /** ms between SIGINT and SIGTERM, and between SIGTERM and SIGKILL */
  killGraceMs?: { sigterm: number; sigkill: number }
  onStdoutLine: (line: string) => void
  onStderrLine: (line: string) => void
}

export interface SpawnStepResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  timedOut: boolean
  rawStdout: string
  rawStderr: string
  /** stdout and stderr lines interleaved in arrival order, each tagged with its stream */
  rawLines: Array<{ stream: 'stdout' | 'stderr'; line: string }>
  /** spawn error (e.g. ENOENT), if the process could not be started */
  error?: Error
}

/**
 * Runs a process in its own process group and resolves when it has exited and
 * its output streams have closed (like the runner, a background child that keeps
 * stdout open keeps the step running — until the timeout, if any).
 */
export function spawnStep(options: SpawnStepOptions): Promise<SpawnStepResult> {
  return new Promise((resolvePromise) => {
    const rawLines: SpawnStepResult['rawLines'] = []
    const stdoutChunks: Buffer[] = []
    const stderrChunks: Buffer[] = []
    const out = new LineSplitter((line) => {
      rawLines.push({ stream: 'stdout', line })
      options.onStdoutLine(line)
    })
    const err = new LineSplitter((line) => {
      rawLines.push({ stream: 'stderr', line })
      options.onStderrLine(line)
    })
    let timedOut = false
    let settled = false
    const timers: NodeJS.Timeout[] = []
    const child = spawn(options.file, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      if (settled) return
      settled = true
      for (const t of timers) clearTimeout(t)
      out.end()
      err.end()
      resolvePromise({
        exitCode,
        signal,
        timedOut,
        rawStdout: Buffer.concat(stdoutChunks).toString('utf8'),
        rawStderr: Buffer.concat(stderrChunks).toString('utf8'),
        rawLines,
        ...(error ? { error } : {}),
      })
    }
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return
      try {
        process.kill(-child.pid, signal)
      } catch {
        // the group is gone
      }
    }
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutChunks.push(chunk)
      out.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderrChunks.push(chunk)
      err.push(chunk)
    })
    child.on('error', (e) => finish(null, null, e))
    child.on('close', (code, signal) => finish(code, signal))
    if (options.timeoutMs !== undefined) {
      const grace = options.killGraceMs ?? { sigterm: 7500, sigkill: 2500 }
      timers.push(
        setTimeout(() => {
          timedOut = true
          killGroup('SIGINT')
          timers.push(
            setTimeout(() => {
              killGroup('SIGTERM')
              timers.push(
                setTimeout(() => {
                  killGroup('SIGKILL')
                  // Output pipes held open by a process outside the group would
                  // keep 'close' from firing; stop reading them.
                  timers.push(
                    setTimeout(() => {
                      child.stdout.destroy()
                      child.stderr.destroy()
                      if (child.exitCode !== null || child.signalCode !== null) finish(child.exitCode, child.signalCode)
                    }, 1000),
                  )
                }, grace.sigkill),
              )
            }, grace.sigterm),
          )
        }, options.timeoutMs),
      )
    }
  })
}
