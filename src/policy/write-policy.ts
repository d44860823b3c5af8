/**
 * Who may write which cache, decided once per job from the event, the ref and
 * the inputs. Pure: everything it needs is passed in, so every event GitHub
 * documents is table-tested (docs/security.md holds the model).
 *
 * Two caches, two rules:
 * - The GitHub Actions cache (bundle, module cache) is scoped by GitHub
 *   itself: a job writes only its ref's scope, and a pull request's scope is
 *   its own (github-actions-runtime.md "Scope"). Writes are refused only for
 *   untrusted events.
 * - A remote has no scopes of its own, so the client keys one (remote/scope.ts):
 *   a job reads its own scope, then the trusted one, and writes only its own.
 *   Only trusted refs (the default branch, and `trusted-refs`) write the
 *   trusted scope; pull requests are read-only on the remote unless the
 *   workflow opts in, and then write their own scope.
 *
 * Fails closed: an unknown, empty or unreadable event, or a workflow_run whose
 * origin cannot be proven, is untrusted.
 */

/** The `cache-write` input. */
export type CacheWriteSetting = 'auto' | 'true' | 'false'
export const CACHE_WRITE_SETTINGS: readonly CacheWriteSetting[] = ['auto', 'true', 'false']

export interface EventFacts {
  name: string
  /** The parsed GITHUB_EVENT_PATH payload, or undefined when it could not be read. */
  payload: unknown
}

/**
 * - `trusted`: an event only writers can start, on the default branch or a `trusted-refs` ref;
 * - `branch`: such an event on any other ref (a feature branch, a merge queue);
 * - `pull-request`: a pull request from a branch of this repository;
 * - `untrusted`: code or input anyone may propose (forks, comments, `pull_request_target`), and anything unknown.
 */
export type TrustLevel = 'trusted' | 'branch' | 'pull-request' | 'untrusted'

export interface JobTrust {
  level: TrustLevel
  /** Why, in words for the log and the summary. */
  reason: string
  /** This job's own remote scope (remote/scope.ts); TRUSTED_SCOPE for a trusted job. */
  scope: string
}

/** The scope trusted refs write and every job reads. */
export const TRUSTED_SCOPE = 'trusted'

export interface TrustFacts {
  event: EventFacts
  /** GITHUB_REF. */
  ref: string
  /** GITHUB_REPOSITORY. */
  repository: string
  /** The repository's default branch, from the payload (common/run.ts); '' when it does not say, and then no ref is trusted by it. */
  defaultBranch: string
  /** The parsed `trusted-refs` patterns (parseRefPatterns). */
  trustedRefs: readonly RefPattern[]
}

/**
 * Events that only people with write access (or the repository's own
 * schedule) can start, running the code of the ref they name. GitHub keeps
 * read-write cache tokens for these (github-actions-runtime.md, 2026-06-26).
 */
export const WRITER_EVENTS: ReadonlySet<string> = new Set([
  'push',
  'schedule',
  'workflow_dispatch',
  'repository_dispatch',
  'merge_group',
  'release',
  'create',
  'delete',
  'registry_package',
  'page_build',
  'deployment',
  'deployment_status',
])

/** Events that run a pull request's head: this repository's branch, or a fork's. */
export const PULL_REQUEST_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment'])

/** Events that anyone who can open an issue, comment or star can start; the workflow may then build what they sent. */
const OUTSIDE_EVENTS: Readonly<Record<string, string>> = {
  pull_request_target: 'pull_request_target runs the base branch with a pull request anyone can open',
  issue_comment: 'issue_comment can be started by anyone who can comment',
  issues: 'issues can be started by anyone who can open an issue',
  discussion: 'discussion can be started by anyone who can open a discussion',
  discussion_comment: 'discussion_comment can be started by anyone who can comment',
  fork: 'fork can be started by anyone',
  watch: 'watch can be started by anyone',
  gollum: 'gollum can be started by anyone who can edit the wiki',
}

