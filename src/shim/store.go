package main

// The local store, as src/store/local-store.ts lays it out and reads it:
//
//	<root>/o/<xx>/<outputID hex>   the body; returned as DiskPath (absolute, no extension)
//	<root>/a/<xx>/<actionID hex>   "v1 <outputID hex> <size> <put time ms> <object mtime ms>\n"
//	<root>/tmp/                    writes land here first, then link(2)/rename(2) into place
//	<root>/imported                "<actionID hex> v1 …" lines a bundle import appended
//
// A hit is served only when the object's size and mtime are what the entry
// recorded, with the mtime in milliseconds computed exactly as Node's
// Stats.mtimeMs is (sec*1e3 + nsec/1e6 in doubles, then truncated), so an
// entry written by either program validates in the other.
//
// Owner-only (issue 18): every directory is created 0700 and every file 0600,
// passed explicitly so a umask of 000 cannot open the store to other local
// users (the umask only removes bits). The root, tmp/, o/ and a/ must be real
// directories (checked once, at open), and so must a fan-out directory (o/xx,
// a/xx) before anything is read through it or written into it: a symlink
// there is refused (a get misses, a put fails), never followed. Entries and
// objects that are themselves symlinks are refused too (O_NOFOLLOW, lstat).

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// dirMode and fileMode: owner-only, whatever the umask (issue 18).
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// maxTimeMs is 9999-12-31T23:59:59.999Z, the last instant Go's time.Time JSON takes.
const maxTimeMs = 253_402_300_799_999

type hit struct {
	outputID string
	size     int64
	timeMs   int64
	diskPath string
}

type entry struct {
	outputID      string
	size          int64
	timeMs        int64
	objectMtimeMs int64
}

type localStore struct {
	root         string
	tmp          string
	objectPrefix string
	actionPrefix string

	// The imported entries read so far, and how far into the file (only whole lines are taken).
	mu           sync.Mutex
	imported     map[string]entry
	importedFile os.FileInfo // the file read so far: a trim rewrites it under the same name
	importedRead int64

	// readOnly: this user cannot write the store (a store another user keeps,
	// a read-only mount). Hits are still served; the session tells go the
	// cache is read-only, so go sends no puts (cmd/go/internal/cache/prog.go Put).
	readOnly bool
}

func openStore(root string) (*localStore, error) {
	abs, err := filepath.Abs(root) // path.resolve
	if err != nil {
		return nil, err
	}
	s := &localStore{
		root:         abs,
		tmp:          filepath.Join(abs, "tmp"),
		objectPrefix: filepath.Join(abs, "o") + string(filepath.Separator),
		actionPrefix: filepath.Join(abs, "a") + string(filepath.Separator),
		imported:     map[string]entry{},
	}
	// Missing parents of the root are created too (owner-only as well).
	if _, err := os.Lstat(abs); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(abs, dirMode); err != nil {
			if !isNotWritable(err) {
				return nil, err
			}
			s.readOnly = true // nowhere to write, nothing to read: every get misses
		}
	}
	// Checked once per go process; o/ and a/ are made here so that every later
	// path into the store passes only through directories checked here or at
	// the fan-out level.
	for _, dir := range []string{abs, s.tmp, filepath.Join(abs, "o"), filepath.Join(abs, "a")} {
		if err := ensureRealDir(dir); err != nil {
			if !s.readOnly && isNotWritable(err) {
				s.readOnly = true // a directory that could not be made: read what there is
				continue
			}
			if s.readOnly && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
	}
	if !s.readOnly && !writable(s.tmp) {
		s.readOnly = true
	}
	return s, nil
}

// isNotWritable: the error of a write this user may not make (permissions, a read-only file system).
func isNotWritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// errNotRealDir: a store directory is a symlink (or a junction, or not a directory at all).
type errNotRealDir struct {
	dir  string
	mode fs.FileMode
}

func (e *errNotRealDir) Error() string {
	what := "not a directory"
	if e.mode&fs.ModeSymlink != 0 {
		what = "a symlink"
	}
	return fmt.Sprintf("refusing %s: it is %s (the store's directories must be real ones, not followed)", e.dir, what)
}

// isRealDir: dir is a directory itself, not a link to one. Lstat reports a
// symlink as ModeSymlink, and (Go 1.23+) a Windows junction as
// ModeDir|ModeIrregular, so the type must be exactly ModeDir.
func isRealDir(dir string) bool {
	info, err := os.Lstat(dir)
	return err == nil && info.Mode().Type() == fs.ModeDir
}

// ensureRealDir creates dir (0700) when it is missing; what is there must be a real directory.
// Mkdir does not follow a symlink in the last component (it fails with EEXIST, even for a dangling one).
func ensureRealDir(dir string) error {
	info, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.Mkdir(dir, dirMode); err == nil || errors.Is(err, fs.ErrExist) {
			info, err = os.Lstat(dir) // made, or made by a racing shim
		}
	}
	if err != nil {
		return err
	}
	if info.Mode().Type() != fs.ModeDir {
		return &errNotRealDir{dir: dir, mode: info.Mode()}
	}
	return nil
}

