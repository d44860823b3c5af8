/**
 * Mutation fuzzing, bounded in time, of every decoder that reads bytes from
 * outside: the GOCACHEPROG request parser (go's side of the pipe), the
 * ActionResult decoder and the S3 action decoder (a remote's answers) and the
 * bundle reader (the GitHub Actions cache). Seeded (prng), so a failure reproduces; each target
 * runs for FUZZ_MS or at least MIN_CASES cases, and the counts are printed.
 *
 * Each target has one rule: it returns what its contract says (a valid
 * request, a valid entry or an Error, verified objects) or throws its own
 * error type; anything else (a TypeError, a RangeError, a hang) is a bug.
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { KNOWN_COMMANDS, ProtocolError, RequestParser } from '../../../src/gocacheprog/protocol.ts'
import { decodeActionResult, encodeActionResult } from '../../../src/remote/action-result.ts'
import { decodeAction, encodeAction } from '../../../src/remote/s3.ts'
import { BundleFormatError, readBundle } from '../../../src/bundle/format.ts'
import { bundleFile } from '../../support/bundle-file.ts'
import { chunkAt, closeFrame, getFrame, hexId, prng, putFrame } from '../gocacheprog/go-frames.ts'

const FUZZ_MS = Number(process.env.FUZZ_MS ?? 1500)
const MIN_CASES = 500
const HEX = /^[0-9a-f]{64}$/
const counts: Record<string, number> = {}
/** How many cases ended in the target's own error: the fuzzer reaches past the first checks only if this is well below the total. */
const refused: Record<string, number> = {}
const refuse = (name: string): void => void (refused[name] = (refused[name] ?? 0) + 1)

afterAll(() =>
  console.log(`fuzz cases (${FUZZ_MS} ms each): ${JSON.stringify(counts)}; of them refused with the target's own error: ${JSON.stringify(refused)}`),
)

/** One mutation of `seed`: flips, overwrites, inserts, deletes, truncates or splices, 1–4 times. */
function mutate(seed: Buffer, random: () => number): Buffer {
  let data = Buffer.from(seed)
  const at = () => Math.floor(random() * (data.length + 1))
  const byte = () => Math.floor(random() * 256)
  for (let n = 1 + Math.floor(random() * 4); n > 0; n--) {
    const i = at()
    switch (Math.floor(random() * 6)) {
      case 0:
        if (data.length > 0) data[Math.min(i, data.length - 1)]! ^= 1 << Math.floor(random() * 8)
        break
      case 1:
        if (data.length > 0) data[Math.min(i, data.length - 1)] = [0, 0xff, 0x7f, 0x80, 0x0a, 0x22, byte()][Math.floor(random() * 7)]!
        break
      case 2:
        data = Buffer.concat([data.subarray(0, i), Buffer.from(Array.from({ length: 1 + Math.floor(random() * 8) }, byte)), data.subarray(i)])
        break
      case 3:
        data = Buffer.concat([data.subarray(0, i), data.subarray(Math.min(data.length, i + 1 + Math.floor(random() * 16)))])
        break
      case 4:
        data = data.subarray(0, i)
        break
      default: {
        // Repeat a slice of itself somewhere else (length fields that now lie).
        const from = at()
        data = Buffer.concat([data.subarray(0, i), data.subarray(from, from + Math.floor(random() * 64)), data.subarray(i)])
      }
    }
  }
  return data
}

/** Runs `one` on mutations of the seeds until the time is up (and at least MIN_CASES times). */
async function fuzz(name: string, seeds: Buffer[], one: (input: Buffer, random: () => number) => void | Promise<void>): Promise<void> {
  const random = prng(0x5eed + name.length)
  const deadline = performance.now() + FUZZ_MS
  let n = 0
  for (; n < MIN_CASES || performance.now() < deadline; n++) {
    const input = mutate(seeds[n % seeds.length]!, random)
    try {
      await one(input, random)
    } catch (error) {
      throw new Error(`${name}, case ${n} (input ${input.toString('base64')}): ${(error as Error).stack}`)
    }
  }
  counts[name] = n
}

