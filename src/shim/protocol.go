package main

// GOCACHEPROG wire format, as src/gocacheprog/protocol.ts parses it, with the
// same verdicts and messages. From cmd/go/internal/cache/prog.go (writeToChild)
// and cmd/go/internal/cacheprog/cacheprog.go:
//   - each request is one JSON object on a line, followed by a blank line;
//   - when BodySize > 0, the body follows as a JSON string of padded standard
//     base64 on its own line; with BodySize 0 there is no body line at all;
//   - []byte fields (ActionID, OutputID) are padded standard base64;
//   - responses may be sent in any order, matched by ID.

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// idSize: Go's cache IDs are SHA-256 sized (cmd/go/internal/cache HashSize).
const idSize = 32

// maxLineBytes: cmd/go's request lines are ~200 bytes; anything this long is not the protocol.
const maxLineBytes = 1 << 20

type request struct {
	id       int64
	command  string // get, put, close
	actionID string // hex
	outputID string // hex
	bodySize int64
	body     []byte
}

// protocolError is a stream that is not the protocol: stderr, exit 2.
type protocolError struct{ message string }

func (e *protocolError) Error() string { return e.message }

func protoErr(format string, args ...any) error {
	return &protocolError{fmt.Sprintf(format, args...)}
}

// base64Class: 1 for the standard alphabet, 2 for '=', 0 for anything else.
var base64Class = func() (t [256]byte) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") {
		t[c] = 1
	}
	t['='] = 2
	return
}()

// parser is protocol.ts RequestParser: bytes in any chunking, requests out in order.
// Bodies are decoded as they stream in, never held as base64.
type parser struct {
	buf     []byte
	pending *request
	opened  bool
	decoded int64
	// carry: base64 characters not decoded yet (an incomplete group, or a padded one awaiting the closing quote).
	carry []byte
}

func (p *parser) push(chunk []byte) { p.buf = append(p.buf, chunk...) }

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\r' || b == '\t' }

func (p *parser) skipWhitespace() {
	i := 0
	for i < len(p.buf) && isSpace(p.buf[i]) {
		i++
	}
	p.buf = p.buf[i:]
}

// next returns the next complete request, nil when more input is needed.
func (p *parser) next() (*request, error) {
	for {
		if p.pending != nil {
			done, err := p.readBody()
			if err != nil || !done {
				return nil, err
			}
			r := p.pending
			p.pending = nil
			return r, nil
		}
		p.skipWhitespace()
		if len(p.buf) == 0 {
			p.buf = nil // let the backing array go
			return nil, nil
		}
		end := bytes.IndexByte(p.buf, '\n')
		// Checked whether or not the newline has arrived, so the verdict does not depend on the chunking.
		if length := end; (end == -1 && len(p.buf) > maxLineBytes) || length > maxLineBytes {
			return nil, protoErr("request line longer than 1 MiB")
		}
		if end == -1 {
			return nil, nil
		}
		line := p.buf[:end]
		p.buf = p.buf[end+1:]
		r, err := parseRequestLine(line)
		if err != nil {
			return nil, err
		}
		if r.bodySize == 0 {
			return r, nil
		}
		p.pending, p.opened, p.decoded, p.carry = r, false, 0, p.carry[:0]
		// A body is at most bodySize bytes; grown as it arrives, so a false BodySize allocates nothing.
		r.body = make([]byte, 0, min(r.bodySize, 64<<20))
	}
}

// idle: the stream ended between requests.
func (p *parser) idle() bool {
	if p.pending != nil {
		return false
	}
	for _, b := range p.buf {
		if !isSpace(b) {
			return false
		}
	}
	return true
}

