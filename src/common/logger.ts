/** The slice of @actions/core logging the logic uses; tests pass a recorder. */
export interface Logger {
  info(message: string): void
  warning(message: string): void
  debug(message: string): void
}
