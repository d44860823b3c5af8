// Child-process driver for the real @actions/cache (run directly by Node 24:
// `node cache-client.ts '<json request>'`). @actions/core writes workflow commands to
// stdout and @actions/cache reads process.env, so tests run it in a separate process
// and read the last line, `CACHE_CLIENT_RESULT {...}`.
//
// CACHE_CLIENT_RETRY_SCALE=<factor> (tests only) shrinks the twirp client's retry
// back-off (3 s, x1.5, 5 attempts) so fault tests stay fast; attempts are unchanged.
import * as cache from '@actions/cache'
import { RESULT_MARKER, type ClientRequest, type ClientResult } from './run-client.ts'

async function scaleRetryBackoff(factor: number): Promise<void> {
  // The retrying client class is not exported; reach its prototype through the
  // module cache.js itself imports (same URL => same module instance).
  const url = new URL('./internal/shared/cacheTwirpClient.js', import.meta.resolve('@actions/cache'))
  const mod = (await import(url.href)) as { internalCacheTwirpClient(): { rpc: object } }
  const proto = Object.getPrototypeOf(mod.internalCacheTwirpClient().rpc) as { sleep(ms: number): Promise<void> }
  const sleep = proto.sleep
  proto.sleep = function (this: unknown, ms: number) {
    return sleep.call(this, Math.round(ms * factor))
  }
}

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '') as ClientRequest
  const scale = Number(process.env.CACHE_CLIENT_RETRY_SCALE ?? '')
  if (scale > 0) await scaleRetryBackoff(scale)
  let result: ClientResult
  try {
    if (req.op === 'save') {
      result = { op: 'save', cacheId: await cache.saveCache(req.paths, req.key, undefined, req.enableCrossOsArchive) }
    } else {
      const key = await cache.restoreCache(req.paths, req.key, req.restoreKeys, { lookupOnly: req.lookupOnly ?? false }, req.enableCrossOsArchive)
      result = { op: 'restore', key: key ?? null }
    }
  } catch (err) {
    const e = err as Error
    result = { op: req.op, error: e.message, name: e.name }
    process.exitCode = 1
  }
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`)
}

await main()
