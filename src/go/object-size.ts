/**
 * The largest object of Go's build cache we take from a remote or a bundle.
 * Go has no such limit of its own; this is a bound on disk and time for what
 * others send us, with headroom over the largest object real builds put
 * (docs/decisions.md#d32). An object above it is refused before it is read.
 */
export const MAX_GO_OBJECT_BYTES = 1024 ** 3
