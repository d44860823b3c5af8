import { runnerContext } from './action/context.ts'
import { runPost } from './action/run-post.ts'

await runPost(runnerContext())
// runPost never throws and never fails the job. Exit now: dangling HTTP
// keep-alives from the cache client can hold the process for minutes
// (actions/cache#1217, actions/setup-node#878).
process.exit(0)
