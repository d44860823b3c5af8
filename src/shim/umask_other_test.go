//go:build !windows

package main

import (
	"syscall"
	"testing"
)

// umaskZero sets the process umask to 000 for the rest of the test: the worst
// case issue 18 is about (the umask only removes bits, so 0 removes none).
// syscall.Umask is process-wide, so only tests that are not parallel use it.
func umaskZero(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
}
