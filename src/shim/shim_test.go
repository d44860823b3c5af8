package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Node's Stats.mtimeMs is sec*1e3 + nsec/1e6 in doubles; truncated, it can be
// one more than the integer milliseconds. The expected values are what Node 24
// printed for files with these mtimes (Math.trunc(statSync(f).mtimeMs)).
func TestNodeMtimeMs(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sec, nsec int64
		want      int64
	}{
		{1733480000, 999999999, 1733480001000},
		{1733480000, 999999000, 1733480000999},
		{1733480000, 123456789, 1733480000123},
	} {
		if err := os.Chtimes(file, time.Unix(c.sec, c.nsec), time.Unix(c.sec, c.nsec)); err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if info.ModTime().Nanosecond() != int(c.nsec) {
			t.Skipf("the filesystem keeps %d ns, not %d", info.ModTime().Nanosecond(), c.nsec)
		}
		if got := nodeMtimeMs(info); got != c.want {
			t.Errorf("%d.%09d: got %d, want %d", c.sec, c.nsec, got, c.want)
		}
	}
}

func frames() []byte {
	id := func(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }
	var out bytes.Buffer
	for i, n := range []int{0, 1, 2, 3, 4, 5, 100, 70_000} {
		body := make([]byte, n)
		for j := range body {
			body[j] = byte(j*131 + i)
		}
		out.WriteString(`{"ID":` + strconv.Itoa(i+1) + `,"Command":"put","ActionID":"` + id(byte(i)) + `","OutputID":"` + id(9))
		if n == 0 {
			out.WriteString("\"}\n\n")
			continue
		}
		out.WriteString(`","BodySize":` + strconv.Itoa(n) + "}\n\n\"" + base64.StdEncoding.EncodeToString(body) + "\"\n")
	}
	out.WriteString(`{"ID":99,"Command":"close"}` + "\n\n")
	return out.Bytes()
}

// The same requests come out whatever the chunking (as protocol.ts promises).
func TestParserChunking(t *testing.T) {
	stream := frames()
	parse := func(cuts []int) []*request {
		var p parser
		var got []*request
		start := 0
		for _, end := range append(cuts, len(stream)) {
			p.push(stream[start:end])
			start = end
			for {
				r, err := p.next()
				if err != nil {
					t.Fatal(err)
				}
				if r == nil {
					break
				}
				got = append(got, r)
			}
		}
		if !p.idle() {
			t.Fatal("not idle at the end")
		}
		return got
	}
	want := parse(nil)
	if len(want) != 9 || want[8].command != "close" || len(want[7].body) != 70_000 {
		t.Fatalf("whole stream: %d requests", len(want))
	}
	rng := rand.New(rand.NewSource(1))
	for round := 0; round < 300; round++ {
		var cuts []int
		for at := 0; ; {
			at += 1 + rng.Intn(40)
			if round%2 == 0 {
				at += rng.Intn(5000)
			}
			if at >= len(stream) {
				break
			}
			cuts = append(cuts, at)
		}
		got := parse(cuts)
		for i := range want {
			if got[i].id != want[i].id || !bytes.Equal(got[i].body, want[i].body) || got[i].actionID != want[i].actionID {
				t.Fatalf("round %d: request %d differs", round, i)
			}
		}
	}
}

func TestParseEntry(t *testing.T) {
	out := string(bytes.Repeat([]byte("ab"), 32))
	for text, ok := range map[string]bool{
		"v1 " + out + " 12 1700000000123 1700000000456\n":   true,
		"v1 " + out + " 12 1700000000123 1700000000456":     false,
		"v1 " + out + " 12 1700000000123 1700000000456\n\n": false,
		"v1 " + out + " 12 253402300800000 1\n":             false, // after year 9999
		"v1 " + out + " 9007199254740992 1 1\n":             false, // not a safe integer
		"v1 " + out + "  12 1 1\n":                          false,
	} {
		if _, got := parseEntry([]byte(text)); got != ok {
			t.Errorf("%q: got %v, want %v", text, got, ok)
		}
	}
}

// testIDs: an action ID, and body's SHA-256 as its output ID (as go's are; the shim does not check).
func testIDs(action string, body []byte) (actionID, outputID string) {
	a, o := sha256.Sum256([]byte(action)), sha256.Sum256(body)
	return hex.EncodeToString(a[:]), hex.EncodeToString(o[:])
}

// checkOwnerOnly: under root, every directory is 0700 and every file 0600, and nothing else is there.
func checkOwnerOnly(t *testing.T, root string) (dirs, files int) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		switch mode := info.Mode(); {
		case mode.Type() == fs.ModeDir:
			dirs++
			if mode.Perm() != 0o700 {
				t.Errorf("%s: directory %v, want drwx------", path, mode)
			}
		case mode.IsRegular():
			files++
			if mode.Perm() != 0o600 {
				t.Errorf("%s: file %v, want -rw-------", path, mode)
			}
		default:
			t.Errorf("%s: %v, neither a file nor a directory", path, mode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs, files
}

func isEmptyDir(t *testing.T, dir string) {
	t.Helper()
	if names, err := os.ReadDir(dir); err != nil || len(names) != 0 {
		t.Errorf("%s: %d names (%v), want it empty", dir, len(names), err)
	}
}

// symlinkOrSkip: Windows makes symlinks only with a privilege (or developer mode).
func symlinkOrSkip(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("no symlinks here: %v", err)
		}
		t.Fatal(err)
	}
}

