/** actions/setup-go v7's save (src/cache-save.ts): skip on an exact hit, else save both directories as one archive. */
import * as cache from '@actions/cache'
import * as core from '@actions/core'

const key = core.getState('CACHE_KEY')
if (core.getState('CACHE_RESULT') === key) {
  core.info(`Cache hit occurred on the primary key ${key}, not saving cache.`)
} else {
  const id = await cache.saveCache(JSON.parse(core.getState('CACHE_PATHS')) as string[], key)
  if (id !== -1) core.info(`Cache saved with the key: ${key}`)
}
process.exit(0)
