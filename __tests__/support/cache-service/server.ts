// A local GitHub Actions cache service (the "v2" twirp API used by @actions/cache
// when ACTIONS_CACHE_SERVICE_V2 is set), backed by a real azurite blob emulator.
// Used by the integration tests and by scripts/cache-service.ts for the demo.
import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { rm, mkdtemp } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { openBlobStore, startAzurite, type Azurite, type BlobStore } from './azurite.ts'
import {
  JwtError,
  PERMISSION_READ,
  PERMISSION_WRITE,
  encodeScopes,
  parseScopes,
  readableScopes,
  signJwt,
  verifyJwt,
  writableScope,
  type ScopePermission,
} from './jwt.ts'
import { findEntry, findReservation, type IndexedEntry } from './matching.ts'

export const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/'
/** @actions/cache's CACHE_WRITE_DENIED_PREFIX / CACHE_READ_DENIED_PREFIX. */
export const WRITE_DENIED_PREFIX = 'cache write denied:'
export const READ_DENIED_PREFIX = 'cache read denied:'
const CONTAINER = 'actions-cache'

export type Fault = null | { kind: 'http-500' } | { kind: 'hang' } | { kind: 'down' }

export interface CacheEntryInfo {
  key: string
  version: string
  scope: string
  sizeBytes: number
  createdAt: number
  finalized: boolean
}

export interface CacheCall {
  method: string
  key?: string
  /** HTTP status sent; 0 while a request is held by the 'hang' fault */
  status: number
}

export interface CacheService {
  /** ends with '/' */
  resultsUrl: string
  /** mint a JWT */
  token(opts: { scopes: { scope: string; permission: 1 | 2 | 3 }[] }): string
  /** env for a node action step: ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN (+ ACTIONS_CACHE_URL for completeness) */
  env(opts: { ref: string; defaultRef?: string; readOnly?: boolean }): Record<string, string>
  entries(): CacheEntryInfo[]
  /** every twirp call, for assertions */
  calls(): CacheCall[]
  /** simulate an unhealthy service */
  setFault(f: Fault): void
  stop(): Promise<void>
}

export interface CacheServiceOptions {
  /** persist the index, the token secret and azurite's data here (survives restarts) */
  dir?: string
  /** port for the twirp server (default: a free one) */
  port?: number
  log?: (line: string) => void
}

interface IndexFile {
  nextId: number
  entries: IndexedEntry[]
}

class TwirpError extends Error {
  code: string
  status: number
  constructor(code: string, status: number, msg: string) {
    super(msg)
    this.code = code
    this.status = status
  }
}

const MAX_BODY = 1 << 20

