package main

// The daemon's side, as the Node shim speaks it: control requests
// (src/daemon/control.ts: one JSON line out, one JSON line back, per
// connection), put notifications (src/daemon/put-notifier.ts: `queue` lines
// over one connection per go process), and the journal a report falls back
// to (src/daemon/reports.ts writeJournal).
//
// The daemon listens on a Unix domain socket, or on a named pipe on Windows
// (dial_other.go, dial_windows.go).

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// daemonConn: a connection to the daemon, a *net.UnixConn or a named pipe's *os.File.
type daemonConn interface {
	io.ReadWriteCloser
	SetDeadline(time.Time) error
}

type controlReply struct {
	OK    any    `json:"ok"`
	Hit   any    `json:"hit"`
	Final any    `json:"final"`
	Error string `json:"error"`
}

// truthy: the JavaScript truth of a JSON value, as `reply.ok && reply.hit` tests it.
func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0
	case string:
		return v != ""
	}
	return true
}

// controlRequest: one request, one reply, within timeout; any failure is an error.
func controlRequest(socket string, request any, timeout time.Duration) (*controlReply, error) {
	line, err := json.Marshal(request)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	conn, err := dialDaemon(socket, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	if _, err := conn.Write(append(line, '\n')); err != nil {
		return nil, err
	}
	text, err := bufio.NewReader(conn).ReadBytes('\n')
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("the daemon did not answer %s within %d ms", opOf(request), timeout.Milliseconds())
		}
		return nil, err
	}
	// socket.end() in control.ts: a half close where there is one.
	closeWrite(conn)
	var reply controlReply
	if err := json.Unmarshal(text, &reply); err != nil {
		return nil, err
	}
	return &reply, nil
}

func opOf(request any) string {
	switch r := request.(type) {
	case reportRequest:
		return r.Op
	case fetchRequest:
		return r.Op
	}
	return "request"
}

type fetchRequest struct {
	Op       string `json:"op"`
	ActionID string `json:"actionId"`
}

type reportRequest struct {
	Op     string         `json:"op"`
	ID     string         `json:"id"`
	Report *sessionReport `json:"report"`
}

type queueRequest struct {
	Op        string   `json:"op"`
	ActionIDs []string `json:"actionIds"`
}

// newReportID: "<pid>-<12 hex>", the name the shim and the daemon journal a report under (reports.ts newReportId).
func newReportID() string {
	var random [6]byte
	rand.Read(random[:])
	return strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(random[:])
}

// writeJournal is reports.ts writeJournal: <store>/journal/<id>.json, written
// to a dot-named temp file and renamed, so a drain never reads half a report.
// Owner-only as the store is (issue 18): the directory 0700 and a real one
// (not a symlink), the file 0600, whatever the umask.
func writeJournal(storeRoot string, report *sessionReport, id string) error {
	dir := filepath.Join(storeRoot, "journal")
	if err := ensureRealDir(dir); err != nil {
		return err
	}
	data, err := json.Marshal(report)
	if err != nil {
		return err
	}
	var random [4]byte
	rand.Read(random[:])
	temp := filepath.Join(dir, "."+id+"."+hex.EncodeToString(random[:])+".tmp")
	if err := writeNewFile(temp, data); err != nil {
		return err
	}
	if err := os.Rename(temp, filepath.Join(dir, id+".json")); err != nil {
		os.Remove(temp)
		return err
	}
	return nil
}

// writeNewFile is os.WriteFile with O_EXCL (never through a symlink or into an
// existing file) and mode 0600; a failed write leaves nothing behind.
func writeNewFile(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		os.Remove(name)
	}
	return err
}

// putDialTimeout bounds connecting for put notifications: a Unix socket
// connects at once or fails; a busy named pipe is retried until then.
const putDialTimeout = 2 * time.Second

// putNotifier is put-notifier.ts: tells the daemon which entries go put while
// go still builds, so uploads overlap the build. Fire and forget over one
// connection; the IDs put while one read from go was handled go in one line.
// If the daemon is unreachable nothing is lost: the report names every put too.
type putNotifier struct {
	socket  string
	broken  atomic.Bool
	pending []string
	lines   chan []byte
	done    chan struct{}
	once    sync.Once
}

func newPutNotifier(socket string) *putNotifier {
	return &putNotifier{socket: socket}
}

func (n *putNotifier) notify(actionID string) {
	if n.broken.Load() {
		return
	}
	n.pending = append(n.pending, actionID)
}

// flush hands what is pending to the sender (started on the first line).
func (n *putNotifier) flush() {
	if len(n.pending) == 0 || n.broken.Load() {
		n.pending = n.pending[:0]
		return
	}
	n.once.Do(func() {
		n.lines = make(chan []byte, 256)
		n.done = make(chan struct{})
		go n.send()
	})
	line, _ := json.Marshal(queueRequest{Op: "queue", ActionIDs: n.pending})
	select {
	case n.lines <- append(line, '\n'):
		n.pending = nil
	default:
		// The sender is behind (a slow connect): these go in a later line; go is never held up.
	}
}

func (n *putNotifier) send() {
	defer close(n.done)
	conn, err := dialDaemon(n.socket, putDialTimeout)
	if err != nil {
		n.broken.Store(true)
		for range n.lines {
		}
		return
	}
	defer conn.Close()
	// Replies are only acknowledgements, one line per line sent; read them so
	// the daemon's writes never block or reset.
	var acked atomic.Int64
	ack := make(chan struct{}, 1)
	read := make(chan struct{})
	go func() {
		defer close(read)
		replies := bufio.NewReader(conn)
		for {
			if _, err := replies.ReadBytes('\n'); err != nil {
				return
			}
			acked.Add(1)
			select {
			case ack <- struct{}{}:
			default:
			}
		}
	}()
	var written int64
	for line := range n.lines {
		if n.broken.Load() {
			continue
		}
		if _, err := conn.Write(line); err != nil {
			n.broken.Store(true)
		} else {
			written++
		}
	}
	// socket.end(): the daemon still reads what was written, then ends its side.
	if closeWrite(conn) {
		<-read
		return
	}
	// No half close (a named pipe): closing before the daemon has read every
	// line could lose some, so wait for each one's reply (wait() bounds it).
	for acked.Load() < written {
		select {
		case <-ack:
		case <-read:
			return
		}
	}
}

// close sends what is pending; wait then waits (up to the deadline) until it is written.
func (n *putNotifier) close() {
	n.flush()
	if len(n.pending) > 0 && !n.broken.Load() {
		line, _ := json.Marshal(queueRequest{Op: "queue", ActionIDs: n.pending})
		n.lines <- append(line, '\n') // blocks only behind a slow connect; the sender drains even when broken
		n.pending = nil
	}
	if n.lines != nil {
		close(n.lines)
	}
}

func (n *putNotifier) wait(deadline time.Time) {
	if n.done == nil {
		return
	}
	select {
	case <-n.done:
	case <-time.After(time.Until(deadline)):
	}
}
