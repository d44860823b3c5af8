import { encodeResponse, KNOWN_COMMANDS, MAX_LINE_BYTES, ProtocolError, RequestParser, type Request } from '../../../src/gocacheprog/protocol.ts'
import { b64, chunkAt, closeFrame, getFrame, hexId, prng, putFrame, sha256Hex } from './go-frames.ts'

const A = hexId('a')
const B = hexId('b')

/** A request with its body chunks joined, so results compare across chunkings. */
type Flat = Omit<Request, 'body'> & { body?: Buffer }
function flat(requests: Request[]): Flat[] {
  return requests.map(({ body, ...rest }) => (body === undefined ? rest : { ...rest, body: Buffer.concat(body) }))
}

function parseChunks(chunks: Buffer[]): Flat[] {
  const parser = new RequestParser()
  const out: Request[] = []
  for (const chunk of chunks) out.push(...parser.push(chunk))
  expect(parser.idle).toBe(true)
  return flat(out)
}

function parseAll(text: string | Buffer): Flat[] {
  return parseChunks([Buffer.isBuffer(text) ? text : Buffer.from(text)])
}

function protocolError(run: () => unknown): ProtocolError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError)
    return error as ProtocolError
  }
  throw new Error('expected a ProtocolError, nothing was thrown')
}

function parseError(text: string | Buffer): string {
  return protocolError(() => new RequestParser().push(Buffer.isBuffer(text) ? text : Buffer.from(text))).message
}

/** Bodies of the lengths that exercise every base64 padding case, plus big ones. */
const bodies = [1, 2, 3, 4, 5, 6, 7, 100, 1000, 70_000].map((n, i) => {
  const body = Buffer.alloc(n)
  const next = prng(i + 1)
  for (let j = 0; j < n; j++) body[j] = Math.floor(next() * 256)
  return body
})

describe('RequestParser: framing as cmd/go writes it', () => {
  it('parses a get: JSON line, blank line, no body line', () => {
    expect(parseAll(getFrame(1, A))).toStrictEqual([{ id: 1, command: 'get', actionId: A, bodySize: 0 }])
  })

  it('parses a put with its base64 body line', () => {
    const body = Buffer.from('hello, go')
    const frame = putFrame(2, A, body)
    expect(frame).toBe(`{"ID":2,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(sha256Hex(body))}","BodySize":9}\n\n"aGVsbG8sIGdv"\n`)
    expect(parseAll(frame)).toStrictEqual([{ id: 2, command: 'put', actionId: A, outputId: sha256Hex(body), bodySize: 9, body }])
  })

  it('has no body line for BodySize 0 (Go omits the field), and the next request follows directly', () => {
    const empty = Buffer.alloc(0)
    const frame = putFrame(3, A, empty) + getFrame(4, B)
    expect(frame).toBe(
      `{"ID":3,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(sha256Hex(empty))}"}\n\n` + `{"ID":4,"Command":"get","ActionID":"${b64(B)}"}\n\n`,
    )
    expect(parseAll(frame)).toStrictEqual([
      { id: 3, command: 'put', actionId: A, outputId: sha256Hex(empty), bodySize: 0 },
      { id: 4, command: 'get', actionId: B, bodySize: 0 },
    ])
  })

  it('takes an explicit "BodySize":0 as no body', () => {
    const line = `{"ID":5,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(B)}","BodySize":0}\n\n`
    expect(parseAll(line)).toStrictEqual([{ id: 5, command: 'put', actionId: A, outputId: B, bodySize: 0 }])
  })

  it('parses close', () => {
    expect(parseAll(closeFrame(9))).toStrictEqual([{ id: 9, command: 'close', bodySize: 0 }])
  })

  it('skips any number of blank lines and spaces between requests, before and after', () => {
    const text = `\n\n${getFrame(1, A)}\n\n  \n\t${getFrame(2, B)}\n\n\n`
    expect(parseAll(text).map((r) => r.id)).toStrictEqual([1, 2])
  })

  it('takes ObjectID as the OutputID (Go 1.21–1.23)', () => {
    const body = Buffer.from('old go')
    expect(parseAll(putFrame(1, A, body, { field: 'ObjectID' }))).toStrictEqual([
      { id: 1, command: 'put', actionId: A, outputId: sha256Hex(body), bodySize: 6, body },
    ])
  })

  it('prefers OutputID when Go 1.24 (experiment build) sends both', () => {
    const line = `{"ID":1,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(A)}","ObjectID":"${b64(A)}"}\n\n`
    expect(parseAll(line)).toStrictEqual([{ id: 1, command: 'put', actionId: A, outputId: A, bodySize: 0 }])
  })

  it('ignores fields it does not know', () => {
    expect(parseAll(`{"ID":1,"Command":"get","ActionID":"${b64(A)}","Extra":[1,{"x":2}]}\n\n`)).toStrictEqual([
      { id: 1, command: 'get', actionId: A, bodySize: 0 },
    ])
  })

  it('decodes bodies of every padding length', () => {
    for (const body of bodies) {
      expect(parseAll(putFrame(1, A, body))).toStrictEqual([{ id: 1, command: 'put', actionId: A, outputId: sha256Hex(body), bodySize: body.length, body }])
    }
  })

  it('does not buffer a body as base64: it comes out as decoded chunks', () => {
    const body = bodies.at(-1)!
    const parser = new RequestParser()
    const frame = Buffer.from(putFrame(1, A, body))
    const out: Request[] = []
    for (const chunk of chunkAt(
      frame,
      [...Array(frame.length >> 14).keys()].map((i) => i << 14),
    ))
      out.push(...parser.push(chunk))
    expect(out).toHaveLength(1)
    expect(out[0]!.body!.length).toBeGreaterThan(1)
    expect(Buffer.concat(out[0]!.body!)).toEqual(body)
  })
})

