/**
 * Small fakes for orchestration tests: plain objects passed in through
 * ActionContext, no module mocks. The end-to-end tests use the real things.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ActionContext } from '../../src/action/context.ts'
import type { CommandRunner } from '../../src/go/go-env.ts'
import type { ArchiveCache } from '../../src/actions-cache/archive-cache.ts'

/** An archive cache in memory with GitHub's matching rules (exact, then newest prefix). */
export class MemoryArchiveCache implements ArchiveCache {
  entries = new Map<string, Map<string, Buffer>>()
  calls: string[] = []
  available = true
  failRestore?: Error
  failSave?: Error

  isAvailable(): boolean {
    return this.available
  }

  async restore(paths: string[], primaryKey: string, restoreKeys: string[]): Promise<string | undefined> {
    this.calls.push(`restore ${primaryKey}`)
    if (this.failRestore) throw this.failRestore
    const match = this.match([primaryKey, ...restoreKeys])
    if (match === undefined) return undefined
    const dir = paths[0]!
    for (const [rel, content] of this.entries.get(match)!) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
      await writeFile(path.join(dir, rel), content)
    }
    return match
  }

  async exists(_paths: string[], key: string): Promise<boolean> {
    this.calls.push(`exists ${key}`)
    return this.entries.has(key)
  }

  async save(paths: string[], key: string): Promise<boolean> {
    this.calls.push(`save ${key}`)
    if (this.failSave) throw this.failSave
    if (this.entries.has(key)) return false
    const files = new Map<string, Buffer>()
    // A single file (the build-cache bundle) is stored under the empty name.
    if ((await stat(paths[0]!)).isFile()) {
      files.set('', await readFile(paths[0]!))
      this.entries.set(key, files)
      return true
    }
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name)
        if (entry.isDirectory()) await walk(full)
        else files.set(path.relative(paths[0]!, full), await readFile(full))
      }
    }
    await walk(paths[0]!)
    this.entries.set(key, files)
    return true
  }

  private match(keys: string[]): string | undefined {
    const all = [...this.entries.keys()]
    for (const key of keys) {
      if (this.entries.has(key)) return key
      const prefixed = all.filter((k) => k.startsWith(key))
      if (prefixed.length > 0) return prefixed[prefixed.length - 1]
    }
    return undefined
  }
}

export interface RecordedContext extends ActionContext {
  outputs: Record<string, string>
  exported: Record<string, string>
  /** Values passed to setSecret, in order. */
  secrets: string[]
  notices: string[]
  state: Record<string, string>
  failed: string[]
  logs: { level: 'info' | 'warning' | 'debug'; message: string }[]
  summaries: string[]
  warnings(): string[]
}

/** A context that records everything; `state` carries over when passed to the next step. */
export function recordingContext(options: {
  env?: Record<string, string>
  inputs?: Record<string, string>
  cache: ArchiveCache
  run?: CommandRunner
  state?: Record<string, string>
  /** Another platform's decisions (win32's work drive), on this machine. */
  platform?: string
}): RecordedContext {
  const logs: RecordedContext['logs'] = []
  const ctx: RecordedContext = {
    env: options.env ?? {},
    outputs: {},
    exported: {},
    secrets: [],
    notices: [],
    state: { ...(options.state ?? {}) },
    failed: [],
    logs,
    summaries: [],
    warnings: () => logs.filter((l) => l.level === 'warning').map((l) => l.message),
    getInput: (name) => options.inputs?.[name] ?? '',
    setOutput: (name, value) => void (ctx.outputs[name] = value),
    setFailed: (message) => void ctx.failed.push(message),
    saveState: (name, value) => void (ctx.state[name] = value),
    getState: (name) => ctx.state[name] ?? '',
    log: {
      info: (message) => void logs.push({ level: 'info', message }),
      warning: (message) => void logs.push({ level: 'warning', message }),
      debug: (message) => void logs.push({ level: 'debug', message }),
    },
    appendSummary: async (markdown) => void ctx.summaries.push(markdown),
    run: options.run ?? (async () => ({ exitCode: 1, stdout: '', stderr: 'no go in this test' })),
    cache: options.cache,
    now: () => 0,
    exportVariable: (name, value) => void (ctx.exported[name] = value),
    setSecret: (value) => void ctx.secrets.push(value),
    platform: options.platform ?? process.platform,
    notice: (message) => void ctx.notices.push(message),
    tools: {
      find: () => '',
      cacheDir: async () => {
        throw new Error('no tool installs in unit tests: the client is tested end to end')
      },
    },
    spawnDetached: () => {
      throw new Error('no processes in unit tests: the daemon is tested end to end')
    },
    nodePath: process.execPath,
    clientSourceDir: '/nonexistent/dist/client',
    clientVersion: '0.0.0-test',
  }
  return ctx
}

/** A `go env -json` answer for a module cache under `modCache`. */
export function goEnvRunner(modCache: string, overrides: Record<string, string> = {}): CommandRunner {
  return async (command, args) => {
    if (command !== 'go' || args[0] !== 'env') throw new Error(`unexpected command ${command} ${args.join(' ')}`)
    return {
      exitCode: 0,
      stderr: '',
      stdout: JSON.stringify({
        GOVERSION: 'go1.26.8',
        GOHOSTOS: 'linux',
        GOHOSTARCH: 'amd64',
        GOMODCACHE: modCache,
        GOCACHE: path.join(modCache, '..', 'gocache'),
        GOFLAGS: '',
        GOPROXY: 'https://proxy.golang.org,direct',
        GOPRIVATE: '',
        GONOPROXY: '',
        GONOSUMDB: '',
        GOSUMDB: 'sum.golang.org',
        GOTOOLCHAIN: 'local',
        ...overrides,
      }),
    }
  }
}
