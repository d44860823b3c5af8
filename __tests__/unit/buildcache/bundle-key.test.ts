import { BUNDLE_KEY_PREFIX, bundleKeys, isBaseKey, matrixHash, type BundleKeyParts } from '../../../src/buildcache/bundle-key.ts'

const base: BundleKeyParts = {
  hostOS: 'linux',
  hostArch: 'amd64',
  goVersion: 'go1.26.8',
  branch: 'feature/x-1',
  defaultBranch: 'main',
  job: 'test',
  matrix: '',
  runId: '1234',
  runAttempt: '2',
}
const m = matrixHash('')
const stem = 'go-cache-setup-build-v3-linux-amd64-go1.26.8'

describe('bundleKeys', () => {
  it('is unique to the run, attempt, job and matrix cell, and restores this cell first, then this branch, then the default branch', () => {
    expect(BUNDLE_KEY_PREFIX).toBe('go-cache-setup-build-v3')
    expect(bundleKeys(base)).toEqual({
      primary: `${stem}-feature_x_1-test-m${m}-1234-2`,
      restore: [`${stem}-feature_x_1-test-m${m}-`, `${stem}-main-test-m${m}-`, `${stem}-feature_x_1-`, `${stem}-main-`],
      stem,
    })
  })

  it('takes as a base key only a bundle key of the same toolchain, in key characters', () => {
    const keys = bundleKeys(base)
    expect(isBaseKey(`${stem}-main-test-m${m}-7-1`, keys)).toBe(true)
    expect(isBaseKey(`${stem}`, keys)).toBe(false)
    expect(isBaseKey(`go-cache-setup-build-v3-linux-arm64-go1.26.8-main-test-m${m}-7-1`, keys)).toBe(false)
    expect(isBaseKey(`${stem}-main,other`, keys)).toBe(false)
    expect(isBaseKey(`${stem}-main/../x`, keys)).toBe(false)
    expect(isBaseKey(`${stem}-${'a'.repeat(512)}`, keys)).toBe(false)
    expect(isBaseKey(`setup-go-${stem}-`, keys)).toBe(false)
  })

  it('has no duplicate restore keys on the default branch, and no default-branch keys when the event does not name one', () => {
    expect(bundleKeys({ ...base, branch: 'main' }).restore).toEqual([`${stem}-main-test-m${m}-`, `${stem}-main-`])
    expect(bundleKeys({ ...base, defaultBranch: '' }).restore).toEqual([`${stem}-feature_x_1-test-m${m}-`, `${stem}-feature_x_1-`])
  })

  it('separates matrix cells, and no restore key of one job or branch prefix-matches another whose name extends it', () => {
    const a = bundleKeys({ ...base, matrix: '{\n  "go": "1.25"\n}' })
    const b = bundleKeys({ ...base, matrix: '{\n  "go": "1.26"\n}' })
    expect(a.primary).not.toBe(b.primary)
    expect(b.primary.startsWith(a.restore[0]!)).toBe(false)
    const longerJob = bundleKeys({ ...base, job: 'test-e2e' })
    expect(longerJob.primary.startsWith(bundleKeys(base).restore[0]!)).toBe(false)
    const longerBranch = bundleKeys({ ...base, branch: 'feature/x-1-more' })
    expect(longerBranch.primary.startsWith(bundleKeys(base).restore[2]!)).toBe(false)
  })

  it('treats no matrix and a null matrix alike', () => {
    expect(matrixHash('null')).toBe(matrixHash(''))
    expect(matrixHash(' null\n')).toBe(matrixHash(''))
    expect(matrixHash('{"os":"linux"}')).toMatch(/^[0-9a-f]{8}$/)
  })

  it('keeps keys valid for the cache service: no commas, long names cut with a hash, under 512 characters', () => {
    const keys = bundleKeys({ ...base, branch: `release,${'b'.repeat(300)}`, job: 'j'.repeat(100), goVersion: 'devel go1.27-abc X:foo' })
    for (const key of [keys.primary, ...keys.restore]) {
      expect(key).not.toContain(',')
      expect(key.length).toBeLessThanOrEqual(512)
    }
    expect(keys.primary).toMatch(/^go-cache-setup-build-v3-linux-amd64-devel_go1.27_abc_X_foo-release_b{47}_[0-9a-f]{8}-j{55}_[0-9a-f]{8}-m[0-9a-f]{8}-1234-2$/)
  })
})
