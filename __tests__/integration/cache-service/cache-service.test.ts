// The local cache service driven by the real @actions/cache (in child processes, see
// __tests__/support/cache-service/cache-client.ts) - no mocks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { BlockBlobClient } from '@azure/storage-blob'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { runCacheClient, type ClientRun } from '../../support/cache-service/run-client.ts'
import { TWIRP_PREFIX, startCacheService, type CacheService } from '../../support/cache-service/server.ts'

const MAIN = 'refs/heads/main'
const FEATURE = 'refs/heads/feature'

let service: CacheService
let root: string
let counter = 0

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cache-service-test-'))
  service = await startCacheService()
})

afterAll(async () => {
  await service?.stop()
  if (root) await rm(root, { recursive: true, force: true })
})

/** A unique key prefix per test (the service is shared by the whole file). */
const uniq = (name: string): string => `${name}-${process.pid}-${++counter}`

/** A fresh workspace holding `files` (paths relative to the workspace). */
async function workspace(files: Record<string, string> = {}): Promise<string> {
  const ws = join(root, `ws-${++counter}`)
  await mkdir(ws, { recursive: true })
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(dirname(join(ws, rel)), { recursive: true })
    await writeFile(join(ws, rel), content)
  }
  return ws
}

type Env = Record<string, string>
const mainEnv = (): Env => service.env({ ref: MAIN })
const featureEnv = (): Env => service.env({ ref: FEATURE, defaultRef: MAIN })

async function save(env: Env, key: string, files: Record<string, string>, paths = ['data']): Promise<ClientRun> {
  const run = await runCacheClient({ op: 'save', paths, key }, { env, workspace: await workspace(files) })
  expect(run.exitCode).toBe(0)
  return run
}

async function saveOk(env: Env, key: string, content: string): Promise<void> {
  const run = await save(env, key, { 'data/file.txt': content })
  expect(run.warnings).toEqual([])
  expect(run.result).toMatchObject({ op: 'save' })
  expect((run.result as { cacheId: number }).cacheId).toBeGreaterThan(0)
}

async function restore(
  env: Env,
  key: string,
  opts: { restoreKeys?: string[]; lookupOnly?: boolean; paths?: string[]; retryScale?: number } = {},
): Promise<ClientRun & { ws: string; key: string | null }> {
  const ws = await workspace()
  const run = await runCacheClient(
    { op: 'restore', paths: opts.paths ?? ['data'], key, restoreKeys: opts.restoreKeys, lookupOnly: opts.lookupOnly },
    { env, workspace: ws, retryScale: opts.retryScale },
  )
  expect(run.exitCode).toBe(0)
  expect(run.result).toMatchObject({ op: 'restore' })
  return { ...run, ws, key: (run.result as { key: string | null }).key }
}

/** Restores `key` and returns data/file.txt's content (undefined on a miss). */
async function restoredContent(env: Env, key: string, restoreKeys?: string[]): Promise<string | undefined> {
  const run = await restore(env, key, { restoreKeys })
  expect(run.warnings).toEqual([])
  if (run.key === null) return undefined
  return readFile(join(run.ws, 'data/file.txt'), 'utf8')
}

const callsFor = (key: string) => service.calls().filter((c) => c.key === key)

