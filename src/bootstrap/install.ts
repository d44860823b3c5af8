/**
 * `go-cache-setup bootstrap install|uninstall|status`: pre-configures a
 * self-hosted runner so that every job gets the build cache without a
 * workflow step, the way managed runners come configured.
 *
 * install puts the client in the runner's tool cache (where the action looks
 * too), writes the kit's config and two hook scripts into the kit directory
 * (outside the runner's own directory, which runner updates replace), and
 * registers them in the runner's `.env`. It can run any number of times with
 * the same result; uninstall takes exactly that back, from the record install
 * keeps. The runner reads `.env` when it starts, so it needs a restart after
 * either.
 */
import { chmod, cp, mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CLIENT_ENTRY, CLIENT_TOOL_NAME, installClient, type ToolCache } from '../buildcache/client-install.ts'
import { renderHookScript, type HookKind } from './hook-scripts.ts'
import { parseKitConfig, type KitConfig } from './kit-config.ts'
import { addEnvEntries, readEnvValue, removeEnvLines } from './runner-env-file.ts'
import { KIT_CONFIG_ENV } from '../common/env.ts'

export const HOOK_ENV: Record<HookKind, string> = {
  'job-started': 'ACTIONS_RUNNER_HOOK_JOB_STARTED',
  'job-completed': 'ACTIONS_RUNNER_HOOK_JOB_COMPLETED',
}
const HOOKS: HookKind[] = ['job-started', 'job-completed']

export interface KitPaths {
  /** The runner's directory (holds `.env`, `run.sh`, `externals/`). */
  runnerDir: string
  /** Ours: config, hooks, the install record; outside the runner's directory. */
  kitDir: string
  /** The runner's tool cache (RUNNER_TOOL_CACHE; the runner's default is <runnerDir>/_work/_tool). */
  toolCache: string
}

export interface InstallOptions extends KitPaths {
  config: KitConfig
  /** The Node the hooks run the client with. */
  node: string
  /** dist/client of this program, and its version. */
  clientSourceDir: string
  clientVersion: string
}

/** What install did, so that uninstall can take back exactly that. */
interface InstallRecord {
  version: 1
  envFile: string
  /** .env lines install appended (none on a second install). */
  envLines: string[]
  envAddedNewline: boolean
  /** .env did not exist before install. */
  envCreated: boolean
  client: string
  toolDir: string
}

export const kitFiles = (kitDir: string) => ({
  config: path.join(kitDir, 'config.json'),
  record: path.join(kitDir, 'install.json'),
  hook: (kind: HookKind) => path.join(kitDir, 'hooks', `${kind}.sh`),
})

export async function installKit(o: InstallOptions, log: (line: string) => void): Promise<void> {
  await requireRunnerDir(o.runnerDir)
  if (isInside(o.kitDir, o.runnerDir)) {
    throw new Error(`--kit-dir ${o.kitDir} is inside the runner's directory; runner updates replace it. Choose a directory outside, like /opt/go-cache-setup.`)
  }
  // Re-validate: the same rules whether the config came from flags or a file.
  const config = parseKitConfig(JSON.stringify(o.config))
  const files = kitFiles(o.kitDir)
  const client = await installClient(fsToolCache(o.toolCache), o.clientSourceDir, o.clientVersion)
  log(`client: ${client}`)

  await mkdir(path.join(o.kitDir, 'hooks'), { recursive: true })
  await writeFile(files.config, `${JSON.stringify(config, null, 2)}\n`)
  for (const kind of HOOKS) {
    await writeFile(files.hook(kind), renderHookScript(kind, { node: o.node, client, config: files.config }))
    await chmod(files.hook(kind), 0o755)
  }
  await mkdir(config.storePath, { recursive: true })

  const envFile = path.join(o.runnerDir, '.env')
  const before = await readFile(envFile, 'utf8').catch(() => undefined)
  const addition = addEnvEntries(before ?? '', {
    [HOOK_ENV['job-started']]: files.hook('job-started'),
    [HOOK_ENV['job-completed']]: files.hook('job-completed'),
    [KIT_CONFIG_ENV]: files.config,
  })
  const previous = await readRecord(o.kitDir)
  const record: InstallRecord = previous ?? {
    version: 1,
    envFile,
    envLines: [],
    envAddedNewline: false,
    envCreated: before === undefined,
    client,
    toolDir: path.dirname(path.dirname(client)),
  }
  record.envLines = [...record.envLines, ...addition.added]
  record.envAddedNewline ||= addition.addedNewline
  record.client = client
  if (addition.added.length > 0) await writeFile(envFile, addition.text)
  await writeFile(files.record, `${JSON.stringify(record, null, 2)}\n`)
  log(addition.added.length > 0 ? `registered the hooks in ${envFile}` : `${envFile} already registers the hooks`)
  log(`config: ${files.config}; store: ${config.storePath}`)
  log('Restart the runner (for example `sudo ./svc.sh stop && sudo ./svc.sh start`) so that it reads .env again.')
}