export function classifyJob(facts: TrustFacts): JobTrust {
  // GitHub names are case-insensitive: one scope however GITHUB_REPOSITORY spells it.
  const f = { ...facts, repository: facts.repository.toLowerCase() }
  const { event } = f
  const untrusted = (reason: string): JobTrust => ({ level: 'untrusted', reason, scope: eventScope(f) })
  if (Object.hasOwn(OUTSIDE_EVENTS, event.name)) return untrusted(OUTSIDE_EVENTS[event.name]!)
  if (PULL_REQUEST_EVENTS.has(event.name)) return classifyPullRequest(f, dig(event.payload, 'pull_request'), event.name)
  if (event.name === 'workflow_run') return classifyWorkflowRun(f)
  if (!WRITER_EVENTS.has(event.name)) {
    return untrusted(
      event.name === '' ? 'the event is not known (GITHUB_EVENT_NAME is empty)' : `${event.name} is not an event known to run only writers' code`,
    )
  }
  return classifyRef(f, f.ref, event.name)
}

/** A writer's event on `ref`: trusted when the ref is. */
function classifyRef(f: TrustFacts, ref: string, what: string): JobTrust {
  const trustedBy = trustedRefReason(f, ref)
  if (trustedBy !== undefined) return { level: 'trusted', reason: `${what} on ${ref}, ${trustedBy}`, scope: TRUSTED_SCOPE }
  return { level: 'branch', reason: `${what} on ${ref}, not the default branch nor in trusted-refs`, scope: `ref:${f.repository}:${ref}` }
}

function trustedRefReason(f: TrustFacts, ref: string): string | undefined {
  if (f.defaultBranch !== '' && ref === `refs/heads/${f.defaultBranch}`) return 'the default branch'
  // A schedule runs only on the default branch, and its payload does not name it.
  if (f.event.name === 'schedule' && f.defaultBranch === '' && ref === f.ref) return 'the default branch (a schedule runs nowhere else)'
  const pattern = f.trustedRefs.find((p) => p.regexp.test(ref))
  return pattern && `matched by trusted-refs ${pattern.text}`
}

/** An event's own scope, for untrusted events that write with cache-write: true. */
function eventScope(f: TrustFacts): string {
  return `event:${f.repository}:${f.event.name}:${f.ref}`
}

/** A pull request's own scope, by its number; `fallback` when the payload does not give one. */
function prScope(f: TrustFacts, number: unknown, fallback: string): string {
  return Number.isSafeInteger(number) ? `pr:${f.repository}#${String(number)}` : fallback
}

function classifyPullRequest(f: TrustFacts, pr: unknown, what: string): JobTrust {
  const scope = prScope(f, dig(pr, 'number'), `ref:${f.repository}:${f.ref}`)
  const head = repoName(dig(pr, 'head', 'repo'))
  const base = repoName(dig(pr, 'base', 'repo')) ?? repoName(dig(f.event.payload, 'repository'))
  if (head === undefined || base === undefined)
    return { level: 'untrusted', reason: `${what}: the payload does not say where the head comes from; treated as a fork`, scope }
  if (head !== base) return { level: 'untrusted', reason: `${what} from the fork ${head}`, scope }
  return { level: 'pull-request', reason: `${what} from a branch of ${base}`, scope }
}

/**
 * workflow_run runs the default branch's workflow, usually on what another
 * run built: as trusted as that run's origin, and only when the payload
 * proves it. A run started by a pull request is that pull request.
 */
function classifyWorkflowRun(f: TrustFacts): JobTrust {
  const run = dig(f.event.payload, 'workflow_run')
  const head = repoName(dig(run, 'head_repository'))
  const base = repoName(dig(f.event.payload, 'repository'))
  const upstream = dig(run, 'event')
  const branch = dig(run, 'head_branch')
  const unproven = (why: string): JobTrust => ({ level: 'untrusted', reason: `workflow_run: ${why}`, scope: eventScope(f) })
  if (head === undefined || base === undefined) return unproven('the payload does not say which repository started it')
  if (head !== base) return unproven(`started from the fork ${head}`)
  if (typeof upstream !== 'string') return unproven('the payload does not say which event started it')
  if (PULL_REQUEST_EVENTS.has(upstream)) {
    const scope = prScope(f, dig(run, 'pull_requests', '0', 'number'), eventScope(f))
    return { level: 'pull-request', reason: `workflow_run after ${upstream} from a branch of ${base}`, scope }
  }
  if (!WRITER_EVENTS.has(upstream) || typeof branch !== 'string' || branch === '')
    return unproven(`started by ${upstream}, which is not known to run only writers' code`)
  return classifyRef(f, `refs/heads/${branch}`, `workflow_run after ${upstream}`)
}

