/**
 * A REAPI cache over gRPC (remote_execution.proto v2.12.0, vendored in
 * reapi/proto, code generated in reapi/gen by `npm run proto`): bazel-remote,
 * BuildBuddy, NativeLink, Buildbarn, Depot Cache. Go's cache maps onto it as
 * onto bazel-remote's HTTP protocol (docs/remote-cache.md):
 *
 *   an entry   ActionCache Get/UpdateActionResult under the same 64-hex key as
 *              HTTP's /ac/<key>, size 32; the ActionResult is action-result.ts's
 *   an object  the CAS: BatchRead/BatchUpdateBlobs up to BATCH_MAX_BYTES, ByteStream
 *              above; zstd when cache-compression and the server's capabilities allow
 *
 * Every call has a deadline (a read's from readDeadlineMs, a write's the
 * cache-timeout), every message is capped (MAX_MESSAGE_BYTES) and every blob
 * stream fails past its size, so a server can neither hang us nor fill memory.
 * Loaded only by the daemon, on demand (daemon/remote.ts): the gRPC runtime
 * costs the other entries nothing.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type http2 from 'node:http2'
import { Readable } from 'node:stream'
import { fromBinary, toBinary } from '@bufbuild/protobuf'
import { type CallOptions, type Client, Code, ConnectError, createClient } from '@connectrpc/connect'
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node'
import { decodeActionResult, encodeActionResult, GO_OUTPUT_PATH } from './action-result.ts'
import type { GrpcRemoteConfig } from './config.ts'
import { capped, readDeadlineMs } from './http.ts'
import { type FoundEntry, RemoteError, type Remote, type RemoteEntry, type WireCounters } from './remote.ts'
import {
  ActionCache,
  ActionResultSchema,
  Capabilities,
  Compressor_Value,
  ContentAddressableStorage,
  DigestFunction_Value,
} from './reapi/gen/build/bazel/remote/execution/v2/remote_execution_pb.js'
import { ByteStream } from './reapi/gen/google/bytestream/bytestream_pb.js'
import { HAS_ZSTD, zstdCompress, zstdDecoding } from './zstd.ts'

/**
 * Blobs up to this size go in one Batch call, larger ones over ByteStream.
 * gRPC servers take 4 MiB messages by default (grpc-go's MaxRecvMsgSize; bazel-remote
 * keeps it and advertises max_batch_total_size_bytes 0, "no limit"), so a batch stays
 * under that with room for the request's other fields, whatever the server advertises.
 */
export const BATCH_MAX_BYTES = 4 * 1024 * 1024 - 64 * 1024
/** The most a single message from the server may hold: a ByteStream chunk, a batch answer, an ActionResult. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024
/** ByteStream writes go in chunks of this size (bazel-remote and Bazel use 16 KiB–2 MiB). */
const WRITE_CHUNK_BYTES = 1024 * 1024
/** Uploads at least this large ask FindMissingBlobs first: one small call may save megabytes the server has (another job put them). */
const FIND_MISSING_MIN_BYTES = 1024 * 1024
/** The ActionCache key's size: Go's ActionID is a sha256, and ours is not the digest of an Action message (docs/remote-cache.md). */
export const ACTION_DIGEST_SIZE = 32n
/** google.rpc.Code values a Batch answer carries per blob. */
const RPC_OK = 0
const RPC_NOT_FOUND = 5

/** What the server said it takes (GetCapabilities), narrowed to what we use. */
export interface ReapiCapabilities {
  /** Blobs up to this size go in a Batch call. */
  batchMaxBytes: number
  /** zstd for ByteStream (compressed-blobs/zstd/…) and BatchReadBlobs. */
  zstd: boolean
  /** zstd in BatchUpdateBlobs (a separate list: bazel-remote answers OK to a compressor it does not list, and drops the blob). */
  zstdBatchUpdate: boolean
  /** The largest blob the server stores; 0: no limit. */
  maxBlobBytes: number
}

