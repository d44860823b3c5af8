/**
 * Installs the client into the runner's tool cache (RUNNER_TOOL_CACHE/
 * go-cache-setup/<version>/<arch>), a stable, versioned path that the
 * bootstrap kit uses too, and builds the GOCACHEPROG command line for it.
 */
import { createHash } from 'node:crypto'
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

export interface ClientPaths {
  node: string
  client: string
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
  return joinGoCommandLine([p.node, p.client, 'serve', '--store', p.store, ...readStore, '--daemon', p.socket, ...remote, ...bundle])
}
