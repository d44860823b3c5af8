/**
 * The cache client program (dist/client/index.js). GOCACHEPROG runs `serve`;
 * the action runs `daemon`, `stats`, `flush` and `stop`; the bootstrap kit runs
 * `bootstrap …` (people) and `hook …` (the runner's job hooks).
 *
 * stdout belongs to the protocol: cmd/go treats anything that is not JSON as
 * fatal ("error reading JSON from GOCACHEPROG"), so every message goes to
 * stderr, and only when something is wrong (or GO_CACHE_SETUP_DEBUG=1).
 */
import { createWriteStream } from 'node:fs'
import { parseArgs } from 'node:util'
import { serve } from './client/serve.ts'
import { DEBUG_ENV } from './common/env.ts'
import { controlRequest, type ControlRequest } from './daemon/control.ts'
import { startDaemon } from './daemon/daemon.ts'
import { remoteTier, takeRemoteSettings } from './daemon/remote.ts'

const USAGE = `usage:
  go-cache-setup serve --store DIR [--read-store DIR] [--daemon SOCKET [--remote-wait-ms N] [--bundle-wait-ms N]]
      speak GOCACHEPROG on stdin/stdout (set GOCACHEPROG to this); --read-store: a store read behind
      ours, never written; with --remote-wait-ms, local misses are looked up through the daemon's remote cache;
      with --bundle-wait-ms, a local miss waits for the entry if the bundle the daemon is importing brings it
  go-cache-setup daemon --store DIR --socket SOCKET [--max-bytes N] [--idle-timeout-seconds N] [--log FILE]
      the remote cache's settings come from the GO_CACHE_SETUP_REMOTE environment variable
  go-cache-setup stats|flush|stop|ping --socket SOCKET
  go-cache-setup bootstrap install --runner-dir DIR [--kit-dir DIR] [--tool-cache DIR] [--node PATH]
        [--config FILE | --store-path DIR [--cache-url URL] [--token-file FILE] [--auto-configure true|false]
         [--include OWNER/NAME]... [--exclude OWNER/NAME]... [--cache-write auto|true|false] [--trusted-ref REF-PATTERN]... [--store-max-size SIZE]]
  go-cache-setup bootstrap uninstall [--kit-dir DIR] [--purge-store]
  go-cache-setup bootstrap status --runner-dir DIR [--kit-dir DIR] [--tool-cache DIR]
  go-cache-setup hook job-started|job-completed     (the runner's job hooks run these)`

const debug = process.env[DEBUG_ENV] === '1'
const warn = (message: string): void => void process.stderr.write(`go-cache-setup: ${message}\n`)

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === 'bootstrap' || command === 'hook') {
    // Loaded on demand: serve starts with every go command and must stay lean.
    const kit = await import('./bootstrap/cli.ts')
    const print = (line: string): void => void process.stdout.write(`${line}\n`)
    try {
      return command === 'hook' ? await kit.hookCommand(rest, print) : await kit.bootstrapCommand(rest, print)
    } catch (error) {
      if (error instanceof kit.KitUsageError) throw new UsageError(error.message)
      throw error
    }
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      store: { type: 'string' },
      'read-store': { type: 'string' },
      daemon: { type: 'string' },
      socket: { type: 'string' },
      'max-bytes': { type: 'string' },
      'idle-timeout-seconds': { type: 'string' },
      'remote-wait-ms': { type: 'string' },
      'bundle-wait-ms': { type: 'string' },
      log: { type: 'string' },
    },
    strict: true,
  })
  switch (command) {
    case 'serve': {
      if (!values.store) throw new UsageError('serve needs --store DIR')
      for (const flag of ['remote-wait-ms', 'bundle-wait-ms'] as const) {
        if (values[flag] !== undefined && !values.daemon) throw new UsageError(`--${flag} needs --daemon SOCKET`)
      }
      const ms = (flag: 'remote-wait-ms' | 'bundle-wait-ms') => (values[flag] === undefined ? undefined : positive(values[flag], `--${flag}`))
      return serve(
        {
          storeDir: values.store,
          socket: values.daemon,
          readStoreDir: values['read-store'],
          remoteWaitMs: ms('remote-wait-ms'),
          bundleWaitMs: ms('bundle-wait-ms'),
        },
        { debug, warn },
      )
    }
    case 'daemon': {
      if (!values.store || !values.socket) throw new UsageError('daemon needs --store DIR and --socket SOCKET')
      // Everything the daemon creates (its socket first) is owner-only, whatever umask it was started with.
      process.umask(0o077)
      const logStream = values.log ? createWriteStream(values.log, { flags: 'a' }) : undefined
      const log = (m: string): void => void logStream?.write(`${new Date().toISOString()} ${m}\n`)
      const remote = takeRemoteSettings(process.env)
      const daemon = await startDaemon({
        store: values.store,
        socket: values.socket,
        maxBytes: positive(values['max-bytes'] ?? String(5 * 1024 ** 3), '--max-bytes'),
        idleTimeoutMs: positive(values['idle-timeout-seconds'] ?? String(6 * 3600), '--idle-timeout-seconds') * 1000,
        log,
        ...(remote && { remote: await remoteTier(remote, log) }),
      })
      await daemon.closed
      logStream?.end()
      return 0
    }
    case 'stats':
    case 'flush':
    case 'stop':
    case 'ping': {
      if (!values.socket) throw new UsageError(`${command} needs --socket SOCKET`)
      // A flush waits for background uploads (up to the daemon's 60 s deadline) and trims the store.
      const reply = await controlRequest(values.socket, { op: command } as ControlRequest, command === 'flush' ? 240_000 : 60_000)
      // These are for people and scripts, not for go: stdout is fine here.
      process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`)
      return reply.ok ? 0 : 1
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command')
  }
}

class UsageError extends Error {}

function positive(value: string, flag: string): number {
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got ${value}`)
  return n
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (error) {
  if (error instanceof UsageError || (error as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    warn(`${(error as Error).message}\n${USAGE}`)
    process.exitCode = 2
  } else {
    warn(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  }
}