/** Our use of ServerCapabilities: SHA-256 must be among its digest functions; the rest are limits. Pure, for tests. */
export function narrowCapabilities(
  cache:
    | {
        digestFunctions: number[]
        maxBatchTotalSizeBytes: bigint
        supportedCompressors: number[]
        supportedBatchUpdateCompressors: number[]
        maxCasBlobSizeBytes: bigint
      }
    | undefined,
  wantZstd: boolean,
): ReapiCapabilities | Error {
  if (cache === undefined) return { batchMaxBytes: BATCH_MAX_BYTES, zstd: false, zstdBatchUpdate: false, maxBlobBytes: 0 }
  if (cache.digestFunctions.length > 0 && !cache.digestFunctions.includes(DigestFunction_Value.SHA256)) {
    return new Error('the server does not take SHA-256 digests (GetCapabilities), the only ones Go uses')
  }
  const advertised = Number(cache.maxBatchTotalSizeBytes)
  // A batch's limit counts the whole request; leave room for its digests and framing.
  const batchMaxBytes = advertised > 0 ? Math.min(BATCH_MAX_BYTES, Math.max(0, advertised - 64 * 1024)) : BATCH_MAX_BYTES
  const zstd = wantZstd && HAS_ZSTD
  return {
    batchMaxBytes,
    zstd: zstd && cache.supportedCompressors.includes(Compressor_Value.ZSTD),
    zstdBatchUpdate: zstd && cache.supportedBatchUpdateCompressors.includes(Compressor_Value.ZSTD),
    maxBlobBytes: Math.max(0, Number(cache.maxCasBlobSizeBytes)),
  }
}

/** A ByteStream resource name (remote_execution.proto, "Uploads"/"Downloads"): `{instance}/blobs/{hash}/{size}`, compressed or an upload's. */
export function resourceName(instance: string, hash: string, size: number, options: { zstd: boolean; upload?: string }): string {
  const blob = options.zstd ? `compressed-blobs/zstd/${hash}/${size}` : `blobs/${hash}/${size}`
  return [instance, options.upload === undefined ? '' : `uploads/${options.upload}`, blob].filter((s) => s !== '').join('/')
}

const NETWORK_ERROR =
  /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE)\b|socket hang up|GOAWAY|session (closed|destroyed)/i

/** The gRPC error as a RemoteError, named for the call; UNAUTHENTICATED and PERMISSION_DENIED carry 401 and 403, as over HTTP, with what to check. */
export function remoteError(what: string, error: unknown): RemoteError {
  if (error instanceof RemoteError) return error
  if (!(error instanceof ConnectError)) return new RemoteError(`${what}: ${(error as Error).message ?? String(error)}`)
  const status = error.code === Code.Unauthenticated ? 401 : error.code === Code.PermissionDenied ? 403 : undefined
  const hint = status === undefined ? '' : '; check cache-token and cache-auth (or cache-headers)'
  // connect-node reports a connection that failed or broke as INTERNAL, a stream the server reset as CANCELED
  // (we cancel no call that is still wanted), an answer cut short as INVALID_ARGUMENT "protocol error";
  // gRPC's name for each is UNAVAILABLE.
  const lost =
    (error.code === Code.Internal && NETWORK_ERROR.test(error.rawMessage)) ||
    (error.code === Code.Canceled && /http\/2 stream closed/i.test(error.rawMessage)) ||
    (error.code === Code.InvalidArgument && /^protocol error/i.test(error.rawMessage))
  const code = lost ? Code.Unavailable : error.code
  // Code names as gRPC spells them: UNAVAILABLE, DEADLINE_EXCEEDED.
  const name = Code[code].replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()
  return new RemoteError(`${what}: ${name}${error.rawMessage ? ` (${error.rawMessage.slice(0, 200)})` : ''}${hint}`, status)
}

export class ReapiRemote implements Remote {
  readonly wire: WireCounters = { requests: 0, sent: 0, received: 0 }
  private readonly instance: string
  private readonly headers: Record<string, string>
  private readonly timeoutMs: number
  private readonly wantZstd: boolean
  private readonly session: Http2SessionManager
  private readonly ac: Client<typeof ActionCache>
  private readonly cas: Client<typeof ContentAddressableStorage>
  private readonly bytestream: Client<typeof ByteStream>
  private readonly capabilitiesClient: Client<typeof Capabilities>
  private capabilities: Promise<ReapiCapabilities> | undefined

