/**
 * Everything the orchestration touches outside itself. Entry files pass the
 * real thing (runnerContext); tests pass small fakes built from plain objects.
 */
import path from 'node:path'
import * as core from '@actions/core'
import * as exec from '@actions/exec'
import * as tc from '@actions/tool-cache'
import packageJson from '../../package.json' with { type: 'json' }
import type { BuildCacheIO } from '../buildcache/setup.ts'
import { spawnDetachedProcess } from '../daemon/launch.ts'
import type { CommandRunner } from '../go/go-env.ts'
import type { Logger } from '../common/logger.ts'
import { actionsCache, type ArchiveCache } from '../actions-cache/archive-cache.ts'
import type { GetInput } from './inputs.ts'
import type { StateStore } from './state.ts'

/** The build cache's own needs, taken as they are (buildcache/setup.ts). */
type BuildCacheNeeds = Pick<BuildCacheIO, 'notice' | 'tools' | 'spawnDetached' | 'nodePath' | 'clientSourceDir' | 'clientVersion'>

export interface ActionContext extends StateStore, BuildCacheNeeds {
  env: Readonly<Record<string, string | undefined>>
  getInput: GetInput
  setOutput(name: string, value: string): void
  setFailed(message: string): void
  log: Logger
  appendSummary(markdown: string): Promise<void>
  run: CommandRunner
  cache: ArchiveCache
  now(): number
  exportVariable(name: string, value: string): void
  /** Masks a value in every later log line (core.setSecret). */
  setSecret(value: string): void
  /** process.platform: what the platform-dependent decisions are made for. */
  platform: string
}

export function runnerContext(): ActionContext {
  return {
    env: process.env,
    getInput: (name) => core.getInput(name),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (message) => core.setFailed(message),
    saveState: (name, value) => core.saveState(name, value),
    getState: (name) => core.getState(name),
    log: { info: core.info, warning: (m) => core.warning(m), debug: core.debug },
    appendSummary: async (markdown) => {
      await core.summary.addRaw(markdown).write()
    },
    run: async (command, args, options) => {
      const result = await exec.getExecOutput(command, args, { cwd: options.cwd, ignoreReturnCode: true, silent: true })
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
    },
    cache: actionsCache(),
    now: () => performance.now(),
    exportVariable: (name, value) => core.exportVariable(name, value),
    setSecret: (value) => core.setSecret(value),
    platform: process.platform,
    notice: (message) => core.notice(message),
    tools: { find: (tool, version) => tc.find(tool, version), cacheDir: (source, tool, version) => tc.cacheDir(source, tool, version) },
    spawnDetached: spawnDetachedProcess,
    nodePath: process.execPath,
    // The bundles live in dist/main and dist/post; the client in dist/client.
    clientSourceDir: path.join(import.meta.dirname, '..', 'client'),
    clientVersion: packageJson.version,
  }
}
