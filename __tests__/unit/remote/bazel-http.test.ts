import { READ_BASE_MS, readDeadlineMs } from '../../../src/remote/bazel-http.ts'

describe('readDeadlineMs', () => {
  it('gives a read 2 s plus its bytes at 2 MiB/s, never more than cache-timeout', () => {
    expect(READ_BASE_MS).toBe(2000)
    // An action entry (at most 64 KiB expected): about 2 s, not the 10 s default timeout.
    expect(readDeadlineMs(10_000, 64 * 1024)).toBe(2032)
    // A 10 MiB object: 2 s + 5 s.
    expect(readDeadlineMs(10_000, 10 * 1024 * 1024)).toBe(7000)
    // A 100 MiB object: capped by cache-timeout.
    expect(readDeadlineMs(10_000, 100 * 1024 * 1024)).toBe(10_000)
    expect(readDeadlineMs(1000, 0)).toBe(1000)
  })
})
