import { amzDate, EMPTY_PAYLOAD_HASH, signV4, uriEncode } from '../../../src/remote/sigv4.ts'

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }

describe('signV4', () => {
  it("matches AWS's own example: GET Object with a Range header", () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    const headers = signV4(
      {
        method: 'GET',
        host: 'examplebucket.s3.amazonaws.com',
        path: '/test.txt',
        headers: { Range: 'bytes=0-9' },
        payloadHash: EMPTY_PAYLOAD_HASH,
        region: 'us-east-1',
        amzDate: '20130524T000000Z',
      },
      credentials,
    )
    expect(headers).toEqual({
      'x-amz-date': '20130524T000000Z',
      'x-amz-content-sha256': EMPTY_PAYLOAD_HASH,
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    })
  })

  it('derives the signing key again when the day, region or secret changes (it keeps the last one)', () => {
    const request = {
      method: 'GET',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      headers: { Range: 'bytes=0-9' },
      payloadHash: EMPTY_PAYLOAD_HASH,
    }
    const signature = (region: string, amzDate: string, secretAccessKey = credentials.secretAccessKey) =>
      /Signature=(\w+)/.exec(signV4({ ...request, region, amzDate }, { ...credentials, secretAccessKey }).authorization!)![1]
    const example = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'
    const others = [
      signature('us-east-1', '20130525T000000Z'),
      signature('eu-west-1', '20130524T000000Z'),
      signature('us-east-1', '20130524T000000Z', 'another'),
    ]
    expect(new Set([example, ...others]).size).toBe(4)
    // Back to AWS's example after each: the right key, not the last one kept.
    for (const [region, date, secret] of [
      ['us-east-1', '20130525T000000Z', credentials.secretAccessKey],
      ['eu-west-1', '20130524T000000Z', credentials.secretAccessKey],
      ['us-east-1', '20130524T000000Z', 'another'],
    ] as const) {
      signature(region, date, secret)
      expect(signature('us-east-1', '20130524T000000Z')).toBe(example)
    }
  })

  it('signs the session token of temporary credentials, and sorts the query', () => {
    const base = { method: 'GET', host: '127.0.0.1:9000', path: '/bucket', payloadHash: EMPTY_PAYLOAD_HASH, region: 'us-east-1', amzDate: '20261206T000000Z' }
    const withToken = signV4({ ...base, query: { 'list-type': '2', prefix: 'a b' } }, { ...credentials, sessionToken: 'token' })
    expect(withToken['x-amz-security-token']).toBe('token')
    expect(withToken.authorization).toContain('SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,')
    // The query's order does not change the signature; its values do.
    const reordered = signV4({ ...base, query: { prefix: 'a b', 'list-type': '2' } }, { ...credentials, sessionToken: 'token' })
    expect(reordered.authorization).toBe(withToken.authorization)
    expect(signV4({ ...base, query: { prefix: 'a c', 'list-type': '2' } }, { ...credentials, sessionToken: 'token' }).authorization).not.toBe(
      withToken.authorization,
    )
  })
})

describe('amzDate and uriEncode', () => {
  it('formats the time and encodes as RFC 3986 says', () => {
    expect(amzDate(new Date(Date.UTC(2013, 4, 24, 0, 0, 0)))).toBe('20130524T000000Z')
    expect(uriEncode("a b/c*!'()~._-")).toBe('a%20b%2Fc%2A%21%27%28%29~._-')
  })
})
