import { describe, expect, it } from '@jest/globals'
import { renderHookScript } from '../../../src/bootstrap/hook-scripts.ts'
import { kitWrites, planJob } from '../../../src/bootstrap/job-hooks.ts'
import { parseKitConfig, type KitConfigLookup } from '../../../src/bootstrap/kit-config.ts'
import type { WritePlan } from '../../../src/policy/write-policy.ts'

describe('renderHookScript', () => {
  it('writes a script whose exit status is always 0', () => {
    expect(
      renderHookScript('job-started', { node: '/runner/externals/node24/bin/node', client: "/opt/tool cache/it's/index.js", config: '/opt/kit/config.json' }),
    ).toBe(
      [
        '#!/usr/bin/env bash',
        '# go-cache-setup job-started hook, written by `go-cache-setup bootstrap install`; uninstall removes it.',
        '# It never fails the job: any problem is one warning line, and the job runs without the cache.',
        'export GO_CACHE_SETUP_KIT_CONFIG="${GO_CACHE_SETUP_KIT_CONFIG:-/opt/kit/config.json}"',
        `/runner/externals/node24/bin/node '/opt/tool cache/it'\\''s/index.js' hook job-started || echo "::warning::go-cache-setup: the job-started hook failed (exit $?); this job runs without the build cache."`,
        'exit 0',
        '',
      ].join('\n'),
    )
  })
})

describe('planJob', () => {
  const config = (extra: object = {}) => parseKitConfig(JSON.stringify({ version: 1, storePath: '/srv/store', ...extra }))
  const found = (extra: object = {}): KitConfigLookup => ({ found: true, file: '/opt/kit/config.json', config: config(extra) })
  const write: WritePlan = {
    trust: { level: 'trusted', reason: 'push', scope: 'trusted' },
    actionsCache: { allowed: true },
    remote: { read: ['trusted'], write: 'trusted' },
  }
  const env = (extra: Record<string, string> = {}) => ({ GITHUB_REPOSITORY: 'acme/app', ...extra })

  it.each<[string, KitConfigLookup, Record<string, string>, string | true]>([
    ['no kit config', { found: false }, env(), 'no kit config (GO_CACHE_SETUP_KIT_CONFIG is not set)'],
    ['a broken kit config', { found: true, file: '/k', problem: '/k is not valid JSON' }, env(), '/k is not valid JSON; this job runs without the build cache'],
    ['on by default', found(), env(), true],
    ['off in the config', found({ autoConfigure: false }), env(), "Auto-configure off (from the bootstrap kit's config)"],
    [
      'off in the environment, on in the config',
      found(),
      env({ GO_CACHE_SETUP_AUTO_CONFIGURE: 'false' }),
      'Auto-configure off (from GO_CACHE_SETUP_AUTO_CONFIGURE)',
    ],
    ['on in the environment, off in the config', found({ autoConfigure: false }), env({ GO_CACHE_SETUP_AUTO_CONFIGURE: 'TRUE' }), true],
    [
      'an unreadable environment value (the config decides)',
      found({ autoConfigure: false }),
      env({ GO_CACHE_SETUP_AUTO_CONFIGURE: 'maybe' }),
      "Auto-configure off (from the bootstrap kit's config)",
    ],
    ['an excluded repository', found({ repositories: { exclude: ['acme/*'] } }), env(), "acme/app is not among the kit's repositories"],
    ['an included repository', found({ repositories: { include: ['acme/app'] } }), env(), true],
  ])('%s', (_name, lookup, environment, expected) => {
    const plan = planJob(lookup, environment, () => write)
    if (expected === true) expect(plan).toMatchObject({ configure: true, config: (lookup as { config: unknown }).config, writes: write })
    else expect(plan).toMatchObject({ configure: false, reason: expected })
  })

  it('passes on why an environment value was ignored', () => {
    expect(planJob(found(), env({ GO_CACHE_SETUP_AUTO_CONFIGURE: 'maybe' }), () => write).warnings).toEqual([
      'GO_CACHE_SETUP_AUTO_CONFIGURE="maybe" is not true or false; ignored.',
    ])
  })

  it('warns only for problems, not for decisions', () => {
    expect(planJob({ found: true, file: '/k', problem: 'x' }, env(), () => write)).toMatchObject({ warning: true })
    expect(planJob(found({ autoConfigure: false }), env(), () => write)).not.toHaveProperty('warning')
  })
})

describe('kitWrites', () => {
  const config = parseKitConfig(JSON.stringify({ version: 1, storePath: '/srv/store', trustedRefs: ['refs/heads/release/*'] }))
  const push = { name: 'push', payload: { repository: { full_name: 'acme/app', default_branch: 'main' } } }
  const env = (ref: string, extra: Record<string, string> = {}) => ({ GITHUB_REPOSITORY: 'acme/app', GITHUB_REF: ref, ...extra })

  it("decides as the action does, with the kit config's trustedRefs", () => {
    expect(kitWrites(config, push, env('refs/heads/main')).remote).toEqual({ read: ['trusted'], write: 'trusted' })
    expect(kitWrites(config, push, env('refs/heads/release/2.x')).trust.level).toBe('trusted')
    expect(kitWrites(config, push, env('refs/heads/feature')).remote.write).toBe('ref:acme/app:refs/heads/feature')
    expect(kitWrites(config, { name: 'issue_comment', payload: push.payload }, env('refs/heads/main')).trust.level).toBe('untrusted')
    expect(kitWrites(config, push, env('refs/heads/main', { ACTIONS_CACHE_MODE: 'read' })).actionsCache.allowed).toBe(false)
  })
})
