// Start the local GitHub Actions cache service (v2 twirp API + azurite) by hand:
//   node scripts/cache-service.ts [--dir DIR] [--port N] [--ref refs/heads/main]
// and paste the printed `export` lines into the shell that runs @actions/cache.
import { parseArgs } from 'node:util'
import { startCacheService } from '../__tests__/support/cache-service/server.ts'

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    port: { type: 'string' },
    ref: { type: 'string', default: 'refs/heads/main' },
  },
})

const service = await startCacheService({
  dir: values.dir,
  port: values.port ? Number(values.port) : undefined,
  log: (line) => console.error(line),
})
for (const [name, value] of Object.entries(service.env({ ref: values.ref! }))) console.log(`export ${name}=${value}`)
console.error(`cache service ready at ${service.resultsUrl}${values.dir ? ` (data in ${values.dir})` : ''}; Ctrl-C to stop`)

let stopping = false
const shutdown = (): void => {
  if (stopping) return
  stopping = true
  service.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err)
      process.exit(1)
    },
  )
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
