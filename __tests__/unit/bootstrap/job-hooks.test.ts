import { describe, expect, it } from '@jest/globals'
import { renderHookScript } from '../../../src/bootstrap/hook-scripts.ts'
import { planJob } from '../../../src/bootstrap/job-hooks.ts'
import { parseKitConfig, type KitConfigLookup } from '../../../src/bootstrap/kit-config.ts'
import type { WriteDecision } from '../../../src/policy/write-policy.ts'

describe('renderHookScript', () => {
  it('writes a script whose exit status is always 0', () => {
    expect(renderHookScript('job-started', { node: '/runner/externals/node24/bin/node', client: "/opt/tool cache/it's/index.js", config: '/opt/kit/config.json' })).toBe(
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
  const write: WriteDecision = { allowed: true }
  const env = (extra: Record<string, string> = {}) => ({ GITHUB_REPOSITORY: 'acme/app', ...extra })

  it.each<[string, KitConfigLookup, Record<string, string>, string | true]>([
    ['no kit config', { found: false }, env(), 'no kit config (GO_CACHE_SETUP_KIT_CONFIG is not set)'],
    ['a broken kit config', { found: true, file: '/k', problem: '/k is not valid JSON' }, env(), '/k is not valid JSON; this job runs without the build cache'],
    ['on by default', found(), env(), true],
    ['off in the config', found({ autoConfigure: false }), env(), 'auto-configure is off (autoConfigure: false in /opt/kit/config.json)'],
    ['off in the environment, on in the config', found(), env({ GO_CACHE_SETUP_AUTO_CONFIGURE: 'false' }), 'auto-configure is off (GO_CACHE_SETUP_AUTO_CONFIGURE=false)'],
    ['on in the environment, off in the config', found({ autoConfigure: false }), env({ GO_CACHE_SETUP_AUTO_CONFIGURE: 'TRUE' }), true],
    ['a bad environment value', found(), env({ GO_CACHE_SETUP_AUTO_CONFIGURE: 'maybe' }), 'GO_CACHE_SETUP_AUTO_CONFIGURE="maybe" is not true or false; nothing configured'],
    ['an excluded repository', found({ repositories: { exclude: ['acme/*'] } }), env(), 'acme/app is not among the kit\'s repositories'],
    ['an included repository', found({ repositories: { include: ['acme/app'] } }), env(), true],
  ])('%s', (_name, lookup, environment, expected) => {
    const plan = planJob(lookup, environment, () => write)
    if (expected === true) expect(plan).toEqual({ configure: true, config: (lookup as { config: unknown }).config, write })
    else expect(plan).toMatchObject({ configure: false, reason: expected })
  })

  it('warns only for problems, not for decisions', () => {
    expect(planJob({ found: true, file: '/k', problem: 'x' }, env(), () => write)).toMatchObject({ warning: true })
    expect(planJob(found({ autoConfigure: false }), env(), () => write)).not.toHaveProperty('warning')
  })
})
