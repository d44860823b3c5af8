import { runnerContext } from './action/context.ts'
import { runMain } from './action/run-main.ts'
import { errorMessage } from './common/errors.ts'
import * as core from '@actions/core'

try {
  await runMain(runnerContext())
} catch (error) {
  // Not a misconfiguration (those fail inside runMain): a cache problem must
  // not break the build.
  core.warning(`go-cache-setup: ${errorMessage(error)}`)
}
// Exit now: dangling HTTP keep-alives from the cache client can hold the
// process for minutes (actions/cache#1217, actions/setup-node#878).
process.exit()
