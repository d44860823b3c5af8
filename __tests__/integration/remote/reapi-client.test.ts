/**
 * The REAPI client (src/remote/reapi.ts) against a real bazel-remote serving
 * gRPC on loopback: every path a blob can take (Batch, ByteStream, zstd or
 * plain), the entry mapping shared with the HTTP protocol (read across
 * protocols on the same server, both ways), auth, TLS and mutual TLS.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { BazelHttpClient } from '../../../src/remote/bazel-http.ts'
import type { Compression, GrpcRemoteConfig } from '../../../src/remote/config.ts'
import { BATCH_MAX_BYTES, ReapiRemote } from '../../../src/remote/reapi.ts'
import { RemoteError } from '../../../src/remote/remote.ts'
import { startBazelRemote, type BazelRemote } from '../../support/bazel-remote/index.ts'
import { makeTestPki, type TestPki } from '../../support/bazel-remote/tls.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const USER = 'reapi-user'
const PASSWORD = 'reapi-Pa55-9b1e'
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`

async function read(blob: Promise<Readable | undefined>): Promise<Buffer | undefined> {
  const stream = await blob
  if (stream === undefined) return undefined
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

const config = (server: BazelRemote, over: Partial<GrpcRemoteConfig> = {}): GrpcRemoteConfig => ({
  kind: 'grpc',
  url: server.grpcAddress,
  instance: '',
  headers: { Authorization: BASIC },
  timeoutMs: 10_000,
  compression: 'zstd',
  ...over,
})

let root: string
let pki: TestPki
let server: BazelRemote
const servers: BazelRemote[] = []
const clients: { close(): void }[] = []
const open = <T extends { close(): void }>(client: T): T => {
  clients.push(client)
  return client
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'reapi-client-'))
  pki = await makeTestPki(root)
  server = await startBazelRemote({ grpc: true, htpasswd: { user: USER, password: PASSWORD } })
  servers.push(server)
})
afterEach(() => {
  for (const client of clients.splice(0)) client.close()
})
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await rm(root, { recursive: true, force: true })
})

describe.each<Compression>(['zstd', 'none'])('blobs and entries over gRPC (compression %s)', (compression) => {
  // Compressible and random, below and above the batch limit: Batch calls and ByteStream, each with and without zstd.
  const sizes = [1, 70_000, BATCH_MAX_BYTES, BATCH_MAX_BYTES + 1, 9 * 1024 * 1024 + 3]
  it.each(sizes)('a %i-byte blob goes up and comes back whole, and its entry names it', async (size) => {
    const client = open(new ReapiRemote(config(server, { compression })))
    for (const blob of [Buffer.alloc(size, `go object ${size} `), randomBytes(size)]) {
      const hash = sha(blob)
      await client.putBlob(hash, blob)
      expect((await read(client.getBlob(hash, size)))!.equals(blob)).toBe(true)
      const key = sha(Buffer.from(`action ${hash}`))
      const entry = { outputId: hash, size, timeMs: 1_700_000_000_123 }
      await client.putEntry(key, entry)
      const found = await client.getEntry(key)
      expect(found).toEqual(entry)
    }
  })

  it('inlines an object with its entry when asked, up to the size asked for', async () => {
    const client = open(new ReapiRemote(config(server, { compression })))
    const blob = randomBytes(50_000)
    const key = sha(randomBytes(16))
    await client.putBlob(sha(blob), blob)
    await client.putEntry(key, { outputId: sha(blob), size: blob.length, timeMs: 1 })
    const inlined = await client.getEntry(key, 64 * 1024)
    expect(inlined instanceof Error || inlined === undefined ? inlined : (await read(Promise.resolve(inlined.body)))!.equals(blob)).toBe(true)
    const notInlined = await client.getEntry(key, 10_000)
    expect(notInlined).toEqual({ outputId: sha(blob), size: blob.length, timeMs: 1 })
  })
})

describe('zstd', () => {
  it.each([70_000, 6 * 1024 * 1024])('a compressible %i-byte blob crosses the wire in a fraction of its size, both ways', async (size) => {
    const client = open(new ReapiRemote(config(server)))
    const blob = Buffer.alloc(size, `zstd ${size} ${Math.random()} `)
    await client.putBlob(sha(blob), blob)
    expect(client.wire.sent).toBeLessThan(size / 10)
    const received = client.wire.received
    expect((await read(client.getBlob(sha(blob), size)))!.equals(blob)).toBe(true)
    expect(client.wire.received - received).toBeLessThan(size / 10)
  })
})

describe('what is not there, and what is not allowed', () => {
  it('a missing entry or blob is undefined, over Batch and ByteStream', async () => {
    const client = open(new ReapiRemote(config(server)))
    expect(await client.getEntry('ab'.repeat(32))).toBeUndefined()
    expect(await client.getBlob('cd'.repeat(32), 10)).toBeUndefined()
    expect(await client.getBlob('ef'.repeat(32), BATCH_MAX_BYTES + 10)).toBeUndefined()
  })

  it('an entry whose object the server lacks is a miss: bazel-remote takes it, then checks what it names when read', async () => {
    const client = open(new ReapiRemote(config(server)))
    const key = sha(randomBytes(16))
    await client.putEntry(key, { outputId: '12'.repeat(32), size: 5, timeMs: 1 })
    expect(await client.getEntry(key)).toBeUndefined()
  })

  it('wrong credentials are UNAUTHENTICATED, a 401 that names the inputs to check, not a miss', async () => {
    const client = open(new ReapiRemote(config(server, { headers: { Authorization: `Basic ${Buffer.from(`${USER}:wrong`).toString('base64')}` } })))
    const error = await client.getEntry('ab'.repeat(32)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteError)
    expect((error as RemoteError).status).toBe(401)
    expect((error as RemoteError).message).toMatch(/UNAUTHENTICATED.*check cache-token and cache-auth/)
  })

  it('nothing listening is UNAVAILABLE, as an error', async () => {
    const client = open(new ReapiRemote({ ...config(server), url: 'grpc://127.0.0.1:1' }))
    await expect(client.getEntry('ab'.repeat(32))).rejects.toThrow(/UNAVAILABLE/)
  })

  it('a large blob the server already has is not sent again (FindMissingBlobs)', async () => {
    const client = open(new ReapiRemote(config(server, { compression: 'none' })))
    const blob = randomBytes(2 * 1024 * 1024)
    await client.putBlob(sha(blob), blob)
    const sent = client.wire.sent
    await client.putBlob(sha(blob), blob)
    expect(client.wire.sent).toBe(sent)
  })
})

describe('one server, two protocols', () => {
  // bazel-remote keeps one store behind HTTP and gRPC: an entry our HTTP client wrote is the same ActionResult over gRPC.
  it('what the HTTP client wrote, the gRPC client reads, and the other way round', async () => {
    const http = open(new BazelHttpClient({ kind: 'http', url: server.httpUrl, headers: { Authorization: BASIC }, timeoutMs: 10_000, compression: 'zstd' }, 2))
    const grpc = open(new ReapiRemote(config(server)))
    for (const [writer, reader] of [
      [http, grpc],
      [grpc, http],
    ] as const) {
      for (const size of [300, 6 * 1024 * 1024]) {
        const blob = randomBytes(size)
        const key = sha(randomBytes(16))
        const entry = { outputId: sha(blob), size, timeMs: 1_700_000_000_000 }
        await writer.putBlob(sha(blob), blob)
        await writer.putEntry(key, entry)
        expect(await reader.getEntry(key)).toEqual(entry)
        expect((await read(reader.getBlob(sha(blob), size)))!.equals(blob)).toBe(true)
      }
    }
  })

  it('an instance name is a namespace of its own on the gRPC side', async () => {
    const plain = open(new ReapiRemote(config(server)))
    const team = open(new ReapiRemote(config(server, { instance: 'team-a/linux' })))
    const blob = randomBytes(100)
    const key = sha(randomBytes(16))
    await team.putBlob(sha(blob), blob)
    await team.putEntry(key, { outputId: sha(blob), size: 100, timeMs: 5 })
    expect(await team.getEntry(key)).toEqual({ outputId: sha(blob), size: 100, timeMs: 5 })
    // bazel-remote ignores instance names (one store); a server that keeps them apart would miss here. Either way the read is well-formed.
    const other = await plain.getEntry(key)
    expect(other === undefined || (!(other instanceof Error) && other.outputId === sha(blob))).toBe(true)
  })
})

describe('TLS', () => {
  it('trusts a private CA given as cache-ca-cert, and only then', async () => {
    const s = await startBazelRemote({ grpc: true, tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert } })
    servers.push(s)
    expect(s.grpcAddress).toMatch(/^grpcs:/)
    const trusting = open(new ReapiRemote({ ...config(s), headers: {}, caFile: pki.caCert }))
    const plain = open(new ReapiRemote({ ...config(s), headers: {} }))
    const blob = randomBytes(1000)
    await trusting.putBlob(sha(blob), blob)
    expect((await read(trusting.getBlob(sha(blob), blob.length)))!.equals(blob)).toBe(true)
    await expect(read(plain.getBlob(sha(blob), blob.length))).rejects.toThrow(/certificate/)
  })

  it('presents a client certificate for mutual TLS', async () => {
    const s = await startBazelRemote({ grpc: true, tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, clientCa: pki.caCert } })
    servers.push(s)
    const withCert = open(new ReapiRemote({ ...config(s), headers: {}, caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey }))
    const without = open(new ReapiRemote({ ...config(s), headers: {}, caFile: pki.caCert }))
    const blob = randomBytes(1000)
    await withCert.putBlob(sha(blob), blob)
    expect((await read(withCert.getBlob(sha(blob), blob.length)))!.equals(blob)).toBe(true)
    await expect(read(without.getBlob(sha(blob), blob.length))).rejects.toThrow(RemoteError)
  })
})
