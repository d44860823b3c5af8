/**
 * The two hook scripts `bootstrap install` writes. The runner runs a `.sh`
 * hook with `bash -e`, synchronously, with no timeout and no
 * continue-on-error: a non-zero exit from the job-started hook fails the job
 * (docs: "Running scripts before or after a job"; actions/runner ADR 1751).
 * So the script never lets the program's exit status through: a broken kit
 * costs one warning and the cache, never the job.
 */
import { quoteShell } from './shell-quote.ts'

export type HookKind = 'job-started' | 'job-completed'

export interface HookScriptPaths {
  /** The Node that runs the client (the runner's own externals/node24 by default). */
  node: string
  /** The installed client bundle (tool cache). */
  client: string
  /** The kit's config file; the hook falls back to it when the runner's .env does not name one. */
  config: string
}

export function renderHookScript(kind: HookKind, p: HookScriptPaths): string {
  return [
    '#!/usr/bin/env bash',
    `# go-cache-setup ${kind} hook, written by \`go-cache-setup bootstrap install\`; uninstall removes it.`,
    '# It never fails the job: any problem is one warning line, and the job runs without the cache.',
    `export GO_CACHE_SETUP_KIT_CONFIG="\${GO_CACHE_SETUP_KIT_CONFIG:-${p.config.replace(/["\\$`]/g, '\\$&')}}"`,
    `${quoteShell(p.node)} ${quoteShell(p.client)} hook ${kind} || echo "::warning::go-cache-setup: the ${kind} hook failed (exit $?); this job runs without the build cache."`,
    'exit 0',
    '',
  ].join('\n')
}
