/** A misconfiguration the user must fix: the only kind of error that fails the main step. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
