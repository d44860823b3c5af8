package main

// One GOCACHEPROG conversation and what follows it, as src/client/serve.ts and
// src/gocacheprog/session.ts do them:
//   - the ID 0 hello goes out before anything is read (go waits for it);
//   - hits come from the local store at once; a local miss asks the daemon
//     (fetch) when a wait is configured, in the background, so answers go out
//     in any order (cmd/go matches them by ID);
//   - any get problem is a Miss, never Err (cmd/go treats a get error as a miss);
//   - answers produced while handling one read from go leave in one write;
//   - `close` is answered after everything in flight, then stdout is closed
//     (go waits for that, not for our exit: golang/go#70848), and only then is
//     the report handed to the daemon, or journaled.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// reportTimeout: how long a finished go process may wait to hand its report to the daemon before journaling it.
const reportTimeout = 500 * time.Millisecond

type serveOptions struct {
	storeDir     string
	socket       *string
	readStoreDir *string
	remoteWaitMs *int64
	bundleWaitMs *int64
	debug        bool
}

// sessionStats and sessionReport are session.ts SessionStats and SessionReport, field for field, in order.
type sessionStats struct {
	Gets      int64   `json:"gets"`
	Hits      int64   `json:"hits"`
	Misses    int64   `json:"misses"`
	Puts      int64   `json:"puts"`
	BytesIn   int64   `json:"bytesIn"`
	BytesOut  int64   `json:"bytesOut"`
	PutErrors int64   `json:"putErrors"`
	ReadOnly  int64   `json:"readOnly"`
	BusyMs    float64 `json:"busyMs"`
}

type sessionReport struct {
	Stats     sessionStats `json:"stats"`
	Used      []string     `json:"used"`
	Added     []string     `json:"added"`
	Order     []string     `json:"order"`
	StartedMs int64        `json:"startedMs"`
	End       string       `json:"end"`
}

// output batches response lines; flush writes them in one write.
type output struct {
	mu   sync.Mutex
	buf  []byte
	dead bool // go is gone (EPIPE): drop answers, still report
}

func (o *output) flushLocked() {
	if len(o.buf) > 0 && !o.dead {
		if _, err := os.Stdout.Write(o.buf); err != nil {
			o.dead = true
		}
	}
	o.buf = o.buf[:0]
}

type session struct {
	opts      *serveOptions
	store     *localStore
	readStore *localStore
	notifier  *putNotifier
	spill     spill
	waitMs    int64
	out       output

	mu    sync.Mutex // guards the accounting below
	stats sessionStats
	used  []string
	added []string
	seen  map[string]uint8 // 1 used, 2 added
	asked map[string]int   // each action ID's first request: a miss's later put keeps the miss's place

	inFlight    sync.WaitGroup
	daemonFinal atomic.Bool
}

