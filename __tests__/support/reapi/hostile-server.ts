/**
 * A REAPI cache over gRPC on loopback (h2c) that can be switched to fail the
 * way a real one can. Mock only what cannot run here: the happy path is
 * tested against a real bazel-remote, but bazel-remote cannot be told to
 * answer UNAVAILABLE, stall, cut a stream halfway, serve bytes that are not
 * the digest's, or turn credentials away on demand. So this server is built
 * with the same gRPC stack the client uses (connectNodeAdapter on
 * http2.createServer) and the generated services (ActionCache,
 * ContentAddressableStorage, Capabilities, ByteStream), and is a real
 * content-addressed store by default: blobs in memory by sha256 (uploads
 * verified, zstd accepted and served), ActionResults by key, an entry whose
 * output blob is missing a miss (as bazel-remote does), go-output inlined when
 * asked for and small enough.
 *
 * Faults (setFault), from the next call on:
 * - `unavailable`: every call answers UNAVAILABLE;
 * - `unauthenticated`: every call answers UNAUTHENTICATED;
 * - `stall`: every call is taken and never answered (the connection stays up
 *   and answers pings): only the client's deadline ends it;
 * - `midstream`: an answer carrying blob bytes (GetActionResult with inlined
 *   contents, BatchReadBlobs, ByteStream.Read) sends part of them, then the
 *   server destroys the connection (every call on it fails: a server that
 *   crashed), or resets just that stream (RST_STREAM INTERNAL_ERROR: a
 *   server or proxy that gave up on one answer);
 * - `wrongDigest`: blob reads (inlined, Batch, ByteStream) return bytes of the
 *   right size whose sha256 is not the requested hash.
 * `midstream` and `wrongDigest` can be limited to some blobs.
 */
import { createHash } from 'node:crypto'
import http2 from 'node:http2'
import type net from 'node:net'
import zlib from 'node:zlib'
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf'
import { Code, ConnectError, type ConnectRouter, createContextKey, createContextValues, type HandlerContext } from '@connectrpc/connect'
import { connectNodeAdapter } from '@connectrpc/connect-node'
import {
  ActionCache,
  ActionResultSchema,
  BatchReadBlobsResponseSchema,
  Capabilities,
  Compressor_Value,
  ContentAddressableStorage,
  type Digest,
  DigestFunction_Value,
} from '../../../src/remote/reapi/gen/build/bazel/remote/execution/v2/remote_execution_pb.js'
import { ByteStream } from '../../../src/remote/reapi/gen/google/bytestream/bytestream_pb.js'

export type Fault = 'none' | 'unavailable' | 'unauthenticated' | 'stall' | 'midstream' | 'wrongDigest'

export interface HostileServerOptions {
  /** go-output contents up to this size are inlined in GetActionResult when asked for (0: never). Default 1 MiB. */
  inlineMaxBytes?: number
  /** Advertise and take zstd (ByteStream compressed-blobs, Batch calls). Default true, as bazel-remote. */
  zstd?: boolean
  /** The `authorization` value every call must carry (else UNAUTHENTICATED); undefined: any. */
  authorization?: string
  /** Serve the Capabilities service; false: GetCapabilities is UNIMPLEMENTED, as on servers that lack it. Default true. */
  capabilities?: boolean
}

export interface HostileServer {
  /** `grpc://127.0.0.1:<port>`, for cache-url. */
  url: string
  /**
   * From the next call on; `blobs` limits midstream and wrongDigest to those
   * hashes (default: every blob); `cut`: what midstream destroys (default the connection).
   */
  setFault(fault: Fault, options?: { blobs?: Iterable<string>; cut?: 'connection' | 'stream' }): void
  /** Calls received, by `Service/Method` (`ActionCache/GetActionResult`, `ByteStream/Read`). */
  calls(): Record<string, number>
  /** Calls the last fault switched on was applied to (answered with an error, stalled, cut, or given wrong bytes), by `Service/Method`; kept when it is switched off. */
  faulted(): Record<string, number>
  /** The CAS: hash → size. */
  blobs(): Map<string, number>
  /** ActionResults stored. */
  entries(): number
  stop(): Promise<void>
}