describe('fuzz', () => {
  it('the GOCACHEPROG request parser: valid requests or ProtocolError, in any chunking', async () => {
    const seeds = [
      Buffer.from(getFrame(1, hexId('a')) + putFrame(2, hexId('a'), Buffer.from('body bytes')) + closeFrame(3)),
      Buffer.from(putFrame(7, hexId('b'), Buffer.alloc(300, 7)) + getFrame(8, hexId('b'))),
      Buffer.from(putFrame(9, hexId('c'), Buffer.alloc(0)) + putFrame(10, hexId('d'), Buffer.from('x'), { field: 'ObjectID' })),
    ]
    await fuzz('request parser', seeds, (input, random) => {
      const parser = new RequestParser()
      const cuts = Array.from({ length: Math.floor(random() * 6) }, () => Math.floor(random() * input.length))
      try {
        for (const chunk of chunkAt(input, cuts)) {
          for (const request of parser.push(chunk)) {
            if (!Number.isSafeInteger(request.id) || !KNOWN_COMMANDS.includes(request.command)) throw new Error(`bad request ${JSON.stringify(request)}`)
            if (request.command !== 'close' && !HEX.test(request.actionId ?? '')) throw new Error(`bad action ID ${request.actionId}`)
            if (request.command === 'put') {
              const size = (request.body ?? []).reduce((sum, b) => sum + b.length, 0)
              if (!HEX.test(request.outputId ?? '') || size !== request.bodySize) throw new Error(`bad put ${request.outputId} ${size}/${request.bodySize}`)
            }
          }
        }
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error
        refuse('request parser')
      }
    })
  })

  it('the ActionResult decoder: a valid entry or an Error, never a throw', async () => {
    const seeds = [
      encodeActionResult({ outputId: hexId('o'), size: 12_004, timeMs: 1_700_000_000_123 }),
      encodeActionResult({ outputId: hexId('p'), size: 0, timeMs: 0 }),
      encodeActionResult({ outputId: hexId('q'), size: 2 ** 40, timeMs: 253_402_300_799_999 }),
    ]
    await fuzz('ActionResult decoder', seeds, (input) => {
      const entry = decodeActionResult(input)
      if (entry instanceof Error) return refuse('ActionResult decoder')
      if (!HEX.test(entry.outputId) || !Number.isSafeInteger(entry.size) || entry.size < 0 || !Number.isFinite(entry.timeMs) || entry.timeMs < 0) {
        throw new Error(`accepted an invalid entry ${JSON.stringify(entry)}`)
      }
    })
  })

  it('the S3 action decoder: a valid OutputID and time, or an Error', async () => {
    const seeds = [
      encodeAction({ outputId: hexId('a'), timeMs: 1_765_000_000_123 }),
      Buffer.from(`${hexId('b')} 0\n`),
      Buffer.from(` ${hexId('c')}\t-1 `),
      encodeAction({ outputId: hexId('d'), timeMs: 8.64e15 }),
    ]
    await fuzz('S3 action decoder', seeds, (input) => {
      const entry = decodeAction(input)
      if (entry instanceof Error) return refuse('S3 action decoder')
      if (!HEX.test(entry.outputId) || !Number.isSafeInteger(entry.timeMs) || entry.timeMs < 0)
        throw new Error(`accepted an invalid entry ${JSON.stringify(entry)}`)
    })
  })

  it('the bundle reader: only objects that hash to their OutputID, or BundleFormatError', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fuzz-bundle-'))
    try {
      // Real bundles from the real writer, decompressed: the reader's input after zstd.
      const raw = async (n: number, size: number, layer = {}) => zlib.zstdDecompressSync(readFileSync(await bundleFile(dir, n, size, layer)))
      const seeds = [await raw(2, 40), await raw(3, 200, { name: 'l.bundle', baseKey: 'base-key' })]
      await fuzz('bundle reader', seeds, async (input, random) => {
        const cuts = Array.from({ length: Math.floor(random() * 4) }, () => Math.floor(random() * input.length))
        async function* chunks(): AsyncGenerator<Buffer> {
          yield* chunkAt(input, cuts)
        }
        try {
          await readBundle(chunks(), { maxTotalBytes: 1 << 20 }, ({ outputId, body, entries }) => {
            const hash = createHash('sha256')
            for (const chunk of body) hash.update(chunk)
            if (hash.digest('hex') !== outputId) throw new Error(`accepted an object that is not its OutputID ${outputId}`)
            if (!entries.every((e) => HEX.test(e.actionId) && Number.isFinite(e.timeMs))) throw new Error(`accepted bad entries ${JSON.stringify(entries)}`)
          })
        } catch (error) {
          if (!(error instanceof BundleFormatError)) throw error
          refuse('bundle reader')
        }
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
