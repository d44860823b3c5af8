package main

// writable: Windows has no access(2); a store that cannot be written shows
// when its first put fails, which go then gets as an Err.
func writable(dir string) bool {
	return true
}
