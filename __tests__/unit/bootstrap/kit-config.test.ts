import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { parseKitConfig, readKitConfig, repositoryIncluded, type KitConfig } from '../../../src/bootstrap/kit-config.ts'
import { KIT_CONFIG_ENV } from '../../../src/common/env.ts'

const minimal = { version: 1, storePath: '/var/lib/go-cache-setup/store' }

describe('parseKitConfig', () => {
  it('fills defaults for a minimal file', () => {
    expect(parseKitConfig(JSON.stringify(minimal))).toEqual({
      version: 1,
      autoConfigure: true,
      repositories: { include: [], exclude: [] },
      cacheWrite: 'auto',
      storePath: '/var/lib/go-cache-setup/store',
      storeMaxSize: '5GiB',
      trustedRefs: [],
    })
  })

  it('keeps every field of a full file', () => {
    const full = {
      version: 1,
      cacheUrl: 'https://cache.internal:9090/ci',
      tokenFile: '/etc/go-cache-setup/token',
      autoConfigure: false,
      repositories: { include: ['acme/*'], exclude: ['acme/secret-*'] },
      cacheWrite: 'false',
      storePath: '/srv/store/',
      storeMaxSize: '20GiB',
      trustedRefs: ['refs/heads/release/*'],
    }
    expect(parseKitConfig(JSON.stringify(full))).toEqual({ ...full, storePath: '/srv/store/' })
  })

  it('takes a REAPI address, with its port written out and its instance kept', () => {
    expect(parseKitConfig(JSON.stringify({ ...minimal, cacheUrl: 'grpcs://cache.internal/ci/linux' })).cacheUrl).toBe('grpcs://cache.internal:443/ci/linux')
    expect(parseKitConfig(JSON.stringify({ ...minimal, cacheUrl: 'grpc://10.0.0.5:9092' })).cacheUrl).toBe('grpc://10.0.0.5:9092')
  })

  it.each([
    ['not json', '{', /is not valid JSON/],
    ['an array', '[]', /must hold a JSON object/],
    ['a wrong version', JSON.stringify({ ...minimal, version: 2 }), /"version" must be 1/],
    ['an unknown key', JSON.stringify({ ...minimal, cacheURL: 'x' }), /"cacheURL" is not a known key/],
    ['an unknown scheme', JSON.stringify({ ...minimal, cacheUrl: 'ftp://h:1' }), /"cacheUrl": the scheme must be http\(s\) .*, grpc\(s\) \(REAPI\) or s3/],
    ['a grpc URL without its port', JSON.stringify({ ...minimal, cacheUrl: 'grpc://h' }), /"cacheUrl": a grpc:\/\/ address needs its port/],
    ['credentials in the URL', JSON.stringify({ ...minimal, cacheUrl: 'http://u:p@h:1' }), /do not put credentials in the URL .*put the token in tokenFile/],
    ['a relative token file', JSON.stringify({ ...minimal, tokenFile: 'token' }), /"tokenFile" must be an absolute path/],
    ['a string toggle', JSON.stringify({ ...minimal, autoConfigure: 'off' }), /"autoConfigure" must be true or false/],
    ['a bad repository pattern', JSON.stringify({ ...minimal, repositories: { include: ['acme'] } }), /repositories.include/],
    ['an unknown repositories key', JSON.stringify({ ...minimal, repositories: { only: [] } }), /repositories.only/],
    ['a bad write policy', JSON.stringify({ ...minimal, cacheWrite: 'yes' }), /"cacheWrite" must be one of auto, true, false/],
    ['no store path', JSON.stringify({ version: 1 }), /"storePath" is required/],
  ])('rejects %s', (_name, text, message) => {
    expect(() => parseKitConfig(text)).toThrow(message)
  })
})

describe('repositoryIncluded', () => {
  const config = (include: string[], exclude: string[]): KitConfig => ({
    ...parseKitConfig(JSON.stringify(minimal)),
    repositories: { include, exclude },
  })
  it.each([
    [[], [], 'acme/app', true],
    [['acme/*'], [], 'acme/app', true],
    [['acme/*'], [], 'other/app', false],
    [['acme/*'], ['acme/secret-*'], 'acme/secret-keys', false],
    [[], ['acme/secret-*'], 'ACME/Secret-keys', false],
    [['acme/app'], [], 'acme/app2', false],
    [['acme/a.p'], [], 'acme/axp', false],
  ])('include %j exclude %j: %s is %s', (include, exclude, repo, expected) => {
    expect(repositoryIncluded(config(include, exclude), repo)).toBe(expected)
  })
})

describe('readKitConfig', () => {
  it('is not found without the variable', async () => {
    expect(await readKitConfig({})).toEqual({ found: false })
  })
  it('reports a missing or broken file as a problem, not a throw', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kit-'))
    const missing = path.join(dir, 'none.json')
    const missingResult = await readKitConfig({ [KIT_CONFIG_ENV]: missing })
    expect(missingResult).toMatchObject({ found: true, file: missing, problem: expect.stringContaining('cannot read') })
    const broken = path.join(dir, 'broken.json')
    await writeFile(broken, '{"version":1')
    expect(await readKitConfig({ [KIT_CONFIG_ENV]: broken })).toMatchObject({ problem: expect.stringContaining('is not valid JSON') })
    const good = path.join(dir, 'good.json')
    await writeFile(good, JSON.stringify(minimal))
    expect(await readKitConfig({ [KIT_CONFIG_ENV]: good })).toMatchObject({ found: true, config: { autoConfigure: true } })
  })
})
