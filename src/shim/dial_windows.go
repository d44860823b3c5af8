package main

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// errorPipeBusy is ERROR_PIPE_BUSY: every instance the server has ready is
// connected; libuv keeps a few ready and makes another as it accepts.
const errorPipeBusy = syscall.Errno(231)

// dialDaemon: on Windows Node's net.Server listens on a named pipe
// (src/daemon/endpoint.ts), which a client opens like a file. Opened
// overlapped, the *os.File goes through the runtime's poller and takes
// deadlines (Go 1.25 and later; the shim is built with a pinned newer
// toolchain, scripts/package.mjs).
func dialDaemon(endpoint string, timeout time.Duration) (daemonConn, error) {
	deadline := time.Now().Add(timeout)
	for {
		f, err := os.OpenFile(endpoint, os.O_RDWR|syscall.FILE_FLAG_OVERLAPPED, 0)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, errorPipeBusy) || time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// closeWrite: a named pipe has no half close; the caller waits for every
// reply it expects, then closes.
func closeWrite(daemonConn) bool { return false }