/** A `trusted-refs` pattern: a full ref name, `*` within one segment, `**` across segments. */
export interface RefPattern {
  text: string
  regexp: RegExp
}

export class RefPatternError extends Error {}

const REF_PATTERN = /^refs\/[A-Za-z0-9._/*+-]+$/

/** Newline- or comma-separated patterns; throws RefPatternError naming the first one that is not a ref pattern. */
export function parseRefPatterns(text: string, inputName: string): RefPattern[] {
  const patterns: RefPattern[] = []
  for (const raw of text.split(/[\n,]/)) {
    const pattern = raw.trim()
    if (pattern === '' || pattern.startsWith('#')) continue
    if (!REF_PATTERN.test(pattern) || pattern.includes('//') || pattern.endsWith('/') || /\*\*\*/.test(pattern)) {
      throw new RefPatternError(
        `${inputName}: "${pattern}" is not a ref pattern; write full ref names like refs/heads/release/* or refs/tags/v*, one per line (* stays within one segment, ** crosses them).`,
      )
    }
    const body = pattern
      .split('**')
      .map((part) =>
        part
          .split('*')
          .map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
          .join('[^/]*'),
      )
      .join('.*')
    patterns.push({ text: pattern, regexp: new RegExp(`^${body}$`) })
  }
  return patterns
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

/** The remote scopes of a job: read in order, written (at most one). */
export interface RemoteScopes {
  read: string[]
  write?: string
  /** Why nothing is written, when nothing is. */
  reason?: string
}

export interface WritePlan {
  trust: JobTrust
  /** The GitHub Actions cache: the bundle, the module cache, Go < 1.24's GOCACHE. */
  actionsCache: WriteDecision
  remote: RemoteScopes
}

/**
 * `cache-write`: `auto` follows the trust level; `true` writes the job's own
 * scope whatever the event (never the trusted one unless the job is trusted);
 * `false` never writes. ACTIONS_CACHE_MODE without write outranks both: GitHub
 * judged the job read-only.
 */
export function decideWrites(setting: CacheWriteSetting, trust: JobTrust, mode: CacheMode): WritePlan {
  const refused = (reason: string): WritePlan => ({ trust, actionsCache: { allowed: false, reason }, remote: { read: [TRUSTED_SCOPE], reason } })
  if (!mode.write) return refused(`ACTIONS_CACHE_MODE=${mode.raw} forbids cache writes`)
  if (setting === 'false') return refused('cache-write is false')
  const own = (): RemoteScopes => ({ read: trust.scope === TRUSTED_SCOPE ? [TRUSTED_SCOPE] : [trust.scope, TRUSTED_SCOPE], write: trust.scope })
  if (setting === 'true') return { trust, actionsCache: { allowed: true }, remote: own() }
  switch (trust.level) {
    case 'trusted':
    case 'branch':
      return { trust, actionsCache: { allowed: true }, remote: own() }
    case 'pull-request': {
      const reason = 'pull requests are read-only on the remote; cache-write: true writes their own scope'
      return { trust, actionsCache: { allowed: true }, remote: { read: [TRUSTED_SCOPE], reason } }
    }
    case 'untrusted':
      return refused(`untrusted event: ${trust.reason}`)
  }
}

/** "reads A, then trusted; writes A" or "reads trusted; writes nothing (why)"; `code` wraps each scope name (backticks in the summary). */
export function describeScopes(s: RemoteScopes, code: (name: string) => string = (name) => name): string {
  const reads = `reads ${s.read.map(code).join(', then ')}`
  return s.write === undefined ? `${reads}; writes nothing${s.reason ? ` (${s.reason})` : ''}` : `${reads}; writes ${code(s.write)}`
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
