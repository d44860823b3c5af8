import {
  classifyJob,
  decideWrites,
  describeScopes,
  parseCacheMode,
  parseRefPatterns,
  RefPatternError,
  type JobTrust,
  type TrustFacts,
  type TrustLevel,
} from '../../../src/policy/write-policy.ts'

const repo = { full_name: 'org/app', default_branch: 'main' }
const pr = (headRepo: string | null, number = 7): unknown => ({
  repository: repo,
  pull_request: { number, head: { repo: headRepo === null ? null : { full_name: headRepo } }, base: { repo } },
})
const run = (fields: Record<string, unknown>): unknown => ({
  repository: repo,
  workflow_run: { head_repository: repo, head_branch: 'main', event: 'push', ...fields },
})

const facts = (name: string, payload: unknown, ref = 'refs/heads/main', trustedRefs = ''): TrustFacts => ({
  event: { name, payload },
  ref,
  repository: 'Org/App',
  defaultBranch: 'main',
  trustedRefs: parseRefPatterns(trustedRefs, 'trusted-refs'),
})

/** Every event GitHub documents ("Events that trigger workflows"), and what it is, on the default branch unless said. */
const EVENTS: [string, TrustFacts, TrustLevel][] = [
  ['branch_protection_rule', facts('branch_protection_rule', { repository: repo }), 'untrusted'],
  ['check_run', facts('check_run', { repository: repo }), 'untrusted'],
  ['check_suite', facts('check_suite', { repository: repo }), 'untrusted'],
  ['create', facts('create', { repository: repo }), 'trusted'],
  ['delete', facts('delete', { repository: repo }), 'trusted'],
  ['deployment', facts('deployment', { repository: repo }), 'trusted'],
  ['deployment_status', facts('deployment_status', { repository: repo }), 'trusted'],
  ['discussion', facts('discussion', { repository: repo }), 'untrusted'],
  ['discussion_comment', facts('discussion_comment', { repository: repo }), 'untrusted'],
  ['fork', facts('fork', { repository: repo }), 'untrusted'],
  ['gollum', facts('gollum', { repository: repo }), 'untrusted'],
  ['issue_comment', facts('issue_comment', { repository: repo }), 'untrusted'],
  ['issues', facts('issues', { repository: repo }), 'untrusted'],
  ['label', facts('label', { repository: repo }), 'untrusted'],
  ['merge_group', facts('merge_group', { repository: repo }, 'refs/heads/gh-readonly-queue/main/pr-7-abc'), 'branch'],
  ['milestone', facts('milestone', { repository: repo }), 'untrusted'],
  ['page_build', facts('page_build', { repository: repo }), 'trusted'],
  ['project', facts('project', { repository: repo }), 'untrusted'],
  ['project_card', facts('project_card', { repository: repo }), 'untrusted'],
  ['project_column', facts('project_column', { repository: repo }), 'untrusted'],
  ['public', facts('public', { repository: repo }), 'untrusted'],
  ['pull_request, same repository', facts('pull_request', pr('org/app'), 'refs/pull/7/merge'), 'pull-request'],
  ['pull_request, same repository in another case', facts('pull_request', pr('Org/App'), 'refs/pull/7/merge'), 'pull-request'],
  ['pull_request from a fork', facts('pull_request', pr('someone/app'), 'refs/pull/7/merge'), 'untrusted'],
  ['pull_request from a deleted fork', facts('pull_request', pr(null), 'refs/pull/7/merge'), 'untrusted'],
  ['pull_request without a payload', facts('pull_request', undefined, 'refs/pull/7/merge'), 'untrusted'],
  ['pull_request_review, same repository', facts('pull_request_review', pr('org/app'), 'refs/pull/7/merge'), 'pull-request'],
  ['pull_request_review from a fork', facts('pull_request_review', pr('someone/app'), 'refs/pull/7/merge'), 'untrusted'],
  ['pull_request_review_comment from a fork', facts('pull_request_review_comment', pr('someone/app'), 'refs/pull/7/merge'), 'untrusted'],
  ['pull_request_target, even from the same repository', facts('pull_request_target', pr('org/app')), 'untrusted'],
  ['push to the default branch', facts('push', { repository: repo }), 'trusted'],
  ['push to another branch', facts('push', { repository: repo }, 'refs/heads/feature'), 'branch'],
  ['push of a tag', facts('push', { repository: repo }, 'refs/tags/v1.2.0'), 'branch'],
  ['push of a tag in trusted-refs', facts('push', { repository: repo }, 'refs/tags/v1.2.0', 'refs/tags/v*'), 'trusted'],
  ['push to a release branch in trusted-refs', facts('push', { repository: repo }, 'refs/heads/release/1.x', 'refs/heads/release/*'), 'trusted'],
  ['push to a nested branch that * does not cross', facts('push', { repository: repo }, 'refs/heads/release/1.x/hotfix', 'refs/heads/release/*'), 'branch'],
  ['push to a nested branch that ** crosses', facts('push', { repository: repo }, 'refs/heads/release/1.x/hotfix', 'refs/heads/release/**'), 'trusted'],
  ['registry_package', facts('registry_package', { repository: repo }), 'trusted'],
  ['release', facts('release', { repository: repo }, 'refs/tags/v2.0.0'), 'branch'],
  ['repository_dispatch', facts('repository_dispatch', { repository: repo }), 'trusted'],
  ['schedule', facts('schedule', {}), 'trusted'],
  ['schedule, whose payload does not name the default branch', { ...facts('schedule', { schedule: '0 3 * * *' }), defaultBranch: '' }, 'trusted'],
  ['an event named like an Object property', facts('constructor', { repository: repo }), 'untrusted'],
  ['status', facts('status', { repository: repo }), 'untrusted'],
  ['watch', facts('watch', { repository: repo }), 'untrusted'],
  // A called workflow sees its caller's event name; "workflow_call" itself is not one GitHub sends.
  ['workflow_call', facts('workflow_call', { repository: repo }), 'untrusted'],
  ['workflow_dispatch on the default branch', facts('workflow_dispatch', { repository: repo }), 'trusted'],
  ['workflow_dispatch on another branch', facts('workflow_dispatch', { repository: repo }, 'refs/heads/try'), 'branch'],
  ['workflow_run after a push to the default branch', facts('workflow_run', run({})), 'trusted'],
  ['workflow_run after a push to another branch', facts('workflow_run', run({ head_branch: 'feature' })), 'branch'],
  [
    'workflow_run after a same-repository pull request',
    facts('workflow_run', run({ event: 'pull_request', head_branch: 'feature', pull_requests: [{ number: 7 }] })),
    'pull-request',
  ],
  ['workflow_run from a fork', facts('workflow_run', run({ event: 'pull_request', head_repository: { full_name: 'someone/app' } })), 'untrusted'],
  ['workflow_run without a payload', facts('workflow_run', undefined), 'untrusted'],
  ['workflow_run without head_repository', facts('workflow_run', run({ head_repository: null })), 'untrusted'],
  ['workflow_run without the upstream event', facts('workflow_run', run({ event: undefined })), 'untrusted'],
  ['workflow_run after issue_comment', facts('workflow_run', run({ event: 'issue_comment' })), 'untrusted'],
  ['an empty event name', facts('', { repository: repo }), 'untrusted'],
  ['an event GitHub may add later', facts('something_new', { repository: repo }), 'untrusted'],
  ['push without the default branch in the payload', { ...facts('push', {}), defaultBranch: '' }, 'branch'],
]