  constructor(config: GrpcRemoteConfig) {
    this.instance = config.instance
    this.headers = config.headers
    this.timeoutMs = config.timeoutMs
    this.wantZstd = config.compression === 'zstd'
    const baseUrl = config.url.replace(/^grpcs:/, 'https:').replace(/^grpc:/, 'http:')
    // One HTTP/2 connection carries every call; ours, so close() can end it.
    this.session = new WideWindowSessionManager(
      baseUrl,
      { pingIntervalMs: 30_000, pingTimeoutMs: 10_000, idleConnectionTimeoutMs: 60_000 },
      {
        settings: { initialWindowSize: STREAM_WINDOW_BYTES },
        ...(config.caFile && { ca: readFileSync(config.caFile) }),
        ...(config.certFile && { cert: readFileSync(config.certFile) }),
        ...(config.keyFile && { key: readFileSync(config.keyFile) }),
      },
    )
    const transport = createGrpcTransport({
      baseUrl,
      sessionManager: this.session,
      readMaxBytes: MAX_MESSAGE_BYTES,
      writeMaxBytes: MAX_MESSAGE_BYTES,
      connectTimeoutMs: Math.min(this.timeoutMs, 10_000),
    })
    this.ac = createClient(ActionCache, transport)
    this.cas = createClient(ContentAddressableStorage, transport)
    this.bytestream = createClient(ByteStream, transport)
    this.capabilitiesClient = createClient(Capabilities, transport)
  }

  async getEntry(key: string, inlineMaxBytes?: number): Promise<FoundEntry | Error | undefined> {
    checkHash(key)
    const inline = inlineMaxBytes !== undefined && inlineMaxBytes > 0
    const result = await this.call(`GetActionResult ${key.slice(0, 12)}…`, readDeadlineMs(this.timeoutMs, inline ? inlineMaxBytes : 64 * 1024), (options) =>
      this.ac.getActionResult(
        { instanceName: this.instance, actionDigest: { hash: key, sizeBytes: ACTION_DIGEST_SIZE }, inlineOutputFiles: inline ? [GO_OUTPUT_PATH] : [] },
        options,
      ),
    )
    if (result === undefined) return undefined
    // The inlined object, if the server sent it; the entry itself from the same bytes HTTP's /ac/ holds (action-result.ts checks them).
    const inlined = result.outputFiles.find((f) => f.path === GO_OUTPUT_PATH)?.contents
    for (const file of result.outputFiles) file.contents = new Uint8Array(0)
    const bytes = toBinary(ActionResultSchema, result)
    this.wire.received += bytes.length + (inlined?.length ?? 0)
    const entry = decodeActionResult(bytes)
    if (entry instanceof Error || !inline || inlined === undefined || inlined.length === 0 || inlined.length !== entry.size || entry.size > inlineMaxBytes)
      return entry
    return { ...entry, body: Readable.from([Buffer.from(inlined.buffer, inlined.byteOffset, inlined.length)]) }
  }

  async putEntry(key: string, entry: RemoteEntry): Promise<void> {
    checkHash(key)
    const bytes = encodeActionResult(entry)
    this.wire.sent += bytes.length
    await this.call(`UpdateActionResult ${key.slice(0, 12)}…`, this.timeoutMs, (options) =>
      this.ac.updateActionResult(
        {
          instanceName: this.instance,
          actionDigest: { hash: key, sizeBytes: ACTION_DIGEST_SIZE },
          actionResult: fromBinary(ActionResultSchema, bytes),
        },
        options,
      ),
    )
  }

