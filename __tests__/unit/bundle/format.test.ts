import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import {
  BUNDLE_MAGIC,
  baseFrame,
  BundleFormatError,
  compressor,
  decompressor,
  endFrame,
  indexFrame,
  objectHeader,
  IN_MEMORY_OBJECT_BYTES,
  readBundle,
  type BundleObject,
} from '../../../src/bundle/format.ts'
import { MAX_GO_OBJECT_BYTES } from '../../../src/go/object-size.ts'

/** A body's chunks copied and joined: a staged body reuses one buffer for its chunks. */
const joined = (body: Iterable<Buffer>) => Buffer.concat(Array.from(body, (chunk) => Buffer.from(chunk)))

/** What `accept` saw, its body joined while it could be read (a staged body is gone once accept returns). */
type Read = BundleObject & { head: Buffer; body: Buffer }

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const id = (n: number) => n.toString(16).padStart(64, '0')

const bodyA = Buffer.from('compiled package a')
const bodyB = Buffer.alloc(100_000, 7)
const objA = { outputId: sha(bodyA), size: bodyA.length, entries: [{ actionId: id(1), timeMs: 1_700_000_000_000 }] }
const objB = {
  outputId: sha(bodyB),
  size: bodyB.length,
  entries: [
    { actionId: id(2), timeMs: 5 },
    { actionId: id(3), timeMs: 6 },
  ],
}

const index = () => indexFrame([objA, objB])
function bundle(...parts: Buffer[]): Buffer {
  return Buffer.concat([BUNDLE_MAGIC, index(), ...parts])
}
const good = () => bundle(objectHeader(objA), bodyA, objectHeader(objB), bodyB, endFrame(2, 3))

/** Feeds the bytes in small chunks, as a stream would. */
async function read(bytes: Buffer, maxTotalBytes = 1 << 30, stageDir?: string) {
  const got: Read[] = []
  const events: string[] = []
  const chunks = Array.from({ length: Math.ceil(bytes.length / 4096) }, (_, i) => bytes.subarray(i * 4096, (i + 1) * 4096))
  const result = await readBundle(
    Readable.from(chunks),
    { maxTotalBytes, ...(stageDir !== undefined && { stageDir }) },
    (o) => {
      got.push({ ...o, body: joined(o.body) })
      events.push(`object ${o.entries.map((e) => e.actionId.slice(-1)).join(',')}`)
    },
    (head) => events.push(`index ${head.actionIds.map((i) => i.slice(-1)).join(',')}`),
  )
  return { result, got, events }
}