// readBody consumes body bytes; true once the closing quote has come and the body is complete.
func (p *parser) readBody() (bool, error) {
	r := p.pending
	if !p.opened {
		p.skipWhitespace()
		if len(p.buf) == 0 {
			return false, nil
		}
		if p.buf[0] != '"' {
			return false, protoErr("request %d: expected the base64 body of %d bytes", r.id, r.bodySize)
		}
		p.buf = p.buf[1:]
		p.opened = true
	}
	closeAt := bytes.IndexByte(p.buf, '"')
	text := p.buf
	if closeAt != -1 {
		text = p.buf[:closeAt]
	}
	notBase64 := protoErr("request %d: body is not standard base64", r.id)
	// Node's decoder skips what is not base64 and the length check catches it;
	// here anything outside the alphabet is refused at once, with the same message.
	for _, c := range text {
		if base64Class[c] == 0 {
			return false, notBase64
		}
	}
	if closeAt == -1 {
		p.buf = p.buf[:0]
	} else {
		p.buf = p.buf[closeAt+1:]
	}
	all := text
	if len(p.carry) > 0 {
		p.carry = append(p.carry, text...)
		all = p.carry
	}
	usable := len(all) - len(all)%4
	if closeAt != -1 {
		usable = len(all)
		if usable%4 != 0 {
			return false, notBase64
		}
	} else if i := bytes.IndexByte(all[:usable], '='); i != -1 {
		// A padded group can only be the last one: held back until the closing quote.
		usable = i - i%4
		if len(all)-usable > 4 {
			return false, notBase64
		}
	}
	if usable > 0 {
		n := base64.StdEncoding.DecodedLen(usable)
		var got int
		var err error
		exact := n
		for i := usable - 1; i >= usable-2 && all[i] == '='; i-- {
			exact--
		}
		if int64(len(r.body))+int64(exact) <= r.bodySize {
			// Decoded in place, into the body.
			r.body = slices.Grow(r.body, n)
			got, err = base64.StdEncoding.Decode(r.body[len(r.body):len(r.body)+n], all[:usable])
			r.body = r.body[:len(r.body)+got]
		} else {
			// More than BodySize: only counted, for the message.
			got, err = base64.StdEncoding.Decode(make([]byte, n), all[:usable])
		}
		if err != nil {
			return false, notBase64
		}
		p.decoded += int64(got)
	}
	rest := all[usable:]
	p.carry = append(p.carry[:0:0], rest...)
	if closeAt == -1 {
		return false, nil
	}
	if p.decoded != r.bodySize {
		return false, protoErr("request %d: body has %d bytes, BodySize says %d", r.id, p.decoded, r.bodySize)
	}
	return true, nil
}

// parseRequestLine is protocol.ts parseRequestLine: same checks, same order, same messages.
func parseRequestLine(line []byte) (*request, error) {
	if !json.Valid(line) {
		return nil, protoErr("not a JSON request: %s", truncate(line))
	}
	trimmed := bytes.TrimLeft(line, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, protoErr("not a JSON object: %s", truncate(line))
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		return nil, protoErr("not a JSON request: %s", truncate(line))
	}
	id, ok := safeInteger(fields["ID"])
	if !ok || id < 0 {
		return nil, protoErr("request without a valid ID: %s", truncate(line))
	}
	r := &request{id: id}
	var command string
	rawCommand, hasCommand := fields["Command"]
	if !hasCommand || json.Unmarshal(rawCommand, &command) != nil || rawCommand[0] != '"' ||
		(command != "get" && command != "put" && command != "close") {
		return nil, protoErr("request %d: unknown command %s", id, jsStringifyRaw(rawCommand, hasCommand))
	}
	r.command = command
	if raw, set := fields["BodySize"]; set {
		size, ok := safeInteger(raw)
		if !ok || size < 0 {
			return nil, protoErr("request %d: invalid BodySize", id)
		}
		r.bodySize = size
	}
	var err error
	if command == "get" || command == "put" {
		if r.actionID, err = decodeID(fields["ActionID"], "ActionID", id); err != nil {
			return nil, err
		}
	}
	if command == "put" {
		// Go 1.21–1.23 sent the output ID as ObjectID (cache/prog.go before 1.24); `??` in protocol.ts.
		raw := fields["OutputID"]
		if raw == nil || string(raw) == "null" {
			raw = fields["ObjectID"]
		}
		if r.outputID, err = decodeID(raw, "OutputID", id); err != nil {
			return nil, err
		}
	}
	if command != "put" && r.bodySize != 0 {
		return nil, protoErr("request %d: %s with a body", id, command)
	}
	return r, nil
}