export async function uninstallKit(p: Pick<KitPaths, 'kitDir'>, options: { purgeStore: boolean }, log: (line: string) => void): Promise<void> {
  const files = kitFiles(p.kitDir)
  const record = await readRecord(p.kitDir)
  if (record === undefined) throw new Error(`no install record in ${p.kitDir}: nothing installed there (or it was installed by hand)`)
  const config = await readFile(files.config, 'utf8').then(
    (text) => parseKitConfig(text),
    () => undefined,
  )
  const text = await readFile(record.envFile, 'utf8').catch(() => undefined)
  if (text !== undefined) {
    const restored = removeEnvLines(text, record.envLines, record.envAddedNewline)
    if (restored === '' && record.envCreated) await rm(record.envFile, { force: true })
    else await writeFile(record.envFile, restored)
    log(`removed the hooks from ${record.envFile}`)
  }
  // Only our version's directory, and only if it is the tool-cache layout we wrote.
  if (path.basename(record.client) === CLIENT_ENTRY && record.toolDir.includes(`${path.sep}${CLIENT_TOOL_NAME}${path.sep}`)) {
    await rm(record.toolDir, { recursive: true, force: true })
    await rm(`${record.toolDir}.complete`, { force: true })
    // <tool>/<version> and <tool>, when nothing else is left in them.
    for (const dir of [path.dirname(record.toolDir), path.dirname(path.dirname(record.toolDir))]) await rmdir(dir).catch(() => undefined)
  }
  for (const kind of HOOKS) await rm(files.hook(kind), { force: true })
  await rm(path.join(p.kitDir, 'hooks'), { recursive: true, force: true })
  await rm(files.config, { force: true })
  await rm(files.record, { force: true })
  if (config !== undefined) {
    if (options.purgeStore) {
      await rm(config.storePath, { recursive: true, force: true })
      log(`removed the store ${config.storePath}`)
    } else {
      log(`kept the store ${config.storePath} (a cache; --purge-store removes it)`)
    }
  }
  log('Restart the runner so that it reads .env again.')
}

export interface KitStatus {
  installed: boolean
  lines: string[]
}

/** What is installed, for people: every check on one line, ok or not. */
export async function kitStatus(p: KitPaths): Promise<KitStatus> {
  const files = kitFiles(p.kitDir)
  const lines: string[] = []
  let ok = true
  const check = (good: boolean, what: string): void => {
    ok &&= good
    lines.push(`${good ? 'ok     ' : 'MISSING'} ${what}`)
  }
  const record = await readRecord(p.kitDir)
  check(record !== undefined, `install record ${files.record}`)
  try {
    const config = parseKitConfig(await readFile(files.config, 'utf8'), files.config)
    check(
      true,
      `config ${files.config}: auto-configure ${config.autoConfigure ? 'on' : 'off'}, cache ${config.cacheUrl ?? 'local store only'}, store ${config.storePath}, writes ${config.cacheWrite}`,
    )
  } catch (error) {
    check(false, `config ${files.config}: ${(error as Error).message}`)
  }
  const envText = await readFile(path.join(p.runnerDir, '.env'), 'utf8').catch(() => '')
  for (const kind of HOOKS) {
    check(existsSync(files.hook(kind)), `hook ${files.hook(kind)}`)
    check(readEnvValue(envText, HOOK_ENV[kind]) === files.hook(kind), `${HOOK_ENV[kind]} in ${path.join(p.runnerDir, '.env')}`)
  }
  check(readEnvValue(envText, KIT_CONFIG_ENV) === files.config, `${KIT_CONFIG_ENV} in ${path.join(p.runnerDir, '.env')}`)
  check(record !== undefined && existsSync(record.client), `client ${record?.client ?? '(unknown)'}`)
  return { installed: ok, lines }
}

async function readRecord(kitDir: string): Promise<InstallRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(kitFiles(kitDir).record, 'utf8')) as InstallRecord
    return record.version === 1 && Array.isArray(record.envLines) ? record : undefined
  } catch {
    return undefined
  }
}

async function requireRunnerDir(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined)
  if (!info?.isDirectory()) throw new Error(`--runner-dir ${dir} is not a directory: give the runner's directory (the one with run.sh and .env)`)
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * @actions/tool-cache's layout (<root>/<tool>/<version>/<arch> plus an
 * `<arch>.complete` marker), written with plain fs: the action's tc.find on
 * the same runner then finds what the kit installed, and the other way round.
 */
export function fsToolCache(root: string, arch = os.arch()): ToolCache {
  const dir = (tool: string, version: string) => path.join(root, tool, version, arch)
  return {
    find: (tool, version) => (existsSync(`${dir(tool, version)}.complete`) ? dir(tool, version) : ''),
    cacheDir: async (source, tool, version) => {
      const dest = dir(tool, version)
      await rm(`${dest}.complete`, { force: true })
      await rm(dest, { recursive: true, force: true })
      await mkdir(dest, { recursive: true })
      await cp(source, dest, { recursive: true })
      await writeFile(`${dest}.complete`, '')
      return dest
    },
  }
}