const RPC_OK = 0
const RPC_INVALID_ARGUMENT = 3
const RPC_NOT_FOUND = 5
const EMPTY_SHA256 = createHash('sha256').digest('hex')
/** ByteStream.Read answers in chunks of this size. */
const READ_CHUNK_BYTES = 64 * 1024
/** How long a cut answer's first part gets to reach the wire before the connection goes. */
const CUT_DELAY_MS = 20
const GO_OUTPUT_PATH = 'go-output'

const RAW_REQUEST = createContextKey<http2.Http2ServerRequest | undefined>(undefined, { description: 'the HTTP/2 request' })

export async function startHostileServer(options: HostileServerOptions = {}): Promise<HostileServer> {
  const inlineMaxBytes = options.inlineMaxBytes ?? 1024 * 1024
  const zstd = options.zstd ?? true
  const cas = new Map<string, Buffer>()
  const ac = new Map<string, Uint8Array>()
  const calls: Record<string, number> = {}
  let faulted: Record<string, number> = {}
  let fault: Fault = 'none'
  let targets: Set<string> | undefined
  let cutWhat: 'connection' | 'stream' = 'connection'
  const sessions = new Set<http2.ServerHttp2Session>()
  const sockets = new Set<net.Socket>()

  const methodOf = (ctx: HandlerContext) => `${ctx.service.name}/${ctx.method.name}`
  const count = (what: string) => void (faulted[what] = (faulted[what] ?? 0) + 1)
  const targeted = (hash: string) => targets === undefined || targets.has(hash)
  /** Ends a call whose answer is half sent: its connection, or its stream alone. */
  const destroy = (stream: http2.ServerHttp2Stream) => {
    if (cutWhat === 'stream') stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR)
    else stream.session?.destroy()
  }

  /** A blob's bytes as served: under wrongDigest, a byte flipped (same size, another sha256; the empty blob gets a byte). */
  const served = (ctx: HandlerContext, hash: string, blob: Buffer): Buffer => {
    if (fault !== 'wrongDigest' || !targeted(hash)) return blob
    count(methodOf(ctx))
    const wrong = Buffer.from(blob.length === 0 ? Buffer.from('x') : blob)
    wrong[wrong.length >> 1]! ^= 0xff
    return wrong
  }

  /** Sends the first half of `message`'s gRPC frame, then destroys the connection or stream; never settles (nothing else is written). */
  const cut = <Desc extends DescMessage>(ctx: HandlerContext, schema: Desc, message: MessageShape<Desc>): Promise<never> => {
    count(methodOf(ctx))
    const stream = ctx.values.get(RAW_REQUEST)!.stream
    const bytes = toBinary(schema, message)
    const frame = Buffer.alloc(5 + bytes.length)
    frame.writeUInt32BE(bytes.length, 1)
    frame.set(bytes, 5)
    stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' })
    stream.write(frame.subarray(0, 5 + (bytes.length >> 1)), () => void setTimeout(() => destroy(stream), CUT_DELAY_MS))
    return new Promise<never>(() => undefined)
  }

  /** Checks an upload against its digest and stores it; the failure as a message, or undefined. */
  const store = (digest: Digest | undefined, data: Uint8Array, compressor: Compressor_Value): string | undefined => {
    if (digest === undefined || !/^[0-9a-f]{64}$/.test(digest.hash)) return 'no valid digest'
    let raw: Buffer
    try {
      if (compressor === Compressor_Value.ZSTD && zstd) raw = zlib.zstdDecompressSync(data)
      else if (compressor === Compressor_Value.IDENTITY) raw = Buffer.from(data)
      else return `compressor ${compressor} not supported`
    } catch (error) {
      return `cannot decompress: ${(error as Error).message}`
    }
    const hash = createHash('sha256').update(raw).digest('hex')
    if (hash !== digest.hash || BigInt(raw.length) !== digest.sizeBytes) {
      return `the data is ${raw.length} bytes with sha256 ${hash}, not ${digest.sizeBytes} with ${digest.hash}`
    }
    cas.set(hash, raw)
    return undefined
  }

  const has = (digest: Digest | undefined) => digest !== undefined && (cas.has(digest.hash) || (digest.sizeBytes === 0n && digest.hash === EMPTY_SHA256))

  const routes = (router: ConnectRouter) => {
    if (options.capabilities !== false)
      router.service(Capabilities, {
        getCapabilities: () => ({
          cacheCapabilities: {
            digestFunctions: [DigestFunction_Value.SHA256],
            actionCacheUpdateCapabilities: { updateEnabled: true },
            maxBatchTotalSizeBytes: 0n,
            supportedCompressors: zstd ? [Compressor_Value.ZSTD] : [],
            supportedBatchUpdateCompressors: zstd ? [Compressor_Value.ZSTD] : [],
          },
          lowApiVersion: { major: 2 },
          highApiVersion: { major: 2, minor: 3 },
        }),
      })

    router.service(ActionCache, {
      getActionResult: async (request, ctx) => {
        const stored = ac.get(`${request.instanceName}/${request.actionDigest?.hash}`)
        if (stored === undefined) throw new ConnectError('no such action', Code.NotFound)
        const result = fromBinary(ActionResultSchema, stored)
        // An entry whose outputs are gone is a miss (bazel-remote checks them too).
        if (!result.outputFiles.every((f) => has(f.digest))) throw new ConnectError('an output blob is missing', Code.NotFound)
        let inlined = false
        for (const file of result.outputFiles) {
          const size = Number(file.digest!.sizeBytes)
          if (!request.inlineOutputFiles.includes(file.path) || size > inlineMaxBytes || size === 0) continue
          file.contents = served(ctx, file.digest!.hash, cas.get(file.digest!.hash)!)
          inlined ||= targeted(file.digest!.hash)
        }
        if (fault === 'midstream' && inlined) return cut(ctx, ActionResultSchema, result)
        return result
      },
      updateActionResult: (request) => {
        if (request.actionDigest === undefined || request.actionResult === undefined) throw new ConnectError('no action digest or result', Code.InvalidArgument)
        if (!request.actionResult.outputFiles.some((f) => f.path === GO_OUTPUT_PATH)) throw new ConnectError(`no ${GO_OUTPUT_PATH}`, Code.InvalidArgument)
        ac.set(`${request.instanceName}/${request.actionDigest.hash}`, toBinary(ActionResultSchema, request.actionResult))
        return request.actionResult
      },
    })

    router.service(ContentAddressableStorage, {
      findMissingBlobs: (request) => ({ missingBlobDigests: request.blobDigests.filter((d) => !has(d)) }),
      batchUpdateBlobs: (request) => ({
        responses: request.requests.map((r) => {
          const failure = store(r.digest, r.data, r.compressor)
          return { digest: r.digest, status: failure === undefined ? { code: RPC_OK } : { code: RPC_INVALID_ARGUMENT, message: failure } }
        }),
      }),
      batchReadBlobs: async (request, ctx) => {
        const compress = zstd && request.acceptableCompressors.includes(Compressor_Value.ZSTD)
        let carries = false
        const answer = create(BatchReadBlobsResponseSchema, {
          responses: request.digests.map((digest) => {
            const blob = cas.get(digest.hash)
            if (blob === undefined) return { digest, status: { code: RPC_NOT_FOUND, message: 'not found' } }
            carries ||= targeted(digest.hash)
            const data = served(ctx, digest.hash, blob)
            return compress
              ? { digest, data: zlib.zstdCompressSync(data), compressor: Compressor_Value.ZSTD, status: { code: RPC_OK } }
              : { digest, data, status: { code: RPC_OK } }
          }),
        })
        if (fault === 'midstream' && carries) return cut(ctx, BatchReadBlobsResponseSchema, answer)
        return answer
      },
    })

    router.service(ByteStream, {
      async *read(request, ctx) {
        const name = /(?:^|\/)(blobs|compressed-blobs\/zstd)\/([0-9a-f]{64})\/(\d+)$/.exec(request.resourceName)
        if (name === null) throw new ConnectError(`bad resource name ${request.resourceName}`, Code.InvalidArgument)
        const [, kind, hash] = name as unknown as [string, string, string]
        if (kind !== 'blobs' && !zstd) throw new ConnectError('compressed blobs not supported', Code.InvalidArgument)
        const blob = cas.get(hash)
        if (blob === undefined) throw new ConnectError('no such blob', Code.NotFound)
        const raw = served(ctx, hash, blob)
        const data = kind === 'blobs' ? raw : zlib.zstdCompressSync(raw)
        const start = Number(request.readOffset)
        const end = request.readLimit > 0n ? Math.min(data.length, start + Number(request.readLimit)) : data.length
        const midstream = fault === 'midstream' && targeted(hash)
        const stop = midstream ? start + ((end - start) >> 1) : end
        for (let at = start; at < stop; at += READ_CHUNK_BYTES) yield { data: data.subarray(at, Math.min(stop, at + READ_CHUNK_BYTES)) }
        if (midstream) {
          // What was yielded is written (the adapter asks for the next message only then): now the connection or stream goes.
          count(methodOf(ctx))
          await new Promise((resolve) => setTimeout(resolve, CUT_DELAY_MS))
          destroy(ctx.values.get(RAW_REQUEST)!.stream)
          await new Promise<never>(() => undefined)
        }
      },
      write: async (requests) => {
        let name: RegExpExecArray | null = null
        const chunks: Uint8Array[] = []
        let received = 0
        let finished = false
        for await (const request of requests) {
          if (finished) throw new ConnectError('data after finish_write', Code.InvalidArgument)
          if (name === null) {
            name = /(?:^|\/)uploads\/[^/]+\/(blobs|compressed-blobs\/zstd)\/([0-9a-f]{64})\/(\d+)(?:\/.*)?$/.exec(request.resourceName)
            if (name === null) throw new ConnectError(`bad resource name ${request.resourceName}`, Code.InvalidArgument)
          }
          if (request.writeOffset !== BigInt(received))
            throw new ConnectError(`write_offset ${request.writeOffset}, expected ${received}`, Code.InvalidArgument)
          chunks.push(request.data)
          received += request.data.length
          finished = request.finishWrite
        }
        if (name === null || !finished) throw new ConnectError('the write did not finish', Code.InvalidArgument)
        const [, kind, hash, size] = name as unknown as [string, string, string, string]
        const failure = store(
          { hash, sizeBytes: BigInt(size) } as Digest,
          Buffer.concat(chunks),
          kind === 'blobs' ? Compressor_Value.IDENTITY : Compressor_Value.ZSTD,
        )
        if (failure !== undefined) throw new ConnectError(failure, Code.InvalidArgument)
        return { committedSize: BigInt(received) }
      },
    })
  }

  const adapter = connectNodeAdapter({
    routes,
    contextValues: (req) => createContextValues().set(RAW_REQUEST, req as http2.Http2ServerRequest),
    // Before the request is read: credentials, and the faults that answer every call with an error.
    requestGate: (ctx) => {
      const what = methodOf(ctx)
      calls[what] = (calls[what] ?? 0) + 1
      if (fault === 'unavailable') {
        count(what)
        throw new ConnectError('hostile server: unavailable (test)', Code.Unavailable)
      }
      if (fault === 'unauthenticated' || (options.authorization !== undefined && ctx.requestHeader.get('authorization') !== options.authorization)) {
        if (fault === 'unauthenticated') count(what)
        throw new ConnectError('hostile server: credentials refused (test)', Code.Unauthenticated)
      }
    },
  })

  const server = http2.createServer((req, res) => {
    if (fault === 'stall') {
      // Taken, read, never answered: only the client's deadline (or stop) ends it.
      const what = (req.url ?? '')
        .split('/')
        .slice(-2)
        .join('/')
        .replace(/^[^/]*\./, '')
      calls[what] = (calls[what] ?? 0) + 1
      count(what)
      req.resume()
      req.on('error', () => undefined)
      return
    }
    adapter(req, res)
  })
  server.on('session', (session) => {
    sessions.add(session)
    session.on('close', () => sessions.delete(session))
    session.on('error', () => undefined)
  })
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
  })
  server.on('stream', (stream) => stream.on('error', () => undefined))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo

  return {
    url: `grpc://127.0.0.1:${port}`,
    setFault(next, faultOptions) {
      fault = next
      targets = faultOptions?.blobs === undefined ? undefined : new Set(faultOptions.blobs)
      cutWhat = faultOptions?.cut ?? 'connection'
      if (next !== 'none') faulted = {}
    },
    calls: () => ({ ...calls }),
    faulted: () => ({ ...faulted }),
    blobs: () => new Map([...cas].map(([hash, blob]) => [hash, blob.length])),
    entries: () => ac.size,
    stop: async () => {
      for (const session of sessions) session.destroy()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