describe('classifyJob: every documented event', () => {
  it.each(EVENTS)('%s', (_name, f, level) => {
    const trust = classifyJob(f)
    expect(trust.level).toBe(level)
    expect(trust.reason).not.toBe('')
    // Only a trusted job has the trusted scope as its own.
    expect(trust.scope === 'trusted').toBe(level === 'trusted')
  })

  it('gives pull requests, branches and other events scopes of their own, per repository', () => {
    expect(classifyJob(facts('pull_request', pr('org/app', 12), 'refs/pull/12/merge')).scope).toBe('pr:org/app#12')
    expect(classifyJob(facts('pull_request', pr('someone/app', 12), 'refs/pull/12/merge')).scope).toBe('pr:org/app#12')
    expect(classifyJob(facts('push', { repository: repo }, 'refs/heads/feature')).scope).toBe('ref:org/app:refs/heads/feature')
    expect(classifyJob(facts('issue_comment', { repository: repo })).scope).toBe('event:org/app:issue_comment:refs/heads/main')
    expect(classifyJob(facts('workflow_run', run({ event: 'pull_request', pull_requests: [{ number: 3 }] }))).scope).toBe('pr:org/app#3')
  })

  it('says why, in words', () => {
    expect(classifyJob(facts('pull_request', pr('someone/app'), 'refs/pull/7/merge')).reason).toBe('pull_request from the fork someone/app')
    expect(classifyJob(facts('push', { repository: repo }, 'refs/tags/v1', 'refs/tags/v*')).reason).toBe(
      'push on refs/tags/v1, matched by trusted-refs refs/tags/v*',
    )
    expect(classifyJob(facts('', {})).reason).toBe('the event is not known (GITHUB_EVENT_NAME is empty)')
    expect(classifyJob(facts('workflow_run', undefined)).reason).toBe('workflow_run: the payload does not say which repository started it')
  })
})

