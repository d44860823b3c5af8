/**
 * The kit's subcommands of the client program: `bootstrap …` for people
 * setting up a runner, `hook …` for the runner. Loaded only when asked for, so
 * `serve` (started by every go command) does not pay for it.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import packageJson from '../../package.json' with { type: 'json' }
import { spawnDetachedProcess } from '../daemon/launch.ts'
import { installKit, kitStatus, uninstallKit } from './install.ts'
import { jobCompleted, jobStarted, type HookIO } from './job-hooks.ts'
import { parseKitConfig, type KitConfig } from './kit-config.ts'

/** Outside any runner's directory: runner updates replace that. */
const DEFAULT_KIT_DIR = '/opt/go-cache-setup'

export class KitUsageError extends Error {}

export async function bootstrapCommand(argv: string[], print: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv
  const { values } = parseArgs({
    args: rest,
    options: {
      'runner-dir': { type: 'string' },
      'kit-dir': { type: 'string' },
      'tool-cache': { type: 'string' },
      node: { type: 'string' },
      config: { type: 'string' },
      'cache-url': { type: 'string' },
      'token-file': { type: 'string' },
      'auto-configure': { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'cache-write': { type: 'string' },
      'trusted-ref': { type: 'string', multiple: true },
      'store-path': { type: 'string' },
      'store-max-size': { type: 'string' },
      'purge-store': { type: 'boolean' },
    },
    strict: true,
  })
  const kitDir = path.resolve(values['kit-dir'] ?? DEFAULT_KIT_DIR)
  const runnerDir = (): string => {
    if (!values['runner-dir']) throw new KitUsageError(`bootstrap ${action} needs --runner-dir DIR (the runner's directory, with run.sh and .env)`)
    return path.resolve(values['runner-dir'])
  }
  // The runner's default tool cache; RUNNER_TOOL_CACHE overrides it on the runner too.
  const toolCache = (): string => path.resolve(values['tool-cache'] ?? process.env.RUNNER_TOOL_CACHE ?? path.join(runnerDir(), '_work', '_tool'))
  switch (action) {
    case 'install': {
      const unsupported = kitPlatformProblem(process.platform)
      if (unsupported !== undefined) throw new KitUsageError(unsupported)
      const dir = runnerDir()
      // The runner's own Node, which is there as long as the runner is; else the one running us.
      const runnerNode = path.join(dir, 'externals', 'node24', 'bin', 'node')
      await installKit(
        {
          runnerDir: dir,
          kitDir,
          toolCache: toolCache(),
          config: values.config !== undefined ? parseKitConfig(await readFile(values.config, 'utf8'), values.config) : configFromFlags(values),
          node: path.resolve(values.node ?? (existsSync(runnerNode) ? runnerNode : process.execPath)),
          clientSourceDir: import.meta.dirname,
          clientVersion: packageJson.version,
        },
        print,
      )
      return 0
    }
    case 'uninstall':
      await uninstallKit({ kitDir }, { purgeStore: values['purge-store'] ?? false }, print)
      return 0
    case 'status': {
      const status = await kitStatus({ runnerDir: runnerDir(), kitDir, toolCache: toolCache() })
      for (const line of status.lines) print(line)
      return status.installed ? 0 : 1
    }
    default:
      throw new KitUsageError(action ? `unknown bootstrap command ${action}` : 'bootstrap needs install, uninstall or status')
  }
}

/**
 * Pure: why the kit cannot be installed on this platform, or undefined. On
 * Windows the runner's job hooks run PowerShell (.ps1), and the kit writes
 * shell scripts and edits the runner's .env for run.sh: refused, not half done.
 */
export function kitPlatformProblem(platform: string): string | undefined {
  if (platform !== 'win32') return undefined
  return (
    'the bootstrap kit supports Linux and macOS runners only: a Windows runner runs its job hooks as PowerShell scripts, which the kit does not write. ' +
    'On Windows, add the action to the workflow instead (uses: org/go-cache-setup@v1), which runs there.'
  )
}

function configFromFlags(values: Record<string, string | string[] | boolean | undefined>): KitConfig {
  const text = (name: string) => values[name] as string | undefined
  const autoConfigure = text('auto-configure')
  if (autoConfigure !== undefined && autoConfigure !== 'true' && autoConfigure !== 'false') {
    throw new KitUsageError(`--auto-configure must be true or false, got ${autoConfigure}`)
  }
  if (text('store-path') === undefined)
    throw new KitUsageError('bootstrap install needs --store-path DIR (or --config FILE): where the persistent local store lives')
  const raw = {
    version: 1,
    cacheUrl: text('cache-url'),
    tokenFile: text('token-file') && path.resolve(text('token-file')!),
    autoConfigure: autoConfigure === undefined ? true : autoConfigure === 'true',
    repositories: { include: values.include ?? [], exclude: values.exclude ?? [] },
    cacheWrite: text('cache-write') ?? 'auto',
    trustedRefs: (values['trusted-ref'] as string[] | undefined) ?? [],
    storePath: path.resolve(text('store-path')!),
    storeMaxSize: text('store-max-size') ?? '5GiB',
  }
  return parseKitConfig(JSON.stringify(raw), 'the flags')
}

/** `hook job-started|job-completed`: always exits 0, the scripts add their own guard too. */
export async function hookCommand(argv: string[], print: (line: string) => void): Promise<number> {
  const io: HookIO = {
    env: process.env,
    print,
    spawnDetached: spawnDetachedProcess,
    nodePath: process.execPath,
    clientPath: path.resolve(process.argv[1]!),
    now: () => performance.now(),
  }
  try {
    if (argv[0] === 'job-started') await jobStarted(io)
    else if (argv[0] === 'job-completed') await jobCompleted(io)
    else throw new KitUsageError(`unknown hook ${argv[0] ?? ''}: job-started or job-completed`)
  } catch (error) {
    print(`::warning::go-cache-setup ${argv[0] ?? 'hook'}: ${(error as Error).message}; this job runs without the build cache`)
  }
  return 0
}
