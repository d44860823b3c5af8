/**
 * Whether this job may write to a shared cache. Pure: everything it needs is
 * passed in, so every branch is table-tested.
 *
 * Untrusted events never write by default: code from a fork, or a comment
 * anyone can post, must not be able to plant entries that trusted jobs later
 * restore (cache poisoning; GitHub itself now hands these events read-only
 * cache tokens, see docs/decisions.md).
 */

/** The `cache-write` input. */
export type CacheWriteSetting = 'auto' | 'true' | 'false'
export const CACHE_WRITE_SETTINGS: readonly CacheWriteSetting[] = ['auto', 'true', 'false']

export interface EventFacts {
  name: string
  /** The parsed GITHUB_EVENT_PATH payload, or undefined when it could not be read. */
  payload: unknown
}

export interface TrustVerdict {
  trusted: boolean
  /** Why not, in words for the job summary. */
  reason?: string
}

/** Events that run with a pull request's head from another repository. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment'])

export function classifyEvent(event: EventFacts): TrustVerdict {
  switch (event.name) {
    case 'pull_request_target':
      return { trusted: false, reason: 'pull_request_target runs with a base-branch cache scope for code anyone can propose' }
    case 'issue_comment':
      return { trusted: false, reason: 'issue_comment can be triggered by anyone who can comment' }
  }
  if (PULL_REQUEST_EVENTS.has(event.name)) {
    const head = repoName(dig(event.payload, 'pull_request', 'head', 'repo'))
    const base = repoName(dig(event.payload, 'pull_request', 'base', 'repo')) ?? repoName(dig(event.payload, 'repository'))
    if (head === undefined || base === undefined) {
      return { trusted: false, reason: `${event.name} payload does not say where the head comes from; treated as a fork` }
    }
    if (head !== base) return { trusted: false, reason: `${event.name} from the fork ${head}` }
    return { trusted: true }
  }
  if (event.name === 'workflow_run') {
    // A workflow_run started by a fork's pull request runs in the base repository's context.
    const head = repoName(dig(event.payload, 'workflow_run', 'head_repository'))
    const base = repoName(dig(event.payload, 'repository'))
    if (head !== undefined && base !== undefined && head !== base) {
      return { trusted: false, reason: `workflow_run triggered from the fork ${head}` }
    }
  }
  return { trusted: true }
}

/**
 * ACTIONS_CACHE_MODE, exported by runner v2.336.0+ (actions/runner#releaseNote):
 * none | read | write | write-only. Unset or unknown values are permissive, as
 * in @actions/cache 6.3.0 lib/internal/config.js.
 */
export interface CacheMode {
  read: boolean
  write: boolean
  raw: string
}

export function parseCacheMode(value: string | undefined): CacheMode {
  const raw = (value ?? '').trim().toLowerCase()
  switch (raw) {
    case 'none':
      return { read: false, write: false, raw }
    case 'read':
      return { read: true, write: false, raw }
    case 'write-only':
      return { read: false, write: true, raw }
    default:
      return { read: true, write: true, raw }
  }
}

export interface WriteDecision {
  allowed: boolean
  reason?: string
}

export function decideWrite(setting: CacheWriteSetting, event: EventFacts, mode: CacheMode): WriteDecision {
  if (!mode.write) return { allowed: false, reason: `ACTIONS_CACHE_MODE=${mode.raw} forbids cache writes` }
  if (setting === 'false') return { allowed: false, reason: 'cache-write is false' }
  if (setting === 'true') return { allowed: true }
  const verdict = classifyEvent(event)
  return verdict.trusted ? { allowed: true } : { allowed: false, reason: `untrusted event: ${verdict.reason}` }
}

function dig(value: unknown, ...keys: string[]): unknown {
  let current = value
  for (const key of keys) {
    if (typeof current !== 'object' || current === null) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

function repoName(repo: unknown): string | undefined {
  const name = dig(repo, 'full_name')
  return typeof name === 'string' && name !== '' ? name.toLowerCase() : undefined
}
