package main

import (
	"bytes"
	"encoding/base64"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
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
