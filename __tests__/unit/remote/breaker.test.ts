import { CircuitBreaker } from '../../../src/remote/breaker.ts'

function breaker() {
  const clock = { now: 0 }
  const b = new CircuitBreaker({ failureThreshold: 3, openMs: 1000, maxOpenMs: 3000, now: () => clock.now })
  return { b, clock }
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of failures in a row, not before', () => {
    const { b } = breaker()
    b.failure()
    b.failure()
    b.success() // a success resets the count
    b.failure()
    b.failure()
    expect(b.current).toBe('closed')
    expect(b.allow()).toBe(true)
    b.failure()
    expect(b.current).toBe('open')
    expect(b.allow()).toBe(false)
    expect(b.refused).toBe(1)
    expect(b.opened).toBe(1)
  })

  it('lets one probe through when the open time is up; a success closes it', () => {
    const { b, clock } = breaker()
    for (let i = 0; i < 3; i++) b.failure()
    clock.now = 999
    expect(b.allow()).toBe(false)
    clock.now = 1000
    expect(b.current).toBe('half-open')
    expect(b.allow()).toBe(true) // the probe
    expect(b.allow()).toBe(false) // only one at a time
    b.success()
    expect(b.current).toBe('closed')
    expect(b.allow()).toBe(true)
  })

  it('a neutral request (an entry whose object is still to come) neither resets the count nor ends a probe', () => {
    const { b, clock } = breaker()
    b.failure()
    b.failure()
    b.neutral()
    b.failure()
    expect(b.current).toBe('open')
    clock.now = 1000
    expect(b.allow()).toBe(true) // the probe: an entry found
    b.neutral()
    expect(b.current).toBe('half-open')
    expect(b.allow()).toBe(true) // its object is the probe now
    b.failure()
    expect(b.current).toBe('open')
  })

  it('a failed probe opens it again for twice as long, up to the maximum', () => {
    const { b, clock } = breaker()
    for (let i = 0; i < 3; i++) b.failure()
    clock.now = 1000
    expect(b.allow()).toBe(true)
    b.failure()
    expect(b.current).toBe('open')
    clock.now = 2999
    expect(b.allow()).toBe(false)
    clock.now = 3000
    expect(b.allow()).toBe(true)
    b.failure() // 4000 would be next; capped at 3000
    clock.now = 5999
    expect(b.allow()).toBe(false)
    clock.now = 6000
    expect(b.allow()).toBe(true)
    b.success()
    // Closed again: the next opening starts from openMs.
    for (let i = 0; i < 3; i++) b.failure()
    clock.now = 7000
    expect(b.allow()).toBe(true)
    expect(b.opened).toBe(4)
  })

  it('ignores failures of requests that were in flight when it opened', () => {
    const { b, clock } = breaker()
    for (let i = 0; i < 5; i++) b.failure()
    expect(b.opened).toBe(1)
    clock.now = 1000
    expect(b.current).toBe('half-open')
  })
})
