package main

import (
	"os"
	"path/filepath"
	"sync"
)

// spill is where a put goes when the store cannot take it (a full disk or
// quota, a directory this user may not write, a symlink the store refuses): a
// private directory of this go process' own, removed when the session ends.
// go needs a DiskPath for every put it does not ignore (cmd/go/internal/cache
// prog.go Put; `go list -export`, testmain, cgo objdir files and the module
// index fail without one) and reads it only while it runs. The same rules as
// the Node shim's store/spill.ts.
type spill struct {
	mu  sync.Mutex
	dir string
}

// put returns a file holding body under its OutputID (checked by the caller).
func (p *spill) put(outputID string, body []byte) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir == "" {
		// MkdirTemp: owner-only, a fresh name.
		dir, err := os.MkdirTemp("", "go-cache-setup-spill-")
		if err != nil {
			return "", err
		}
		p.dir = dir
	}
	file := filepath.Join(p.dir, outputID)
	// Written whole and renamed before, so its bytes are this OutputID's.
	if _, err := os.Lstat(file); err == nil {
		return file, nil
	}
	temp := file + ".tmp"
	f, err := os.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return "", err
	}
	_, err = f.Write(body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(temp, file)
	}
	if err != nil {
		os.Remove(temp)
		return "", err
	}
	return file, nil
}

// remove deletes what was spilled: once go has closed the session, it reads none of it any more.
func (p *spill) remove() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir != "" {
		os.RemoveAll(p.dir)
		p.dir = ""
	}
}
