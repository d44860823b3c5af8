/**
 * Pants remote caching in the main step: find the repository's Pants, write
 * a config for its version, and register it through PANTS_CONFIG_FILES (when
 * auto-configure is on). pants.toml is only read, never written.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../common/logger.ts'
import { grpcAddressFromCacheUrl, MIN_PANTS, registerConfigFile, renderPantsConfig } from './config.ts'
import { atLeast, parsePantsVersion, readPantsVersion, type PantsVersion } from './pants-toml.ts'
import { PANTS_CONFIG_FILES } from '../common/env.ts'

export const PANTS_CONFIG_FILE_NAME = 'pants-remote-cache.toml'

export interface PantsSetupOptions {
  /** The pants-remote-cache input. */
  enabled: boolean
  /** Where the search for pants.toml starts; it goes up to the workspace, as Pants finds its buildroot. */
  workingDirectory: string
  workspace: string
  /** The pants-remote-store-address input; empty: derived from cacheUrl. */
  storeAddress: string
  cacheUrl: string
  instanceName: string
  /** The store's CA (cache-ca-cert, when the address is cache-url's); absent: the system's roots. */
  caCertsPath?: string
  headers: ReadonlyArray<readonly [string, string]>
  /** Environment variables the headers read (`%(env.NAME)s`); Pants stops when one is missing. */
  headerEnvNames: readonly string[]
  write: boolean
  /** Auto-configure: register the file, or only output its path. */
  register: boolean
  /** Where the file is written (a directory under RUNNER_TEMP). */
  configDir: string
}

export interface PantsSetupIO {
  log: Logger
  env: Readonly<Record<string, string | undefined>>
  exportVariable(name: string, value: string): void
}

export type PantsSetup =
  | { status: 'off' | 'no-pants' }
  | { status: 'no-address' | 'unsupported-version'; buildroot: string; version?: PantsVersion }
  | { status: 'configured'; buildroot: string; version?: PantsVersion; file: string; address: string; registered: boolean }

export async function setupPants(options: PantsSetupOptions, io: PantsSetupIO): Promise<PantsSetup> {
  if (!options.enabled) {
    io.log.info('Pants: remote cache off (pants-remote-cache: false).')
    return { status: 'off' }
  }
  const buildroot = await findBuildroot(options.workingDirectory, options.workspace)
  if (buildroot === undefined) {
    io.log.info(`Pants: no pants.toml in ${options.workingDirectory} or above it in the workspace; nothing to configure.`)
    return { status: 'no-pants' }
  }
  const written = readPantsVersion(await readFile(path.join(buildroot, 'pants.toml'), 'utf8'))
  const version = parsePantsVersion(written)
  if (version !== undefined && !atLeast(version, MIN_PANTS.major, MIN_PANTS.minor)) {
    io.log.warning(
      `Pants ${version.text} is older than ${MIN_PANTS.major}.${MIN_PANTS.minor}, the oldest whose config keys go-cache-setup checks; its remote cache is not configured. Upgrade Pants or configure it by hand.`,
    )
    return { status: 'unsupported-version', buildroot, version }
  }
  const address = options.storeAddress || (options.cacheUrl === '' ? undefined : grpcAddressFromCacheUrl(options.cacheUrl))
  if (address === undefined) {
    io.log.info(
      `Pants found (${path.join(buildroot, 'pants.toml')}), but no remote store: set pants-remote-store-address (grpc:// or grpcs://), or cache-url to a bazel-remote.`,
    )
    return { status: 'no-address', buildroot, ...(version !== undefined && { version }) }
  }
  if (version === undefined) {
    io.log.info(
      `Pants: pants.toml names no Pants version we can read (${written ?? 'no [GLOBAL] pants_version'}); writing only keys every Pants from 2.17 accepts.`,
    )
  }

  const file = await writePantsConfig(
    options.configDir,
    renderPantsConfig(
      {
        storeAddress: address,
        instanceName: options.instanceName,
        ...(options.caCertsPath !== undefined && { caCertsPath: options.caCertsPath }),
        headers: options.headers,
        write: options.write,
      },
      version,
    ),
  )
  const derived = options.storeAddress === '' ? (/^grpcs?:/.test(options.cacheUrl) ? ' (cache-url)' : ' (gRPC address derived from cache-url)') : ''
  const how = `${address}${options.instanceName === '' ? '' : `, instance ${options.instanceName}`}, ${options.write ? 'read and write' : 'read only'}${derived}`
  if (options.register) {
    io.exportVariable(PANTS_CONFIG_FILES, registerConfigFile(io.env[PANTS_CONFIG_FILES], file))
    io.log.info(`Pants: remote cache ${how}; ${file} added to ${PANTS_CONFIG_FILES}.`)
  } else {
    io.log.info(`Pants: remote cache config written to ${file} (${how}); auto-configure is off, so it is not registered: use the pants-config output.`)
  }
  for (const name of options.headerEnvNames) {
    if (io.env[name] === undefined) {
      io.log.info(
        `Pants reads a header from $${name}, which this step does not see: set it on every step that runs Pants, or Pants stops with "Unknown value for placeholder".`,
      )
    }
  }
  return { status: 'configured', buildroot, ...(version !== undefined && { version }), file, address, registered: options.register }
}

/** Writes the config (no secret in it) and returns its absolute path. */
export async function writePantsConfig(configDir: string, text: string): Promise<string> {
  await mkdir(configDir, { recursive: true })
  const file = path.resolve(configDir, PANTS_CONFIG_FILE_NAME)
  await writeFile(file, text, { mode: 0o644 })
  return file
}

/** The nearest directory from `start` up to `workspace` holding pants.toml, as Pants looks for its buildroot. */
async function findBuildroot(start: string, workspace: string): Promise<string | undefined> {
  const top = path.resolve(workspace)
  let dir = path.resolve(start)
  for (;;) {
    const found = await readFile(path.join(dir, 'pants.toml')).then(
      () => true,
      () => false,
    )
    if (found) return dir
    const parent = path.dirname(dir)
    if (dir === top || parent === dir || !dir.startsWith(top)) return undefined
    dir = parent
  }
}
