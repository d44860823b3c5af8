/**
 * actions/setup-go v7's restore (src/cache-restore.ts), for the bench:
 *   key = setup-go-${RUNNER_OS}-${arch}-${ImageOS}-go-${version}-${hashFiles(dependency file)}
 *   paths = [go env GOMODCACHE, go env GOCACHE] in that order (src/package-managers.ts)
 *   restoreCache(paths, key) with no restore keys.
 */
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as glob from '@actions/glob'

const go = async (...args: string[]) => (await exec.getExecOutput('go', args, { silent: true })).stdout.trim()
const version = (await go('env', 'GOVERSION')).replace(/^go/, '')
const paths = [await go('env', 'GOMODCACHE'), await go('env', 'GOCACHE')]
const hash = await glob.hashFiles(core.getInput('cache-dependency-path'))
const linux = process.env.RUNNER_OS === 'Linux' ? `${process.env.ImageOS}-` : ''
const key = `setup-go-${process.env.RUNNER_OS}-${process.arch}-${linux}go-${version}-${hash}`
const matched = await cache.restoreCache(paths, key)
core.info(matched ? `Cache restored from key: ${matched}` : 'Cache is not found')
core.saveState('CACHE_KEY', key)
core.saveState('CACHE_RESULT', matched ?? '')
core.saveState('CACHE_PATHS', JSON.stringify(paths))
process.exit(0)