  async getBlob(hash: string, size: number): Promise<Readable | undefined> {
    checkHash(hash)
    const caps = await this.serverCapabilities()
    const what = `blob ${hash.slice(0, 12)}…`
    if (size <= caps.batchMaxBytes) {
      const answer = await this.call(`BatchReadBlobs ${hash.slice(0, 12)}…`, readDeadlineMs(this.timeoutMs, size), (options) =>
        this.cas.batchReadBlobs(
          { instanceName: this.instance, digests: [{ hash, sizeBytes: BigInt(size) }], acceptableCompressors: caps.zstd ? [Compressor_Value.ZSTD] : [] },
          options,
        ),
      )
      const response = answer?.responses.find((r) => r.digest?.hash === hash)
      if (response === undefined) throw new RemoteError(`BatchReadBlobs ${hash.slice(0, 12)}…: the answer does not name the blob`)
      const code = response.status?.code ?? RPC_OK
      if (code === RPC_NOT_FOUND) return undefined
      if (code !== RPC_OK) throw new RemoteError(`BatchReadBlobs ${hash.slice(0, 12)}…: status ${code} (${(response.status?.message ?? '').slice(0, 200)})`)
      this.wire.received += response.data.length
      const data = Buffer.from(response.data.buffer, response.data.byteOffset, response.data.length)
      if (response.compressor === Compressor_Value.ZSTD && caps.zstd) return capped([Readable.from([data]), ...zstdDecoding(size)], size, what)
      if (response.compressor !== Compressor_Value.IDENTITY) throw new RemoteError(`${what}: compressed with ${response.compressor}, which we did not accept`)
      return capped([Readable.from([data])], size, what)
    }
    return this.readStream(hash, size, caps.zstd, what)
  }

  async putBlob(hash: string, body: Buffer): Promise<void> {
    checkHash(hash)
    const caps = await this.serverCapabilities()
    const short = hash.slice(0, 12)
    if (caps.maxBlobBytes > 0 && body.length > caps.maxBlobBytes) {
      throw new RemoteError(`blob ${short}…: ${body.length} bytes, more than the ${caps.maxBlobBytes} the server stores`)
    }
    const digest = { hash, sizeBytes: BigInt(body.length) }
    if (body.length >= FIND_MISSING_MIN_BYTES) {
      const found = await this.call(`FindMissingBlobs ${short}…`, this.timeoutMs, (options) =>
        this.cas.findMissingBlobs({ instanceName: this.instance, blobDigests: [digest] }, options),
      )
      if (found !== undefined && !found.missingBlobDigests.some((d) => d.hash === hash)) return
    }
    if (body.length <= caps.batchMaxBytes) {
      const compressed = caps.zstdBatchUpdate ? zstdCompress(body) : undefined
      const zstd = compressed !== undefined
      const data = compressed ?? body
      this.wire.sent += data.length
      const answer = await this.call(`BatchUpdateBlobs ${short}…`, this.timeoutMs, (options) =>
        this.cas.batchUpdateBlobs(
          { instanceName: this.instance, requests: [{ digest, data, compressor: zstd ? Compressor_Value.ZSTD : Compressor_Value.IDENTITY }] },
          options,
        ),
      )
      const status = answer?.responses.find((r) => r.digest?.hash === hash)?.status
      if (status === undefined && answer?.responses.length !== 1) throw new RemoteError(`BatchUpdateBlobs ${short}…: the answer does not name the blob`)
      if ((status?.code ?? RPC_OK) !== RPC_OK) throw new RemoteError(`BatchUpdateBlobs ${short}…: status ${status!.code} (${status!.message.slice(0, 200)})`)
      return
    }
    const compressed = caps.zstd ? zstdCompress(body) : undefined
    const zstd = compressed !== undefined
    const data = compressed ?? body
    const name = resourceName(this.instance, hash, body.length, { zstd, upload: randomUUID() })
    this.wire.sent += data.length
    async function* chunks() {
      for (let offset = 0; offset === 0 || offset < data.length; offset += WRITE_CHUNK_BYTES) {
        const end = Math.min(data.length, offset + WRITE_CHUNK_BYTES)
        // The resource name goes in the first message only (bytestream.proto WriteRequest).
        yield { resourceName: offset === 0 ? name : '', writeOffset: BigInt(offset), finishWrite: end === data.length, data: data.subarray(offset, end) }
      }
    }
    await this.call(`ByteStream.Write ${short}…`, this.timeoutMs, (options) => this.bytestream.write(chunks(), options))
  }

  close(): void {
    this.session.abort()
  }