describe('parseRefPatterns', () => {
  it('takes full ref names, one per line or comma-separated, skipping blanks and comments', () => {
    expect(parseRefPatterns('refs/heads/release/*, refs/tags/v*\n\n# note\nrefs/heads/**', 'trusted-refs').map((p) => p.text)).toEqual([
      'refs/heads/release/*',
      'refs/tags/v*',
      'refs/heads/**',
    ])
  })

  it('matches * within one segment and ** across, and nothing else', () => {
    const [star, double, plain] = parseRefPatterns('refs/heads/release/*\nrefs/heads/release/**\nrefs/heads/a.b', 'trusted-refs')
    expect(star!.regexp.test('refs/heads/release/1.x')).toBe(true)
    expect(star!.regexp.test('refs/heads/release/1.x/y')).toBe(false)
    expect(double!.regexp.test('refs/heads/release/1.x/y')).toBe(true)
    expect(plain!.regexp.test('refs/heads/aXb')).toBe(false)
  })

  it.each(['main', 'heads/main', 'refs/heads/', 'refs/heads//x', 'refs/heads/a b', 'refs/heads/***', 'refs/heads/$x'])(
    'refuses %j with a message saying how',
    (text) => {
      expect(() => parseRefPatterns(text, 'trusted-refs')).toThrow(RefPatternError)
      expect(() => parseRefPatterns(text, 'trusted-refs')).toThrow(/trusted-refs: .* is not a ref pattern; write full ref names like refs\/heads\/release\/\*/)
    },
  )
})

describe('parseCacheMode', () => {
  it.each([
    [undefined, true, true],
    ['', true, true],
    ['write', true, true],
    ['READ', true, false],
    ['read', true, false],
    ['write-only', false, true],
    ['none', false, false],
    ['something-new', true, true],
  ])('%s', (value, read, write) => {
    const mode = parseCacheMode(value)
    expect([mode.read, mode.write]).toEqual([read, write])
  })
})

describe('decideWrites', () => {
  const trust = (level: TrustLevel, scope: string): JobTrust => ({ level, reason: 'because', scope })
  const trusted = trust('trusted', 'trusted')
  const branch = trust('branch', 'ref:org/app:refs/heads/x')
  const pull = trust('pull-request', 'pr:org/app#7')
  const fork = trust('untrusted', 'pr:org/app#8')
  const rw = parseCacheMode('write')

  it.each([
    ['auto, trusted', 'auto', trusted, rw, true, { read: ['trusted'], write: 'trusted' }],
    ['auto, branch', 'auto', branch, rw, true, { read: ['ref:org/app:refs/heads/x', 'trusted'], write: 'ref:org/app:refs/heads/x' }],
    [
      'auto, same-repo pull request: its GitHub scope, nothing on the remote',
      'auto',
      pull,
      rw,
      true,
      { read: ['trusted'], reason: 'pull requests are read-only on the remote; cache-write: true writes their own scope' },
    ],
    ['auto, untrusted', 'auto', fork, rw, false, { read: ['trusted'], reason: 'untrusted event: because' }],
    ['true, pull request: its own scope', 'true', pull, rw, true, { read: ['pr:org/app#7', 'trusted'], write: 'pr:org/app#7' }],
    ['true, fork: its own scope, never the trusted one', 'true', fork, rw, true, { read: ['pr:org/app#8', 'trusted'], write: 'pr:org/app#8' }],
    ['false, trusted', 'false', trusted, rw, false, { read: ['trusted'], reason: 'cache-write is false' }],
    ['auto, read mode', 'auto', trusted, parseCacheMode('read'), false, { read: ['trusted'], reason: 'ACTIONS_CACHE_MODE=read forbids cache writes' }],
    ['true, none mode', 'true', branch, parseCacheMode('none'), false, { read: ['trusted'], reason: 'ACTIONS_CACHE_MODE=none forbids cache writes' }],
  ] as const)('%s', (_name, setting, t, mode, actionsCache, remote) => {
    const plan = decideWrites(setting, t, mode)
    expect(plan.actionsCache.allowed).toBe(actionsCache)
    expect(plan.remote).toEqual(remote)
    expect(plan.trust).toBe(t)
  })

  it('never lets a job that is not trusted write the trusted scope, whatever the setting', () => {
    for (const [, f] of EVENTS) {
      const t = classifyJob(f)
      for (const setting of ['auto', 'true', 'false'] as const) {
        const { remote } = decideWrites(setting, t, rw)
        if (t.level !== 'trusted') expect(remote.write).not.toBe('trusted')
        expect(remote.read[remote.read.length - 1]).toBe('trusted')
      }
    }
  })
})

describe('describeScopes', () => {
  it('says what is read and written', () => {
    expect(describeScopes({ read: ['pr:o/a#1', 'trusted'], write: 'pr:o/a#1' }, (s) => `\`${s}\``)).toBe('reads `pr:o/a#1`, then `trusted`; writes `pr:o/a#1`')
    expect(describeScopes({ read: ['trusted'], reason: 'cache-write is false' })).toBe('reads trusted; writes nothing (cache-write is false)')
  })
})