func serve(opts *serveOptions) (int, error) {
	store, err := openStore(opts.storeDir)
	if err != nil {
		return 0, err
	}
	s := &session{opts: opts, store: store, seen: map[string]uint8{}, asked: map[string]int{}, used: []string{}, added: []string{}}
	// Read-only behind ours: hits from it, puts never go to it.
	if opts.readStoreDir != nil {
		if s.readStore, err = openStore(*opts.readStoreDir); err != nil {
			return 0, err
		}
	}
	s.waitMs = max(deref(opts.remoteWaitMs), deref(opts.bundleWaitMs))
	if opts.socket != nil && opts.remoteWaitMs != nil {
		s.notifier = newPutNotifier(*opts.socket)
	}
	// A write to a closed stdout must fail with EPIPE, not kill us (the
	// runtime's default for fds 1 and 2): the report still has to go out.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)

	startedMs := time.Now().UnixMilli()
	if store.readOnly {
		// go then sends no puts at all (cmd/go/internal/cache/prog.go Put: "Child is a read-only cache").
		s.stats.ReadOnly = 1
		os.Stdout.WriteString(readOnlyHelloLine)
	} else {
		os.Stdout.WriteString(helloLine)
	}
	end, closeID, perr := s.converse()
	defer s.spill.remove()
	if perr != nil {
		s.out.mu.Lock() // held until exit: no answer in flight writes after this
		s.out.flushLocked()
		warn("protocol error: " + perr.Error())
		return 2, nil
	}
	s.inFlight.Wait()
	s.out.mu.Lock()
	if end == "close" {
		s.out.buf = appendOK(s.out.buf, closeID)
	}
	s.out.flushLocked()
	s.out.mu.Unlock()
	if s.notifier != nil {
		s.notifier.close()
	}
	// Standalone (a workstation): nobody sums reports, so none are kept.
	if opts.socket == nil {
		return 0, nil
	}
	// go waits for our stdout to close, not for us to exit (cache/prog.go
	// Close), so close it before the report: the report costs go nothing.
	os.Stdout.Close()
	report := s.report(startedMs, end)
	deadline := time.Now().Add(reportTimeout)
	// The daemon journals the report; if it is gone or slow, we journal it
	// ourselves under the same name, so it is counted once either way.
	id := newReportID()
	reply, err := controlRequest(*opts.socket, reportRequest{Op: "report", ID: id, Report: report}, reportTimeout)
	if err == nil && !truthy(reply.OK) {
		err = errors.New(reply.Error)
	}
	if err != nil {
		if opts.debug {
			warn(fmt.Sprintf("daemon unavailable (Error: %v); journaling the report", err))
		}
		if err := writeJournal(store.root, report, id); err != nil {
			warn(fmt.Sprintf("could not write the journal: Error: %v", err))
		}
	}
	if s.notifier != nil {
		s.notifier.wait(deadline)
	}
	return 0, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// converse reads and answers requests until close, EOF, or a protocol error.
func (s *session) converse() (end string, closeID int64, err error) {
	var p parser
	chunk := make([]byte, 64<<10)
	var batch []*request
	for {
		n, readErr := os.Stdin.Read(chunk)
		if n > 0 {
			p.push(chunk[:n])
			// The whole read is parsed before any of it is answered, as session.ts
			// does: a bad request fails the read it came in, answered or not.
			requests := batch[:0]
			for {
				r, err := p.next()
				if err != nil {
					return "", 0, err
				}
				if r == nil {
					break
				}
				requests = append(requests, r)
			}
			for i, r := range requests {
				requests[i] = nil // a put's body can go once it is stored
				if r.command == "close" {
					return "close", r.id, nil
				}
				s.handle(r)
			}
			batch = requests
			s.out.mu.Lock()
			s.out.flushLocked()
			s.out.mu.Unlock()
			if s.notifier != nil {
				s.notifier.flush()
			}
		}
		if readErr == io.EOF {
			if !p.idle() {
				return "", 0, protoErr("input ended in the middle of a request")
			}
			return "eof", 0, nil
		}
		if readErr != nil {
			return "", 0, protoErr("Error: %v", readErr)
		}
	}
}

func (s *session) handle(r *request) {
	started := time.Now()
	s.mu.Lock()
	if _, ok := s.asked[r.actionID]; !ok {
		s.asked[r.actionID] = len(s.asked)
	}
	if r.command == "get" {
		s.stats.Gets++
	} else {
		s.stats.Puts++
		s.stats.BytesIn += r.bodySize
	}
	s.mu.Unlock()

	if r.command == "put" {
		diskPath, err := "", checkOutputID(r.outputID, r.body)
		var notStored error
		if err == nil {
			if diskPath, notStored = s.store.put(r.actionID, r.outputID, r.body); notStored != nil {
				// go needs a DiskPath to go on (spill.go); the store has no entry, so nothing is uploaded.
				if diskPath, err = s.spill.put(r.outputID, r.body); err != nil {
					err = notStored
				}
			}
		}
		if err == nil && notStored == nil && s.notifier != nil {
			s.notifier.notify(r.actionID)
		}
		s.answerPut(r, diskPath, notStored, err, started)
		return
	}
	h := s.store.get(r.actionID)
	if h == nil && s.readStore != nil {
		h = s.readStore.get(r.actionID)
	}
	// Only a local miss asks the daemon; once it says nothing more can come
	// (no remote, the import is over), misses stop asking.
	if h == nil && s.opts.socket != nil && s.waitMs > 0 && !s.daemonFinal.Load() {
		s.inFlight.Add(1)
		go func() {
			defer s.inFlight.Done()
			h := s.fetchThroughDaemon(r.actionID)
			s.answerGet(r, h, started)
			s.out.mu.Lock()
			s.out.flushLocked()
			s.out.mu.Unlock()
		}()
		return
	}
	s.answerGet(r, h, started)
}

// fetchThroughDaemon: a miss unless the daemon brought a verified copy into the store in time.
func (s *session) fetchThroughDaemon(actionID string) *hit {
	reply, err := controlRequest(*s.opts.socket, fetchRequest{Op: "fetch", ActionID: actionID}, time.Duration(s.waitMs)*time.Millisecond)
	switch {
	case err != nil:
		if s.opts.debug {
			warn(fmt.Sprintf("fetch %s: Error: %v", actionID, err))
		}
	case truthy(reply.OK) && truthy(reply.Hit):
		return s.store.get(actionID)
	case truthy(reply.OK) && truthy(reply.Final):
		s.daemonFinal.Store(true)
	case !truthy(reply.OK) && s.opts.debug:
		warn(fmt.Sprintf("fetch %s: %s", actionID, reply.Error))
	}
	return nil
}

func (s *session) answerGet(r *request, h *hit, started time.Time) {
	s.mu.Lock()
	if h == nil {
		s.stats.Misses++
	} else {
		s.stats.Hits++
		s.stats.BytesOut += h.size
		if s.seen[r.actionID]&1 == 0 {
			s.seen[r.actionID] |= 1
			s.used = append(s.used, r.actionID)
		}
	}
	s.stats.BusyMs += float64(time.Since(started).Nanoseconds()) / 1e6
	s.mu.Unlock()
	s.out.mu.Lock()
	if h == nil {
		s.out.buf = appendMiss(s.out.buf, r.id)
	} else {
		s.out.buf = appendHit(s.out.buf, r.id, h)
	}
	s.out.mu.Unlock()
}

// answerPut: with err, an Err answer; else the DiskPath, in the store, or a
// temporary copy when notStored says why the store did not take it.
func (s *session) answerPut(r *request, diskPath string, notStored, err error, started time.Time) {
	s.mu.Lock()
	if err == nil && notStored == nil {
		if s.seen[r.actionID]&2 == 0 {
			s.seen[r.actionID] |= 2
			s.added = append(s.added, r.actionID)
		}
	} else {
		s.stats.PutErrors++
	}
	s.stats.BusyMs += float64(time.Since(started).Nanoseconds()) / 1e6
	s.mu.Unlock()
	if s.opts.debug {
		if err != nil {
			warn(fmt.Sprintf("put %s: Error: %v", r.actionID, err))
		} else if notStored != nil {
			warn(fmt.Sprintf("put %s: not stored (%v); answered from %s", r.actionID, notStored, diskPath))
		}
	}
	s.out.mu.Lock()
	if err == nil {
		s.out.buf = appendPut(s.out.buf, r.id, diskPath)
	} else {
		// go goes on after a put error; only `go list -export` fails on it.
		s.out.buf = appendErr(s.out.buf, r.id, fmt.Sprintf("go-cache-setup: Error: %v", err))
	}
	s.out.mu.Unlock()
}

// report: `order` is used and added together, in the order go first asked for each.
func (s *session) report(startedMs int64, end string) *sessionReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	order := make([]string, 0, len(s.seen))
	for id := range s.seen {
		order = append(order, id)
	}
	sort.Slice(order, func(i, j int) bool { return s.asked[order[i]] < s.asked[order[j]] })
	return &sessionReport{Stats: s.stats, Used: s.used, Added: s.added, Order: order, StartedMs: startedMs, End: end}
}

// checkOutputID refuses a put whose body is not what its OutputID names: go
// computes the OutputID as the body's sha256 (cmd/go/internal/cache Put), so
// a mismatch is a broken or hostile writer, and the store must not vouch for it.
func checkOutputID(outputID string, body []byte) error {
	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != outputID {
		return fmt.Errorf("the body's sha256 is %s, not its OutputID %s", got, outputID)
	}
	return nil
}
