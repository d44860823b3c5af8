//go:build !windows

package main

import (
	"net"
	"time"
)

// dialDaemon: the daemon listens on a Unix domain socket (src/daemon/endpoint.ts).
func dialDaemon(endpoint string, timeout time.Duration) (daemonConn, error) {
	return net.DialTimeout("unix", endpoint, timeout)
}

// closeWrite half-closes, as socket.end() does in control.ts, so the daemon
// reads EOF, not a reset; false when the connection cannot.
func closeWrite(conn daemonConn) bool {
	unix, ok := conn.(*net.UnixConn)
	return ok && unix.CloseWrite() == nil
}
