/**
 * Every environment variable the action, the client and the kit read or
 * write between processes, named once.
 */

/** Go's: the cache program every go command starts (cmd/go/internal/cacheprog). */
export const GOCACHEPROG = 'GOCACHEPROG'
/** Pants' list of extra config files, comma-separated (pants/config.ts registerConfigFile). */
export const PANTS_CONFIG_FILES = 'PANTS_CONFIG_FILES'

/** An organisation's toggle for auto-configure (policy/auto-configure.ts). */
export const AUTO_CONFIGURE_ENV = 'GO_CACHE_SETUP_AUTO_CONFIGURE'
/** The default auth header when a token is given: Pants reads the token from this variable at run time. */
export const PANTS_TOKEN_ENV = 'GO_CACHE_SETUP_CACHE_TOKEN'
/** The daemon's remote settings as JSON (remote/config.ts): its environment only, never argv or a file. */
export const REMOTE_ENV = 'GO_CACHE_SETUP_REMOTE'
/** The bootstrap kit's config file, put in every job's environment by the runner's .env. */
export const KIT_CONFIG_ENV = 'GO_CACHE_SETUP_KIT_CONFIG'
/** Set in GITHUB_ENV by the kit's job-started hook, so that the action finds the daemon instead of starting a second one. */
export const KIT_DAEMON_SOCKET_ENV = 'GO_CACHE_SETUP_DAEMON_SOCKET'
/** The Pants config job-started registered; the action rewrites that file rather than registering a second one. */
export const KIT_PANTS_CONFIG_ENV = 'GO_CACHE_SETUP_KIT_PANTS_CONFIG'
/** `1`: the client logs to stderr what it does (stdout belongs to the protocol). */
export const DEBUG_ENV = 'GO_CACHE_SETUP_DEBUG'
/** `node`: GOCACHEPROG runs the Node shim even where the compiled one is shipped (docs/decisions.md#d28). */
export const SHIM_ENV = 'GO_CACHE_SETUP_SHIM'
