// Command go-cache-shim is a compiled stand-in for `go-cache-setup serve`
// (src/client/serve.ts): the GOCACHEPROG process every go command starts.
// Node takes ~25 ms just to start, and go waits for the hello line before it
// does anything (startCacheProg in cmd/go/internal/cache/prog.go), so this
// speaks the same protocol, store layout, daemon requests and journal format
// from a small static binary.
//
//	go-cache-shim [serve] --store DIR [--read-store DIR] [--daemon SOCKET [--remote-wait-ms N] [--bundle-wait-ms N]]
//
// stdout belongs to the protocol: cmd/go treats anything that is not JSON as
// fatal ("error reading JSON from GOCACHEPROG"), so every message goes to
// stderr, and only when something is wrong (or GO_CACHE_SETUP_DEBUG=1).
package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// usage is cli.ts's USAGE, word for word, so a mistake reads the same from either program.
const usage = `usage:
  go-cache-setup serve --store DIR [--read-store DIR] [--daemon SOCKET [--remote-wait-ms N] [--bundle-wait-ms N]]
      speak GOCACHEPROG on stdin/stdout (set GOCACHEPROG to this); --read-store: a store read behind
      ours, never written; with --remote-wait-ms, local misses are looked up through the daemon's remote cache;
      with --bundle-wait-ms, a local miss waits for the entry if the bundle the daemon is importing brings it
  go-cache-setup daemon --store DIR --socket SOCKET [--max-bytes N] [--idle-timeout-seconds N] [--log FILE]
      the remote cache's settings come from the GO_CACHE_SETUP_REMOTE environment variable
  go-cache-setup stats|flush|stop|ping --socket SOCKET
  go-cache-setup bootstrap install --runner-dir DIR [--kit-dir DIR] [--tool-cache DIR] [--node PATH]
        [--config FILE | --store-path DIR [--cache-url URL] [--token-file FILE] [--auto-configure true|false]
         [--include OWNER/NAME]... [--exclude OWNER/NAME]... [--cache-write auto|true|false] [--trusted-ref REF-PATTERN]... [--store-max-size SIZE]]
  go-cache-setup bootstrap uninstall [--kit-dir DIR] [--purge-store]
  go-cache-setup bootstrap status --runner-dir DIR [--kit-dir DIR] [--tool-cache DIR]
  go-cache-setup hook job-started|job-completed     (the runner's job hooks run these)`

// debugEnv is common/env.ts DEBUG_ENV.
const debugEnv = "GO_CACHE_SETUP_DEBUG"

func warn(message string) {
	os.Stderr.WriteString("go-cache-setup: " + message + "\n")
}

// usageError exits 2 with the usage, as cli.ts does for UsageError and unknown options.
type usageError struct{ message string }

func (e usageError) Error() string { return e.message }

// fatalError is what cli.ts prints as "fatal:" with exit 1 (parseArgs' other errors).
type fatalError struct{ message string }

func (e fatalError) Error() string { return e.message }

// cliOptions are parseArgs' options in cli.ts: serve uses four, the rest are accepted and ignored, as there.
var cliOptions = map[string]bool{
	"store": true, "read-store": true, "daemon": true, "socket": true, "max-bytes": true,
	"idle-timeout-seconds": true, "remote-wait-ms": true, "bundle-wait-ms": true, "log": true,
}

