/**
 * A circuit breaker as a pure state machine with an injected clock: after
 * `failureThreshold` failures in a row the remote is not called for
 * `openMs`; then one probe request is let through (half-open). Its success
 * closes the circuit; its failure opens it again, for twice as long, up to
 * `maxOpenMs`. A server that is down thus costs a build a few timeouts, not
 * one per cache lookup.
 */
export type BreakerState = 'closed' | 'open' | 'half-open'

export interface BreakerOptions {
  failureThreshold: number
  openMs: number
  maxOpenMs: number
  now: () => number
}

export class CircuitBreaker {
  private state: BreakerState = 'closed'
  private failures = 0
  private openedAt = 0
  private currentOpenMs: number
  private probing = false
  /** Times the circuit opened, for the summary. */
  opened = 0
  /** Requests refused while open. */
  refused = 0

  private readonly options: BreakerOptions

  constructor(options: BreakerOptions) {
    this.options = options
    this.currentOpenMs = options.openMs
  }

  /** The state now (an open circuit whose time is up reads as half-open). */
  get current(): BreakerState {
    if (this.state === 'open' && this.options.now() - this.openedAt >= this.currentOpenMs) return 'half-open'
    return this.state
  }

  /** Whether a request may go out now. Call `success` or `failure` for every request it allowed. */
  allow(): boolean {
    const state = this.current
    if (state === 'closed') return true
    if (state === 'half-open' && !this.probing) {
      this.state = 'half-open'
      this.probing = true
      return true
    }
    this.refused++
    return false
  }

  success(): void {
    this.state = 'closed'
    this.failures = 0
    this.probing = false
    this.currentOpenMs = this.options.openMs
  }

  /**
   * A request that proves nothing yet: an action entry whose object is still
   * to be read (a server can serve good entries and bad objects). Nothing
   * changes, except that a probe's turn passes to the next request.
   */
  neutral(): void {
    this.probing = false
  }

  failure(): void {
    if (this.state === 'half-open') {
      this.probing = false
      this.currentOpenMs = Math.min(this.currentOpenMs * 2, this.options.maxOpenMs)
      this.open()
      return
    }
    if (this.state === 'open') return // a request that was already in flight when it opened
    this.failures++
    if (this.failures >= this.options.failureThreshold) this.open()
  }

  private open(): void {
    this.state = 'open'
    this.openedAt = this.options.now()
    this.opened++
  }
}