describe('RequestParser: any chunking gives the same requests', () => {
  // A stream like a build's: gets, puts of every padding length, empty puts, close.
  const parts: string[] = []
  let id = 1
  for (const body of [Buffer.alloc(0), ...bodies]) {
    parts.push(getFrame(id++, hexId(`g${id}`)))
    parts.push(putFrame(id++, hexId(`p${id}`), body))
  }
  parts.push(putFrame(id++, A, Buffer.from('x'), { field: 'ObjectID' }))
  parts.push(closeFrame(id++))
  const stream = Buffer.from(parts.join(''))
  const expected = parseAll(stream)

  it('parses the whole stream at once', () => {
    expect(expected).toHaveLength(2 * (bodies.length + 1) + 2)
    expect(expected.map((r) => r.id)).toStrictEqual([...Array(id - 1).keys()].map((i) => i + 1))
    expect(expected.filter((r) => r.body !== undefined).map((r) => r.body!.length)).toStrictEqual([...bodies.map((b) => b.length), 1])
  })

  it('one byte at a time', () => {
    expect(parseChunks(chunkAt(stream, [...Array(stream.length).keys()]))).toStrictEqual(expected)
  })

  it('100 seeded random chunkings, small and large chunks', () => {
    const next = prng(42)
    for (let round = 0; round < 100; round++) {
      const maxChunk = round % 2 === 0 ? 16 : 20_000
      const cuts: number[] = []
      for (let at = 0; at < stream.length; at += 1 + Math.floor(next() * maxChunk)) cuts.push(at)
      expect(parseChunks(chunkAt(stream, cuts))).toStrictEqual(expected)
    }
  })

  it('every two-chunk split of a put whose body ends in padding', () => {
    for (const body of bodies.slice(0, 7)) {
      const frame = Buffer.from(putFrame(1, A, body) + getFrame(2, B))
      const want = parseAll(frame)
      for (let cut = 1; cut < frame.length; cut++) expect(parseChunks(chunkAt(frame, [cut]))).toStrictEqual(want)
    }
  })

  it('is idle only between requests', () => {
    const frame = Buffer.from(putFrame(1, A, Buffer.from('abcd')))
    const parser = new RequestParser()
    expect(parser.idle).toBe(true)
    const idle: boolean[] = []
    for (const chunk of chunkAt(frame, [...Array(frame.length).keys()])) {
      parser.push(chunk)
      idle.push(parser.idle)
    }
    // Idle again only once the body's closing quote is in (the newline after it is just whitespace).
    expect(idle.indexOf(true)).toBe(frame.length - 2)
    expect(idle.at(-3)).toBe(false)
    expect(idle.slice(-2)).toStrictEqual([true, true])
    parser.push(Buffer.from('\n\n  '))
    expect(parser.idle).toBe(true)
    parser.push(Buffer.from('{"ID"'))
    expect(parser.idle).toBe(false)
  })
})

