import { runFacts } from '../../../src/common/run.ts'

describe('runFacts', () => {
  it('takes the pull request branch over the merge ref, and the default branch from the payload', () => {
    expect(
      runFacts(
        {
          GITHUB_REPOSITORY: 'acme/app',
          GITHUB_WORKFLOW: 'ci',
          GITHUB_HEAD_REF: 'feature',
          GITHUB_REF_NAME: '7/merge',
          GITHUB_REF: 'refs/pull/7/merge',
          GITHUB_JOB: 'build',
          GITHUB_RUN_ID: '99',
          GITHUB_RUN_ATTEMPT: '3',
          RUNNER_TEMP: '/runner/temp',
        },
        { repository: { default_branch: 'trunk' } },
      ),
    ).toEqual({
      repository: 'acme/app',
      workflow: 'ci',
      ref: 'refs/pull/7/merge',
      branch: 'feature',
      defaultBranch: 'trunk',
      job: 'build',
      runId: '99',
      runAttempt: '3',
      stateDir: '/runner/temp/go-cache-setup',
    })
  })

  it('falls back when variables and payload are missing', () => {
    const facts = runFacts({ GITHUB_HEAD_REF: '', GITHUB_REF_NAME: 'main' }, undefined)
    expect(facts).toMatchObject({ repository: '', workflow: '', branch: 'main', defaultBranch: '', job: 'job', runId: '0', runAttempt: '1' })
    expect(facts.stateDir.endsWith('/go-cache-setup')).toBe(true)
  })
})