describe('bundle format', () => {
  it('lays out an object frame exactly', () => {
    const header = objectHeader(objA)
    expect(header.length).toBe(1 + 32 + 8 + 4 + 40)
    expect(header.subarray(0, 1).toString()).toBe('O')
    expect(header.subarray(1, 33).toString('hex')).toBe(objA.outputId)
    expect(header.readBigUInt64BE(33)).toBe(BigInt(bodyA.length))
    expect(header.readUInt32BE(41)).toBe(1)
    expect(header.subarray(45, 77).toString('hex')).toBe(id(1))
    expect(header.readBigUInt64BE(77)).toBe(1_700_000_000_000n)
    expect(endFrame(2, 3).toString('hex')).toBe(`45${'0000000000000002'}${'0000000000000003'}`)
    expect(index().toString('hex')).toBe(`49${'00000003'}${id(1)}${id(2)}${id(3)}`)
  })

  it('hands over the index before the first object', async () => {
    const { events } = await read(good())
    expect(events).toEqual(['index 1,2,3', 'object 1', 'object 2,3'])
  })

  it('lays out a base frame exactly, and reads its key back before the index', async () => {
    expect(baseFrame('go-cache-setup-build-v3-x').toString('hex')).toBe(`42${'0019'}${Buffer.from('go-cache-setup-build-v3-x').toString('hex')}`)
    const heads: unknown[] = []
    const layered = Buffer.concat([BUNDLE_MAGIC, baseFrame('k-1'), index(), objectHeader(objA), bodyA, objectHeader(objB), bodyB, endFrame(2, 3)])
    const result = await readBundle(
      Readable.from([layered]),
      { maxTotalBytes: 1 << 30 },
      () => undefined,
      (head) => heads.push(head),
    )
    expect(heads).toEqual([{ baseKey: 'k-1', actionIds: [id(1), id(2), id(3)] }])
    expect(result.entries).toBe(3)
    expect(() => baseFrame('')).toThrow('invalid base key')
    expect(() => baseFrame('k'.repeat(513))).toThrow('invalid base key')
    expect(() => baseFrame('ключ')).toThrow('invalid base key')
  })

  it('reads back what was written, object by object, with their entries', async () => {
    const { result, got } = await read(good())
    expect(result).toEqual({ objects: 2, entries: 3, bytes: bodyA.length + bodyB.length, rejected: 0 })
    expect(got.map((o) => [o.outputId, o.entries, o.body.equals(o.outputId === objA.outputId ? bodyA : bodyB)])).toEqual([
      [objA.outputId, objA.entries, true],
      [objB.outputId, objB.entries, true],
    ])
  })

  it('skips an object whose body does not hash to its OutputID, and goes on', async () => {
    const tampered = Buffer.from(bodyA)
    tampered[0] = 0x43
    const { result, got } = await read(bundle(objectHeader(objA), tampered, objectHeader(objB), bodyB, endFrame(2, 3)))
    expect(result.rejected).toBe(1)
    expect(got.map((o) => o.outputId)).toEqual([objB.outputId])
  })

  it.each([
    ['a bad header', () => Buffer.concat([Buffer.from('not a bundle at all, no\n'), objectHeader(objA), bodyA, endFrame(1, 1)]), 'bad header'],
    ['a truncated body', () => good().subarray(0, BUNDLE_MAGIC.length + index().length + objectHeader(objA).length + 5), 'truncated'],
    ['no index', () => Buffer.concat([BUNDLE_MAGIC, objectHeader(objA), bodyA, endFrame(1, 1)]), 'no index frame after the header'],
    ['an empty base key', () => Buffer.concat([BUNDLE_MAGIC, Buffer.from([0x42, 0, 0]), index()]), 'a base key of 0 bytes'],
    [
      'a base key too long to be a cache key',
      () => Buffer.concat([BUNDLE_MAGIC, Buffer.from([0x42, 2, 1]), Buffer.alloc(513, 0x6b), index()]),
      'a base key of 513 bytes',
    ],
    ['two base frames', () => Buffer.concat([BUNDLE_MAGIC, baseFrame('a'), baseFrame('b'), index()]), 'no index frame after the header'],
    ['an index of absurd size', () => Buffer.concat([BUNDLE_MAGIC, Buffer.from([0x49, 0xff, 0xff, 0xff, 0xff])]), 'an index of 4294967295 entries'],
    ['a truncated index', () => Buffer.concat([BUNDLE_MAGIC, index().subarray(0, 40)]), 'truncated'],
    ['no end frame', () => bundle(objectHeader(objA), bodyA), 'truncated'],
    ['bytes after the end', () => Buffer.concat([good(), Buffer.from([0])]), 'bytes after the end frame'],
    ['counts that do not match', () => bundle(objectHeader(objA), bodyA, endFrame(5, 1)), 'end frame counts 5 objects'],
    ['an unknown frame', () => bundle(Buffer.from('X')), 'unknown frame 0x58'],
    ['an object with no entries', () => bundle(objectHeader({ ...objA, entries: [] }), bodyA, endFrame(1, 0)), 'an object with 0 entries'],
  ])('refuses %s', async (_name, bytes, message) => {
    const attempt = read(bytes())
    await expect(attempt).rejects.toThrow(BundleFormatError)
    await expect(read(bytes())).rejects.toThrow(message)
  })

  it('hands over, in order, every whole object read before the bundle went bad', async () => {
    const accepted: string[] = []
    const damaged = bundle(objectHeader(objA), bodyA, objectHeader(objB), bodyB, Buffer.from('X'))
    await expect(
      readBundle(Readable.from([damaged]), { maxTotalBytes: 1 << 30 }, (o) => {
        accepted.push(o.outputId)
      }),
    ).rejects.toThrow('unknown frame 0x58')
    expect(accepted).toEqual([objA.outputId, objB.outputId])
  })

  it('stops at the byte limit before reading a body past it', async () => {
    await expect(read(good(), bodyA.length + 10)).rejects.toThrow(`an object of ${bodyB.length} bytes goes over the limit`)
  })

  it('refuses an object over the Go object limit from its header, before any of its body', async () => {
    const huge = { ...objA, size: MAX_GO_OBJECT_BYTES + 1 }
    // No body follows: were it read, the error would be "truncated".
    await expect(read(bundle(objectHeader(objA), bodyA, objectHeader(huge)), Number.MAX_SAFE_INTEGER)).rejects.toThrow(
      `an object of ${MAX_GO_OBJECT_BYTES + 1} bytes goes over the limit of ${MAX_GO_OBJECT_BYTES} bytes`,
    )
  })

  describe('an object too large for memory, with a stage directory', () => {
    const big = Buffer.alloc(IN_MEMORY_OBJECT_BYTES + 3 * 1024 * 1024 + 7)
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff
    const objBig = { outputId: sha(big), size: big.length, entries: [{ actionId: id(9), timeMs: 9 }] }
    let stageDir: string
    beforeEach(async () => {
      stageDir = await mkdtemp(path.join(os.tmpdir(), 'format-stage-'))
    })
    afterEach(async () => {
      await rm(stageDir, { recursive: true, force: true })
    })
    const withBig = (body: Buffer) =>
      Buffer.concat([BUNDLE_MAGIC, indexFrame([objA, objBig]), objectHeader(objA), bodyA, objectHeader(objBig), body, endFrame(2, 2)])

    it('streams it through a staged file, hands over its head and body, and removes the file', async () => {
      const seen: string[][] = []
      const got: Read[] = []
      await readBundle(Readable.from([withBig(big)]), { maxTotalBytes: 1 << 30, stageDir }, async (o) => {
        seen.push(await readdir(stageDir))
        // Twice: a store compares, then writes.
        expect(joined(o.body).equals(joined(o.body))).toBe(true)
        got.push({ ...o, body: joined(o.body) })
      })
      expect(seen).toEqual([[], [objBig.outputId]])
      expect(got[1]!.body.equals(big)).toBe(true)
      expect(got[1]!.head.equals(big.subarray(0, 1024))).toBe(true)
      expect(await readdir(stageDir)).toEqual([])
    })

    it('rejects it when its bytes are not its OutputID, and leaves nothing staged', async () => {
      const tampered = Buffer.from(big)
      tampered[big.length - 1]! ^= 1
      const { result, got } = await read(withBig(tampered), 1 << 30, stageDir)
      expect(result.rejected).toBe(1)
      expect(got.map((o) => o.outputId)).toEqual([objA.outputId])
      expect(await readdir(stageDir)).toEqual([])
    })
  })

  it('round-trips through zstd with checksums, and a flipped byte in the compressed stream is an error', async () => {
    const viaStream = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = []
      const c = compressor()
      c.on('data', (d: Buffer) => parts.push(d))
        .on('end', () => resolve(Buffer.concat(parts)))
        .on('error', reject)
      c.end(good())
    })
    expect(viaStream.length).toBeLessThan(good().length / 10) // bodyB is one repeated byte
    const { result } = await readBundleFrom(viaStream)
    expect(result.entries).toBe(3)

    const broken = Buffer.from(viaStream)
    broken[Math.floor(broken.length / 2)]! ^= 0xff
    await expect(readBundleFrom(broken)).rejects.toThrow()
  })
})

async function readBundleFrom(compressed: Buffer) {
  const got: BundleObject[] = []
  const result = await readBundle(Readable.from([compressed]).pipe(decompressor()), { maxTotalBytes: 1 << 30 }, (o) => void got.push(o))
  return { result, got }
}