async function twirp(method: string, body: object, token?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(`${TWIRP_PREFIX}${method}`, service.resultsUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('local cache service with the real @actions/cache', () => {
  it('saves and restores a directory round trip', async () => {
    const key = uniq('roundtrip')
    const run = await save(mainEnv(), key, { 'data/a.txt': 'hello\n', 'data/sub/b.bin': 'wörld' })
    expect(run.warnings).toEqual([])
    expect(run.errors).toEqual([])
    const cacheId = (run.result as { cacheId: number }).cacheId
    expect(cacheId).toBeGreaterThan(0)
    expect(service.entries().filter((e) => e.key === key)).toEqual([
      expect.objectContaining({ key, scope: MAIN, finalized: true, sizeBytes: expect.any(Number) }),
    ])

    const restored = await restore(mainEnv(), key)
    expect(restored.key).toBe(key)
    expect(restored.warnings).toEqual([])
    expect(restored.info).toContain(`Cache hit for: ${key}`)
    expect(await readFile(join(restored.ws, 'data/a.txt'), 'utf8')).toBe('hello\n')
    expect(await readFile(join(restored.ws, 'data/sub/b.bin'), 'utf8')).toBe('wörld')

    expect(callsFor(key)).toEqual([
      { method: 'CreateCacheEntry', key, status: 200 },
      { method: 'FinalizeCacheEntryUpload', key, status: 200 },
      { method: 'GetCacheEntryDownloadURL', key, status: 200 },
    ])
  })

  it('keeps keys immutable: a second save of the same key gets 409 and returns -1', async () => {
    const key = uniq('immutable')
    await saveOk(mainEnv(), key, 'first')
    const second = await save(mainEnv(), key, { 'data/file.txt': 'second' })
    expect(second.result).toEqual({ op: 'save', cacheId: -1 })
    expect(second.warnings).toEqual([]) // @actions/cache reports a reserve collision at info level
    expect(second.info).toContain(`Failed to save: Unable to reserve cache with key ${key}, another job may be creating this cache.`)
    expect(
      callsFor(key)
        .filter((c) => c.method === 'CreateCacheEntry')
        .map((c) => c.status),
    ).toEqual([200, 409])
    expect(await restoredContent(mainEnv(), key)).toBe('first')

    // An entry that is still uploading blocks the key too.
    const version = service.entries().find((e) => e.key === key)!.version
    const pending = uniq('pending')
    const token = service.token({ scopes: [{ scope: MAIN, permission: 3 }] })
    const created = await twirp('CreateCacheEntry', { key: pending, version }, token)
    expect(created).toMatchObject({ status: 200, body: { ok: true, signed_upload_url: expect.any(String) } })
    const blocked = await save(mainEnv(), pending, { 'data/file.txt': 'x' })
    expect(blocked.result).toEqual({ op: 'save', cacheId: -1 })
    expect(callsFor(pending).map((c) => c.status)).toEqual([200, 409])
    expect(service.entries().find((e) => e.key === pending)).toMatchObject({ finalized: false })
    expect(await restore(mainEnv(), pending)).toMatchObject({ key: null }) // not visible until finalized
  })

  it('prefix restore keys return the newest entry; exact matches win', async () => {
    const p = uniq('prefix')
    await saveOk(mainEnv(), `${p}-1`, 'one')
    await saveOk(mainEnv(), `${p}-2`, 'two')
    await saveOk(mainEnv(), `${p}-3`, 'three')
    const newest = await restore(mainEnv(), `${p}-missing`, { restoreKeys: [`${p}-`] })
    expect(newest.key).toBe(`${p}-3`)
    expect(newest.info).toContain(`Cache hit for restore-key: ${p}-3`)
    expect(await readFile(join(newest.ws, 'data/file.txt'), 'utf8')).toBe('three')
    expect(await restoredContent(mainEnv(), `${p}-missing`, [`${p}-1`, `${p}-`])).toBe('one')
    expect(await restoredContent(mainEnv(), p)).toBe('three') // primary key as prefix
    expect(await restoredContent(mainEnv(), `${p}-missing`, ['nothing-'])).toBeUndefined()
  })

  it('scopes entries by branch: feature reads its own then main; main never reads feature', async () => {
    const p = uniq('scope')
    await saveOk(mainEnv(), `${p}-shared`, 'main')
    await saveOk(mainEnv(), `${p}-main-only`, 'main-only')
    await saveOk(featureEnv(), `${p}-shared`, 'feature') // same key, other scope: not a collision
    await saveOk(featureEnv(), `${p}-feature-only`, 'feature-only')

    const scopes = service
      .entries()
      .filter((e) => e.key.startsWith(p))
      .map((e) => `${e.key}@${e.scope}`)
    expect(scopes.sort()).toEqual([`${p}-shared@${MAIN}`, `${p}-main-only@${MAIN}`, `${p}-shared@${FEATURE}`, `${p}-feature-only@${FEATURE}`].sort())
    expect(await restoredContent(featureEnv(), `${p}-shared`)).toBe('feature')
    expect(await restoredContent(featureEnv(), `${p}-main-only`)).toBe('main-only')
    expect(await restoredContent(mainEnv(), `${p}-shared`)).toBe('main')
    expect(await restoredContent(mainEnv(), `${p}-feature-only`)).toBeUndefined()
    // a feature restore-key hit in the feature scope beats an exact primary hit on main
    expect(await restoredContent(featureEnv(), `${p}-main-only`, [`${p}-feature`])).toBe('feature-only')
    expect(await restoredContent(featureEnv(), `${p}-none`, [`${p}-`])).toBe('feature-only') // newest in feature
  })

  it('honours read-only tokens: restore works, save warns "cache write denied" and returns -1', async () => {
    const key = uniq('readonly')
    await saveOk(mainEnv(), key, 'trusted')
    const ro = service.env({ ref: MAIN, readOnly: true })
    expect(await restoredContent(ro, key)).toBe('trusted')

    const denied = uniq('readonly-save')
    const run = await save(ro, denied, { 'data/file.txt': 'untrusted' })
    expect(run.result).toEqual({ op: 'save', cacheId: -1 })
    expect(run.errors).toEqual([])
    expect(run.warnings).toEqual([
      expect.stringMatching(new RegExp(`^Failed to save: Unable to reserve cache with key ${denied}\\. More details: cache write denied:`)),
    ])
    expect(service.entries().some((e) => e.key === denied)).toBe(false)
  })

  it('denies reads for a token without readable scopes ("cache read denied" warning, miss)', async () => {
    const key = uniq('writeonly')
    await saveOk(mainEnv(), key, 'x')
    const env = { ...mainEnv(), ACTIONS_RUNTIME_TOKEN: service.token({ scopes: [{ scope: MAIN, permission: 2 }] }) }
    const run = await restore(env, key)
    expect(run.key).toBeNull()
    expect(run.warnings).toEqual([expect.stringContaining('cache read denied:')])
    expect(callsFor(key).at(-1)).toEqual({ method: 'GetCacheEntryDownloadURL', key, status: 403 })
  })

  it('lookupOnly reports the hit without downloading', async () => {
    const key = uniq('lookup')
    await saveOk(mainEnv(), key, 'x')
    const run = await restore(mainEnv(), `${key}-nope`, { restoreKeys: [key], lookupOnly: true })
    expect(run.key).toBe(key)
    expect(run.info).toContain('Lookup only - skipping download')
    expect(existsSync(join(run.ws, 'data'))).toBe(false)
  })

  it('treats a different version (other paths) as a miss', async () => {
    const key = uniq('version')
    await saveOk(mainEnv(), key, 'x')
    const run = await restore(mainEnv(), key, { paths: ['other'] })
    expect(run.key).toBeNull()
    expect(run.warnings).toEqual([])
    expect(callsFor(key).at(-1)).toEqual({ method: 'GetCacheEntryDownloadURL', key, status: 200 })
  })

  it('http-500 fault: restore retries, warns and misses; save gives up; the step exits 0', async () => {
    const key = uniq('fault500')
    await saveOk(mainEnv(), key, 'x')
    service.setFault({ kind: 'http-500' })
    try {
      const run = await restore(mainEnv(), key, { retryScale: 0.01 })
      expect(run.key).toBeNull()
      expect(run.warnings).toEqual([expect.stringMatching(/^Failed to restore: .*\(500\) Internal Server Error: simulated cache service failure/)])
      expect(callsFor(key).filter((c) => c.status === 500)).toHaveLength(5) // 5 attempts, then give up

      const saveKey = uniq('fault500-save')
      const saved = await runCacheClient(
        { op: 'save', paths: ['data'], key: saveKey },
        { env: mainEnv(), workspace: await workspace({ 'data/file.txt': 'x' }), retryScale: 0.01 },
      )
      expect(saved.exitCode).toBe(0)
      expect(saved.result).toEqual({ op: 'save', cacheId: -1 })
      // any CreateCacheEntry failure is reported as a reserve collision, at info level
      expect(saved.info).toContain(`Failed to save: Unable to reserve cache with key ${saveKey}, another job may be creating this cache.`)
      expect(saved.warnings).toEqual([])
      expect(callsFor(saveKey).map((c) => `${c.method} ${c.status}`)).toEqual(Array(5).fill('CreateCacheEntry 500'))
    } finally {
      service.setFault(null)
    }
  })

  it('down fault: restore warns and misses, the step exits 0, and the service comes back', async () => {
    const key = uniq('down')
    await saveOk(mainEnv(), key, 'back')
    service.setFault({ kind: 'down' })
    try {
      const run = await restore(mainEnv(), key)
      expect(run.key).toBeNull()
      expect(run.warnings).toEqual([expect.stringMatching(/^Failed to restore: .*ECONNREFUSED/)])
    } finally {
      service.setFault(null)
    }
    expect(await restoredContent(mainEnv(), key)).toBe('back')
  })

  it('rejects missing and forged tokens with 401 and unknown routes with 404', async () => {
    const body = { key: 'k', version: 'v' }
    expect(await twirp('GetCacheEntryDownloadURL', body)).toMatchObject({ status: 401, body: { code: 'unauthenticated' } })
    const token = service.token({ scopes: [{ scope: MAIN, permission: 3 }] })
    const [h, p, s] = token.split('.')
    const forged = `${h}.${p}.${s!.slice(0, -4)}AAAA`
    expect(await twirp('GetCacheEntryDownloadURL', body, forged)).toMatchObject({ status: 401, body: { code: 'unauthenticated' } })
    expect(await twirp('GetCacheEntryDownloadURL', body, token)).toEqual({ status: 200, body: { ok: false } })
    expect(await twirp('DeleteCacheEntry', body, token)).toMatchObject({ status: 404, body: { code: 'bad_route' } })
  })

  it('finalize requires the uploaded blob with the declared size; SAS URLs work with the Azure SDK (blocks, ranged reads)', async () => {
    const token = service.token({ scopes: [{ scope: MAIN, permission: 3 }] })
    const key = uniq('sdk')
    const version = 'sdk-version'
    const created = await twirp('CreateCacheEntry', { key, version }, token)
    const uploadUrl = created.body.signed_upload_url as string
    expect(await twirp('FinalizeCacheEntryUpload', { key, version, size_bytes: '10000' }, token)).toEqual({
      status: 200,
      body: { ok: false, message: `cache entry ${key} was not uploaded` },
    })

    // Staged upload (PutBlock x3 + PutBlockList), as @actions/cache does for archives > 128 MiB.
    const data = Buffer.alloc(10_000, 0)
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251
    const file = join(root, `${key}.bin`)
    await writeFile(file, data)
    await new BlockBlobClient(uploadUrl).uploadFile(file, { blockSize: 4096, maxSingleShotSize: 4096, concurrency: 2 })
    expect(await twirp('FinalizeCacheEntryUpload', { key, version, size_bytes: '9999' }, token)).toMatchObject({
      body: { ok: false, message: expect.stringContaining('uploaded 10000 bytes, expected 9999') },
    })
    expect(await twirp('GetCacheEntryDownloadURL', { key, version }, token)).toEqual({ status: 200, body: { ok: false } })
    expect(await twirp('FinalizeCacheEntryUpload', { key, version, size_bytes: '10000' }, token)).toEqual({
      status: 200,
      body: { ok: true, entry_id: expect.stringMatching(/^\d+$/) },
    })
    expect(await twirp('FinalizeCacheEntryUpload', { key, version, size_bytes: '10000' }, token)).toMatchObject({ status: 409 })

    const found = await twirp('GetCacheEntryDownloadURL', { key: 'nope', restore_keys: [key], version }, token)
    expect(found).toMatchObject({ status: 200, body: { ok: true, matched_key: key } })
    const download = new BlockBlobClient(found.body.signed_download_url as string)
    expect((await download.getProperties()).contentLength).toBe(10_000)
    // ranged reads, as downloadCacheStorageSDK does (downloadToBuffer splits into ranges)
    expect((await download.downloadToBuffer(0, 10_000, { blockSize: 3000, concurrency: 4 })).equals(data)).toBe(true)
    expect((await download.downloadToBuffer(1234, 100)).equals(data.subarray(1234, 1334))).toBe(true)
    // the upload SAS cannot read, the download SAS cannot write
    await expect(new BlockBlobClient(uploadUrl).getProperties()).rejects.toMatchObject({ statusCode: 403 })
    await expect(download.upload('x', 1)).rejects.toMatchObject({ statusCode: 403 })
  })
})

describe('persistent local cache service', () => {
  it('keeps entries, blobs and the token secret across restarts when given a dir', async () => {
    const dir = join(root, 'persistent')
    const key = uniq('persist')
    let first: CacheService | undefined = await startCacheService({ dir })
    let second: CacheService | undefined
    try {
      const env = first.env({ ref: MAIN })
      const run = await runCacheClient({ op: 'save', paths: ['data'], key }, { env, workspace: await workspace({ 'data/file.txt': 'persisted' }) })
      expect(run.result).toMatchObject({ op: 'save' })
      expect((run.result as { cacheId: number }).cacheId).toBeGreaterThan(0)
      await first.stop()
      first = undefined

      second = await startCacheService({ dir })
      expect(second.entries()).toEqual([expect.objectContaining({ key, finalized: true })])
      // the old token is still valid (the secret is persisted); only the URL changed
      const ws = await workspace()
      const restored = await runCacheClient(
        { op: 'restore', paths: ['data'], key },
        { env: { ...env, ACTIONS_RESULTS_URL: second.resultsUrl, ACTIONS_CACHE_URL: second.resultsUrl }, workspace: ws },
      )
      expect(restored.result).toEqual({ op: 'restore', key })
      expect(await readFile(join(ws, 'data/file.txt'), 'utf8')).toBe('persisted')
    } finally {
      await first?.stop()
      await second?.stop()
    }
  })
})
