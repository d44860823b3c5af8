import { DeadlineError, withDeadline } from '../../../src/actions-cache/archive-cache.ts'

describe('withDeadline', () => {
  it('passes a value through', async () => {
    await expect(withDeadline(Promise.resolve(7), 1000, 'x')).resolves.toBe(7)
  })

  it('passes a rejection through', async () => {
    await expect(withDeadline(Promise.reject(new Error('boom')), 1000, 'x')).rejects.toThrow('boom')
  })

  it('rejects a call that never settles, naming it', async () => {
    const never = new Promise<number>(() => {})
    const error = await withDeadline(never, 20, 'cache lookup').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeadlineError)
    expect((error as Error).message).toBe('cache lookup did not finish within 0 s')
  })
})
