import { classifyEvent, decideWrite, parseCacheMode, type EventFacts } from '../../../src/policy/write-policy.ts'

const repo = { full_name: 'org/app' }
const pr = (headRepo: string | null): unknown => ({
  repository: repo,
  pull_request: { head: { repo: headRepo === null ? null : { full_name: headRepo } }, base: { repo } },
})

describe('classifyEvent', () => {
  it.each<[string, EventFacts, boolean]>([
    ['push', { name: 'push', payload: { repository: repo } }, true],
    ['schedule', { name: 'schedule', payload: {} }, true],
    ['workflow_dispatch', { name: 'workflow_dispatch', payload: undefined }, true],
    ['same-repo pull_request', { name: 'pull_request', payload: pr('org/app') }, true],
    ['same-repo, other case', { name: 'pull_request', payload: pr('Org/App') }, true],
    ['fork pull_request', { name: 'pull_request', payload: pr('someone/app') }, false],
    ['fork pull_request_review_comment', { name: 'pull_request_review_comment', payload: pr('someone/app') }, false],
    ['pull_request from a deleted fork', { name: 'pull_request', payload: pr(null) }, false],
    ['pull_request without a payload', { name: 'pull_request', payload: undefined }, false],
    ['pull_request_target', { name: 'pull_request_target', payload: pr('org/app') }, false],
    ['issue_comment', { name: 'issue_comment', payload: { repository: repo } }, false],
    ['workflow_run from a fork', { name: 'workflow_run', payload: { repository: repo, workflow_run: { head_repository: { full_name: 'x/app' } } } }, false],
    ['workflow_run from the repo', { name: 'workflow_run', payload: { repository: repo, workflow_run: { head_repository: repo } } }, true],
  ])('%s', (_name, event, trusted) => {
    const verdict = classifyEvent(event)
    expect(verdict.trusted).toBe(trusted)
    expect(verdict.reason === undefined).toBe(trusted)
  })
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

describe('decideWrite', () => {
  const push: EventFacts = { name: 'push', payload: {} }
  const fork: EventFacts = { name: 'pull_request', payload: pr('someone/app') }
  const rw = parseCacheMode('write')

  it.each([
    ['auto, push', 'auto', push, rw, { allowed: true }],
    ['auto, fork', 'auto', fork, rw, { allowed: false, reason: 'untrusted event: pull_request from the fork someone/app' }],
    ['true, fork', 'true', fork, rw, { allowed: true }],
    ['false, push', 'false', push, rw, { allowed: false, reason: 'cache-write is false' }],
    ['auto, read mode', 'auto', push, parseCacheMode('read'), { allowed: false, reason: 'ACTIONS_CACHE_MODE=read forbids cache writes' }],
    ['true, none mode', 'true', push, parseCacheMode('none'), { allowed: false, reason: 'ACTIONS_CACHE_MODE=none forbids cache writes' }],
  ] as const)('%s', (_name, setting, event, mode, expected) => {
    expect(decideWrite(setting, event, mode)).toEqual(expected)
  })
})