// fanOutDir is the o/xx or a/xx directory of an object or entry path (the name is always 64 hex digits).
func fanOutDir(path string) string {
	return path[:len(path)-1-2*idSize]
}

func (s *localStore) objectPath(outputID string) string {
	return s.objectPrefix + outputID[:2] + string(filepath.Separator) + outputID
}

func (s *localStore) actionPath(actionID string) string {
	return s.actionPrefix + actionID[:2] + string(filepath.Separator) + actionID
}

// nodeMtimeMs is Node's Stats.mtimeMs truncated (Math.trunc), bit for bit:
// msFromTimeSpec in lib/internal/fs/utils.js is `sec * 1e3 + nsec / 1e6` in
// doubles. The explicit float64 conversions keep Go from fusing it into an FMA
// (the spec allows that on arm64), which could round differently.
func nodeMtimeMs(info os.FileInfo) int64 {
	t := info.ModTime()
	ms := float64(float64(t.Unix())*1e3) + float64(float64(t.Nanosecond())/1e6)
	return int64(math.Trunc(ms))
}

// get: an entry file, else an imported line; a hit only when the object is still what the entry recorded.
// Neither may be reached through a symlinked fan-out directory. Those checks
// (one lstat each, ~0.7 µs on Linux/ext4; BenchmarkGet in shim_test.go) come after the
// read that found something, so go's misses cost what they did.
func (s *localStore) get(actionID string) *hit {
	entryPath := s.actionPath(actionID)
	e, ok := readEntry(entryPath)
	if ok && !isRealDir(fanOutDir(entryPath)) {
		ok = false // read through a symlink: as if absent
	}
	if !ok {
		e, ok = s.importedEntry(actionID)
		if !ok {
			return nil
		}
	}
	diskPath := s.objectPath(e.outputID)
	// Lstat: an object that is a symlink is not regular, so it misses.
	info, err := os.Lstat(diskPath)
	if err != nil || !info.Mode().IsRegular() || info.Size() != e.size || nodeMtimeMs(info) != e.objectMtimeMs {
		return nil
	}
	if !isRealDir(fanOutDir(diskPath)) {
		return nil
	}
	return &hit{outputID: e.outputID, size: e.size, timeMs: e.timeMs, diskPath: diskPath}
}

// readEntry reads an entry file whole in one read of 256 bytes (entries are one short line).
// An entry that is a symlink is not followed.
func readEntry(file string) (entry, bool) {
	f, err := openNoFollow(file)
	if err != nil {
		return entry{}, false
	}
	var buf [256]byte
	n, err := f.ReadAt(buf[:], 0)
	f.Close()
	if (err != nil && err != io.EOF) || n == len(buf) {
		return entry{}, false
	}
	return parseEntry(buf[:n])
}

// parseEntry is local-store.ts parseEntry: /^v1 ([0-9a-f]{64}) (\d+) (\d+) (\d+)\n$/, with Number()'s view of the digits.
func parseEntry(text []byte) (entry, bool) {
	if len(text) < 3+64 || string(text[:3]) != "v1 " || !isHexID(text[3:67]) || text[len(text)-1] != '\n' {
		return entry{}, false
	}
	var m [5][]byte
	m[1] = text[3:67]
	rest := text[67 : len(text)-1]
	for i := 2; i <= 4; i++ {
		if len(rest) < 2 || rest[0] != ' ' {
			return entry{}, false
		}
		end := 1
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		if end == 1 {
			return entry{}, false
		}
		m[i], rest = rest[1:end], rest[end:]
	}
	if len(rest) != 0 {
		return entry{}, false
	}
	num := func(b []byte) float64 {
		f, _ := strconv.ParseFloat(string(b), 64) // digits only: never fails, huge is +Inf
		return f
	}
	size, timeMs, mtime := num(m[2]), num(m[3]), num(m[4])
	// The time goes back to go as RFC 3339, which it reads only up to year 9999.
	if size > maxSafeInteger || mtime > maxSafeInteger || !(timeMs <= maxTimeMs) {
		return entry{}, false
	}
	return entry{outputID: string(m[1]), size: int64(size), timeMs: int64(timeMs), objectMtimeMs: int64(mtime)}, true
}

// importedEntry: from what was read already, else from the lines appended since (the import may still run).
func (s *localStore) importedEntry(actionID string) (entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.imported[actionID]; ok {
		return e, true
	}
	path := filepath.Join(s.root, "imported")
	// A miss costs one stat when nothing was appended since (the hot path: go's misses).
	// Lstat and O_NOFOLLOW: a symlinked imported file brings no entries.
	info, err := os.Lstat(path)
	if err != nil || !info.Mode().IsRegular() || (s.importedFile != nil && os.SameFile(info, s.importedFile) && info.Size() == s.importedRead) {
		return entry{}, false
	}
	f, err := openNoFollow(path)
	if err != nil {
		return entry{}, false
	}
	defer f.Close()
	info, err = f.Stat()
	if err != nil {
		return entry{}, false
	}
	// Rewritten by a trim: start over.
	if s.importedFile == nil || !os.SameFile(info, s.importedFile) || info.Size() < s.importedRead {
		clear(s.imported)
		s.importedFile, s.importedRead = info, 0
	}
	if info.Size() == s.importedRead {
		return entry{}, false
	}
	fresh := make([]byte, info.Size()-s.importedRead)
	n, err := f.ReadAt(fresh, s.importedRead)
	if n == 0 || (err != nil && err != io.EOF) {
		return entry{}, false
	}
	whole := bytes.LastIndexByte(fresh[:n], '\n') + 1
	s.importedRead += int64(whole)
	for line := range bytes.SplitSeq(fresh[:whole], []byte("\n")) {
		if len(line) < 66 || line[64] != ' ' || !isHexID(line[:64]) {
			continue
		}
		if e, ok := parseEntry(append(line[65:len(line):len(line)], '\n')); ok {
			s.imported[string(line[:64])] = e // a later line wins
		}
	}
	e, ok := s.imported[actionID]
	return e, ok
}