describe('RequestParser: anything else is a ProtocolError with a clear message', () => {
  const put = (bodySize: number, bodyLine: string) =>
    `{"ID":1,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(B)}","BodySize":${bodySize}}\n\n${bodyLine}`

  it('a line that is not JSON', () => {
    expect(parseError('hello there\n')).toBe('not a JSON request: hello there')
  })

  it('JSON that is not an object', () => {
    expect(parseError('[1,2]\n')).toBe('not a JSON object: [1,2]')
    expect(parseError('null\n')).toBe('not a JSON object: null')
    expect(parseError('"get"\n')).toBe('not a JSON object: "get"')
  })

  it('cuts long offending lines in the message', () => {
    const line = `nope ${'x'.repeat(300)}`
    expect(parseError(`${line}\n`)).toBe(`not a JSON request: ${line.slice(0, 120)}…`)
  })

  it('a missing or invalid ID', () => {
    expect(parseError(`{"Command":"get","ActionID":"${b64(A)}"}\n`)).toBe(`request without a valid ID: {"Command":"get","ActionID":"${b64(A)}"}`)
    expect(parseError('{"ID":"1","Command":"close"}\n')).toBe('request without a valid ID: {"ID":"1","Command":"close"}')
    expect(parseError('{"ID":-1,"Command":"close"}\n')).toBe('request without a valid ID: {"ID":-1,"Command":"close"}')
    expect(parseError('{"ID":1.5,"Command":"close"}\n')).toBe('request without a valid ID: {"ID":1.5,"Command":"close"}')
  })

  it('an unknown or missing command', () => {
    expect(parseError(`{"ID":1,"Command":"delete","ActionID":"${b64(A)}"}\n`)).toBe('request 1: unknown command "delete"')
    expect(parseError(`{"ID":2,"ActionID":"${b64(A)}"}\n`)).toBe('request 2: unknown command undefined')
    expect(parseError('{"ID":3,"Command":"GET"}\n')).toBe('request 3: unknown command "GET"')
  })

  it('missing IDs', () => {
    expect(parseError('{"ID":1,"Command":"get"}\n')).toBe('request 1: missing ActionID')
    expect(parseError(`{"ID":1,"Command":"put","ActionID":"${b64(A)}"}\n`)).toBe('request 1: missing OutputID')
    expect(parseError(`{"ID":1,"Command":"put","OutputID":"${b64(A)}"}\n`)).toBe('request 1: missing ActionID')
  })

  it('IDs that are not 32 bytes of canonical standard base64', () => {
    const bad = (value: string) => parseError(`{"ID":1,"Command":"get","ActionID":${JSON.stringify(value)}}\n`)
    const message = 'request 1: ActionID is not 32 bytes of standard base64'
    expect(bad(Buffer.alloc(31, 7).toString('base64'))).toBe(message)
    expect(bad(Buffer.alloc(33, 7).toString('base64'))).toBe(message)
    expect(bad('')).toBe(message)
    expect(bad('not base64 at all!')).toBe(message)
    // Unpadded, URL-safe and non-zero trailing bits all decode to 32 bytes in Node, but are not what Go writes.
    const id = Buffer.from(`fbff${'ab'.repeat(30)}`, 'hex').toString('base64') // starts with "+/"
    expect(id.startsWith('+/')).toBe(true)
    expect(bad(id.replace(/=+$/, ''))).toBe(message)
    expect(bad(id.replace(/\+/g, '-').replace(/\//g, '_'))).toBe(message)
    const last = id.at(-2)! // "...X=": the last sextet has 2 unused bits
    expect(bad(`${id.slice(0, -2)}${String.fromCharCode(last.charCodeAt(0) + 1)}=`)).toBe(message)
    // The same checks apply to OutputID.
    expect(parseError(`{"ID":4,"Command":"put","ActionID":"${b64(A)}","OutputID":"AAAA"}\n`)).toBe('request 4: OutputID is not 32 bytes of standard base64')
  })

  it('an invalid BodySize', () => {
    expect(parseError(`{"ID":1,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(B)}","BodySize":-1}\n`)).toBe('request 1: invalid BodySize')
    expect(parseError(`{"ID":1,"Command":"put","ActionID":"${b64(A)}","OutputID":"${b64(B)}","BodySize":"3"}\n`)).toBe('request 1: invalid BodySize')
  })

  it('a body on a get or a close', () => {
    expect(parseError(`{"ID":1,"Command":"get","ActionID":"${b64(A)}","BodySize":5}\n\n"aGVsbG8="\n`)).toBe('request 1: get with a body')
    expect(parseError('{"ID":2,"Command":"close","BodySize":1}\n')).toBe('request 2: close with a body')
  })

  it('a body line that is not a quoted string', () => {
    expect(parseError(put(3, 'YWJj\n'))).toBe('request 1: expected the base64 body of 3 bytes')
    expect(parseError(put(3, getFrame(2, A)))).toBe('request 1: expected the base64 body of 3 bytes')
  })

  it('invalid base64 in the body', () => {
    const message = 'request 1: body is not standard base64'
    expect(parseError(put(3, '"!!!!"\n'))).toBe(message)
    expect(parseError(put(3, '"YW Jj"\n'))).toBe(message)
    expect(parseError(put(1, '"YQ"\n'))).toBe(message) // unpadded
    expect(parseError(put(3, '"-_-_"\n'))).toBe(message) // URL-safe alphabet
    expect(parseError(put(2, '"YQ==YQ=="\n'))).toBe(message) // padding in the middle
    expect(parseError(put(6, '"YQ==YWJj"\n'))).toBe(message)
    expect(parseError(put(3, '"YW\\u0062j"\n'))).toBe(message) // Go never escapes inside the body
  })

  it('invalid base64 is caught whatever the chunking', () => {
    for (const text of [put(6, '"YQ==YWJj"\n'), put(3, '"-_-_"\n'), put(3, '"!!!!"\n'), put(1, '"YQ"\n')]) {
      const data = Buffer.from(text)
      for (let cut = 1; cut < data.length; cut++) {
        const parser = new RequestParser()
        expect(protocolError(() => chunkAt(data, [cut]).forEach((c) => parser.push(c))).message).toBe('request 1: body is not standard base64')
      }
    }
  })

  it('a body whose decoded size is not BodySize', () => {
    expect(parseError(put(4, '"YWJj"\n'))).toBe('request 1: body has 3 bytes, BodySize says 4')
    expect(parseError(put(2, '"YWJj"\n'))).toBe('request 1: body has 3 bytes, BodySize says 2')
    expect(parseError(put(1, '""\n'))).toBe('request 1: body has 0 bytes, BodySize says 1')
  })

  it('a request line over 1 MiB, with or without its newline, in one chunk or many', () => {
    const long = Buffer.alloc(MAX_LINE_BYTES + 1, 0x61)
    expect(parseError(long)).toBe('request line longer than 1 MiB')
    expect(parseError(Buffer.concat([long, Buffer.from('\n')]))).toBe('request line longer than 1 MiB')
    const parser = new RequestParser()
    const chunks = chunkAt(
      long,
      [...Array(20).keys()].map((i) => i * 65_536),
    )
    expect(protocolError(() => chunks.forEach((c) => parser.push(c))).message).toBe('request line longer than 1 MiB')
    // Up to the limit, a line is just parsed.
    const padded = `{"ID":1,"Command":"get","ActionID":"${b64(A)}","Pad":"${'p'.repeat(MAX_LINE_BYTES - 100)}"}`
    expect(Buffer.byteLength(padded)).toBeLessThanOrEqual(MAX_LINE_BYTES)
    expect(parseAll(`${padded}\n\n`)).toStrictEqual([{ id: 1, command: 'get', actionId: A, bodySize: 0 }])
  })
})

describe('encodeResponse: exact bytes', () => {
  it('hello', () => {
    expect(KNOWN_COMMANDS).toStrictEqual(['get', 'put', 'close'])
    expect(encodeResponse({ id: 0, kind: 'hello', readOnly: false })).toBe('{"ID":0,"KnownCommands":["get","put","close"]}\n')
  })

  it('hello of a read-only store: no put, so go sends none (cmd/go/internal/cache/prog.go Put)', () => {
    expect(encodeResponse({ id: 0, kind: 'hello', readOnly: true })).toBe('{"ID":0,"KnownCommands":["get","close"]}\n')
  })

  it('miss', () => {
    expect(encodeResponse({ id: 7, kind: 'miss' })).toBe('{"ID":7,"Miss":true}\n')
  })

  it('hit: OutputID as standard base64 of the hex, Time as RFC 3339 from ms, Size and DiskPath', () => {
    const outputId = `fbff${'00'.repeat(29)}ff` // base64 has "+/" and padding
    const line = encodeResponse({
      id: 12,
      kind: 'hit',
      hit: { outputId, size: 1234, timeMs: 1_700_000_000_123, diskPath: `/store/o/fb/${outputId}` },
    })
    expect(line).toBe(
      `{"ID":12,"OutputID":"+/8AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP8=","Size":1234,"Time":"2023-11-14T22:13:20.123Z","DiskPath":"/store/o/fb/${outputId}"}\n`,
    )
    const parsed = JSON.parse(line) as { OutputID: string; Time: string }
    expect(Buffer.from(parsed.OutputID, 'base64').toString('hex')).toBe(outputId)
    expect(Date.parse(parsed.Time)).toBe(1_700_000_000_123)
  })

  it('hit: the epoch and a zero size', () => {
    expect(encodeResponse({ id: 1, kind: 'hit', hit: { outputId: A, size: 0, timeMs: 0, diskPath: '/x' } })).toBe(
      `{"ID":1,"OutputID":"${b64(A)}","Size":0,"Time":"1970-01-01T00:00:00.000Z","DiskPath":"/x"}\n`,
    )
  })

  it('put', () => {
    expect(encodeResponse({ id: 3, kind: 'put', diskPath: '/store/o/ab/abcd' })).toBe('{"ID":3,"DiskPath":"/store/o/ab/abcd"}\n')
  })

  it('ok (the answer to close)', () => {
    expect(encodeResponse({ id: 99, kind: 'ok' })).toBe('{"ID":99}\n')
  })

  it('error', () => {
    expect(encodeResponse({ id: 4, kind: 'error', message: 'disk "full"\nreally' })).toBe('{"ID":4,"Err":"disk \\"full\\"\\nreally"}\n')
  })

  it('DiskPath with spaces, quotes, backslashes, control characters and unicode is valid JSON on one line', () => {
    const diskPath = 'C:\\Users\\runner admin\\"quoted" \'single\'\tcafé 日本 \u0001 \ud83d\ude00/o'
    const put = encodeResponse({ id: 5, kind: 'put', diskPath })
    expect(put).toBe('{"ID":5,"DiskPath":"C:\\\\Users\\\\runner admin\\\\\\"quoted\\" \'single\'\\tcafé 日本 \\u0001 \ud83d\ude00/o"}\n')
    expect(put.indexOf('\n')).toBe(put.length - 1)
    expect((JSON.parse(put) as { DiskPath: string }).DiskPath).toBe(diskPath)
    const hit = encodeResponse({ id: 6, kind: 'hit', hit: { outputId: A, size: 1, timeMs: 1, diskPath } })
    expect((JSON.parse(hit) as { DiskPath: string }).DiskPath).toBe(diskPath)
    // A lone surrogate cannot be UTF-8: it is escaped, so the line stays valid.
    expect(encodeResponse({ id: 7, kind: 'put', diskPath: '/a\ud800b' })).toBe('{"ID":7,"DiskPath":"/a\\ud800b"}\n')
  })
})
