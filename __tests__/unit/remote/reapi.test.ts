import { Code, ConnectError } from '@connectrpc/connect'
import { BATCH_MAX_BYTES, narrowCapabilities, remoteError, resourceName } from '../../../src/remote/reapi.ts'
import { Compressor_Value, DigestFunction_Value } from '../../../src/remote/reapi/gen/build/bazel/remote/execution/v2/remote_execution_pb.js'
import { RemoteError } from '../../../src/remote/remote.ts'

const HASH = 'ab'.repeat(32)
const caps = (over: Partial<Parameters<typeof narrowCapabilities>[0] & object> = {}) => ({
  digestFunctions: [DigestFunction_Value.SHA256],
  maxBatchTotalSizeBytes: 0n,
  supportedCompressors: [Compressor_Value.ZSTD],
  supportedBatchUpdateCompressors: [Compressor_Value.ZSTD],
  maxCasBlobSizeBytes: 0n,
  ...over,
})

describe('narrowCapabilities', () => {
  it("takes bazel-remote's answer (no batch limit, zstd everywhere) with the 4 MiB gRPC message limit", () => {
    expect(narrowCapabilities(caps(), true)).toEqual({ batchMaxBytes: BATCH_MAX_BYTES, zstd: true, zstdBatchUpdate: true, maxBlobBytes: 0 })
  })

  it('keeps a batch under what the server advertises, with room for the request around the data', () => {
    expect(narrowCapabilities(caps({ maxBatchTotalSizeBytes: 1024n * 1024n }), true)).toMatchObject({ batchMaxBytes: 1024 * 1024 - 64 * 1024 })
    expect(narrowCapabilities(caps({ maxBatchTotalSizeBytes: 64n * 1024n * 1024n }), true)).toMatchObject({ batchMaxBytes: BATCH_MAX_BYTES })
    // A limit smaller than the room needed: nothing goes in a batch, everything over ByteStream.
    expect(narrowCapabilities(caps({ maxBatchTotalSizeBytes: 1000n }), true)).toMatchObject({ batchMaxBytes: 0 })
  })

  it('uses zstd only where the server lists it, and only when cache-compression asks for it', () => {
    expect(narrowCapabilities(caps({ supportedBatchUpdateCompressors: [] }), true)).toMatchObject({ zstd: true, zstdBatchUpdate: false })
    expect(narrowCapabilities(caps({ supportedCompressors: [Compressor_Value.DEFLATE] }), true)).toMatchObject({ zstd: false })
    expect(narrowCapabilities(caps(), false)).toMatchObject({ zstd: false, zstdBatchUpdate: false })
  })

  it('refuses a server without SHA-256, and takes one that lists no digest functions', () => {
    expect(narrowCapabilities(caps({ digestFunctions: [DigestFunction_Value.BLAKE3] }), true)).toEqual(
      new Error('the server does not take SHA-256 digests (GetCapabilities), the only ones Go uses'),
    )
    expect(narrowCapabilities(caps({ digestFunctions: [] }), true)).not.toBeInstanceOf(Error)
  })

  it('keeps the largest blob the server stores, and defaults without cache capabilities', () => {
    expect(narrowCapabilities(caps({ maxCasBlobSizeBytes: 100n }), true)).toMatchObject({ maxBlobBytes: 100 })
    expect(narrowCapabilities(undefined, true)).toEqual({ batchMaxBytes: BATCH_MAX_BYTES, zstd: false, zstdBatchUpdate: false, maxBlobBytes: 0 })
  })
})

describe('resourceName', () => {
  it('names downloads and uploads as the ByteStream section of remote_execution.proto does', () => {
    expect(resourceName('', HASH, 12, { zstd: false })).toBe(`blobs/${HASH}/12`)
    expect(resourceName('team/linux', HASH, 12, { zstd: true })).toBe(`team/linux/compressed-blobs/zstd/${HASH}/12`)
    expect(resourceName('', HASH, 0, { zstd: false, upload: 'u-1' })).toBe(`uploads/u-1/blobs/${HASH}/0`)
    expect(resourceName('ci', HASH, 7, { zstd: true, upload: 'u-2' })).toBe(`ci/uploads/u-2/compressed-blobs/zstd/${HASH}/7`)
  })
})

describe('remoteError', () => {
  it('names the call and the gRPC code as gRPC spells it', () => {
    expect(remoteError('GetActionResult ab…', new ConnectError('deadline', Code.DeadlineExceeded)).message).toBe(
      'GetActionResult ab…: DEADLINE_EXCEEDED (deadline)',
    )
  })

  it('calls a connection that failed UNAVAILABLE, not INTERNAL', () => {
    expect(remoteError('x', new ConnectError('connect ECONNREFUSED 127.0.0.1:1', Code.Internal)).message).toBe(
      'x: UNAVAILABLE (connect ECONNREFUSED 127.0.0.1:1)',
    )
    expect(remoteError('x', new ConnectError('protocol error', Code.Internal)).message).toBe('x: INTERNAL (protocol error)')
    // A stream the server reset, an answer cut short: the connection was lost, not our request wrong.
    expect(remoteError('x', new ConnectError('http/2 stream closed with error code CANCEL (0x8)', Code.Canceled)).message).toBe(
      'x: UNAVAILABLE (http/2 stream closed with error code CANCEL (0x8))',
    )
    expect(remoteError('x', new ConnectError('protocol error: incomplete envelope', Code.InvalidArgument)).message).toBe(
      'x: UNAVAILABLE (protocol error: incomplete envelope)',
    )
    expect(remoteError('x', new ConnectError('bad digest', Code.InvalidArgument)).message).toBe('x: INVALID_ARGUMENT (bad digest)')
  })

  it('gives UNAUTHENTICATED and PERMISSION_DENIED the HTTP statuses and the inputs to check', () => {
    const unauthenticated = remoteError('x', new ConnectError('no', Code.Unauthenticated))
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.message).toBe('x: UNAUTHENTICATED (no); check cache-token and cache-auth (or cache-headers)')
    expect(remoteError('x', new ConnectError('', Code.PermissionDenied)).status).toBe(403)
  })

  it('keeps a RemoteError as it is, and wraps anything else', () => {
    const own = new RemoteError('mine')
    expect(remoteError('x', own)).toBe(own)
    expect(remoteError('x', new Error('boom')).message).toBe('x: boom')
  })

  it('cuts a long message from the server', () => {
    expect(remoteError('x', new ConnectError('m'.repeat(5000), Code.Unknown)).message.length).toBeLessThan(230)
  })
})