func isHexID(b []byte) bool {
	if len(b) != 64 {
		return false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// put writes the object (or reuses an identical one) and then the entry, each atomically.
func (s *localStore) put(actionID, outputID string, body []byte) (string, error) {
	timeMs := time.Now().UnixMilli()
	diskPath := s.objectPath(outputID)
	entryPath := s.actionPath(actionID)
	// Nothing is read or written through a symlinked fan-out directory: the put
	// fails before it writes anything (go goes on after a failed put, as after any other).
	for _, dir := range []string{fanOutDir(diskPath), fanOutDir(entryPath)} {
		if err := ensureRealDir(dir); err != nil {
			return "", err
		}
	}
	// Content-addressed, so an object already there is reused, but only after
	// comparing its bytes: go puts again precisely after a get missed because
	// the object was modified, and the new entry must not vouch for those bytes.
	mtime, same := sameContentMtime(diskPath, body)
	if !same {
		var err error
		if mtime, err = s.writeObject(diskPath, body); err != nil {
			return "", err
		}
	}
	line := "v1 " + outputID + " " + strconv.FormatInt(int64(len(body)), 10) + " " + strconv.FormatInt(timeMs, 10) + " " + strconv.FormatInt(mtime, 10) + "\n"
	if err := s.writeAtomic(entryPath, []byte(line)); err != nil {
		return "", err
	}
	return diskPath, nil
}

// writeObject publishes an object under its content name with a hard link,
// which creates the name only if it is free: when shims race on one object the
// first copy stays and every entry records that copy's mtime. It replaces the
// name only when it holds other bytes (or is a symlink: rename replaces the
// link itself, link(2) and rename(2) do not follow the new name).
// The caller made sure the fan-out directory is a real one.
func (s *localStore) writeObject(target string, body []byte) (int64, error) {
	temp, mtime, err := s.writeTemp(body)
	if err != nil {
		return 0, err
	}
	defer os.Remove(temp)
	err = os.Link(temp, target)
	if err == nil {
		return mtime, nil
	}
	if errors.Is(err, fs.ErrExist) {
		if existing, same := sameContentMtime(target, body); same {
			return existing, nil
		}
	} else if !noHardLinks(err) {
		return 0, err
	}
	if err := os.Rename(temp, target); err != nil {
		return 0, err
	}
	return mtime, nil
}

// writeAtomic writes a temp file and renames it into place, replacing what was there.
// The caller made sure the target's directory is a real one.
func (s *localStore) writeAtomic(target string, data []byte) error {
	temp, _, err := s.writeTemp(data)
	if err != nil {
		return err
	}
	err = os.Rename(temp, target)
	if err != nil {
		os.Remove(temp)
	}
	return err
}

// writeTemp writes a complete temp file in tmp/ ("<pid>-<12 hex>", as the Node shim names them) and returns its mtime.
// On failure nothing is left behind (a full disk must not fill further).
func (s *localStore) writeTemp(data []byte) (string, int64, error) {
	var random [6]byte
	rand.Read(random[:])
	temp := filepath.Join(s.tmp, strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(random[:]))
	// O_EXCL: a fresh file, never one (or a symlink) already under this name; 0600 whatever the umask.
	f, err := os.OpenFile(temp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return "", 0, err
	}
	_, err = f.Write(data)
	var info os.FileInfo
	if err == nil {
		info, err = f.Stat()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		os.Remove(temp)
		return "", 0, err
	}
	return temp, nodeMtimeMs(info), nil
}

// sameContentMtime: the mtime of file when it holds exactly body (and is no symlink).
func sameContentMtime(file string, body []byte) (int64, bool) {
	f, err := openNoFollow(file)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() || info.Size() != int64(len(body)) {
		return 0, false
	}
	scratch := make([]byte, min(max(len(body), 1), 1<<20))
	for offset := 0; offset < len(body); {
		n, err := io.ReadFull(f, scratch[:min(len(scratch), len(body)-offset)])
		if n == 0 || !bytes.Equal(scratch[:n], body[offset:offset+n]) {
			return 0, false
		}
		if err != nil && n < min(len(scratch), len(body)-offset) {
			return 0, false
		}
		offset += n
	}
	return nodeMtimeMs(info), true
}
