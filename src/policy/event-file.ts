/**
 * The triggering event, from GITHUB_EVENT_NAME and the payload at
 * GITHUB_EVENT_PATH: the action's steps and the kit's job hooks both get them
 * (github-actions-runtime.md 4.1).
 */
import { readFile } from 'node:fs/promises'
import type { EventFacts } from './write-policy.ts'

export async function readEvent(env: Readonly<Record<string, string | undefined>>): Promise<EventFacts> {
  const name = env.GITHUB_EVENT_NAME ?? ''
  const file = env.GITHUB_EVENT_PATH
  if (!file) return { name, payload: undefined }
  try {
    return { name, payload: JSON.parse(await readFile(file, 'utf8')) as unknown }
  } catch {
    // An unreadable payload makes fork detection fail closed (see classifyEvent).
    return { name, payload: undefined }
  }
}