// Issue 18: under umask 000 every directory the shim makes is 0700 and every file 0600.
func TestOwnerOnlyModes(t *testing.T) {
	umaskZero(t)
	parent := filepath.Join(t.TempDir(), "parent")
	root := filepath.Join(parent, "store") // made with its missing parent
	s, err := openStore(root)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("an object")
	actionID, outputID := testIDs("first", body)
	if _, err := s.put(actionID, outputID, body); err != nil {
		t.Fatal(err)
	}
	// The same bytes under another action: the object is reused, an entry written.
	other, _ := testIDs("second", body)
	if _, err := s.put(other, outputID, body); err != nil {
		t.Fatal(err)
	}
	// An object that holds other bytes is replaced (the rename path, not the link).
	if err := os.WriteFile(s.objectPath(outputID), []byte("tampered"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.put(actionID, outputID, body); err != nil {
		t.Fatal(err)
	}
	if s.get(actionID) == nil {
		t.Error("the re-put entry misses")
	}
	if err := writeJournal(root, s.reportForTest(), newReportID()); err != nil {
		t.Fatal(err)
	}
	dirs, files := checkOwnerOnly(t, parent)
	// parent, root, tmp, o, a, journal, o/xx, one or two a/xx; object, two entries, the report.
	if dirs < 8 || files != 4 {
		t.Errorf("%d directories and %d files, want at least 8 and 4", dirs, files)
	}
	isEmptyDir(t, s.tmp)
}

func (s *localStore) reportForTest() *sessionReport {
	return &sessionReport{Used: []string{}, Added: []string{}, Order: []string{}, End: "close"}
}

// Issue 18: a put refuses a symlinked fan-out directory and writes nothing, through it or elsewhere.
func TestPutRefusesSymlinkedFanOut(t *testing.T) {
	for _, kind := range []string{"o", "a"} {
		t.Run(kind, func(t *testing.T) {
			root := t.TempDir()
			s, err := openStore(root)
			if err != nil {
				t.Fatal(err)
			}
			body := []byte("an object")
			actionID, outputID := testIDs("put", body)
			id := map[string]string{"o": outputID, "a": actionID}[kind]
			elsewhere := t.TempDir()
			symlinkOrSkip(t, elsewhere, filepath.Join(root, kind, id[:2]))
			var refused *errNotRealDir
			if _, err := s.put(actionID, outputID, body); !errors.As(err, &refused) {
				t.Fatalf("put: %v, want it refused", err)
			}
			isEmptyDir(t, elsewhere)
			isEmptyDir(t, s.tmp)
			if _, err := os.Lstat(filepath.Join(root, "o", outputID[:2], outputID)); kind == "a" && err == nil {
				t.Error("the object was written though the put failed")
			}
			if s.get(actionID) != nil {
				t.Error("a get after the refused put hit")
			}
		})
	}
}

// Issue 18: what was put and then finds itself behind a symlink (a fan-out
// directory, or the entry or object file itself) is a miss, though the bytes
// behind the link are intact (a rename keeps the mtime the entry recorded).
func TestGetMissesThroughSymlinks(t *testing.T) {
	for _, kind := range []string{"o/xx", "a/xx", "object", "entry"} {
		t.Run(kind, func(t *testing.T) {
			s, err := openStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			body := []byte("an object")
			actionID, outputID := testIDs("get", body)
			if _, err := s.put(actionID, outputID, body); err != nil {
				t.Fatal(err)
			}
			if s.get(actionID) == nil {
				t.Fatal("no hit before the symlink")
			}
			path := map[string]string{
				"o/xx": fanOutDir(s.objectPath(outputID)), "a/xx": fanOutDir(s.actionPath(actionID)),
				"object": s.objectPath(outputID), "entry": s.actionPath(actionID),
			}[kind]
			moved := filepath.Join(t.TempDir(), "moved")
			if err := os.Rename(path, moved); err != nil {
				t.Fatal(err)
			}
			symlinkOrSkip(t, moved, path)
			if h := s.get(actionID); h != nil {
				t.Errorf("hit %s through the symlink", h.diskPath)
			}
			// The same from an imported line (the daemon's bundle import) as from an entry file.
			if kind == "o/xx" || kind == "object" {
				os.Remove(s.actionPath(actionID))
				line := fmt.Sprintf("%s v1 %s %d 1 %d\n", actionID, outputID, len(body), objectMtime(t, moved, outputID, kind))
				if err := os.WriteFile(filepath.Join(s.root, "imported"), []byte(line), 0o600); err != nil {
					t.Fatal(err)
				}
				if h := s.get(actionID); h != nil {
					t.Errorf("imported entry: hit %s through the symlink", h.diskPath)
				}
			}
		})
	}
}

// objectMtime: the Node mtime of the object moved (itself, or inside its moved fan-out directory).
func objectMtime(t *testing.T, moved, outputID, kind string) int64 {
	t.Helper()
	if kind == "o/xx" {
		moved = filepath.Join(moved, outputID)
	}
	info, err := os.Stat(moved)
	if err != nil {
		t.Fatal(err)
	}
	return nodeMtimeMs(info)
}

// Issue 18: a symlinked (or dangling-symlinked) root, tmp, o or a makes openStore fail without writing through it.
func TestOpenStoreRefusesSymlinks(t *testing.T) {
	for _, name := range []string{"root", "a", "o", "tmp", "dangling tmp"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			target := filepath.Join(dir, "target")
			if name != "dangling tmp" {
				if err := os.Mkdir(target, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			root := filepath.Join(dir, "store")
			if name == "root" {
				symlinkOrSkip(t, target, root)
			} else {
				if err := os.Mkdir(root, 0o700); err != nil {
					t.Fatal(err)
				}
				symlinkOrSkip(t, target, filepath.Join(root, strings.TrimPrefix(name, "dangling ")))
			}
			var refused *errNotRealDir
			if _, err := openStore(root); !errors.As(err, &refused) {
				t.Fatalf("openStore: %v, want it refused", err)
			}
			if name == "dangling tmp" {
				if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
					t.Error("the dangling symlink's target was made")
				}
			} else {
				isEmptyDir(t, target)
			}
		})
	}
}

// Real go builds through the compiled shim, under umask 000: the store is
// owner-only throughout and go's gets hit it; and with every o/xx a symlink,
// every put fails, yet go builds, and nothing lands behind the links.
// The module imports nothing from std on purpose: go's module index of GOROOT
// packages fails the command when its put fails (openIndexPackage in
// cmd/go/internal/modindex/read.go), as it does for a put failing any other
// way; a compiled package's failed put is ignored (updateBuildID in
// cmd/go/internal/work/buildid.go, unless -export needs it).
func TestGoBuildOwnerOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with go")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip(err)
	}
	umaskZero(t)
	tmp := t.TempDir()
	shim := filepath.Join(tmp, "shim"+map[bool]string{true: ".exe"}[runtime.GOOS == "windows"])
	if out, err := exec.Command(goBin, "build", "-o", shim, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the shim: %v\n%s", err, out)
	}
	mod := filepath.Join(tmp, "mod")
	for name, text := range map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.24\n",
		"a/a.go": "package a\n\nfunc A() int { return 1 }\n",
		"b/b.go": "package b\n\nimport \"example.com/m/a\"\n\nfunc B() int { return a.A() + 1 }\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(mod, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	goCmd := func(store string, args ...string) string {
		t.Helper()
		cmd := exec.Command(goBin, args...)
		cmd.Dir = mod
		// Debug: the shim's stderr (go passes it through) names each failed put.
		cmd.Env = append(os.Environ(), "GOCACHEPROG="+shim+" --store "+store, "GOCACHE="+filepath.Join(tmp, "gocache"),
			"GOFLAGS=", "GOWORK=off", "GO111MODULE=on", debugEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	store := filepath.Join(tmp, "store")
	goCmd(store, "build", "./...")
	if _, files := checkOwnerOnly(t, store); files < 4 {
		t.Errorf("%d files in the store after a build", files)
	}
	// Hits: go list -export names the compiled package as the DiskPath the shim answered.
	export := strings.TrimSpace(goCmd(store, "list", "-export", "-f", "{{.Export}}", "./b"))
	if !strings.HasPrefix(export, filepath.Join(store, "o")+string(filepath.Separator)) {
		t.Errorf("go list -export: %q, want an object in the store", export)
	}
	checkOwnerOnly(t, store)

	refusing := filepath.Join(tmp, "refusing")
	elsewhere := filepath.Join(tmp, "elsewhere")
	for _, dir := range []string{elsewhere, filepath.Join(refusing, "o")} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 256 {
		symlinkOrSkip(t, elsewhere, filepath.Join(refusing, "o", fmt.Sprintf("%02x", i)))
	}
	if out := goCmd(refusing, "build", "./..."); !strings.Contains(out, "refusing "+filepath.Join(refusing, "o")) {
		t.Errorf("no put was refused:\n%s", out)
	}
	isEmptyDir(t, elsewhere)
	isEmptyDir(t, filepath.Join(refusing, "a"))
	isEmptyDir(t, filepath.Join(refusing, "tmp"))
}

// BenchmarkGet: go's hot path, a hit (entry read, object lstat, both fan-out directories lstat'ed).
func BenchmarkGet(b *testing.B) {
	s, err := openStore(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 10_000)
	for i := range ids {
		body := []byte(strconv.Itoa(i))
		var outputID string
		ids[i], outputID = testIDs(strconv.Itoa(i), body)
		if _, err := s.put(ids[i], outputID, body); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; b.Loop(); i++ {
		if s.get(ids[i%len(ids)]) == nil {
			b.Fatal("miss")
		}
	}
}