// safeInteger: a JSON number that is a JavaScript safe integer (1.0 and 1e2 are).
func safeInteger(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || (raw[0] != '-' && (raw[0] < '0' || raw[0] > '9')) {
		return 0, false
	}
	n, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || n != math.Trunc(n) || math.Abs(n) > maxSafeInteger {
		return 0, false
	}
	return int64(n), true
}

func decodeID(raw json.RawMessage, field string, id int64) (string, error) {
	var value string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &value) != nil {
		return "", protoErr("request %d: missing %s", id, field)
	}
	b, err := base64.StdEncoding.DecodeString(value)
	// Only the canonical encoding of 32 bytes passes, as Buffer.from + toString does in protocol.ts.
	if err != nil || len(b) != idSize || base64.StdEncoding.EncodeToString(b) != value {
		return "", protoErr("request %d: %s is not %d bytes of standard base64", id, field, idSize)
	}
	return hex.EncodeToString(b), nil
}

// jsStringifyRaw is JSON.stringify of a parsed value: undefined when absent,
// strings re-quoted the JavaScript way, anything else compacted as written.
func jsStringifyRaw(raw json.RawMessage, present bool) string {
	if !present {
		return "undefined"
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return jsQuote(s)
	}
	var out bytes.Buffer
	if json.Compact(&out, raw) != nil {
		return string(raw)
	}
	return out.String()
}

// jsQuote is JSON.stringify of a string: Go's encoder escapes <, >, & and U+2028/9, JavaScript's does not.
func jsQuote(s string) string {
	var b []byte
	b = append(b, '"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20:
			b = fmt.Appendf(b, "\\u%04x", r)
		default:
			b = utf8.AppendRune(b, r) // invalid UTF-8 became U+FFFD, as a Node string has it
		}
		i += size
	}
	return string(append(b, '"'))
}

// truncate is protocol.ts truncate: 120 UTF-16 code units, then an ellipsis.
func truncate(line []byte) string {
	units := 0
	for _, r := range string(line) {
		units += utf16.RuneLen(r)
	}
	if units <= 120 {
		return string(bytes.ToValidUTF8(line, []byte("\uFFFD")))
	}
	var b []byte
	units = 0
	for _, r := range string(line) {
		n := utf16.RuneLen(r)
		if units+n > 120 {
			if units < 120 {
				b = utf8.AppendRune(b, utf8.RuneError) // half a surrogate pair prints as U+FFFD
			}
			break
		}
		b = utf8.AppendRune(b, r)
		units += n
	}
	return string(b) + "…"
}

// Responses: field names and encodings are Go's (cacheprog.Response), bytes as protocol.ts writes them.

const helloLine = `{"ID":0,"KnownCommands":["get","put","close"]}` + "\n"

// readOnlyHelloLine: the hello of a store this user cannot write.
const readOnlyHelloLine = `{"ID":0,"KnownCommands":["get","close"]}` + "\n"

func appendMiss(b []byte, id int64) []byte {
	b = append(b, `{"ID":`...)
	b = strconv.AppendInt(b, id, 10)
	return append(b, `,"Miss":true}`+"\n"...)
}

func appendOK(b []byte, id int64) []byte {
	b = append(b, `{"ID":`...)
	b = strconv.AppendInt(b, id, 10)
	return append(b, "}\n"...)
}

func appendHit(b []byte, id int64, h *hit) []byte {
	out, _ := hex.DecodeString(h.outputID)
	b = append(b, `{"ID":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"OutputID":"`...)
	b = base64.StdEncoding.AppendEncode(b, out)
	b = append(b, `","Size":`...)
	b = strconv.AppendInt(b, h.size, 10)
	b = append(b, `,"Time":"`...)
	// Date.toISOString: always milliseconds, always UTC.
	b = time.UnixMilli(h.timeMs).UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","DiskPath":`...)
	b = append(b, jsQuote(h.diskPath)...)
	return append(b, "}\n"...)
}

func appendPut(b []byte, id int64, diskPath string) []byte {
	b = append(b, `{"ID":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"DiskPath":`...)
	b = append(b, jsQuote(diskPath)...)
	return append(b, "}\n"...)
}

func appendErr(b []byte, id int64, message string) []byte {
	b = append(b, `{"ID":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"Err":`...)
	b = append(b, jsQuote(message)...)
	return append(b, "}\n"...)
}