// parseArgs follows node:util parseArgs with strict: true and only string
// options: --name VALUE or --name=VALUE, the last one wins, no positionals.
func parseArgs(args []string) (map[string]string, error) {
	values := map[string]string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			if i+1 < len(args) {
				return nil, fatalError{fmt.Sprintf("TypeError [ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL]: Unexpected argument '%s'. This command does not take positional arguments", args[i+1])}
			}
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			return nil, fatalError{fmt.Sprintf("TypeError [ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL]: Unexpected argument '%s'. This command does not take positional arguments", arg)}
		}
		if !strings.HasPrefix(arg, "--") {
			// A short option (or a group of them): none is defined.
			return nil, usageError{fmt.Sprintf("Unknown option '-%c'", arg[1])}
		}
		name, value, inline := strings.Cut(arg[2:], "=")
		if !cliOptions[name] {
			return nil, usageError{fmt.Sprintf("Unknown option '--%s'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--%s\"", name, name)}
		}
		if !inline {
			if i+1 >= len(args) {
				return nil, fatalError{fmt.Sprintf("TypeError [ERR_PARSE_ARGS_INVALID_OPTION_VALUE]: Option '--%s <value>' argument missing", name)}
			}
			value = args[i+1]
			if len(value) > 1 && value[0] == '-' {
				return nil, fatalError{fmt.Sprintf("TypeError [ERR_PARSE_ARGS_INVALID_OPTION_VALUE]: Option '--%s' argument is ambiguous.\nDid you forget to specify the option argument for '--%s'?\nTo specify an option argument starting with a dash use '--%s=-XYZ'.", name, name, name)}
			}
			i++
		}
		values[name] = value
	}
	return values, nil
}

// positive is cli.ts positive(): Number(value) must be a safe integer > 0.
func positive(value, flag string) (int64, error) {
	n, ok := jsNumber(value)
	if !ok || n != math.Trunc(n) || math.Abs(n) > maxSafeInteger || n <= 0 {
		return 0, usageError{fmt.Sprintf("%s must be a positive integer, got %s", flag, value)}
	}
	return int64(n), nil
}

// jsNumber approximates JavaScript's Number(string) for the inputs a flag can hold.
func jsNumber(value string) (float64, bool) {
	s := strings.TrimSpace(value)
	if s == "" {
		return 0, true
	}
	if len(s) > 2 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[s[1]]
		n, err := strconv.ParseUint(s[2:], base, 64)
		return float64(n), err == nil && !strings.Contains(s, "_")
	}
	// Decimal literals only: ParseFloat also takes inf, nan, hex floats and underscores, Number does not
	// (Infinity is not a safe integer either way).
	if strings.TrimLeft(s, "+-.0123456789eE") != "" {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}

const maxSafeInteger = 1<<53 - 1

func run(argv []string) int {
	debug := os.Getenv(debugEnv) == "1"
	// Drop-in for `index.js serve …`; the command may also be left out.
	if len(argv) > 0 && !strings.HasPrefix(argv[0], "-") {
		if argv[0] != "serve" {
			warn(fmt.Sprintf("%s: this program only serves GOCACHEPROG (serve); run the client (dist/client/index.js) for it\n%s", argv[0], usage))
			return 2
		}
		argv = argv[1:]
	}
	options, err := func() (*serveOptions, error) {
		values, err := parseArgs(argv)
		if err != nil {
			return nil, err
		}
		store, ok := values["store"]
		if !ok || store == "" {
			return nil, usageError{"serve needs --store DIR"}
		}
		// As in cli.ts: an empty --daemon is "no daemon" to this check, yet still the socket serve is given.
		hasDaemon := values["daemon"] != ""
		for _, flag := range []string{"remote-wait-ms", "bundle-wait-ms"} {
			if _, set := values[flag]; set && !hasDaemon {
				return nil, usageError{fmt.Sprintf("--%s needs --daemon SOCKET", flag)}
			}
		}
		o := &serveOptions{storeDir: store, debug: debug}
		if socket, set := values["daemon"]; set {
			o.socket = &socket
		}
		if dir, set := values["read-store"]; set {
			o.readStoreDir = &dir
		}
		for _, f := range []struct {
			flag string
			into **int64
		}{{"remote-wait-ms", &o.remoteWaitMs}, {"bundle-wait-ms", &o.bundleWaitMs}} {
			if v, set := values[f.flag]; set {
				n, err := positive(v, "--"+f.flag)
				if err != nil {
					return nil, err
				}
				*f.into = &n
			}
		}
		return o, nil
	}()
	if err != nil {
		if _, isUsage := err.(usageError); isUsage {
			warn(err.Error() + "\n" + usage)
			return 2
		}
		warn("fatal: " + err.Error())
		return 1
	}
	code, err := serve(options)
	if err != nil {
		warn("fatal: " + err.Error())
		return 1
	}
	return code
}

func main() {
	os.Exit(run(os.Args[1:]))
}
