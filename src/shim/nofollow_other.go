//go:build !windows

package main

import (
	"os"
	"syscall"
)

// openNoFollow opens name for reading unless it is a symlink: O_NOFOLLOW makes
// open(2) fail (ELOOP) on a symlink in the last component. The directories on
// the way are the caller's to check.
func openNoFollow(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
}