  /** Fetched once, and again after a failure; a server without the Capabilities service gets the defaults. */
  private serverCapabilities(): Promise<ReapiCapabilities> {
    this.capabilities ??= this.call('GetCapabilities', this.timeoutMs, (options) =>
      this.capabilitiesClient.getCapabilities({ instanceName: this.instance }, options),
    ).then(
      (caps) => {
        const narrowed = narrowCapabilities(caps?.cacheCapabilities, this.wantZstd)
        if (narrowed instanceof Error) throw new RemoteError(`GetCapabilities: ${narrowed.message}`)
        return narrowed
      },
      (error: unknown) => {
        // No Capabilities service: the defaults, kept like an answer. Any other failure: asked again next time.
        if (error instanceof RemoteError && /UNIMPLEMENTED/.test(error.message)) return narrowCapabilities(undefined, false) as ReapiCapabilities
        this.capabilities = undefined
        throw error
      },
    )
    return this.capabilities
  }

  /** A ByteStream read as a stream of the blob's bytes, decoded; undefined when the server has no such blob. */
  private async readStream(hash: string, size: number, zstd: boolean, what: string): Promise<Readable | undefined> {
    // Compressed data can exceed its raw size a little (frame overhead).
    const wireLimit = size + 1024 + Math.ceil(size / 100)
    const abort = new AbortController()
    const stream = this.bytestream.read(
      { resourceName: resourceName(this.instance, hash, size, { zstd }), readOffset: 0n, readLimit: 0n },
      this.options(readDeadlineMs(this.timeoutMs, wireLimit), abort.signal),
    )
    this.wire.requests++
    const messages = stream[Symbol.asyncIterator]()
    let first: IteratorResult<{ data: Uint8Array }>
    try {
      first = await messages.next()
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.NotFound) return undefined
      throw remoteError(`ByteStream.Read ${hash.slice(0, 12)}…`, error)
    }
    const wire = this.wire
    let taken = 0
    async function* data(): AsyncGenerator<Buffer> {
      try {
        for (let next = first; !next.done; next = await messages.next()) {
          taken += next.value.data.length
          wire.received += next.value.data.length
          if (taken > wireLimit) throw new RemoteError(`${what}: the server sent more than the ${wireLimit} bytes expected`)
          yield Buffer.from(next.value.data.buffer, next.value.data.byteOffset, next.value.data.length)
        }
      } catch (error) {
        throw remoteError(`ByteStream.Read ${hash.slice(0, 12)}…`, error)
      } finally {
        // Destroyed before the end (a digest mismatch, a bomb): the call goes too.
        abort.abort()
      }
    }
    const source = Readable.from(data(), { objectMode: false })
    return zstd ? capped([source, ...zstdDecoding(size)], size, what) : capped([source], size, what)
  }

  /** One unary call: its deadline and headers, NOT_FOUND as undefined, every other failure a RemoteError naming it. */
  private async call<T>(what: string, deadlineMs: number, run: (options: CallOptions) => Promise<T>): Promise<T | undefined> {
    this.wire.requests++
    try {
      return await run(this.options(deadlineMs))
    } catch (error) {
      if (error instanceof ConnectError && error.code === Code.NotFound) return undefined
      throw remoteError(what, error)
    }
  }

  private options(timeoutMs: number, signal?: AbortSignal): CallOptions {
    return { timeoutMs, headers: this.headers, ...(signal && { signal }) }
  }
}

/**
 * HTTP/2's flow-control windows start at 64 KiB, for each stream and for the
 * whole connection (RFC 9113 6.9.2), and Node keeps the connection's there:
 * every call shares one connection, so 64 KiB at a time crossed it, each
 * waiting for a WINDOW_UPDATE. Larger windows let the answers of concurrent
 * calls stream; memory stays bounded by what the calls read (readMaxBytes).
 */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024
const CONNECTION_WINDOW_BYTES = 32 * 1024 * 1024

/** connect-node's session manager, widening each new connection's window the first time a call uses it (it offers no hook at connect). */
class WideWindowSessionManager extends Http2SessionManager {
  private readonly widened = new WeakSet<http2.ClientHttp2Session>()

  override async request(...args: Parameters<Http2SessionManager['request']>): Promise<http2.ClientHttp2Stream> {
    const stream = await super.request(...args)
    const session = stream.session as http2.ClientHttp2Session | undefined
    if (session !== undefined && !this.widened.has(session)) {
      this.widened.add(session)
      session.setLocalWindowSize(CONNECTION_WINDOW_BYTES)
    }
    return stream
  }
}

function checkHash(hash: string): void {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error(`invalid hash ${JSON.stringify(hash)}`)
}
