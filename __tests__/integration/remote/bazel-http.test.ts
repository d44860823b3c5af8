/**
 * The HTTP client against a real bazel-remote: both storage modes, zstd and
 * plain transfer, an instance path, 404s, wrong credentials, TLS with a
 * private CA, and mutual TLS.
 */
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import zlib from 'node:zlib'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { decodeActionResult, encodeActionResult } from '../../../src/remote/action-result.ts'
import { BazelHttpClient } from '../../../src/remote/bazel-http.ts'
import type { HttpRemoteConfig } from '../../../src/remote/config.ts'
import { startBazelRemote, type BazelRemote } from '../../support/bazel-remote/index.ts'
import { makeTestPki, type TestPki } from '../../support/bazel-remote/tls.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** A blob read to its end, as the remote tier reads it; undefined for a 404. */
async function read(blob: Promise<Readable | undefined>): Promise<Buffer | undefined> {
  const stream = await blob
  return stream === undefined ? undefined : Buffer.concat((await stream.toArray()) as Buffer[])
}
const settings = (over: Partial<HttpRemoteConfig>): HttpRemoteConfig => ({
  kind: 'http',
  url: '',
  headers: {},
  timeoutMs: 10_000,
  compression: 'zstd',
  ...over,
})

let root: string
let pki: TestPki
const servers: BazelRemote[] = []
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bazel-http-'))
  pki = await makeTestPki(root)
})
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await rm(root, { recursive: true, force: true })
})
async function server(options: Parameters<typeof startBazelRemote>[0]): Promise<BazelRemote> {
  const s = await startBazelRemote(options)
  servers.push(s)
  return s
}

// Compressible (like Go archives, which compress about 3:1) and random parts; over 4 MiB, so bazel-remote stores several zstd chunks.
const big = Buffer.concat([Buffer.from('package archive text '.repeat(200_000)), randomBytes(1 << 20)])
const small = Buffer.from('a small object')

describe.each(['zstd', 'uncompressed'] as const)('bazel-remote with --storage_mode %s', (storageMode) => {
  let s: BazelRemote
  beforeAll(async () => {
    s = await server({ storageMode, htpasswd: { user: 'u', password: 'p' } })
  })

  it.each(['zstd', 'none'] as const)('stores and serves blobs and entries with %s transfer, under an instance path', async (compression) => {
    const client = new BazelHttpClient(settings({ url: `${s.httpUrl}/team`, headers: { Authorization: s.authorization }, compression }), 4)
    try {
      for (const body of [big, small]) {
        const actionId = sha(Buffer.from(`${compression} ${body.length}`))
        await client.putBlob(sha(body), body)
        await client.putAction(actionId, encodeActionResult({ outputId: sha(body), size: body.length, timeMs: 1_763_700_000_123 }))
        expect(decodeActionResult((await client.getAction(actionId))!)).toEqual({ outputId: sha(body), size: body.length, timeMs: 1_763_700_000_123 })
        expect((await read(client.getBlob(sha(body), body.length)))!.equals(body)).toBe(true)
      }
      const wire = client.wire.sent + client.wire.received
      const raw = 2 * (big.length + small.length)
      if (compression === 'zstd') expect(wire).toBeLessThan(raw / 2)
      else expect(wire).toBeGreaterThan(raw)
    } finally {
      client.close()
    }
  })

  it('answers a missing entry or blob with undefined, wrong credentials with an error', async () => {
    const client = new BazelHttpClient(settings({ url: s.httpUrl, headers: { Authorization: s.authorization } }), 2)
    const wrong = new BazelHttpClient(settings({ url: s.httpUrl, headers: { Authorization: 'Basic dTp3cm9uZw==' } }), 2)
    try {
      expect(await client.getAction('0'.repeat(64))).toBeUndefined()
      expect(await read(client.getBlob('1'.repeat(64), 10))).toBeUndefined()
      await expect(wrong.getAction('0'.repeat(64))).rejects.toThrow(/HTTP 401/)
      await expect(wrong.putBlob(sha(small), small)).rejects.toThrow(/HTTP 401/)
    } finally {
      client.close()
      wrong.close()
    }
  })

  it('refuses a blob larger than the size the entry promised', async () => {
    const client = new BazelHttpClient(settings({ url: s.httpUrl, headers: { Authorization: s.authorization }, compression: 'none' }), 2)
    try {
      await client.putBlob(sha(big), big)
      await expect(read(client.getBlob(sha(big), 1000))).rejects.toThrow(/larger than the/)
    } finally {
      client.close()
    }
  })
})

describe('TLS', () => {
  it('trusts a private CA given as cache-ca-cert, and only then', async () => {
    const s = await server({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert } })
    expect(s.httpUrl).toMatch(/^https:/)
    const trusting = new BazelHttpClient(settings({ url: s.httpUrl, caFile: pki.caCert }), 2)
    const plain = new BazelHttpClient(settings({ url: s.httpUrl }), 2)
    try {
      await trusting.putBlob(sha(small), small)
      expect((await read(trusting.getBlob(sha(small), small.length)))!.equals(small)).toBe(true)
      await expect(read(plain.getBlob(sha(small), small.length))).rejects.toThrow(/certificate/)
    } finally {
      trusting.close()
      plain.close()
    }
  })

  it('presents a client certificate for mutual TLS', async () => {
    const s = await server({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, clientCa: pki.caCert } })
    const withCert = new BazelHttpClient(settings({ url: s.httpUrl, caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey }), 2)
    const without = new BazelHttpClient(settings({ url: s.httpUrl, caFile: pki.caCert }), 2)
    try {
      await withCert.putBlob(sha(small), small)
      expect((await read(withCert.getBlob(sha(small), small.length)))!.equals(small)).toBe(true)
      await expect(read(without.getBlob(sha(small), small.length))).rejects.toThrow()
    } finally {
      withCert.close()
      without.close()
    }
  })
})

describe('a zstd bomb', () => {
  it('is refused once it decompresses past the size the entry promised', async () => {
    // 64 MiB of zeros in about 2 KiB: the server says it is the 10,000-byte blob asked for.
    const bomb = zlib.zstdCompressSync(Buffer.alloc(64 << 20))
    const server = http.createServer((request, response) => {
      request.resume()
      response.writeHead(200, { 'Content-Encoding': 'zstd', 'Content-Length': String(bomb.length) })
      response.end(bomb)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const client = new BazelHttpClient(settings({ url: `http://127.0.0.1:${port}`, compression: 'zstd' }), 2)
    try {
      expect(bomb.length).toBeLessThan(10_000) // within what the client reads for a 10,000-byte blob
      await expect(read(client.getBlob(sha(small), 10_000))).rejects.toThrow(/cas\/[0-9a-f]{12}…: more than the 10000 bytes its entry says/)
    } finally {
      client.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
