/**
 * Installs the client into the runner's tool cache (RUNNER_TOOL_CACHE/
 * go-cache-setup/<version>/<arch>), a stable, versioned path that the
 * bootstrap kit uses too, and builds the GOCACHEPROG command line for it.
 */
import { createHash } from 'node:crypto'
import { accessSync, chmodSync, constants } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { joinGoCommandLine } from '../gocacheprog/command-line.ts'

export const CLIENT_TOOL_NAME = 'go-cache-setup'
export const CLIENT_ENTRY = 'index.js'

export interface ToolCache {
  /** The installed directory, or '' (tool-cache's find). */
  find(tool: string, version: string): string
  /** Copies `source` in and returns the installed directory (tool-cache's cacheDir). */
  cacheDir(source: string, tool: string, version: string): Promise<string>
}

/**
 * Reuses an installed copy only when its bundle is byte-identical to ours: a
 * self-hosted runner keeps its tool cache across jobs and action versions.
 */
export async function installClient(tools: ToolCache, sourceDir: string, version: string): Promise<string> {
  const ours = await digest(path.join(sourceDir, CLIENT_ENTRY))
  const found = tools.find(CLIENT_TOOL_NAME, version)
  if (found !== '' && (await digest(path.join(found, CLIENT_ENTRY)).catch(() => '')) === ours) {
    return path.join(found, CLIENT_ENTRY)
  }
  const installed = await tools.cacheDir(sourceDir, CLIENT_TOOL_NAME, version)
  return path.join(installed, CLIENT_ENTRY)
}

async function digest(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex')
}

/**
 * Pure: the compiled shim shipped beside the client for this platform
 * (scripts/package.mjs builds them; docs/decisions.md#d28), relative to the
 * client's directory, or undefined where the Node shim serves: any platform
 * not built.
 */
export function shimFile(platform: string, arch: string): string | undefined {
  const goos = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[platform]
  const goarch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[arch]
  if (goos === undefined || goarch === undefined) return undefined
  return path.join('shim', `go-cache-shim-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}`)
}

/**
 * The compiled shim next to the installed `client`, runnable; undefined when
 * there is none for this platform or it cannot be run (the Node shim then
 * serves, a few tens of ms slower per go command).
 */
export function findShim(client: string, platform: string = process.platform, arch: string = process.arch): string | undefined {
  const file = shimFile(platform, arch)
  if (file === undefined) return undefined
  const shim = path.join(path.dirname(client), file)
  try {
    accessSync(shim, constants.X_OK)
    return shim
  } catch {
    try {
      // A copy that lost its mode bits (an unpacked archive, a tool cache copy).
      chmodSync(shim, 0o755)
      accessSync(shim, constants.X_OK)
      return shim
    } catch {
      return undefined
    }
  }
}

export interface ClientPaths {
  node: string
  client: string
  /** The compiled shim (findShim): GOCACHEPROG runs it instead of `node client serve`. */
  shim?: string
  store: string
  socket: string
  /** A store served read-only behind `store` (the kit's shared store, for a job that may not write to it). */
  readStore?: string
  /** Set when a remote cache is configured: local misses go to the daemon. */
  remoteWaitMs?: number
  /** Set when the daemon may import a build-cache bundle while go runs: a local miss waits for an entry on its way. */
  bundleWaitMs?: number
}

/** The GOCACHEPROG value: absolute paths, quoted the way cmd/go splits them. */
export function cacheProgCommand(p: ClientPaths): string {
  const readStore = p.readStore === undefined ? [] : ['--read-store', p.readStore]
  const remote = p.remoteWaitMs === undefined ? [] : ['--remote-wait-ms', String(p.remoteWaitMs)]
  const bundle = p.bundleWaitMs === undefined ? [] : ['--bundle-wait-ms', String(p.bundleWaitMs)]
  const program = p.shim === undefined ? [p.node, p.client] : [p.shim]
  return joinGoCommandLine([...program, 'serve', '--store', p.store, ...readStore, '--daemon', p.socket, ...remote, ...bundle])
}