export async function startCacheService(opts: CacheServiceOptions = {}): Promise<CacheService> {
  const log = opts.log ?? (() => {})
  const persistent = opts.dir !== undefined
  const dir = persistent ? resolve(opts.dir!) : await mkdtemp(join(tmpdir(), 'cache-service-'))
  mkdirSync(join(dir, 'azurite'), { recursive: true })

  const indexPath = join(dir, 'index.json')
  const index: IndexFile = persistent && existsSync(indexPath) ? (JSON.parse(readFileSync(indexPath, 'utf8')) as IndexFile) : { nextId: 1, entries: [] }
  const saveIndex = (): void => {
    if (!persistent) return
    writeFileSync(`${indexPath}.tmp`, JSON.stringify(index, null, 2))
    renameSync(`${indexPath}.tmp`, indexPath)
  }
  const secret = loadSecret(persistent ? join(dir, 'jwt-secret') : undefined)

  const cleanupDir = async (): Promise<void> => {
    if (!persistent) await rm(dir, { recursive: true, force: true })
  }
  let azurite: Azurite
  let blobs: BlobStore
  try {
    azurite = await startAzurite({ location: join(dir, 'azurite'), log })
  } catch (err) {
    await cleanupDir()
    throw err
  }
  try {
    blobs = await openBlobStore(azurite.accountUrl, CONTAINER)
  } catch (err) {
    await azurite.stop()
    await cleanupDir()
    throw err
  }

  const calls: CacheCall[] = []
  let fault: Fault = null
  const held = new Set<ServerResponse>()
  const sockets = new Set<Socket>()

  const handlers: Record<string, (scopes: ScopePermission[], body: Record<string, unknown>) => Promise<object>> = {
    async CreateCacheEntry(scopes, body) {
      const key = requireString(body, 'key')
      const version = requireString(body, 'version')
      const scope = writableScope(scopes)
      if (scope === undefined) {
        // 200 + ok:false is the only shape @actions/cache turns into CacheWriteDeniedError.
        return { ok: false, message: `${WRITE_DENIED_PREFIX} the cache token for this run is read-only` }
      }
      if (findReservation(index.entries, key, version, scope)) {
        throw new TwirpError('already_exists', 409, 'cache entry with the same key, version, and scope already exists')
      }
      const entry: IndexedEntry = {
        id: index.nextId++,
        key,
        version,
        scope,
        blobName: `${randomUUID()}.cache`,
        sizeBytes: 0,
        createdAt: Date.now(),
        finalized: false,
      }
      index.entries.push(entry)
      saveIndex()
      return { ok: true, signed_upload_url: blobs.sasUrl(entry.blobName, 'cw') }
    },

    async FinalizeCacheEntryUpload(scopes, body) {
      const key = requireString(body, 'key')
      const version = requireString(body, 'version')
      const sizeBytes = Number(body.size_bytes ?? body.sizeBytes ?? 0)
      const scope = writableScope(scopes)
      if (scope === undefined) return { ok: false, message: `${WRITE_DENIED_PREFIX} the cache token for this run is read-only` }
      const entry = findReservation(index.entries, key, version, scope)
      if (!entry) throw new TwirpError('not_found', 404, 'cache entry not found')
      if (entry.finalized) throw new TwirpError('already_exists', 409, 'cache entry is already finalized')
      const actual = await blobs.size(entry.blobName)
      if (actual === undefined) return { ok: false, message: `cache entry ${key} was not uploaded` }
      if (actual !== sizeBytes) return { ok: false, message: `cache entry ${key}: uploaded ${actual} bytes, expected ${sizeBytes}` }
      entry.sizeBytes = sizeBytes
      entry.finalized = true
      entry.finalizedAt = Date.now()
      saveIndex()
      return { ok: true, entry_id: String(entry.id) }
    },

    async GetCacheEntryDownloadURL(scopes, body) {
      const key = requireString(body, 'key')
      const version = requireString(body, 'version')
      const restore = body.restore_keys ?? body.restoreKeys ?? []
      const restoreKeys = Array.isArray(restore) ? restore.filter((k): k is string => typeof k === 'string') : []
      const readable = readableScopes(scopes)
      if (readable.length === 0) throw new TwirpError('permission_denied', 403, `${READ_DENIED_PREFIX} the cache token for this run has no readable scope`)
      const hit = findEntry(index.entries, { key, restoreKeys, version, scopes: readable })
      if (!hit) return { ok: false } // a miss: restoreCache returns undefined without a warning
      return { ok: true, signed_download_url: blobs.sasUrl(hit.entry.blobName, 'r'), matched_key: hit.matchedKey }
    },
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!
    const method = path.startsWith(TWIRP_PREFIX) ? path.slice(TWIRP_PREFIX.length) : path
    if (fault?.kind === 'hang') {
      calls.push({ method, status: 0 })
      held.add(res)
      res.once('close', () => held.delete(res))
      return
    }
    const call: CacheCall = { method, status: 0 }
    calls.push(call)
    const send = (status: number, payload: object): void => {
      call.status = status
      const data = JSON.stringify(payload)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) })
      res.end(data)
      log(`${method} ${call.key ?? ''} -> ${status}`)
    }
    try {
      const raw = await readBody(req)
      let body: Record<string, unknown> = {}
      try {
        const parsed: unknown = raw.length ? JSON.parse(raw) : {}
        if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>
      } catch {
        throw new TwirpError('malformed', 400, 'request body is not JSON')
      }
      if (typeof body.key === 'string') call.key = body.key
      if (fault?.kind === 'http-500') throw new TwirpError('internal', 500, 'simulated cache service failure')
      const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined
      if (req.method !== 'POST' || !path.startsWith(TWIRP_PREFIX) || !handler) {
        throw new TwirpError('bad_route', 404, `no handler for ${req.method} ${path}`)
      }
      const scopes = authenticate(req.headers.authorization, secret)
      send(200, await handler(scopes, body))
    } catch (err) {
      if (err instanceof TwirpError) send(err.status, { code: err.code, msg: err.message })
      else send(500, { code: 'internal', msg: err instanceof Error ? err.message : String(err) })
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log(`handler crashed: ${String(err)}`)
      res.destroy()
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })

  const listen = (port: number): Promise<number> =>
    new Promise((resolvePort, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject)
        resolvePort((server.address() as { port: number }).port)
      })
    })
  const close = (): Promise<void> =>
    new Promise((done) => {
      if (!server.listening) return done()
      server.close(() => done())
      for (const res of held) res.destroy()
      for (const s of sockets) s.destroy()
    })

  let port: number
  try {
    port = await listen(opts.port ?? 0)
  } catch (err) {
    await azurite.stop()
    await cleanupDir()
    throw err
  }
  const resultsUrl = `http://127.0.0.1:${port}/`
  log(`cache service on ${resultsUrl} (azurite ${azurite.accountUrl}, data ${dir})`)

  const token: CacheService['token'] = ({ scopes }) => {
    const now = Math.floor(Date.now() / 1000)
    return signJwt({ ac: encodeScopes(scopes), iat: now, nbf: now - 60, exp: now + 24 * 3600, iss: 'go-cache-setup-test-cache-service' }, secret)
  }

  let stopped = false
  let transition: Promise<unknown> = Promise.resolve()

  return {
    resultsUrl,
    token,
    env({ ref, defaultRef, readOnly }) {
      const rw = readOnly ? PERMISSION_READ : PERMISSION_READ | PERMISSION_WRITE
      const scopes: { scope: string; permission: 1 | 2 | 3 }[] = [{ scope: ref, permission: rw as 1 | 3 }]
      if (defaultRef && defaultRef !== ref) scopes.push({ scope: defaultRef, permission: PERMISSION_READ })
      return {
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RESULTS_URL: resultsUrl,
        ACTIONS_CACHE_URL: resultsUrl,
        ACTIONS_RUNTIME_TOKEN: token({ scopes }),
      }
    },
    entries() {
      return index.entries.map((e) => ({
        key: e.key,
        version: e.version,
        scope: e.scope,
        sizeBytes: e.sizeBytes,
        createdAt: e.createdAt,
        finalized: e.finalized,
      }))
    },
    calls() {
      return calls.map((c) => ({ ...c }))
    },
    setFault(f) {
      const wasDown = fault?.kind === 'down'
      fault = f
      if (f?.kind !== 'hang') for (const res of held) res.destroy()
      if (stopped) return
      const onError = (err: unknown): void => log(`setFault(${f?.kind ?? null}) failed: ${String(err)}`)
      if (f?.kind === 'down' && !wasDown) transition = transition.then(close).catch(onError)
      else if (f?.kind !== 'down' && wasDown) transition = transition.then(() => listen(port)).catch(onError)
    },
    async stop() {
      if (stopped) return
      stopped = true
      await transition
      await close()
      await azurite.stop()
      await cleanupDir()
    },
  }
}

function loadSecret(file: string | undefined): Buffer {
  if (file && existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex')
  const secret = randomBytes(32)
  if (file) writeFileSync(file, secret.toString('hex'), { mode: 0o600 })
  return secret
}

function authenticate(header: string | undefined, secret: Buffer): ScopePermission[] {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '')
  if (!m) throw new TwirpError('unauthenticated', 401, 'missing bearer token')
  try {
    return parseScopes(verifyJwt(m[1]!, secret).ac)
  } catch (err) {
    if (err instanceof JwtError) throw new TwirpError('unauthenticated', 401, `invalid token: ${err.message}`)
    throw err
  }
}

function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field]
  if (typeof v !== 'string' || v === '') throw new TwirpError('invalid_argument', 400, `${field} is required`)
  return v
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new TwirpError('invalid_argument', 400, 'request body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
