//go:build !windows

package main

import "syscall"

// writable: whether this user may create files in dir (access(2) W_OK; a
// read-only mount fails it too).
func writable(dir string) bool {
	return syscall.Access(dir, 2) == nil
}
