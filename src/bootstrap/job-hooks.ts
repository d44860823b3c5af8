/**
 * The kit's job hooks. The runner runs job-started before the first step and
 * job-completed after the last post step; a hook can write GITHUB_ENV (the
 * runner processes it after the hook) but sees no ACTIONS_RUNTIME_TOKEN, and
 * its exit status decides the job (github-actions-runtime.md section 4.1).
 *
 * job-started decides, for this job: on or off (the toggle, the repository
 * lists), and read-write or read-only (the write policy and the event). When
 * on, it starts the daemon over the runner's persistent store and exports
 * GOCACHEPROG. A job that may not write gets a private store for its own
 * puts, and reads the shared one through `serve --read-store`: a fork's code
 * must not plant entries that later trusted jobs on this runner would use.
 */
import { constants } from 'node:fs'
import { access, mkdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises'
import path from 'node:path'
import { startClientDaemon } from '../buildcache/client-daemon.ts'
import { finishClient, storeWarnings } from '../buildcache/finish.ts'
import { remoteSummary, type RemoteSummary } from '../buildcache/setup.ts'
import { object, optional, parse, type Schema, string } from '../common/schema.ts'
import type { SpawnDetached } from '../daemon/launch.ts'
import { describeAutoConfigure, resolveAutoConfigure } from '../policy/auto-configure.ts'
import {
  manifestKey,
  NO_REMOTE_INPUTS,
  parseGrpcUrl,
  parseRemoteInputs,
  type RemoteConfig,
  RemoteConfigError,
  remoteSettings,
  type RemoteSettings,
} from '../remote/config.ts'
import { DEFAULT_PANTS_AUTH_HEADER, grpcAddressFromCacheUrl, registerConfigFile, renderPantsConfig } from '../pants/config.ts'
import { parseHeaderLine } from '../pants/headers.ts'
import { writePantsConfig } from '../pants/setup.ts'
import { readEvent } from '../policy/event-file.ts'
import {
  classifyJob,
  decideWrites,
  describeScopes,
  parseCacheMode,
  parseRefPatterns,
  TRUSTED_SCOPE,
  type EventFacts,
  type WritePlan,
} from '../policy/write-policy.ts'
import { runFacts } from '../common/run.ts'
import { remoteScopes } from '../remote/config.ts'
import { parseByteSize } from '../store/byte-size.ts'
import { readKitConfig, repositoryIncluded, type KitConfig, type KitConfigLookup } from './kit-config.ts'
import { AUTO_CONFIGURE_ENV, KIT_DAEMON_SOCKET_ENV, KIT_PANTS_CONFIG_ENV, PANTS_CONFIG_FILES, PANTS_TOKEN_ENV, SHIM_ENV } from '../common/env.ts'

export type Env = Readonly<Record<string, string | undefined>>

export interface HookIO {
  env: Env
  /** One line to the hook's log (workflow commands work there). */
  print(line: string): void
  spawnDetached: SpawnDetached
  nodePath: string
  /** This program (the installed client bundle). */
  clientPath: string
  now(): number
}

export type JobPlan =
  | { configure: false; reason: string; warning?: boolean; warnings: string[] }
  | { configure: true; config: KitConfig; writes: WritePlan; warnings: string[] }

/**
 * Pure: what the hook does for this job. A broken kit config is a warning and
 * no configuration. The toggle resolves as in the action (auto-configure.ts),
 * without the step input: GO_CACHE_SETUP_AUTO_CONFIGURE (the runner's
 * environment, set by the organisation), then the kit's autoConfigure.
 */
export function planJob(lookup: KitConfigLookup, env: Env, decideWritesFor: (config: KitConfig) => WritePlan): JobPlan {
  if (!lookup.found) return { configure: false, reason: 'no kit config (GO_CACHE_SETUP_KIT_CONFIG is not set)', warnings: [] }
  if ('problem' in lookup) return { configure: false, reason: `${lookup.problem}; this job runs without the build cache`, warning: true, warnings: [] }
  const { config } = lookup
  const auto = resolveAutoConfigure({ input: undefined, env: env[AUTO_CONFIGURE_ENV], kit: lookup })
  if (!auto.value) return { configure: false, reason: describeAutoConfigure(auto), warnings: auto.warnings }
  const repository = env.GITHUB_REPOSITORY ?? ''
  if (!repositoryIncluded(config, repository)) return { configure: false, reason: `${repository} is not among the kit's repositories`, warnings: auto.warnings }
  return { configure: true, config, writes: decideWritesFor(config), warnings: auto.warnings }
}

/** What job-started leaves for job-completed, in RUNNER_TEMP (emptied by the runner at the next job's start). */
interface JobRecord {
  socket: string
  store: string
  remote?: RemoteSummary
}
const jobRecord: Schema<JobRecord> = object({
  socket: string,
  store: string,
  remote: optional(object({ url: string, instance: optional(string), scopes: remoteScopes })),
})

/**
 * The kit's remote cache, when its config names one. The token comes from the
 * token file (never the config, never GITHUB_ENV) and goes to the daemon only.
 * An unreadable token file is a warning: the job goes on with the local store.
 */
async function kitRemote(config: KitConfig, writes: WritePlan, env: Env, print: (line: string) => void): Promise<RemoteSettings | undefined> {
  if (config.cacheUrl === undefined) return undefined
  let token = ''
  if (config.tokenFile !== undefined) {
    try {
      token = (await readFile(config.tokenFile, 'utf8')).trim()
    } catch (error) {
      print(
        `::warning::go-cache-setup: cannot read the token file ${config.tokenFile} (${(error as NodeJS.ErrnoException).code ?? String(error)}); this job uses the runner's local store only`,
      )
      return undefined
    }
  }
  // The same parser as the action's inputs: the token becomes its Authorization header there, once.
  let remote: RemoteConfig | undefined
  try {
    remote = parseRemoteInputs({ ...NO_REMOTE_INPUTS, url: config.cacheUrl, token }, KIT_REMOTE_NAMES, '/', env)
  } catch (error) {
    if (!(error instanceof RemoteConfigError)) throw error
    print(`::warning::go-cache-setup: ${error.message}; this job uses the runner's local store only`)
    return undefined
  }
  if (remote === undefined) return undefined
  // Go's version is not known before the job's steps run; the manifest is per job without it.
  const scope = {
    repository: env.GITHUB_REPOSITORY ?? '',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    hostOS: env.RUNNER_OS ?? '',
    hostArch: env.RUNNER_ARCH ?? '',
    goVersion: 'kit',
  }
  return remoteSettings(remote, writes.remote, manifestKey(scope))
}

/** The kit config's names for what the parser reports on (kit-config.ts). */
const KIT_REMOTE_NAMES = {
  url: 'cacheUrl',
  token: 'tokenFile',
  auth: 'auth',
  headers: 'headers',
  caCert: 'caCert',
  clientCert: 'clientCert',
  clientKey: 'clientKey',
  timeout: 'timeout',
  compression: 'compression',
  region: 'AWS_REGION',
  endpoint: 'endpoint',
}

function recordPath(env: Env): string {
  return path.join(requireEnv(env, 'RUNNER_TEMP'), 'go-cache-setup-kit', 'job.json')
}

const DAEMON_START_TIMEOUT_MS = 3_000

export async function jobStarted(io: HookIO): Promise<void> {
  const started = io.now()
  const { env } = io
  const lookup = await readKitConfig(env)
  const event = await readEvent(env)
  const plan = planJob(lookup, env, (config) => kitWrites(config, event, env))
  for (const warning of plan.warnings) io.print(`::warning::go-cache-setup: ${warning}`)
  if (!plan.configure) {
    io.print(plan.warning ? `::warning::go-cache-setup: ${plan.reason}` : `go-cache-setup: ${plan.reason}; nothing configured`)
    return
  }
  const { config, writes } = plan
  const stateDir = path.dirname(recordPath(env))
  await mkdir(stateDir, { recursive: true, mode: 0o700 })
  // The runner's store is what its later trusted jobs read, so only a trusted
  // job writes it; any other gets a private store that reads through to it.
  const shared = writes.remote.write === TRUSTED_SCOPE
  // Writers' branches and pull requests could push to the default branch anyway;
  // code from outside (a fork) must not reach what trusted jobs read.
  const exposed = writes.trust.level === 'untrusted' && (await writableByUs(config.storePath))
  if (exposed) {
    io.print(
      `::warning::go-cache-setup: this job is not trusted (${writes.trust.reason}) and runs as a user that can write the shared store ${config.storePath}; ` +
        'its code could plant entries there whatever the kit does, so the kit does not share the store with it. Run such jobs on ephemeral runners (docs/security.md#kit).',
    )
  }
  const store = shared ? config.storePath : path.join(stateDir, 'store')
  const readStore = shared || exposed ? undefined : config.storePath
  const remote = await kitRemote(config, writes, env, io.print)
  const daemon = await startClientDaemon(io.spawnDetached, {
    node: io.nodePath,
    client: io.clientPath,
    stateDir,
    store,
    ...(readStore !== undefined && { readStore }),
    maxBytes: parseByteSize(config.storeMaxSize)!,
    ...(remote && { remote }),
    ...(env[SHIM_ENV] === 'node' && { shim: 'node' as const }),
    startTimeoutMs: DAEMON_START_TIMEOUT_MS,
  })
  if (!daemon.daemonStarted) io.print(`::warning::go-cache-setup: the cache daemon did not start (see ${daemon.logFile}); go uses the store without it`)
  const { socket, command } = daemon
  const record: JobRecord = { socket, store, ...(remote && { remote: remoteSummary(remote) }) }
  await writeFile(recordPath(env), JSON.stringify(record))
  const exports = [`GOCACHEPROG=${command}`, `${KIT_DAEMON_SOCKET_ENV}=${socket}`]
  const pants = await pantsConfig(config, shared, env, stateDir)
  if (pants !== undefined) exports.push(`${PANTS_CONFIG_FILES}=${registerConfigFile(env[PANTS_CONFIG_FILES], pants)}`, `${KIT_PANTS_CONFIG_ENV}=${pants}`)
  await appendFile(requireEnv(env, 'GITHUB_ENV'), exports.map((line) => `${line}\n`).join(''))
  const tiers = remote
    ? `store ${store}${readStore ? ` over ${readStore}` : ''}, remote ${remote.config.url}: ${describeScopes(remote.scopes)}`
    : `store ${store}${readStore ? ` over ${readStore}` : ''}`
  io.print(`go-cache-setup: GOCACHEPROG set for this job in ${Math.round(io.now() - started)} ms (${writes.trust.level}: ${writes.trust.reason}; ${tiers})`)
  if (pants !== undefined) io.print(`go-cache-setup: Pants remote cache registered (${pants})`)
}

/**
 * The hook runs before the repository is checked out, so it cannot read
 * pants_version: it writes only the keys every Pants from 2.17 accepts
 * (pants/config.ts), which is harmless to a repository without Pants. The
 * action, when the workflow has it, rewrites the same file for the version.
 * Pants needs a REAPI server: without a cache URL there is nothing to register.
 * The token is never in the file: the header reads it from the runner's
 * environment when the organisation put it there, else Pants goes unauthenticated.
 */
async function pantsConfig(config: KitConfig, write: boolean, env: Env, stateDir: string): Promise<string | undefined> {
  const address = config.cacheUrl === undefined ? undefined : grpcAddressFromCacheUrl(config.cacheUrl)
  if (address === undefined) return undefined
  const headers = env[PANTS_TOKEN_ENV] ? [parseHeaderLine(DEFAULT_PANTS_AUTH_HEADER)] : []
  // A REAPI cacheUrl names Pants' instance too (kit-config.ts checked it).
  const instanceName = /^grpcs?:/.test(config.cacheUrl!) ? parseGrpcUrl(config.cacheUrl!, 'cacheUrl').instance : ''
  return writePantsConfig(stateDir, renderPantsConfig({ storeAddress: address, instanceName, headers, write }, undefined))
}

/** How long job-completed may take to flush; the runner gives hooks no timeout, so we keep our own. */
export async function jobCompleted(io: HookIO): Promise<void> {
  const file = recordPath(io.env)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    io.print('go-cache-setup: the job-started hook configured nothing; nothing to finish')
    return
  }
  let record: JobRecord
  try {
    record = parse(jobRecord, JSON.parse(text), 'job')
  } catch (error) {
    io.print(`::warning::go-cache-setup: ${file} is not what job-started wrote (${(error as Error).message}); nothing to finish`)
    return
  }
  const { stats, trim, problem, remote } = await finishClient(record.socket, record.store, { remote: record.remote })
  for (const warning of [...(problem ? [problem] : []), ...storeWarnings(stats)]) io.print(`::warning::go-cache-setup: ${warning}`)
  const ratio = stats.gets === 0 ? 0 : stats.hits / stats.gets
  io.print(
    `go-cache-setup: ${stats.sessions} go processes, ${stats.gets} gets, ${stats.hits} hits (${(ratio * 100).toFixed(1)}%), ` +
      `${stats.misses} misses, ${stats.puts} puts (${stats.bytesOut} bytes)` +
      (trim ? `; store ${trim.storeBytes} bytes after trimming ${trim.entriesRemoved} entries` : ''),
  )
  const r = remote?.stats
  if (r !== undefined) {
    io.print(`go-cache-setup: remote ${remote!.settings.url}: ${r.hits} hits, ${r.misses} misses, ${r.errors} errors, ${r.uploads} uploads, ${r.unsent} unsent`)
  }
  await rm(file, { force: true })
}

/** The job's trust and writes, decided as the action decides them (policy/write-policy.ts), from what the runner gave the hook. */
export function kitWrites(config: KitConfig, event: EventFacts, env: Env): WritePlan {
  const run = runFacts(env, event.payload)
  const trustedRefs = parseRefPatterns(config.trustedRefs.join('\n'), 'trustedRefs')
  const trust = classifyJob({ event, ref: run.ref, repository: run.repository, defaultBranch: run.defaultBranch, trustedRefs })
  return decideWrites(config.cacheWrite, trust, parseCacheMode(env.ACTIONS_CACHE_MODE))
}

/**
 * Whether this process's user can write the store (or create it): then so can
 * the job's own code, which runs as the same user (docs/security.md#kit).
 */
async function writableByUs(dir: string): Promise<boolean> {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      await access(d, constants.W_OK)
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) return false
    }
  }
}

function requireEnv(env: Env, name: string): string {
  const value = env[name]
  if (!value) throw new Error(`${name} is not set: is this running as a runner job hook?`)
  return value
}
