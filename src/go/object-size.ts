/**
 * The largest object of Go's build cache we take from a remote or a bundle,
 * or send to one. Go has no limit of its own. The largest object measured on
 * real modules is 195.6 MiB: the test build of aws-sdk-go-v2's service/ec2
 * under `go test -race -cover` (go1.26.8; most others are under 25 MiB), so
 * 512 MiB leaves 2.6× headroom while bounding what others can make us read,
 * write and hash (docs/decisions.md#d32). An object above it is refused before
 * it is read; go's own puts above it stay local.
 */
export const MAX_GO_OBJECT_BYTES = 512 * 1024 ** 2
