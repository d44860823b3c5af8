//go:build !windows

package main

import (
	"errors"
	"syscall"
)

// noHardLinks: link(2) errors of filesystems without hard links (FAT, some
// network mounts), where local-store.ts falls back to rename (NO_HARD_LINKS).
func noHardLinks(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	// ENOTSUP and EOPNOTSUPP are one value on Linux, two on macOS: not one switch.
	return errno == syscall.ENOTSUP || errno == syscall.EOPNOTSUPP ||
		errno == syscall.EPERM || errno == syscall.ENOSYS || errno == syscall.EXDEV || errno == syscall.EMLINK || errno == syscall.EACCES
}
