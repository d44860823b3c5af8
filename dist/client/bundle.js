import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 5581:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _client_serve_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6924);
/* harmony import */ var _common_env_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(3938);
/* harmony import */ var _daemon_control_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2141);
/* harmony import */ var _daemon_daemon_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(8117);
/* harmony import */ var _daemon_remote_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(7325);
/**
 * The cache client program (dist/client/index.js). GOCACHEPROG runs `serve`;
 * the action runs `daemon`, `stats`, `flush` and `stop`; the bootstrap kit runs
 * `bootstrap …` (people) and `hook …` (the runner's job hooks).
 *
 * stdout belongs to the protocol: cmd/go treats anything that is not JSON as
 * fatal ("error reading JSON from GOCACHEPROG"), so every message goes to
 * stderr, and only when something is wrong (or GO_CACHE_SETUP_DEBUG=1).
 */







const USAGE = `usage:
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
  go-cache-setup hook job-started|job-completed     (the runner's job hooks run these)`;
const debug = process.env[_common_env_js__WEBPACK_IMPORTED_MODULE_6__/* .DEBUG_ENV */ .A7] === '1';
const warn = (message) => void process.stderr.write(`go-cache-setup: ${message}\n`);
async function main(argv) {
    const [command, ...rest] = argv;
    if (command === 'bootstrap' || command === 'hook') {
        // Loaded on demand: serve starts with every go command and must stay lean.
        const kit = await __nccwpck_require__.e(/* import() */ 540).then(__nccwpck_require__.bind(__nccwpck_require__, 3540));
        const print = (line) => void process.stdout.write(`${line}\n`);
        try {
            return command === 'hook' ? await kit.hookCommand(rest, print) : await kit.bootstrapCommand(rest, print);
        }
        catch (error) {
            if (error instanceof kit.KitUsageError)
                throw new UsageError(error.message);
            throw error;
        }
    }
    const { values } = (0,node_util__WEBPACK_IMPORTED_MODULE_1__.parseArgs)({
        args: rest,
        options: {
            store: { type: 'string' },
            'read-store': { type: 'string' },
            daemon: { type: 'string' },
            socket: { type: 'string' },
            'max-bytes': { type: 'string' },
            'idle-timeout-seconds': { type: 'string' },
            'remote-wait-ms': { type: 'string' },
            'bundle-wait-ms': { type: 'string' },
            log: { type: 'string' },
        },
        strict: true,
    });
    switch (command) {
        case 'serve': {
            if (!values.store)
                throw new UsageError('serve needs --store DIR');
            for (const flag of ['remote-wait-ms', 'bundle-wait-ms']) {
                if (values[flag] !== undefined && !values.daemon)
                    throw new UsageError(`--${flag} needs --daemon SOCKET`);
            }
            const ms = (flag) => (values[flag] === undefined ? undefined : positive(values[flag], `--${flag}`));
            return (0,_client_serve_js__WEBPACK_IMPORTED_MODULE_2__/* .serve */ .w)({
                storeDir: values.store,
                socket: values.daemon,
                readStoreDir: values['read-store'],
                remoteWaitMs: ms('remote-wait-ms'),
                bundleWaitMs: ms('bundle-wait-ms'),
            }, { debug, warn });
        }
        case 'daemon': {
            if (!values.store || !values.socket)
                throw new UsageError('daemon needs --store DIR and --socket SOCKET');
            // Everything the daemon creates (its socket first) is owner-only, whatever umask it was started with.
            process.umask(0o077);
            const logStream = values.log ? (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)(values.log, { flags: 'a' }) : undefined;
            const log = (m) => void logStream?.write(`${new Date().toISOString()} ${m}\n`);
            const remote = (0,_daemon_remote_js__WEBPACK_IMPORTED_MODULE_5__/* .takeRemoteSettings */ .Z8)(process.env);
            const daemon = await (0,_daemon_daemon_js__WEBPACK_IMPORTED_MODULE_4__/* .startDaemon */ .L)({
                store: values.store,
                socket: values.socket,
                maxBytes: positive(values['max-bytes'] ?? String(5 * 1024 ** 3), '--max-bytes'),
                idleTimeoutMs: positive(values['idle-timeout-seconds'] ?? String(6 * 3600), '--idle-timeout-seconds') * 1000,
                log,
                ...(remote && { remote: await (0,_daemon_remote_js__WEBPACK_IMPORTED_MODULE_5__/* .remoteTier */ .dX)(remote, log) }),
            });
            await daemon.closed;
            logStream?.end();
            return 0;
        }
        case 'stats':
        case 'flush':
        case 'stop':
        case 'ping': {
            if (!values.socket)
                throw new UsageError(`${command} needs --socket SOCKET`);
            // A flush waits for background uploads (up to the daemon's 60 s deadline) and trims the store.
            const reply = await (0,_daemon_control_js__WEBPACK_IMPORTED_MODULE_3__/* .controlRequest */ .l)(values.socket, { op: command }, command === 'flush' ? 240_000 : 60_000);
            // These are for people and scripts, not for go: stdout is fine here.
            process.stdout.write(`${JSON.stringify(reply, null, 2)}\n`);
            return reply.ok ? 0 : 1;
        }
        default:
            throw new UsageError(command ? `unknown command ${command}` : 'no command');
    }
}
class UsageError extends Error {
}
function positive(value, flag) {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0)
        throw new UsageError(`${flag} must be a positive integer, got ${value}`);
    return n;
}
try {
    process.exitCode = await main(process.argv.slice(2));
}
catch (error) {
    if (error instanceof UsageError || error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
        warn(`${error.message}\n${USAGE}`);
        process.exitCode = 2;
    }
    else {
        warn(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        process.exitCode = 1;
    }
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 6924:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  w: () => (/* binding */ serve)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: ./src/daemon/control.ts
var control = __nccwpck_require__(2141);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
;// CONCATENATED MODULE: ./src/daemon/put-notifier.ts
/**
 * The shim's side of background uploads: tells the daemon which entries go put,
 * while go is still building, so uploads overlap the build instead of all
 * waiting for the post step's flush. Fire and forget over one connection per
 * go process; IDs put in the same turn of the event loop go in one line. If the
 * daemon is unreachable nothing is lost: the session report names every put
 * too, and the daemon queues those (each entry is uploaded once).
 */

class PutNotifier {
    socketPath;
    socket;
    broken = false;
    pending = [];
    constructor(socketPath) {
        this.socketPath = socketPath;
    }
    notify(actionId) {
        if (this.broken)
            return;
        if (this.pending.length === 0)
            setImmediate(() => this.send());
        this.pending.push(actionId);
    }
    /** Sends what is pending and closes the connection (the daemon still reads what was written). */
    close() {
        this.send();
        this.socket?.end();
    }
    send() {
        if (this.pending.length === 0 || this.broken)
            return;
        const line = `${JSON.stringify({ op: 'queue', actionIds: this.pending })}\n`;
        this.pending = [];
        if (this.socket === undefined) {
            this.socket = external_node_net_default().connect(this.socketPath);
            this.socket.on('error', () => {
                this.broken = true;
                this.socket?.destroy();
            });
            // Replies are only acknowledgements.
            this.socket.on('data', () => undefined);
            this.socket.unref();
        }
        this.socket.write(line);
    }
}

// EXTERNAL MODULE: ./src/daemon/reports.ts
var reports = __nccwpck_require__(3195);
// EXTERNAL MODULE: ./src/gocacheprog/protocol.ts
var protocol = __nccwpck_require__(9594);
// EXTERNAL MODULE: ./src/gocacheprog/session.ts
var session = __nccwpck_require__(280);
// EXTERNAL MODULE: ./src/store/local-store.ts
var local_store = __nccwpck_require__(8430);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/store/spill.ts
/**
 * Where a put goes when the store cannot take it (a full disk or quota, a
 * directory this user may not write, a symlink the store refuses): a private
 * directory of the go process' own, removed when its session ends.
 *
 * What Go requires (cmd/go/internal/cache/prog.go, Go 1.24–1.27): a put
 * answered with an error, or without a DiskPath ("GOCACHEPROG didn't return
 * DiskPath in put response"), is an error from Cache.Put. go ignores it for a
 * compiled package (work/buildid.go), but fails on it for `go list -export`
 * (the DiskPath is the export data), testmain (list.go, base.Fatalf), cgo's
 * objdir files (work/exec.go) and the module index (modindex/read.go), and
 * then reads the DiskPath while it runs. So a put is answered with a file
 * that holds the body, here, and go goes on; the store has no entry for it,
 * and the next go process misses it. Only when this disk is full too does go
 * get the store's error.
 */



class Spill {
    parent;
    dir;
    constructor(parent = external_node_os_default().tmpdir()) {
        this.parent = parent;
    }
    /** A file holding `body` under its OutputID (64 hex); throws when it cannot be written either. */
    put(outputId, body) {
        if (!/^[0-9a-f]{64}$/.test(outputId))
            throw new Error(`invalid OutputID ${JSON.stringify(outputId)}`);
        // mkdtemp: owner-only, a fresh name.
        this.dir ??= (0,external_node_fs_.mkdtempSync)(external_node_path_default().join(this.parent, 'go-cache-setup-spill-'));
        const file = external_node_path_default().join(this.dir, outputId);
        // Written whole and renamed before, so its bytes are this OutputID's.
        if ((0,external_node_fs_.existsSync)(file))
            return file;
        const temp = `${file}.tmp`;
        const fd = (0,external_node_fs_.openSync)(temp, 'wx', 0o600);
        try {
            for (const chunk of body)
                for (let at = 0; at < chunk.length;)
                    at += (0,external_node_fs_.writeSync)(fd, chunk, at);
        }
        catch (error) {
            (0,external_node_fs_.closeSync)(fd);
            (0,external_node_fs_.unlinkSync)(temp);
            throw error;
        }
        (0,external_node_fs_.closeSync)(fd);
        (0,external_node_fs_.renameSync)(temp, file);
        return file;
    }
    /** Removes what was spilled: once go has closed the session, it reads none of it any more. */
    remove() {
        if (this.dir !== undefined)
            (0,external_node_fs_.rmSync)(this.dir, { recursive: true, force: true });
        this.dir = undefined;
    }
}

;// CONCATENATED MODULE: ./src/client/serve.ts
/**
 * `serve`: the GOCACHEPROG process that every go command starts. It answers
 * go from the local store itself (a hit is one small read and one stat), asks
 * the job's daemon only on a local miss, and leaves its report with the
 * daemon, or in a journal when the daemon is gone.
 *
 * stdout belongs to the protocol: cmd/go treats anything that is not JSON as
 * fatal ("error reading JSON from GOCACHEPROG"), so messages go to stderr.
 */








/** How long a finished go process may wait to hand its report to the daemon before journaling it. */
const REPORT_TIMEOUT_MS = 500;
/** The exit status: 0, or 2 when go spoke something that is not the protocol. */
async function serve({ storeDir, socket, readStoreDir, remoteWaitMs, bundleWaitMs }, { debug, warn }) {
    const store = new local_store/* LocalStore */.Vs(storeDir);
    // Read-only behind ours: hits from it, puts never go to it (bootstrap/job-hooks.ts).
    const readStore = readStoreDir === undefined ? undefined : new local_store/* LocalStore */.Vs(readStoreDir);
    const local = readStore === undefined ? (id) => store.get(id) : (id) => store.get(id) ?? readStore.get(id);
    // Hits from the local store stay synchronous (the fast path); only a local
    // miss asks the daemon, which holds the remote's settings and connections,
    // and the bundle it imports while go runs. Once it says nothing more can
    // come (no remote, the import is over), misses stop asking.
    const waitMs = Math.max(remoteWaitMs ?? 0, bundleWaitMs ?? 0);
    let daemonFinal = false;
    const ask = socket !== undefined && waitMs > 0;
    const get = ask
        ? (id) => local(id) ??
            (daemonFinal
                ? undefined
                : fetchThroughDaemon(store, socket, id, waitMs, { debug, warn }, () => {
                    daemonFinal = true;
                }))
        : local;
    const notifier = socket !== undefined && remoteWaitMs !== undefined ? new PutNotifier(socket) : undefined;
    const spill = new Spill();
    const put = (actionId, outputId, body, size) => {
        // go computes the OutputID as the body's sha256 (cmd/go/internal/cache Put): anything else is refused, not stored.
        const hash = (0,external_node_crypto_.createHash)('sha256');
        for (const chunk of body)
            hash.update(chunk);
        const digest = hash.digest('hex');
        if (digest !== outputId)
            throw new Error(`the body's sha256 is ${digest}, not its OutputID ${outputId}`);
        let result;
        try {
            result = store.put(actionId, outputId, body, size);
        }
        catch (error) {
            // go needs a DiskPath to go on (store/spill.ts); the store has no entry, so nothing is uploaded.
            return { diskPath: spill.put(outputId, body), notStored: String(error) };
        }
        notifier?.notify(actionId);
        return result;
    };
    let report;
    try {
        report = await (0,session/* serveSession */.Q)(process.stdin, process.stdout, { get, put }, { log: debug ? warn : undefined, readOnly: !store.writable });
    }
    catch (error) {
        if (error instanceof protocol/* ProtocolError */.bd) {
            warn(`protocol error: ${error.message}`);
            return 2;
        }
        throw error;
    }
    finally {
        process.stdin.destroy();
        notifier?.close();
        spill.remove();
    }
    // Standalone (a workstation): nobody sums reports, so none are kept.
    if (socket === undefined)
        return 0;
    // go waits for our stdout to close, not for us to exit (cache/prog.go
    // Close), so close it before the report: the report costs go nothing.
    await new Promise((resolve) => process.stdout.end(resolve));
    // The daemon journals the report; if it is gone or slow, we journal it
    // ourselves under the same name, so it is counted once either way.
    const id = (0,reports/* newReportId */.yv)();
    try {
        const reply = await (0,control/* controlRequest */.l)(socket, { op: 'report', id, report }, REPORT_TIMEOUT_MS);
        if (!reply.ok)
            throw new Error(reply.error);
    }
    catch (error) {
        if (debug)
            warn(`daemon unavailable (${String(error)}); journaling the report`);
        await (0,reports/* writeJournal */.fY)(store.root, report, id).catch((e) => warn(`could not write the journal: ${String(e)}`));
    }
    return 0;
}
/** A miss unless the daemon brought a verified copy into the store in time. */
async function fetchThroughDaemon(store, socket, actionId, waitMs, { debug, warn }, onFinal) {
    try {
        const reply = await (0,control/* controlRequest */.l)(socket, { op: 'fetch', actionId }, waitMs);
        if (reply.ok && reply.hit)
            return store.get(actionId);
        if (reply.ok && reply.final)
            onFinal();
        if (!reply.ok && debug)
            warn(`fetch ${actionId}: ${reply.error}`);
    }
    catch (error) {
        if (debug)
            warn(`fetch ${actionId}: ${String(error)}`);
    }
    return undefined;
}


/***/ }),

/***/ 3938:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $V: () => (/* binding */ KIT_PANTS_CONFIG_ENV),
/* harmony export */   $_: () => (/* binding */ REMOTE_ENV),
/* harmony export */   A7: () => (/* binding */ DEBUG_ENV),
/* harmony export */   Cq: () => (/* binding */ SHIM_ENV),
/* harmony export */   L9: () => (/* binding */ AUTO_CONFIGURE_ENV),
/* harmony export */   Oc: () => (/* binding */ PANTS_CONFIG_FILES),
/* harmony export */   Ti: () => (/* binding */ PANTS_TOKEN_ENV),
/* harmony export */   Yd: () => (/* binding */ KIT_DAEMON_SOCKET_ENV),
/* harmony export */   mf: () => (/* binding */ KIT_CONFIG_ENV)
/* harmony export */ });
/* unused harmony export GOCACHEPROG */
/**
 * Every environment variable the action, the client and the kit read or
 * write between processes, named once.
 */
/** Go's: the cache program every go command starts (cmd/go/internal/cacheprog). */
const GOCACHEPROG = 'GOCACHEPROG';
/** Pants' list of extra config files, comma-separated (pants/config.ts registerConfigFile). */
const PANTS_CONFIG_FILES = 'PANTS_CONFIG_FILES';
/** An organisation's toggle for auto-configure (policy/auto-configure.ts). */
const AUTO_CONFIGURE_ENV = 'GO_CACHE_SETUP_AUTO_CONFIGURE';
/** The default auth header when a token is given: Pants reads the token from this variable at run time. */
const PANTS_TOKEN_ENV = 'GO_CACHE_SETUP_CACHE_TOKEN';
/** The daemon's remote settings as JSON (remote/config.ts): its environment only, never argv or a file. */
const REMOTE_ENV = 'GO_CACHE_SETUP_REMOTE';
/** The bootstrap kit's config file, put in every job's environment by the runner's .env. */
const KIT_CONFIG_ENV = 'GO_CACHE_SETUP_KIT_CONFIG';
/** Set in GITHUB_ENV by the kit's job-started hook, so that the action finds the daemon instead of starting a second one. */
const KIT_DAEMON_SOCKET_ENV = 'GO_CACHE_SETUP_DAEMON_SOCKET';
/** The Pants config job-started registered; the action rewrites that file rather than registering a second one. */
const KIT_PANTS_CONFIG_ENV = 'GO_CACHE_SETUP_KIT_PANTS_CONFIG';
/** `1`: the client logs to stderr what it does (stdout belongs to the protocol). */
const DEBUG_ENV = 'GO_CACHE_SETUP_DEBUG';
/** `node`: GOCACHEPROG runs the Node shim even where the compiled one is shipped (docs/decisions.md#d28). */
const SHIM_ENV = 'GO_CACHE_SETUP_SHIM';


/***/ }),

/***/ 4318:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ik: () => (/* binding */ object),
/* harmony export */   VK: () => (/* binding */ tagged),
/* harmony export */   YO: () => (/* binding */ array),
/* harmony export */   Yj: () => (/* binding */ string),
/* harmony export */   ai: () => (/* binding */ number),
/* harmony export */   eu: () => (/* binding */ literal),
/* harmony export */   g1: () => (/* binding */ record),
/* harmony export */   lq: () => (/* binding */ optional),
/* harmony export */   qg: () => (/* binding */ parse),
/* harmony export */   vP: () => (/* binding */ enums),
/* harmony export */   z6: () => (/* binding */ check),
/* harmony export */   zM: () => (/* binding */ boolean)
/* harmony export */ });
/* unused harmony export ValidationError */
/**
 * Minimal runtime schemas for JSON we wrote ourselves and read back (saved
 * state, the daemon's remote settings): 6 KB and about 1 ms of start-up in
 * the client, where valibot measured 206 KB and 4.5 ms and zod/mini 268 KB
 * and 11 ms (docs/decisions.md#d25). Each schema is a function that returns
 * the typed value or throws ValidationError naming the path, what was expected
 * and what was found. Objects drop keys they do not declare (strict: reject).
 */
class ValidationError extends Error {
    name = 'ValidationError';
}
const show = (v) => {
    if (v === undefined)
        return 'nothing';
    if (v === null)
        return 'null';
    if (Array.isArray(v))
        return 'an array';
    if (typeof v === 'object')
        return 'an object';
    const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};
const fail = (at, expected, got) => {
    throw new ValidationError(`${at}: expected ${expected}, got ${show(got)}`);
};
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const key = (at, k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`);
const is = (expected, test) => (v, at) => test(v) ? v : fail(at, expected, v);
const string = is('a string', (v) => typeof v === 'string');
const number = is('a number', (v) => typeof v === 'number' && Number.isFinite(v));
const boolean = is('true or false', (v) => typeof v === 'boolean');
const literal = (value) => is(JSON.stringify(value), (v) => v === value);
const enums = (values) => is(`one of ${values.join(', ')}`, (v) => values.includes(v));
/** Adds a rule to a schema: `check(number, Number.isSafeInteger, 'an integer')`. */
const check = (schema, ok, expected) => (v, at) => {
    const r = schema(v, at);
    return ok(r) ? r : fail(at, expected, v);
};
const optional = (schema) => Object.assign((v, at) => (v === undefined ? undefined : schema(v, at)), { optional: true });
const array = (item) => (v, at) => Array.isArray(v) ? v.map((x, i) => item(x, `${at}[${i}]`)) : fail(at, 'an array', v);
const record = (value) => (v, at) => isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x, key(at, k))])) : fail(at, 'an object', v);
const object = (shape, options = {}) => (v, at) => {
    if (!isObject(v))
        return fail(at, 'an object', v);
    if (options.strict)
        for (const k of Object.keys(v))
            if (!Object.hasOwn(shape, k))
                fail(key(at, k), 'no such key', v[k]);
    const out = [];
    for (const k of Object.keys(shape)) {
        const x = shape[k](Object.hasOwn(v, k) ? v[k] : undefined, key(at, k));
        if (x !== undefined)
            out.push([k, x]);
    }
    return Object.fromEntries(out);
};
/** A union told apart by one key: `tagged('mode', { off: object({ mode: literal('off') }), ... })`. */
const tagged = (tag, cases) => (v, at) => {
    if (!isObject(v))
        return fail(at, 'an object', v);
    const t = v[tag];
    if (typeof t !== 'string' || !Object.hasOwn(cases, t))
        return fail(key(at, tag), `one of ${Object.keys(cases).join(', ')}`, t);
    return cases[t](v, at);
};
/** The typed value, or a ValidationError like `state.buildCache.restore.key: expected a string, got 5`. */
const parse = (schema, value, name = 'value') => schema(value, name);


/***/ }),

/***/ 2141:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   l: () => (/* binding */ controlRequest),
/* harmony export */   v: () => (/* binding */ waitForDaemon)
/* harmony export */ });
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7030);
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_net__WEBPACK_IMPORTED_MODULE_0__);
/**
 * The daemon's socket protocol: one JSON line per request, one per reply.
 * Shims send their session report; the action's steps ping, ask for stats,
 * flush and stop.
 */

/** One request, one reply, within `timeoutMs`; any failure rejects. */
function controlRequest(socketPath, request, timeoutMs) {
    return new Promise((resolve, reject) => {
        const socket = node_net__WEBPACK_IMPORTED_MODULE_0___default().connect(socketPath);
        let buffer = '';
        const timer = setTimeout(() => {
            socket.destroy();
            reject(new Error(`the daemon did not answer ${request.op} within ${timeoutMs} ms`));
        }, timeoutMs);
        socket.setEncoding('utf8');
        socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
        socket.on('data', (chunk) => {
            buffer += chunk;
            const end = buffer.indexOf('\n');
            if (end === -1)
                return;
            clearTimeout(timer);
            socket.end();
            try {
                resolve(JSON.parse(buffer.slice(0, end)));
            }
            catch (error) {
                reject(error);
            }
        });
        socket.once('error', (error) => {
            clearTimeout(timer);
            reject(error);
        });
    });
}
/** Polls `ping` until a just-started daemon answers; false after `timeoutMs`. */
async function waitForDaemon(socketPath, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        const reply = await controlRequest(socketPath, { op: 'ping' }, 1000).catch(() => undefined);
        if (reply?.ok)
            return true;
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return false;
}


/***/ }),

/***/ 8117:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  L: () => (/* binding */ startDaemon)
});

// UNUSED EXPORTS: DEFAULT_UPLOAD_FLUSH_MS

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(7030);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/common/errors.ts
/** A misconfiguration the user must fix: the only kind of error that fails the main step. */
class ConfigError extends (/* unused pure expression or super */ null && (Error)) {
    name = 'ConfigError';
}
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
var external_node_os_default = /*#__PURE__*/__nccwpck_require__.n(external_node_os_);
// EXTERNAL MODULE: ./src/store/build-id.ts
var build_id = __nccwpck_require__(2415);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
var external_node_zlib_default = /*#__PURE__*/__nccwpck_require__.n(external_node_zlib_);
// EXTERNAL MODULE: ./src/go/object-size.ts
var object_size = __nccwpck_require__(6309);
// EXTERNAL MODULE: ./src/store/file-chunks.ts
var file_chunks = __nccwpck_require__(8962);
;// CONCATENATED MODULE: ./src/bundle/format.ts
/**
 * The bundle: the local store's useful part as one file, so the whole store
 * travels as ONE cache entry (the GitHub Actions cache takes 200 uploads a
 * minute per repository; an entry per object would never fit).
 *
 * Before compression (all integers big-endian):
 *
 *   "go-cache-setup bundle 3\n"
 *   base frame, at most once, first (a layer: this bundle holds only what
 *   its base bundle, restored alongside it, lacks; docs/decisions.md#d24):
 *     'B'  n u16  n bytes of the base's cache key (latin1)
 *   index frame, exactly once, after the header and base frame:
 *     'I'  n u32  n × actionID[32]
 *   object frame, once per object:
 *     'O'  outputID[32]  size u64  n u32  n × (actionID[32]  putTime ms u64)  body[size]
 *   end frame, exactly once, last:
 *     'E'  objects u64  entries u64
 *
 * An object carries the entries that point at it, so the reader can verify the
 * body (its sha256 is the OutputID: cmd/go/internal/cache computes it so) and
 * then publish it with its entries; nothing is held back for later. IDs are
 * raw bytes, so no name from a bundle ever becomes a path: the reader turns
 * them into 64 hex characters itself. The index says up front which entries
 * are coming, so a go process that asks for one before it arrives can wait for
 * it instead of recompiling (the daemon imports while go runs: docs/decisions.md#d22); an entry
 * it names that never arrives is a miss. The end frame makes a truncated
 * bundle detectable. The stream is zstd with checksums (Node 24's zlib): level 3 with
 * long-distance matching, chosen by measurement (docs/decisions.md#d13).
 */







const BUNDLE_MAGIC = Buffer.from('go-cache-setup bundle 3\n', 'latin1');
const BASE = 0x42; // 'B'
const INDEX = 0x49; // 'I'
const OBJECT = 0x4f; // 'O'
const END = 0x45; // 'E'
const ID_BYTES = 32;
/**
 * An object up to this size is verified in memory; a larger one streams to a
 * file in `stageDir` while it is hashed, so memory stays flat whatever an
 * object's size (docs/decisions.md#d32).
 */
const IN_MEMORY_OBJECT_BYTES = 8 * 1024 ** 2;
const MAX_ENTRIES_PER_OBJECT = 1 << 20;
/** 4 Mi entries is 128 MiB of IDs, far beyond any build's cache. */
const MAX_INDEX_ENTRIES = 1 << 22;
/** @actions/cache refuses keys over 512 characters. */
const MAX_BASE_KEY_BYTES = 512;
/** Frames for one object: the header, then the body as given. */
function objectHeader(object) {
    const header = Buffer.alloc(1 + ID_BYTES + 8 + 4 + object.entries.length * (ID_BYTES + 8));
    let at = 0;
    header[at++] = OBJECT;
    at += idBytes(object.outputId).copy(header, at);
    header.writeBigUInt64BE(BigInt(object.size), at);
    at += 8;
    header.writeUInt32BE(object.entries.length, at);
    at += 4;
    for (const entry of object.entries) {
        at += idBytes(entry.actionId).copy(header, at);
        header.writeBigUInt64BE(BigInt(Math.max(0, Math.trunc(entry.timeMs))), at);
        at += 8;
    }
    return header;
}
/** The index frame: every action ID the object frames will carry, in their order. */
function indexFrame(objects) {
    const count = objects.reduce((n, o) => n + o.entries.length, 0);
    const frame = Buffer.alloc(1 + 4 + count * ID_BYTES);
    frame[0] = INDEX;
    frame.writeUInt32BE(count, 1);
    let at = 5;
    for (const object of objects)
        for (const entry of object.entries)
            at += idBytes(entry.actionId).copy(frame, at);
    return frame;
}
/** The base frame: the cache key of the bundle this one is a layer on. */
function baseFrame(baseKey) {
    const key = Buffer.from(baseKey, 'latin1');
    if (key.length === 0 || key.length > MAX_BASE_KEY_BYTES || key.toString('latin1') !== baseKey)
        throw new Error(`invalid base key ${JSON.stringify(baseKey)}`);
    const frame = Buffer.alloc(3 + key.length);
    frame[0] = BASE;
    frame.writeUInt16BE(key.length, 1);
    key.copy(frame, 3);
    return frame;
}
function endFrame(objects, entries) {
    const frame = Buffer.alloc(17);
    frame[0] = END;
    frame.writeBigUInt64BE(BigInt(objects), 1);
    frame.writeBigUInt64BE(BigInt(entries), 9);
    return frame;
}
/**
 * Reads and zstd chunks of 1 MiB, not Node's 16 KiB defaults: each chunk is a
 * trip through libuv's thread pool, and at 16 KiB decompressing a 154 MiB
 * bundle took 0.9–1.5 s against 0.27–0.36 s (docs/decisions.md#d22).
 */
const STREAM_CHUNK_BYTES = 1 << 20;
/** zstd level 3, long-distance matching over a 128 MiB window, frame checksums (docs/decisions.md#d13). */
function compressor() {
    const C = zlib.constants;
    return zlib.createZstdCompress({
        chunkSize: STREAM_CHUNK_BYTES,
        params: {
            [C.ZSTD_c_compressionLevel]: 3,
            [C.ZSTD_c_enableLongDistanceMatching]: 1,
            [C.ZSTD_c_windowLog]: 27,
            [C.ZSTD_c_checksumFlag]: 1,
        },
    });
}
function decompressor() {
    // 27 is zstd's default window limit; say it, so a hostile frame cannot ask for more memory.
    return external_node_zlib_default().createZstdDecompress({ chunkSize: STREAM_CHUNK_BYTES, params: { [(external_node_zlib_default()).constants.ZSTD_d_windowLogMax]: 27 } });
}
class BundleFormatError extends Error {
    name = 'BundleFormatError';
}
/**
 * Reads a decompressed bundle: `head()` first, then `objects()`, which hands
 * each object whose body hashes to its OutputID to `accept`, in order. Both
 * throw BundleFormatError on anything not in the format (bad magic, bad
 * frame, over the limits, truncated, trailing bytes, counts that do not
 * match); what was accepted before stays accepted: each of those objects was
 * verified on its own. Head and objects are apart so that an import of a
 * layer and its base can announce both indexes before either's objects.
 */
class BundleReader {
    input;
    limits;
    constructor(chunks, limits) {
        this.input = new ByteReader(chunks);
        this.limits = limits;
    }
    async head() {
        const input = this.input;
        const magic = await input.take(BUNDLE_MAGIC.length);
        if (!magic.equals(BUNDLE_MAGIC))
            throw new BundleFormatError('not a go-cache-setup bundle (bad header)');
        let kind = (await input.take(1))[0];
        let baseKey;
        if (kind === BASE) {
            const length = (await input.take(2)).readUInt16BE(0);
            if (length === 0 || length > MAX_BASE_KEY_BYTES)
                throw new BundleFormatError(`a base key of ${length} bytes`);
            baseKey = (await input.take(length)).toString('latin1');
            kind = (await input.take(1))[0];
        }
        if (kind !== INDEX)
            throw new BundleFormatError('no index frame after the header');
        const indexCount = (await input.take(4)).readUInt32BE(0);
        if (indexCount > MAX_INDEX_ENTRIES)
            throw new BundleFormatError(`an index of ${indexCount} entries`);
        const index = await input.take(indexCount * ID_BYTES);
        const actionIds = [];
        for (let at = 0; at < index.length; at += ID_BYTES)
            actionIds.push(index.subarray(at, at + ID_BYTES).toString('hex'));
        return { ...(baseKey !== undefined && { baseKey }), actionIds };
    }
    async objects(accept) {
        const input = this.input;
        const result = { objects: 0, entries: 0, bytes: 0, rejected: 0 };
        for (;;) {
            const kind = (await input.take(1))[0];
            if (kind === END) {
                const end = await input.take(16);
                const objects = Number(end.readBigUInt64BE(0));
                const entries = Number(end.readBigUInt64BE(8));
                if (objects !== result.objects + result.rejected || entries < result.entries) {
                    throw new BundleFormatError(`the end frame counts ${objects} objects and ${entries} entries; the bundle held others`);
                }
                if (!(await input.atEnd()))
                    throw new BundleFormatError('bytes after the end frame');
                return result;
            }
            if (kind !== OBJECT)
                throw new BundleFormatError(`unknown frame 0x${kind?.toString(16)}`);
            const head = await input.take(ID_BYTES + 12);
            const outputId = head.subarray(0, ID_BYTES).toString('hex');
            const size = Number(head.readBigUInt64BE(ID_BYTES));
            const count = head.readUInt32BE(ID_BYTES + 8);
            // Refused before a byte of it is read: we never write such an object (buildcache/bundle-save.ts).
            if (size > object_size/* MAX_GO_OBJECT_BYTES */.o || result.bytes + size > this.limits.maxTotalBytes) {
                throw new BundleFormatError(`an object of ${size} bytes goes over the limit of ${Math.min(object_size/* MAX_GO_OBJECT_BYTES */.o, this.limits.maxTotalBytes)} bytes`);
            }
            if (count === 0 || count > MAX_ENTRIES_PER_OBJECT)
                throw new BundleFormatError(`an object with ${count} entries`);
            const table = await input.take(count * (ID_BYTES + 8));
            const entries = [];
            for (let at = 0; at < table.length; at += ID_BYTES + 8) {
                entries.push({ actionId: table.subarray(at, at + ID_BYTES).toString('hex'), timeMs: Number(table.readBigUInt64BE(at + ID_BYTES)) });
            }
            const stageDir = this.limits.stageDir;
            if (size <= IN_MEMORY_OBJECT_BYTES || stageDir === undefined) {
                const body = await input.take(size);
                if ((0,external_node_crypto_.createHash)('sha256').update(body).digest('hex') !== outputId) {
                    result.rejected++;
                    continue;
                }
                await accept({ outputId, size, entries, head: body.subarray(0, build_id/* BUILD_ID_HEAD_BYTES */.QH), body: [body] });
            }
            else {
                const staged = external_node_path_default().join(stageDir, outputId);
                try {
                    const { digest, head } = await (0,file_chunks/* readHashed */.S)(input.stream(size), staged);
                    if (digest !== outputId) {
                        result.rejected++;
                        continue;
                    }
                    await accept({ outputId, size, entries, head, body: { [Symbol.iterator]: () => (0,file_chunks/* fileChunks */.T)(staged, size) } });
                }
                finally {
                    await (0,promises_.rm)(staged, { force: true });
                }
            }
            result.objects++;
            result.entries += entries.length;
            result.bytes += size;
        }
    }
}
/** The whole bundle in one call: head, then objects. */
async function readBundle(chunks, limits, accept, onHead) {
    const reader = new BundleReader(chunks, limits);
    const head = await reader.head();
    onHead?.(head);
    return reader.objects(accept);
}
function idBytes(hex) {
    if (!/^[0-9a-f]{64}$/.test(hex))
        throw new Error(`invalid cache ID ${JSON.stringify(hex)}`);
    return Buffer.from(hex, 'hex');
}
/** Exact-length reads over a stream of chunks. */
class ByteReader {
    iterator;
    pending = [];
    buffered = 0;
    constructor(chunks) {
        this.iterator = chunks[Symbol.asyncIterator]();
    }
    async take(n) {
        while (this.buffered < n) {
            if (!(await this.pull()))
                throw new BundleFormatError('the bundle ends early (truncated)');
        }
        const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.buffered);
        const out = all.subarray(0, n);
        const rest = all.subarray(n);
        this.pending = rest.length > 0 ? [rest] : [];
        this.buffered = rest.length;
        return out;
    }
    /** The next `n` bytes as they arrive, never joined: memory stays at a chunk or two. */
    async *stream(n) {
        let left = n;
        while (left > 0) {
            if (this.buffered === 0 && !(await this.pull()))
                throw new BundleFormatError('the bundle ends early (truncated)');
            const first = this.pending.shift();
            const piece = first.length <= left ? first : first.subarray(0, left);
            if (piece !== first)
                this.pending.unshift(first.subarray(left));
            this.buffered -= piece.length;
            left -= piece.length;
            yield piece;
        }
    }
    async atEnd() {
        while (this.buffered === 0)
            if (!(await this.pull()))
                return true;
        return false;
    }
    async pull() {
        const next = await this.iterator.next();
        if (next.done)
            return false;
        if (next.value.length > 0) {
            this.pending.push(next.value);
            this.buffered += next.value.length;
        }
        return true;
    }
}

;// CONCATENATED MODULE: ./src/bundle/import.ts
/**
 * Importing a downloaded bundle into the local store: in the daemon while go
 * runs (docs/decisions.md#d22), or in the main step when there is no daemon;
 * or into Go's own GOCACHE before go runs (native mode, docs/decisions.md#d27). Objects are
 * published one by one, each after its digest matched, so a go process that
 * looks early sees either nothing or a verified entry. The bundle's index says
 * which entries are still coming; `Arrivals` lets a lookup wait for one of
 * those instead of recompiling it.
 */







/** Which indexed entries have not arrived yet, and who waits for them. */
class Arrivals {
    /** Undefined until the index is read. */
    pending;
    ended = false;
    waiters = new Map();
    indexWaiters = [];
    indexRead(actionIds) {
        this.pending = new Set(actionIds);
        const waiting = this.indexWaiters;
        this.indexWaiters = [];
        for (const wake of waiting)
            wake();
    }
    arrived(actionIds) {
        for (const id of actionIds) {
            this.pending?.delete(id);
            const waiting = this.waiters.get(id);
            if (waiting === undefined)
                continue;
            this.waiters.delete(id);
            for (const wake of waiting)
                wake(true);
        }
    }
    /** Nothing more will arrive: every waiter wakes, and misses if its entry never came. */
    end() {
        this.ended = true;
        this.pending = new Set();
        for (const wake of this.indexWaiters)
            wake();
        this.indexWaiters = [];
        for (const waiting of this.waiters.values())
            for (const wake of waiting)
                wake(false);
        this.waiters.clear();
    }
    get active() {
        return !this.ended;
    }
    /**
     * Undefined when there is nothing to wait for (not announced, already here,
     * or the import is over); else resolves to whether the entry arrived.
     */
    settled(actionId) {
        if (this.ended)
            return undefined;
        if (this.pending === undefined) {
            return new Promise((resolve) => this.indexWaiters.push(resolve)).then(() => this.settled(actionId) ?? false);
        }
        if (!this.pending.has(actionId))
            return undefined;
        return new Promise((resolve) => {
            const waiting = this.waiters.get(actionId);
            if (waiting === undefined)
                this.waiters.set(actionId, [resolve]);
            else
                waiting.push(resolve);
        });
    }
}
/**
 * Imports a restored bundle into `store`: `files[0]` is the newest, each next
 * one the base of the one before (a layer and its base: docs/decisions.md#d24). Every layer's
 * index is read before any object, so a lookup can wait for an entry from
 * either. Deletes the files. Never throws: an unreadable layer is reported in
 * `error`, and the others are still imported.
 */
async function importBundle(files, store, options) {
    const now = options.now ?? (() => performance.now());
    const started = now();
    const report = { objects: 0, entries: 0, bytes: 0, rejected: 0, importMs: 0, waits: 0, waitMs: 0 };
    // Owner-only (mkdtemp's 0700): objects too large for memory wait here while they are verified; without it, in memory.
    const stageDir = await (0,promises_.mkdtemp)(external_node_path_default().join(external_node_os_default().tmpdir(), 'go-cache-setup-import-')).catch(() => undefined);
    const limits = { maxTotalBytes: options.maxBytes, ...(stageDir !== undefined && { stageDir }) };
    const failed = (error) => (report.error ??= errorMessage(error));
    try {
        // Every index first, then each layer's objects; one layer's stream open at
        // a time, so memory holds one zstd window (128 MiB), not one per layer
        // (docs/decisions.md#d32). A layer's head is read twice: its index is small.
        const heads = [];
        for (const file of files)
            heads.push(await withBundle(file, limits, (reader) => reader.head()).catch((error) => void failed(error)));
        options.arrivals?.indexRead(heads.flatMap((head) => head?.actionIds ?? []));
        for (const [i, file] of files.entries()) {
            const head = heads[i];
            if (head === undefined)
                continue;
            const bottom = i === files.length - 1 && head.baseKey === undefined;
            const manifest = [];
            let mismatched = 0;
            try {
                const result = await withBundle(file, limits, async (reader) => {
                    await reader.head();
                    return reader.objects(async ({ outputId, size, entries: all, head, body }) => {
                        // A package archive under another action's ID is dropped: go would take it and fail (store/build-id.ts).
                        const entries = all.filter((e) => (0,build_id/* checkObjectForAction */.N2)(e.actionId, head).ok);
                        mismatched += all.length - entries.length;
                        if (entries.length === 0)
                            return;
                        await store.importShared(outputId, body, size, entries);
                        report.objects++;
                        report.entries += entries.length;
                        report.bytes += size;
                        options.arrivals?.arrived(entries.map((e) => e.actionId));
                        if (bottom)
                            manifest.push([outputId, size, entries.map((e) => e.actionId)]);
                    });
                });
                report.rejected += result.rejected + mismatched;
                if (bottom && result.rejected + mismatched === 0 && options.baseManifest !== undefined) {
                    // Without it the next save is a whole bundle: slower, not wrong, and not a damaged bundle.
                    await writeBaseManifest(options.baseManifest.file, { key: options.baseManifest.key, objects: manifest }).catch(() => undefined);
                }
            }
            catch (error) {
                failed(error);
            }
        }
    }
    finally {
        // Native mode's writes run behind the import (store/writer-thread.ts): one that failed ends it like a read that failed.
        await (async () => store.endImport())().catch(failed);
        options.arrivals?.end();
        await Promise.all([...files, stageDir ?? []].flat().map((file) => (0,promises_.rm)(file, { recursive: true, force: true }).catch(() => undefined)));
    }
    return { ...report, importMs: now() - started };
}
/** `use` with a reader over a compressed bundle file, which is closed after. */
async function withBundle(file, limits, use) {
    const { output, reader } = openBundle(file, limits);
    try {
        return await use(reader);
    }
    finally {
        output.destroy();
    }
}
/** A reader over a compressed bundle file; `output.destroy()` closes it. */
function openBundle(file, limits) {
    const input = (0,external_node_fs_.createReadStream)(file, { highWaterMark: STREAM_CHUNK_BYTES });
    const output = input.pipe(decompressor());
    input.on('error', (error) => output.destroy(error));
    output.on('close', () => input.destroy());
    return { output, reader: new BundleReader(output, limits) };
}
async function writeBaseManifest(file, manifest) {
    await (0,promises_.writeFile)(`${file}.tmp`, JSON.stringify(manifest));
    await (0,promises_.rename)(`${file}.tmp`, file);
}
/** The manifest an import wrote, checked; undefined when there is none or it is not one. */
async function readBaseManifest(file) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined)
        return undefined;
    let value;
    try {
        value = JSON.parse(text);
    }
    catch {
        return undefined;
    }
    const hex = (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
    const { key, objects } = (value ?? {});
    if (typeof key !== 'string' || !Array.isArray(objects))
        return undefined;
    const ok = objects.every((o) => Array.isArray(o) &&
        o.length === 3 &&
        hex(o[0]) &&
        Number.isSafeInteger(o[1]) &&
        o[1] >= 0 &&
        Array.isArray(o[2]) &&
        o[2].every(hex));
    return ok ? { key, objects } : undefined;
}

// EXTERNAL MODULE: ./src/store/local-store.ts
var local_store = __nccwpck_require__(8430);
;// CONCATENATED MODULE: ./src/store/trim.ts
/**
 * LRU trimming of the local store to a byte budget. Entries are ranked by the
 * mtime of their action file, which the daemon bumps for every entry a job
 * used (LocalStore.touch), so what builds read survives and the rest goes.
 */



// A restored or shared store is input: only names we could have written count.
const HEX_ID = /^[0-9a-f]{64}$/;
const SHARD = /^[0-9a-f]{2}$/;
/** Pure: which entries and objects to delete so that objects fit in maxBytes, newest use first. */
function planTrim(scan, maxBytes, tempMaxAgeMs = 3_600_000) {
    const ranked = [...scan.entries].sort((a, b) => b.lastUsedMs - a.lastUsedMs || a.actionId.localeCompare(b.actionId));
    const keptObjects = new Set();
    const removeEntries = [];
    let keptBytes = 0;
    for (const entry of ranked) {
        const size = entry.outputId === undefined ? undefined : scan.objects.get(entry.outputId);
        if (size === undefined) {
            removeEntries.push(entry.actionId); // broken or its object is gone
            continue;
        }
        if (keptObjects.has(entry.outputId))
            continue;
        if (keptBytes + size > maxBytes) {
            removeEntries.push(entry.actionId);
            continue;
        }
        keptObjects.add(entry.outputId);
        keptBytes += size;
    }
    const removeObjects = [...scan.objects.keys()].filter((id) => !keptObjects.has(id));
    const removedBytes = removeObjects.reduce((sum, id) => sum + scan.objects.get(id), 0);
    const removeTemps = scan.temps.filter((t) => t.ageMs > tempMaxAgeMs).map((t) => t.name);
    return { removeEntries: removeEntries.sort(), removeObjects: removeObjects.sort(), removeTemps, keptBytes, removedBytes };
}
/**
 * Synchronous calls, on purpose: a store holds thousands of small files, and
 * one thread-pool round trip per stat and read made a scan of 2,900 files
 * take 0.74 s; plain syscalls take a tenth of that. Nothing else waits on the
 * daemon while it flushes: the job's go commands have ended.
 */
async function scanStore(root, now = Date.now(), usedNow = new Set()) {
    const entries = [];
    const objects = new Map();
    const buffer = Buffer.allocUnsafe(256);
    for (const shard of names(external_node_path_default().join(root, 'a')).filter((s) => SHARD.test(s))) {
        for (const actionId of names(external_node_path_default().join(root, 'a', shard)).filter((n) => HEX_ID.test(n))) {
            const file = external_node_path_default().join(root, 'a', shard, actionId);
            const info = (0,external_node_fs_.statSync)(file, { throwIfNoEntry: false });
            entries.push({ actionId, outputId: (0,local_store/* readEntry */.hB)(file, buffer)?.outputId, lastUsedMs: info?.mtimeMs ?? 0 });
        }
    }
    for (const shard of names(external_node_path_default().join(root, 'o')).filter((s) => SHARD.test(s))) {
        for (const outputId of names(external_node_path_default().join(root, 'o', shard)).filter((n) => HEX_ID.test(n))) {
            const info = (0,external_node_fs_.statSync)(external_node_path_default().join(root, 'o', shard, outputId), { throwIfNoEntry: false });
            if (info?.isFile())
                objects.set(outputId, info.size);
        }
    }
    // Imported lines have no mtime to bump (LocalStore.touch): what this job
    // used counts as used now, the rest as of the import. An unreadable file's
    // entries are not counted, and their objects go.
    const withFiles = new Set(entries.map((e) => e.actionId));
    const importedAtMs = (0,external_node_fs_.statSync)((0,local_store/* importedPath */.U2)(root), { throwIfNoEntry: false })?.mtimeMs;
    for (const [actionId, entry] of importedAtMs === undefined ? [] : (0,local_store/* readImported */.xu)(root)) {
        if (withFiles.has(actionId))
            continue;
        entries.push({ actionId, outputId: entry.outputId, lastUsedMs: usedNow.has(actionId) ? now : (importedAtMs ?? 0) });
    }
    const temps = [];
    for (const name of names(external_node_path_default().join(root, 'tmp'))) {
        const info = (0,external_node_fs_.statSync)(external_node_path_default().join(root, 'tmp', name), { throwIfNoEntry: false });
        if (info)
            temps.push({ name, ageMs: now - info.mtimeMs });
    }
    return { entries, objects, temps };
}
function names(dir) {
    try {
        return (0,external_node_fs_.readdirSync)(dir);
    }
    catch {
        return [];
    }
}
async function applyTrim(root, plan) {
    // Synchronous like the scan, and for the same reason.
    const remove = (...parts) => (0,external_node_fs_.rmSync)(external_node_path_default().join(root, ...parts), { force: true });
    for (const id of plan.removeEntries)
        remove('a', id.slice(0, 2), id);
    // A trimmed entry may be a line of the imported file (or one a file shadowed): drop those lines too.
    if (plan.removeEntries.length > 0)
        (0,local_store/* rewriteImported */.Rd)(root, new Set(plan.removeEntries));
    for (const id of plan.removeObjects)
        remove('o', id.slice(0, 2), id);
    for (const name of plan.removeTemps)
        remove('tmp', name);
}

// EXTERNAL MODULE: ./src/daemon/endpoint.ts
var endpoint = __nccwpck_require__(7687);
// EXTERNAL MODULE: ./src/daemon/reports.ts
var reports = __nccwpck_require__(3195);
;// CONCATENATED MODULE: ./src/daemon/daemon.ts
/**
 * The long-lived daemon the action's main step starts. go processes never wait
 * on it: their shims serve hits and write puts straight to the shared store.
 * The daemon holds what outlives one go process: the job's accounting (sessions
 * report to it when they end), LRU bookkeeping and trimming at flush, the
 * import of the build-cache bundle while go runs, and, with the remote tiers,
 * background transfers.
 */









/** How long a flush waits for background uploads when the request does not say. */
const DEFAULT_UPLOAD_FLUSH_MS = 60_000;
async function startDaemon(options) {
    const store = new local_store/* LocalStore */.Vs(options.store);
    for (const change of store.tighten())
        options.log(`store: ${change}`);
    const account = new reports/* JobAccount */.dr();
    const remote = options.remote?.(store);
    // While go starts: fetch what the last run of this job used (store/remote-tier.ts prefetch).
    void remote?.prefetch().catch((error) => options.log(`prefetch: ${String(error)}`));
    /** The bundle the main step handed over, while and after it is imported. */
    let bundle;
    let idleTimer;
    let closing = false;
    const handle = async (request) => {
        switch (request.op) {
            case 'ping':
                return { ok: true, pid: process.pid, store: store.root };
            case 'report':
                // Journaled, not summed in memory: the report is on disk before the shim
                // hears ok, so if this daemon dies (OOM, a runner cleaning up processes)
                // the post step still finds it (finish.ts). Summed at the next stats or flush.
                {
                    const report = (0,reports/* parseReport */.MM)(JSON.stringify(request.report));
                    // A store with no room for the journal (a full disk): counted here
                    // instead, so the job's figures still say what go did.
                    await (0,reports/* writeJournal */.fY)(store.root, report, request.id).catch((error) => {
                        options.log(`report ${request.id}: not journaled (${errorMessage(error)}); counted in memory`);
                        account.add(report);
                    });
                    // Uploads start now, in the background: the go process is done with these entries.
                    remote?.enqueue(report.added);
                }
                return { ok: true };
            case 'queue':
                if (Array.isArray(request.actionIds))
                    remote?.enqueue(request.actionIds.filter((id) => typeof id === 'string'));
                return { ok: true };
            case 'import':
                if (bundle !== undefined)
                    return { ok: false, error: 'a bundle was imported already' };
                {
                    // The files are deleted after the import: take only what the main step hands over.
                    const { files, baseManifest } = request;
                    const bundleFile = (file) => typeof file === 'string' && file.endsWith('.bundle') && (0,external_node_fs_.lstatSync)(file, { throwIfNoEntry: false })?.isFile() === true;
                    if (!Array.isArray(files) || files.length === 0 || files.length > 2 || !files.every(bundleFile)) {
                        return { ok: false, error: `not bundle files: ${JSON.stringify(files)}` };
                    }
                    if (baseManifest !== undefined &&
                        (typeof baseManifest.key !== 'string' || typeof baseManifest.file !== 'string' || !baseManifest.file.endsWith('.base.json'))) {
                        return { ok: false, error: 'baseManifest must be a .base.json file and a key' };
                    }
                    if (!Number.isSafeInteger(request.maxBytes) || request.maxBytes <= 0)
                        return { ok: false, error: 'maxBytes must be a positive integer' };
                    bundle = { arrivals: new Arrivals(), waits: 0, waitMs: 0 };
                    const importOptions = { maxBytes: request.maxBytes, arrivals: bundle.arrivals, ...(baseManifest && { baseManifest }) };
                    bundle.done = importBundle(files, store, importOptions).then((report) => {
                        options.log(`import: ${report.objects} objects, ${report.entries} entries, ${report.bytes} bytes in ${Math.round(report.importMs)} ms${report.error ? `; stopped: ${report.error}` : ''}`);
                        return report;
                    });
                }
                return { ok: true };
            case 'fetch': {
                const arriving = bundle?.arrivals.settled(request.actionId);
                if (arriving !== undefined) {
                    const started = performance.now();
                    if (await arriving) {
                        bundle.waits++;
                        bundle.waitMs += performance.now() - started;
                    }
                }
                // Also when nothing was pending: the import may have brought the entry
                // between the shim's own look and this request.
                if (bundle !== undefined && store.get(request.actionId) !== undefined)
                    return { ok: true, hit: true };
                if (remote !== undefined)
                    return { ok: true, hit: await remote.fetch(request.actionId) };
                return { ok: true, hit: false, final: !(bundle?.arrivals.active ?? false) };
            }
            case 'stats':
                await (0,reports/* drainJournals */.jb)(store.root, account);
                return { ok: true, stats: account.summary(), peakRssBytes: peakRssBytes(), ...(remote && { remote: remote.stats(account.used) }) };
            case 'flush': {
                // The bundle's save reads the store: the import must be over first.
                const imported = bundle?.done && { ...(await bundle.done), waits: bundle.waits, waitMs: bundle.waitMs };
                await (0,reports/* drainJournals */.jb)(store.root, account);
                // Journals the shims wrote themselves (the daemon was busy or gone) name puts too.
                remote?.enqueue(account.added);
                const remoteStats = await remote?.flush(request.uploadDeadlineMs ?? DEFAULT_UPLOAD_FLUSH_MS, account.used);
                await store.touch(account.used);
                const plan = planTrim(await scanStore(store.root, Date.now(), account.used), options.maxBytes);
                await applyTrim(store.root, plan);
                options.log(`flush: kept ${plan.keptBytes} bytes, removed ${plan.removeEntries.length} entries (${plan.removedBytes} bytes)`);
                return {
                    ok: true,
                    stats: account.summary(),
                    trim: { entriesRemoved: plan.removeEntries.length, bytesRemoved: plan.removedBytes, storeBytes: plan.keptBytes },
                    peakRssBytes: peakRssBytes(),
                    ...(remoteStats && { remote: remoteStats }),
                    ...(request.ids ? { ids: account.ids() } : {}),
                    ...(imported && { import: imported }),
                };
            }
            case 'stop':
                setImmediate(() => void running.close());
                return { ok: true };
            default:
                // Without this the reply was `undefined`, not JSON, and the client failed parsing it.
                return { ok: false, error: `unknown op ${JSON.stringify(request?.op)}` };
        }
    };
    const server = external_node_net_default().createServer((socket) => {
        resetIdle();
        let buffer = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk) => {
            buffer += chunk;
            for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n')) {
                const line = buffer.slice(0, end);
                buffer = buffer.slice(end + 1);
                void (async () => {
                    let reply;
                    try {
                        reply = await handle(JSON.parse(line));
                    }
                    catch (error) {
                        reply = { ok: false, error: String(error) };
                    }
                    if (!socket.destroyed)
                        socket.write(`${JSON.stringify(reply)}\n`);
                })();
            }
            if (buffer.length > 64 << 20)
                socket.destroy();
        });
        socket.on('error', () => undefined);
    });
    const resetIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => {
            options.log('idle timeout: exiting');
            void running.close();
        }, options.idleTimeoutMs);
        idleTimer.unref();
    };
    // A named pipe (Windows) is no file: it goes when the server closes, and its
    // default ACL already limits writers to its creator, SYSTEM and administrators.
    const pipe = (0,endpoint/* isPipeName */.ut)(options.socket);
    // A socket file left by a daemon that died would make listen fail with EADDRINUSE.
    if (!pipe && (0,external_node_fs_.existsSync)(options.socket))
        (0,external_node_fs_.rmSync)(options.socket, { force: true });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.socket, () => resolve());
    });
    // Only this user may talk to the daemon, whatever the umask; the directory
    // it sits in is owner-only too (client-daemon.ts), so there is no window.
    if (!pipe)
        (0,external_node_fs_.chmodSync)(options.socket, 0o600);
    resetIdle();
    let resolveClosed;
    const closed = new Promise((resolve) => (resolveClosed = resolve));
    const running = {
        closed,
        close: async () => {
            if (closing)
                return closed;
            closing = true;
            clearTimeout(idleTimer);
            remote?.stop();
            await new Promise((resolve) => server.close(() => resolve()));
            if (!pipe)
                removeSocket(options.socket);
            resolveClosed();
        },
    };
    options.log(`listening on ${options.socket}, store ${store.root}`);
    return running;
}
/** Removes the socket, and the private directory launch.ts made for it when the state directory's path was too long (endpoint.ts). */
function removeSocket(socket) {
    (0,external_node_fs_.rmSync)(socket, { force: true });
    if ((0,endpoint/* isShortSocket */.A3)(socket)) {
        try {
            (0,external_node_fs_.rmdirSync)(external_node_path_default().dirname(socket));
        }
        catch {
            // Not empty, or gone: not ours to force.
        }
    }
}
/** The process' peak resident set (getrusage's ru_maxrss; Node reports it in KiB). */
function peakRssBytes() {
    return process.resourceUsage().maxRSS * 1024;
}


/***/ }),

/***/ 7687:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   A3: () => (/* binding */ isShortSocket),
/* harmony export */   Mc: () => (/* binding */ socketPathLimit),
/* harmony export */   lx: () => (/* binding */ planEndpoint),
/* harmony export */   ut: () => (/* binding */ isPipeName)
/* harmony export */ });
/* unused harmony exports SHORT_SOCKET_PARENT, SHORT_SOCKET_NAME */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/**
 * Where the daemon listens, per platform (pure; launch.ts creates it). Node's
 * net.Server listens on a Unix domain socket path, or on Windows on a named
 * pipe (https://nodejs.org/api/net.html#identifying-paths-for-ipc-connections);
 * the shims dial the same string.
 */

/** `\\.\pipe\`: a Windows named pipe's namespace. libuv creates the first instance exclusively (FILE_FLAG_FIRST_PIPE_INSTANCE), so a taken name fails listen, never shares it. */
const PIPE_PREFIX = '\\\\.\\pipe\\';
/** A named pipe's name rather than a socket file: nothing on disk to remove or chmod. */
function isPipeName(endpoint) {
    return /^\\\\[.?]\\pipe\\/i.test(endpoint);
}
/**
 * The longest socket path bind() takes, in bytes: sun_path's size less its
 * terminating NUL. 108 on Linux (unix(7)); 104 on macOS and the BSDs
 * (sys/un.h), where RUNNER_TEMP alone can be 60 bytes on a hosted runner.
 */
function socketPathLimit(platform) {
    return platform === 'linux' ? 107 : 103;
}
/** The short parent of a socket whose preferred path is too long: /tmp exists on Linux and macOS alike (a symlink to /private/tmp there), and is short. */
const SHORT_SOCKET_PARENT = '/tmp';
/** The fallback directory's name: mkdtemp adds 6 characters, then the socket's short name. */
const SHORT_SOCKET_NAME = 'd.sock';
function planEndpoint(f) {
    if (f.platform === 'win32')
        return { kind: 'pipe', path: `${PIPE_PREFIX}go-cache-setup-${f.id}` };
    const preferred = node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.join(f.stateDir, `d-${f.id}.sock`);
    if (Buffer.byteLength(preferred) <= (f.limit ?? socketPathLimit(f.platform)))
        return { kind: 'socket', path: preferred };
    return { kind: 'short-socket', dirPrefix: node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.join(SHORT_SOCKET_PARENT, 'gcs-'), name: SHORT_SOCKET_NAME };
}
/** Whether `socket` is in a directory createEndpoint made for it (mkdtemp of the short-socket prefix): the daemon removes that directory at stop. */
function isShortSocket(socket) {
    const dir = node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.dirname(socket);
    return (node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.basename(socket) === SHORT_SOCKET_NAME &&
        node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.dirname(dir) === SHORT_SOCKET_PARENT &&
        /^gcs-[A-Za-z0-9]{6}$/.test(node_path__WEBPACK_IMPORTED_MODULE_0___default().posix.basename(dir)));
}


/***/ }),

/***/ 7325:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  dX: () => (/* binding */ remoteTier),
  Z8: () => (/* binding */ takeRemoteSettings)
});

// UNUSED EXPORTS: BREAKER, BUDGET_MS

// EXTERNAL MODULE: ./src/remote/action-result.ts
var action_result = __nccwpck_require__(934);
// EXTERNAL MODULE: ./src/remote/http.ts
var http = __nccwpck_require__(4140);
// EXTERNAL MODULE: ./src/remote/remote.ts
var remote = __nccwpck_require__(2618);
// EXTERNAL MODULE: ./src/remote/zstd.ts
var zstd = __nccwpck_require__(643);
;// CONCATENATED MODULE: ./src/remote/bazel-http.ts




class BazelHttpClient {
    base;
    headers;
    timeoutMs;
    zstd;
    transport;
    constructor(settings, maxSockets) {
        this.base = new URL(settings.url);
        this.headers = settings.headers;
        this.timeoutMs = settings.timeoutMs;
        this.zstd = settings.compression === 'zstd' && zstd/* HAS_ZSTD */.rq;
        this.transport = new http/* HttpTransport */.G5(this.base.protocol === 'https:', settings, maxSockets, 'check cache-token');
    }
    get wire() {
        return this.transport.wire;
    }
    /** Our entry from the ActionResult under /ac/<key> (action-result.ts). */
    async getEntry(key) {
        const bytes = await this.getAction(key);
        return bytes === undefined ? undefined : (0,action_result/* decodeActionResult */.kd)(bytes);
    }
    async putEntry(key, entry) {
        await this.putAction(key, (0,action_result/* encodeActionResult */.wD)(entry));
    }
    /** The ActionResult bytes, or undefined for a 404. */
    async getAction(actionId, maxBytes = 64 * 1024) {
        return this.request({ method: 'GET', kind: 'ac', hash: actionId, maxResponseBytes: maxBytes, deadlineMs: (0,http/* readDeadlineMs */.L9)(this.timeoutMs, maxBytes) });
    }
    /**
     * The blob's bytes as they arrive, decoded; undefined for a 404. The stream
     * fails past `size` decoded bytes (a bomb stops there) or past the read
     * deadline; the caller reads it to the end or destroys it.
     */
    async getBlob(hash, size) {
        // Compressed data can exceed its raw size a little (frame overhead).
        const limit = size + 1024 + Math.ceil(size / 100);
        const response = await this.open({
            method: 'GET',
            kind: 'cas',
            hash,
            headers: this.zstd ? { 'Accept-Encoding': 'zstd' } : {},
            maxResponseBytes: limit,
            deadlineMs: (0,http/* readDeadlineMs */.L9)(this.timeoutMs, limit),
        });
        if (response === undefined)
            return undefined;
        const what = `cas/${hash.slice(0, 12)}…`;
        if (response.encoding === 'zstd') {
            if (!this.zstd)
                return (0,http/* failed */.gz)(response.body, new remote/* RemoteError */.H(`${what}: the server sent zstd without being asked`));
            return (0,http/* capped */.uo)([response.body, ...(0,zstd/* zstdDecoding */.HY)(size)], size, what);
        }
        if (response.encoding !== '' && response.encoding !== 'identity')
            return (0,http/* failed */.gz)(response.body, new remote/* RemoteError */.H(`${what}: unsupported Content-Encoding ${response.encoding}`));
        return (0,http/* capped */.uo)([response.body], size, what);
    }
    async putBlob(hash, body) {
        if (this.zstd) {
            const compressed = (0,zstd/* zstdCompress */.oq)(body);
            if (compressed !== undefined) {
                await this.request({ ...this.put('cas', hash, compressed), headers: { 'Content-Encoding': 'zstd', 'X-Digest-SizeBytes': String(body.length) } });
                return;
            }
        }
        await this.request(this.put('cas', hash, body));
    }
    async putAction(actionId, actionResult) {
        await this.request({ ...this.put('ac', actionId, actionResult), headers: { 'Content-Type': 'application/octet-stream' } });
    }
    close() {
        this.transport.close();
    }
    /** An upload: the whole `cache-timeout`, and whatever short answer the server gives. */
    put(kind, hash, body) {
        return { method: 'PUT', kind, hash, body, maxResponseBytes: 64 * 1024, deadlineMs: this.timeoutMs };
    }
    /** The whole body for 2xx (at most `maxResponseBytes`), undefined for a GET's 404; rejects on anything else. */
    async request(exchange) {
        return (await this.transport.request(this.toHttp(exchange)))?.body;
    }
    async open(exchange) {
        const response = await this.transport.open(this.toHttp(exchange));
        return response && { body: response.body, encoding: String(response.headers['content-encoding'] ?? '').toLowerCase() };
    }
    /** The request on the wire: this cache's URL for the key, its headers. */
    toHttp({ method, kind, hash, body, headers = {}, maxResponseBytes, deadlineMs }) {
        if (!/^[0-9a-f]{64}$/.test(hash))
            throw new Error(`invalid hash ${JSON.stringify(hash)}`);
        return {
            method,
            url: new URL(`${this.base.pathname.replace(/\/$/, '')}/${kind}/${hash}`, this.base),
            what: `${method} /${kind}/${hash.slice(0, 12)}…`,
            headers: { ...this.headers, ...headers },
            ...(body !== undefined && { body }),
            maxResponseBytes,
            deadlineMs,
        };
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
;// CONCATENATED MODULE: ./src/remote/sigv4.ts
/**
 * AWS Signature Version 4 for S3 requests, pure: what a request must carry
 * so that S3 (and MinIO, R2, Ceph RGW, SeaweedFS, GCS's interoperability
 * API) accepts it. https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 *
 * The payload is named by its sha256 (or UNSIGNED-PAYLOAD) in
 * x-amz-content-sha256, which S3 requires on every request.
 */

/** SHA-256 of the empty body. */
const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** `YYYYMMDDTHHMMSSZ` for a time. */
function amzDate(date) {
    return date
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
}
/** RFC 3986 encoding, as SigV4 wants it: everything but A–Z a–z 0–9 - . _ ~ */
function uriEncode(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
/** The headers to add to the request: Authorization, x-amz-date, x-amz-content-sha256, and the session token's. */
function signV4(request, credentials) {
    const added = {
        'x-amz-date': request.amzDate,
        'x-amz-content-sha256': request.payloadHash,
        ...(credentials.sessionToken !== undefined && { 'x-amz-security-token': credentials.sessionToken }),
    };
    const all = new Map();
    for (const [name, value] of Object.entries({ host: request.host, ...request.headers, ...added })) {
        all.set(name.toLowerCase(), value.trim().replace(/\s+/g, ' '));
    }
    const names = [...all.keys()].sort();
    const signedHeaders = names.join(';');
    const query = Object.entries(request.query ?? {})
        .map(([k, v]) => [uriEncode(k), uriEncode(v)])
        .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
        .map(([k, v]) => `${k}=${v}`)
        .join('&');
    const canonical = [request.method, request.path, query, ...names.map((n) => `${n}:${all.get(n)}`), '', signedHeaders, request.payloadHash].join('\n');
    const day = request.amzDate.slice(0, 8);
    const scope = `${day}/${request.region}/s3/aws4_request`;
    const toSign = ['AWS4-HMAC-SHA256', request.amzDate, scope, (0,external_node_crypto_.createHash)('sha256').update(canonical).digest('hex')].join('\n');
    const signature = (0,external_node_crypto_.createHmac)('sha256', signingKey(credentials.secretAccessKey, day, request.region))
        .update(toSign)
        .digest('hex');
    return { ...added, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}` };
}
/**
 * The day's signing key, derived once and kept until the day, region or
 * secret changes: four HMACs a request less (a warm build from a bucket
 * signs thousands; the daemon's profile showed the key derivation at about
 * 8% of its CPU).
 */
let lastKey;
function signingKey(secret, day, region) {
    if (lastKey?.secret !== secret || lastKey.day !== day || lastKey.region !== region) {
        let key = hmac(`AWS4${secret}`, day);
        for (const part of [region, 's3', 'aws4_request'])
            key = hmac(key, part);
        lastKey = { secret, day, region, key };
    }
    return lastKey.key;
}
function hmac(key, data) {
    return (0,external_node_crypto_.createHmac)('sha256', key).update(data).digest();
}

;// CONCATENATED MODULE: ./src/remote/s3.ts
/**
 * An S3 bucket (AWS, MinIO, R2, Ceph RGW, SeaweedFS, GCS interoperability)
 * as the remote, in tailscale/go-cache-plugin's layout, byte for byte, so a
 * bucket either one filled serves the other (lib/gobuild/gobuild.go, v0.1.1):
 *
 *   <prefix>/action/<aa>/<ActionID hex>   "<OutputID hex> <unix nanoseconds>", no newline
 *   <prefix>/output/<oo>/<OutputID hex>   the object, raw
 *
 * (`aa`, `oo`: the ID's first two hex digits; the prefix joined as Go's
 * path.Join does). The output is written before the action that names it.
 * The action says no size: a lookup GETs the output at once and reads its
 * Content-Length (an object larger than the caller takes inline is dropped
 * and fetched on its own), or HEADs it; a missing output is a miss. Requests
 * are signed with SigV4 (sigv4.ts).
 */





/** An action object is 64 hex, a space and a decimal int64: far under this. */
const MAX_ACTION_BYTES = 1024;
const HEX_ID = /^[0-9a-f]{64}$/;
/** Unix nanoseconds of a time JavaScript can hold (year 275760): bigger is not a time. */
const MAX_TIME_MS = 8.64e15;
/** The bytes of an action object (go-cache-plugin gobuild.go: `fmt.Sprintf("%s %d", outputID, mtime.UnixNano())`). */
function encodeAction(entry) {
    return Buffer.from(`${entry.outputId} ${BigInt(Math.trunc(entry.timeMs)) * 1000000n}`, 'latin1');
}
/** An action object's OutputID and time; an Error when it is not one. go-cache-plugin reads it with strings.Fields, so whitespace around is fine. */
function decodeAction(bytes) {
    const fields = bytes.toString('latin1').trim().split(/\s+/);
    if (fields.length !== 2 || !HEX_ID.test(fields[0]) || !/^-?\d{1,19}$/.test(fields[1]))
        return new Error('not an action entry (expected "<64 hex> <nanoseconds>")');
    const timeMs = Number(BigInt(fields[1]) / 1000000n);
    if (timeMs < 0 || timeMs > MAX_TIME_MS)
        return new Error(`invalid time ${fields[1]}`);
    return { outputId: fields[0], timeMs };
}
/** The object key, as go-cache-plugin makes it: path.Join(prefix, kind, id[:2], id). */
function objectKey(prefix, kind, id) {
    if (!HEX_ID.test(id))
        throw new Error(`invalid cache ID ${JSON.stringify(id)}`);
    // Go's path.Join and Node's path.posix.join clean alike ('' dropped, '//' and '..' resolved).
    return external_node_path_default().posix.join(prefix, kind, id.slice(0, 2), id);
}
class S3Remote {
    config;
    credentials;
    transport;
    base;
    bucketCheck;
    constructor(config, credentials, maxSockets) {
        this.config = config;
        this.credentials = credentials;
        const endpoint = new URL(config.endpoint ?? `https://s3.${config.region}.amazonaws.com`);
        this.base = config.pathStyle ? endpoint : new URL(`${endpoint.protocol}//${config.bucket}.${endpoint.host}`);
        // 403 on a missing key too: S3 says so when the credentials lack s3:ListBucket.
        this.transport = new http/* HttpTransport */.G5(this.base.protocol === 'https:', {}, maxSockets, 'check the AWS credentials (and s3:ListBucket, without which a missing key is 403)');
    }
    get wire() {
        return this.transport.wire;
    }
    async getEntry(key, inlineMaxBytes) {
        await this.bucketReady();
        const action = await this.send('GET', objectKey(this.config.prefix, 'action', key), undefined, MAX_ACTION_BYTES);
        if (action === undefined)
            return undefined;
        const decoded = decodeAction(action.body);
        if (decoded instanceof Error)
            return decoded;
        const outputKey = objectKey(this.config.prefix, 'output', decoded.outputId);
        if (inlineMaxBytes === undefined) {
            const head = await this.send('HEAD', outputKey, undefined, 0);
            // An action whose output expired (a lifecycle rule on output/) is a miss, not an error.
            if (head === undefined)
                return undefined;
            const size = contentLength(head.headers);
            return size instanceof Error ? size : { ...decoded, size };
        }
        // The output's GET at once: two requests a hit, as go-cache-plugin makes.
        // Its Content-Length says the size before the body is taken; a larger
        // object is dropped here, and fetched by getBlob with its own bounds.
        const response = await this.transport.open({
            ...this.signed('GET', this.url(outputKey), outputKey, undefined),
            maxResponseBytes: inlineMaxBytes,
            deadlineMs: (0,http/* readDeadlineMs */.L9)(this.config.timeoutMs, inlineMaxBytes),
        });
        if (response === undefined)
            return undefined;
        const size = contentLength(response.headers);
        if (size instanceof Error || size > inlineMaxBytes)
            response.body.destroy();
        if (size instanceof Error)
            return size;
        return size > inlineMaxBytes ? { ...decoded, size } : { ...decoded, size, body: (0,http/* capped */.uo)([response.body], size, `output ${decoded.outputId.slice(0, 12)}…`) };
    }
    async putEntry(key, entry) {
        await this.bucketReady();
        await this.send('PUT', objectKey(this.config.prefix, 'action', key), encodeAction(entry), MAX_ACTION_BYTES);
    }
    async getBlob(hash, size) {
        await this.bucketReady();
        const key = objectKey(this.config.prefix, 'output', hash);
        const response = await this.transport.open({
            ...this.signed('GET', this.url(key), key, undefined),
            maxResponseBytes: size,
            deadlineMs: (0,http/* readDeadlineMs */.L9)(this.config.timeoutMs, size),
        });
        return response && (0,http/* capped */.uo)([response.body], size, `output ${hash.slice(0, 12)}…`);
    }
    async putBlob(hash, body) {
        await this.bucketReady();
        // The key is the body's sha256, which SigV4 wants as the payload hash: nothing to hash again.
        await this.send('PUT', objectKey(this.config.prefix, 'output', hash), body, MAX_ACTION_BYTES, hash);
    }
    /**
     * One HEAD of the bucket before the first request. A missing bucket answers
     * every GET 404, which would read as a job of misses; a bucket in another
     * region answers 301. Either is remembered, and fails every request: the
     * summary counts errors and names the cause. A 403 proves nothing
     * (HeadBucket needs s3:ListBucket, which a cache's credentials may lack), so
     * the requests go ahead and say for themselves. Any other failure is not
     * remembered: the next request asks again, through the breaker.
     */
    bucketReady() {
        this.bucketCheck ??= this.headBucket().catch((error) => {
            if (!(error instanceof BucketError))
                this.bucketCheck = undefined;
            throw error;
        });
        return this.bucketCheck;
    }
    async headBucket() {
        const what = `bucket ${this.config.bucket} at ${this.base.host}`;
        const deadlineMs = (0,http/* readDeadlineMs */.L9)(this.config.timeoutMs, 0);
        try {
            const found = await this.transport.request({ ...this.signed('HEAD', this.url(undefined), what, undefined), maxResponseBytes: 0, deadlineMs });
            if (found === undefined)
                throw new BucketError(`${what} does not exist (HTTP 404): create it, or fix cache-url (and cache-endpoint)`);
        }
        catch (error) {
            if (error instanceof remote/* RemoteError */.H && error.status === 403)
                return;
            if (error instanceof remote/* RemoteError */.H && error.status === 301)
                throw new BucketError(`${what} is in another region than ${this.config.region} (HTTP 301): set cache-region to the bucket's`);
            throw error;
        }
    }
    close() {
        this.transport.close();
    }
    send(method, key, body, maxResponseBytes, payloadHash) {
        const deadlineMs = method === 'PUT' ? this.config.timeoutMs : (0,http/* readDeadlineMs */.L9)(this.config.timeoutMs, maxResponseBytes);
        return this.transport.request({ ...this.signed(method, this.url(key), key, body, payloadHash), maxResponseBytes, deadlineMs });
    }
    /** An object's URL, or the bucket's for `undefined`. */
    url(key) {
        const bucket = this.config.pathStyle ? `/${uriEncode(this.config.bucket)}` : '';
        const object = key === undefined ? '' : `/${key.split('/').map(uriEncode).join('/')}`;
        return new URL(`${this.base.pathname.replace(/\/$/, '')}${bucket}${object}` || '/', this.base);
    }
    signed(method, url, what, body, payloadHash) {
        const hash = body === undefined ? EMPTY_PAYLOAD_HASH : (payloadHash ?? (0,external_node_crypto_.createHash)('sha256').update(body).digest('hex'));
        const headers = signV4({ method, host: url.host, path: url.pathname, payloadHash: hash, region: this.config.region, amzDate: amzDate(new Date()) }, this.credentials);
        return { method, url, what: `${method} ${what}`, headers, ...(body !== undefined && { body }) };
    }
}
/** An object's size from its answer's Content-Length; an Error when there is none. */
function contentLength(headers) {
    const size = Number(headers['content-length']);
    return Number.isSafeInteger(size) && size >= 0 ? size : new Error(`no Content-Length (${JSON.stringify(headers['content-length'] ?? null)})`);
}
/** The bucket is not there, or not where the configuration says: true for the whole job. */
class BucketError extends remote/* RemoteError */.H {
}

;// CONCATENATED MODULE: ./src/remote/breaker.ts
class CircuitBreaker {
    state = 'closed';
    failures = 0;
    openedAt = 0;
    currentOpenMs;
    probing = false;
    /** Times the circuit opened, for the summary. */
    opened = 0;
    /** Requests refused while open. */
    refused = 0;
    options;
    constructor(options) {
        this.options = options;
        this.currentOpenMs = options.openMs;
    }
    /** The state now (an open circuit whose time is up reads as half-open). */
    get current() {
        if (this.state === 'open' && this.options.now() - this.openedAt >= this.currentOpenMs)
            return 'half-open';
        return this.state;
    }
    /** Whether a request may go out now. Call `success` or `failure` for every request it allowed. */
    allow() {
        const state = this.current;
        if (state === 'closed')
            return true;
        if (state === 'half-open' && !this.probing) {
            this.state = 'half-open';
            this.probing = true;
            return true;
        }
        this.refused++;
        return false;
    }
    success() {
        this.state = 'closed';
        this.failures = 0;
        this.probing = false;
        this.currentOpenMs = this.options.openMs;
    }
    /**
     * A request that proves nothing yet: an action entry whose object is still
     * to be read (a server can serve good entries and bad objects). Nothing
     * changes, except that a probe's turn passes to the next request.
     */
    neutral() {
        this.probing = false;
    }
    failure() {
        if (this.state === 'half-open') {
            this.probing = false;
            this.currentOpenMs = Math.min(this.currentOpenMs * 2, this.options.maxOpenMs);
            this.open();
            return;
        }
        if (this.state === 'open')
            return; // a request that was already in flight when it opened
        this.failures++;
        if (this.failures >= this.options.failureThreshold)
            this.open();
    }
    open() {
        this.state = 'open';
        this.openedAt = this.options.now();
        this.opened++;
    }
}

// EXTERNAL MODULE: ./src/remote/config.ts
var config = __nccwpck_require__(2766);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: ./src/policy/write-policy.ts
var write_policy = __nccwpck_require__(1000);
;// CONCATENATED MODULE: ./src/remote/scope.ts
/**
 * Remote scopes, for every remote alike (bazel-remote, and S3 and REAPI after
 * it): a scope is a namespace of action keys, so what one job writes is found
 * only by jobs that read its scope (policy/write-policy.ts decides which).
 *
 * Servers offer no namespace we can rely on (bazel-remote's HTTP API ignores
 * an instance name), so the scope is in the key: the trusted scope keeps
 * Go's ActionID as it is, which keeps it readable by other clients and by
 * what earlier versions wrote; every other scope hashes its name into the
 * key. Objects are content-addressed and checked against their digest, so
 * they are shared by every scope. docs/remote-cache.md#scopes.
 */


/** The remote key of `key` (a 64-hex ActionID, or a manifest key) in `scope`. */
function scopedKey(scope, key) {
    if (scope === write_policy/* TRUSTED_SCOPE */.tZ)
        return key;
    return (0,external_node_crypto_.createHash)('sha256').update(`go-cache-setup scope v1\n${scope}\n${key}`).digest('hex');
}

// EXTERNAL MODULE: ./src/go/object-size.ts
var object_size = __nccwpck_require__(6309);
// EXTERNAL MODULE: ./src/store/build-id.ts
var build_id = __nccwpck_require__(2415);
// EXTERNAL MODULE: ./src/store/file-chunks.ts
var file_chunks = __nccwpck_require__(8962);
;// CONCATENATED MODULE: ./src/store/remote-tier.ts
/**
 * The remote tier, run inside the daemon: fetches what the local store lacks
 * into it, and uploads what go put, in the background. Remote trouble is a
 * miss or an unsent upload, counted, never an error for go.
 *
 * Any remote (remote/remote.ts): the tier checks what it returns (IDs, sizes,
 * the object's sha256 = Go's OutputID, cmd/go/internal/cache/prog.go), and
 * uploads the object before the entry that names it: bazel-remote answers an
 * AC GET with 404 while a blob it names is missing (docs/remote-cache.md).
 */






const remote_tier_HEX_ID = /^[0-9a-f]{64}$/;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/**
 * Objects up to this size are fetched into memory, larger ones into a file as
 * they arrive: with PREFETCH_CONCURRENCY reads at once, bodies in memory stay
 * under 16 × 2 MiB, whatever the objects' sizes (docs/decisions.md#d32).
 */
const IN_MEMORY_BLOB_BYTES = 2 * 1024 ** 2;
/** Prefetch requests in flight at once: enough to hide round trips, few enough to leave the build its CPU. */
const PREFETCH_CONCURRENCY = 16;
/** A manifest larger than this is ignored (64 hex + newline per entry: ~150,000 entries). */
const MAX_MANIFEST_BYTES = 10 * 1024 ** 2;
class RemoteTier {
    remote;
    store;
    health;
    lost = { read: 0, write: 0 };
    options;
    counts = {
        gets: 0,
        misses: 0,
        errors: 0,
        rejected: 0,
        skipped: 0,
        uploads: 0,
        uploadErrors: 0,
        bytesDown: 0,
        bytesUp: 0,
        manifestEntries: 0,
    };
    /** Served to a shim on demand. */
    demandHits = new Set();
    /** Written into the local store by the prefetch. */
    prefetched = new Set();
    /** Loads in flight, so a shim asking for an entry the prefetch is fetching waits for that one. */
    inflight = new Map();
    firstErrors = [];
    /** Every action ID ever queued: each is uploaded at most once per job. */
    queued = new Set();
    pending = [];
    active = 0;
    failedUploads = 0;
    unsentAtFlush = 0;
    stopped = false;
    flushed = false;
    idleWaiters = [];
    largeFetches = Promise.resolve();
    constructor(remote, store, health, options) {
        this.remote = remote;
        this.store = store;
        this.health = health;
        this.options = options;
    }
    /** A shim's local miss: looks the action up remotely and, on a verified hit, writes it into the local store. True on a hit. */
    async fetch(actionId) {
        if (!remote_tier_HEX_ID.test(actionId))
            throw new Error(`invalid action ID ${JSON.stringify(actionId)}`);
        this.counts.gets++;
        // The prefetch may have stored it since the shim looked.
        const hit = this.store.get(actionId) !== undefined || (await this.load(actionId));
        if (hit)
            this.demandHits.add(actionId);
        else
            this.counts.misses++;
        return hit;
    }
    /**
     * Reads this job's manifest and fetches every entry the local store lacks,
     * PREFETCH_CONCURRENCY at a time, while go starts building. Errors are
     * counted like any other; the build never waits for this.
     */
    async prefetch() {
        const key = this.options.manifestKey;
        if (key === undefined)
            return;
        const ids = await this.readManifest(key);
        this.counts.manifestEntries = ids.length;
        const todo = ids.filter((id) => this.store.get(id) === undefined);
        let next = 0;
        const worker = async () => {
            while (next < todo.length && !this.stopped) {
                const id = todo[next++];
                if (await this.load(id))
                    this.prefetched.add(id);
            }
        };
        await Promise.all(Array.from({ length: PREFETCH_CONCURRENCY }, worker));
        this.options.log(`prefetch: ${this.prefetched.size} of ${ids.length} manifest entries fetched (${ids.length - todo.length} were local)`);
    }
    /** Fetches an entry into the local store once, however many ask at the same time. */
    load(actionId) {
        let promise = this.inflight.get(actionId);
        if (promise === undefined) {
            promise = this.download(actionId).finally(() => this.inflight.delete(actionId));
            this.inflight.set(actionId, promise);
        }
        return promise;
    }
    /**
     * The entry from the first scope that has a valid one, asked of every read
     * scope at once (a round trip, not one per scope). An object whose Go build
     * ID names another action is refused, and the next scope tried.
     */
    async download(actionId) {
        // An entry found proves nothing until its object verifies (a server may serve good entries and bomb objects).
        const entries = await Promise.all(this.options.scopes.read.map((scope) => this.call(() => this.remote.getEntry(scopedKey(scope, actionId), IN_MEMORY_BLOB_BYTES), false, (entry) => entry === undefined)));
        try {
            for (const [index, entry] of entries.entries()) {
                if (entry === FAILED || entry === undefined)
                    continue;
                const where = `${this.options.scopes.read[index]}: action entry ${actionId}`;
                if (entry instanceof Error) {
                    this.reject(`${where}: ${entry.message}`);
                    continue;
                }
                if (entry.size > object_size/* MAX_GO_OBJECT_BYTES */.o)
                    continue;
                // A large object goes to a file in the store's tmp/ as it arrives, not
                // into memory, and one at a time: the disk holds at most one in flight.
                const staged = entry.size > IN_MEMORY_BLOB_BYTES ? this.store.stagePath() : undefined;
                try {
                    const blob = await (staged === undefined
                        ? this.getVerifiedBlob(entry.outputId, entry.size, undefined, entry.body)
                        : this.oneLarge(() => this.getVerifiedBlob(entry.outputId, entry.size, staged)));
                    if (blob === undefined)
                        continue;
                    const check = (0,build_id/* checkObjectForAction */.N2)(actionId, blob.head);
                    if (!check.ok) {
                        this.reject(`${where}: ${check.reason}`);
                        continue;
                    }
                    if (staged === undefined)
                        this.store.put(actionId, entry.outputId, [blob.body], entry.size, entry.timeMs);
                    else
                        this.store.putStaged(actionId, entry.outputId, staged, entry.size, entry.timeMs);
                }
                finally {
                    if (staged !== undefined)
                        await (0,promises_.rm)(staged, { force: true });
                }
                this.counts.bytesDown += entry.size;
                return true;
            }
            return false;
        }
        finally {
            // Bodies that came with entries not taken (another scope's, or one refused before its read).
            for (const entry of entries)
                if (typeof entry === 'object' && !(entry instanceof Error))
                    entry.body?.destroy();
        }
    }
    /** Runs `task` after every large fetch before it: one at a time, whatever the prefetch's concurrency. */
    oneLarge(task) {
        const run = this.largeFetches.then(task);
        this.largeFetches = run.catch(() => undefined);
        return run;
    }
    /**
     * The blob, only if its bytes are what the digest names: the server is not
     * trusted with content, or Go would be handed someone else's object. In
     * memory (`body`), or written to `staged` as it arrives; with its first
     * bytes (`head`) for the build-ID check either way. A failed or refused
     * read may leave a partial `staged`: the caller removes it. `inline`: the
     * body that came with the entry (FoundEntry), read instead of asked for.
     */
    async getVerifiedBlob(hash, size, staged, inline) {
        if (size === 0 && hash === EMPTY_SHA256)
            return { head: Buffer.alloc(0), body: Buffer.alloc(0) };
        // Inside `call`: a read that stalls or fails halfway, or sends bytes that
        // are not the digest's (a bomb), costs the read circuit and budget like one
        // that fails at once: a server sending only those is soon left alone.
        const got = await this.call(async () => {
            const stream = inline ?? (await this.remote.getBlob(hash, size));
            if (stream === undefined)
                return undefined;
            const blob = await readBlob(stream, staged);
            if (blob.length !== size)
                throw new Rejected(`blob ${hash}: ${blob.length} bytes, the entry says ${size}`);
            if (blob.digest !== hash)
                throw new Rejected(`blob ${hash}: its sha256 is ${blob.digest}`);
            return blob;
        });
        return got === FAILED ? undefined : got;
    }
    /** The manifest's action IDs from the first read scope that has one; empty when none has, or it is not valid. */
    async readManifest(key) {
        let entry;
        for (const scope of this.options.scopes.read) {
            const found = await this.call(() => this.remote.getEntry(scopedKey(scope, key)));
            if (found === FAILED || found === undefined)
                continue;
            if (found instanceof Error) {
                this.reject(`manifest entry: ${found.message}`);
                return [];
            }
            entry = found;
            break;
        }
        if (entry === undefined)
            return [];
        if (entry.size > MAX_MANIFEST_BYTES)
            return [];
        const body = (await this.getVerifiedBlob(entry.outputId, entry.size))?.body;
        if (body === undefined)
            return [];
        const lines = body
            .toString('latin1')
            .split('\n')
            .filter((line) => line !== '');
        if (!lines.every((line) => remote_tier_HEX_ID.test(line))) {
            this.reject('manifest: not a list of action IDs');
            return [];
        }
        return lines;
    }
    /** Stores the job's manifest: what it used or uploaded, for the next run of the job to prefetch. */
    async writeManifest(ids) {
        const key = this.options.manifestKey;
        const scope = this.options.scopes.write;
        if (key === undefined || scope === undefined)
            return;
        // In the order go used or put them (sets keep insertion order), not sorted:
        // the next run prefetches in about the order its go will ask.
        const ordered = [...new Set(ids)].filter((id) => remote_tier_HEX_ID.test(id));
        if (ordered.length === 0)
            return;
        const body = Buffer.from(`${ordered.join('\n')}\n`, 'latin1');
        if (body.length > MAX_MANIFEST_BYTES)
            return;
        const hash = (0,external_node_crypto_.createHash)('sha256').update(body).digest('hex');
        if ((await this.call(() => this.remote.putBlob(hash, body), true)) === FAILED)
            return;
        await this.call(() => this.remote.putEntry(scopedKey(scope, key), { outputId: hash, size: body.length, timeMs: Date.now() }), true);
    }
    /** Queues uploads of entries go put; returns at once. Ignored when this job may not write. */
    enqueue(actionIds) {
        if (this.options.scopes.write === undefined || this.stopped)
            return;
        for (const id of actionIds) {
            if (!remote_tier_HEX_ID.test(id) || this.queued.has(id))
                continue;
            this.queued.add(id);
            this.pending.push(id);
        }
        this.pump();
    }
    /**
     * Waits for queued uploads until `deadlineMs` from now; then stops
     * uploading, writes the manifest (`used`: the entries go hit this job, to
     * count prefetch hits and name in the manifest with what was added) and
     * returns the stats, `unsent` counting what never made it.
     */
    async flush(deadlineMs, used = new Set()) {
        if (this.pending.length > 0 || this.active > 0) {
            let timer;
            await Promise.race([
                new Promise((resolve) => this.idleWaiters.push(resolve)),
                new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs))),
            ]);
            clearTimeout(timer);
        }
        // One flush per job (the post step's): what is still queued or in flight now is unsent.
        this.unsentAtFlush = this.pending.length + this.active;
        this.flushed = true;
        this.stop();
        if (this.unsentAtFlush > 0)
            this.options.log(`flush: deadline of ${deadlineMs} ms passed with ${this.unsentAtFlush} uploads left`);
        // Only when the queue drained: then every queued entry was sent (used ones came from the server or were there).
        else
            await this.writeManifest([...used, ...this.queued]);
        return this.stats(used);
    }
    /** Stops starting uploads (the daemon is going away). */
    stop() {
        this.stopped = true;
        this.pending.length = 0;
    }
    /** `used`: the entries go hit this job (the daemon's account), to tell prefetched entries that were used. */
    stats(used = new Set()) {
        let prefetchHits = 0;
        for (const id of this.prefetched)
            if (used.has(id) && !this.demandHits.has(id))
                prefetchHits++;
        return {
            ...this.counts,
            hits: this.demandHits.size + prefetchHits,
            demandHits: this.demandHits.size,
            prefetched: this.prefetched.size,
            unsent: this.unsentAtFlush + this.failedUploads + this.pending.length,
            wireRequests: this.remote.wire.requests,
            wireReceived: this.remote.wire.received,
            wireSent: this.remote.wire.sent,
            health: { read: this.directionHealth('read'), write: this.directionHealth('write') },
            scopes: this.options.scopes,
            firstErrors: [...this.firstErrors],
        };
    }
    pump() {
        while (!this.stopped && this.active < this.options.uploadConcurrency && this.pending.length > 0) {
            const id = this.pending.shift();
            this.active++;
            void this.upload(id).then((ok) => {
                this.active--;
                if (ok)
                    this.counts.uploads++;
                else if (!this.flushed)
                    this.failedUploads++; // after a flush, already counted as unsent
                this.pump();
                if (this.active === 0 && this.pending.length === 0) {
                    for (const wake of this.idleWaiters.splice(0))
                        wake();
                }
            });
        }
    }
    async upload(actionId) {
        const scope = this.options.scopes.write;
        const hit = this.store.get(actionId);
        if (scope === undefined)
            return false;
        if (hit === undefined)
            return false; // trimmed or replaced since the put
        if (hit.size > object_size/* MAX_GO_OBJECT_BYTES */.o)
            return false;
        let body;
        try {
            body = await (0,promises_.readFile)(hit.diskPath);
        }
        catch {
            return false;
        }
        // Only content that is what its name says goes to a shared cache.
        if (body.length !== hit.size || (0,external_node_crypto_.createHash)('sha256').update(body).digest('hex') !== hit.outputId) {
            this.options.log(`upload ${actionId}: the local object does not match its OutputID; not uploaded`);
            return false;
        }
        if (hit.size > 0 || hit.outputId !== EMPTY_SHA256) {
            if ((await this.call(() => this.remote.putBlob(hit.outputId, body), true)) === FAILED)
                return false;
        }
        const entry = { outputId: hit.outputId, size: hit.size, timeMs: Math.trunc(hit.timeMs) };
        if ((await this.call(() => this.remote.putEntry(scopedKey(scope, actionId), entry), true)) === FAILED)
            return false;
        this.counts.bytesUp += body.length;
        return true;
    }
    directionHealth(direction) {
        const breaker = this.health[direction];
        const lostMs = Math.round(this.lost[direction]);
        const budgetMs = this.health.budgetMs[direction];
        return { breaker: breaker.current, opened: breaker.opened, lostMs, budgetMs, off: this.lost[direction] >= budgetMs };
    }
    /**
     * Runs one request through its direction's breaker and budget; FAILED when
     * refused or failed (counted). A value that `proves` nothing leaves the
     * breaker as it was (breaker.neutral). Reads and writes keep apart: uploads
     * that succeed must not hold the circuit closed for reads that stall.
     */
    async call(request, upload = false, proves = () => true) {
        const direction = upload ? 'write' : 'read';
        const breaker = this.health[direction];
        if (this.lost[direction] >= this.health.budgetMs[direction] || !breaker.allow()) {
            if (!upload)
                this.counts.skipped++;
            return FAILED;
        }
        const started = this.health.now();
        try {
            const value = await request();
            if (proves(value))
                breaker.success();
            else
                breaker.neutral();
            return value;
        }
        catch (error) {
            breaker.failure();
            const budget = this.health.budgetMs[direction];
            const before = this.lost[direction];
            this.lost[direction] += this.health.now() - started;
            if (before < budget && this.lost[direction] >= budget) {
                this.options.log(`remote: ${direction}s off for the rest of the job: ${Math.round(this.lost[direction])} ms lost to failed requests (budget ${budget} ms)`);
            }
            if (error instanceof Rejected) {
                this.reject(error.message);
                return FAILED;
            }
            if (upload)
                this.counts.uploadErrors++;
            else
                this.counts.errors++;
            this.noteError(error);
            return FAILED;
        }
    }
    reject(message) {
        this.counts.rejected++;
        this.noteError(new Error(`rejected ${message}`));
        return false;
    }
    noteError(error) {
        const message = error instanceof Error ? error.message : String(error);
        if (this.firstErrors.length < 3)
            this.firstErrors.push(message);
        this.options.log(`remote: ${message}`);
    }
}
const FAILED = Symbol('failed');
/** What the server sent, refused: counted as rejected, and as a failed read. */
class Rejected extends Error {
}
/** A blob read to its end (store/file-chunks.ts readHashed); the stream is dropped either way. */
async function readBlob(stream, file) {
    try {
        return await (0,file_chunks/* readHashed */.S)(stream, file);
    }
    finally {
        stream.destroy();
    }
}

// EXTERNAL MODULE: ./src/common/env.ts
var common_env = __nccwpck_require__(3938);
;// CONCATENATED MODULE: ./src/daemon/remote.ts
/**
 * Builds the daemon's remote tier from its environment (REMOTE_ENV, set by
 * whoever starts the daemon: buildcache/client-daemon.ts). The variable is
 * removed from the process environment once read, so nothing the daemon
 * might start inherits it.
 */






/** Failures in a row that open a direction's circuit, and for how long it stays open at first and at most. */
const BREAKER = { failureThreshold: 3, openMs: 30_000, maxOpenMs: 300_000 };
/**
 * The job-wide budget: once failed requests have cost this much time in one
 * direction (summed over concurrent ones), that direction is off for the rest
 * of the job. Reads are what go waits on; uploads run in the background.
 */
const BUDGET_MS = { read: 10_000, write: 30_000 };
function takeRemoteSettings(env) {
    const text = env[common_env/* REMOTE_ENV */.$_];
    delete env[common_env/* REMOTE_ENV */.$_];
    if (text === undefined || text === '')
        return undefined;
    return (0,config/* decodeRemoteSettings */.uk)(text);
}
/**
 * The remote tier's factory, its remote's code loaded first: REAPI's gRPC
 * runtime and generated code (reapi.ts) load only when the remote is one,
 * so the HTTP and S3 daemons, and every other entry, start without them.
 */
async function remoteTier(settings, log) {
    const { config } = settings;
    const reapi = config.kind === 'grpc' ? await Promise.all(/* import() */[__nccwpck_require__.e(109), __nccwpck_require__.e(692)]).then(__nccwpck_require__.bind(__nccwpck_require__, 8692)) : undefined;
    return (store) => {
        // Sockets: the uploads plus the lookups of a parallel build (gRPC: one HTTP/2 connection carries them all).
        const sockets = settings.uploadConcurrency + PREFETCH_CONCURRENCY + 8;
        const remote = config.kind === 'http'
            ? new BazelHttpClient(config, sockets)
            : config.kind === 'grpc'
                ? new reapi.ReapiRemote(config)
                : new S3Remote(config, awsCredentials(process.env), sockets);
        const now = () => performance.now();
        const health = { read: new CircuitBreaker({ ...BREAKER, now }), write: new CircuitBreaker({ ...BREAKER, now }), budgetMs: BUDGET_MS, now };
        const { read, write } = settings.scopes;
        log(`remote cache ${config.url}${config.kind === 'grpc' && config.instance !== '' ? ` instance ${config.instance}` : ''} (reads ${read.join(', then ')}; ${write ? `writes ${write}` : 'read-only'}; timeout ${config.timeoutMs} ms${config.kind === 's3' ? `, region ${config.region}` : `, compression ${config.compression}`})`);
        return new RemoteTier(remote, store, health, {
            scopes: settings.scopes,
            uploadConcurrency: settings.uploadConcurrency,
            log,
            ...(settings.manifestKey && { manifestKey: settings.manifestKey }),
        });
    };
}
/**
 * The AWS credentials the job's environment holds (aws-actions/configure-aws-credentials
 * exports them, OIDC included); the main step checked they are there. Read here, never written anywhere.
 */
function awsCredentials(env) {
    return {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '',
        ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }),
    };
}


/***/ }),

/***/ 3195:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   MM: () => (/* binding */ parseReport),
/* harmony export */   dr: () => (/* binding */ JobAccount),
/* harmony export */   fY: () => (/* binding */ writeJournal),
/* harmony export */   jb: () => (/* binding */ drainJournals),
/* harmony export */   yv: () => (/* binding */ newReportId)
/* harmony export */ });
/* unused harmony exports journalDir, REPORT_ID */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _gocacheprog_session_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(280);
/**
 * Per-job accounting. Each shim reports what its go process did when it ends;
 * the daemon sums the reports. A shim that cannot reach the daemon writes a
 * journal file into the store instead, so nothing is lost when the daemon dies.
 */




class JobAccount {
    stats = (0,_gocacheprog_session_js__WEBPACK_IMPORTED_MODULE_3__/* .emptyStats */ .b)();
    sessions = 0;
    used = new Set();
    added = new Set();
    /** Reports arrive when sessions end, in any order (and journals in readdir's). */
    orders = [];
    add(report) {
        this.sessions++;
        this.orders.push({ startedMs: report.startedMs, order: report.order });
        for (const key of Object.keys(this.stats))
            this.stats[key] += report.stats[key];
        for (const id of report.used)
            this.used.add(id);
        for (const id of report.added)
            this.added.add(id);
    }
    ids() {
        const sessions = [...this.orders].sort((a, b) => a.startedMs - b.startedMs);
        return { used: [...this.used], added: [...this.added], order: [...new Set(sessions.flatMap((s) => s.order))] };
    }
    summary() {
        return { ...this.stats, sessions: this.sessions, usedEntries: this.used.size, addedEntries: this.added.size };
    }
}
function journalDir(storeRoot) {
    return node_path__WEBPACK_IMPORTED_MODULE_2___default().join(storeRoot, 'journal');
}
/** A name for one go process's report; the shim and the daemon journal it under the same name. */
function newReportId() {
    return `${process.pid}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}`;
}
const REPORT_ID = /^\d+-[0-9a-f]{12}$/;
/**
 * Writes the report as <store>/journal/<id>.json. The name is the report's, so
 * when a shim gives up waiting on a slow daemon and journals the report itself,
 * the daemon's late copy replaces it instead of counting it twice.
 */
async function writeJournal(storeRoot, report, id = newReportId()) {
    if (!REPORT_ID.test(id))
        throw new Error(`invalid report id ${JSON.stringify(id)}`);
    const dir = journalDir(storeRoot);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(dir, { recursive: true, mode: 0o700 });
    const name = id;
    const temp = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, `.${name}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}.tmp`);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(temp, JSON.stringify(report), { mode: 0o600 });
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(temp, node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, `${name}.json`));
}
/** Adds every journal to `account` and removes the files it read. Unreadable journals are skipped and kept. */
async function drainJournals(storeRoot, account) {
    const dir = journalDir(storeRoot);
    const names = await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir)(dir).catch(() => []);
    let drained = 0;
    for (const name of names) {
        if (!name.endsWith('.json') || name.startsWith('.'))
            continue;
        const file = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, name);
        // Claim the journal first: rename is atomic, so when two drains overlap
        // (stats during flush, or the post step after a flush that timed out)
        // each journal is counted by exactly one of them.
        const claimed = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, `.${name}.${process.pid}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}.draining`);
        try {
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(file, claimed);
        }
        catch {
            continue; // another drain has it
        }
        try {
            const report = parseReport(await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile)(claimed, 'utf8'));
            account.add(report);
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm)(claimed, { force: true });
            drained++;
        }
        catch {
            // Left for a human to look at; it does not block the job.
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rename)(claimed, file).catch(() => undefined);
        }
    }
    return drained;
}
function parseReport(text) {
    const raw = JSON.parse(text);
    const stats = raw?.stats;
    const valid = stats !== undefined &&
        Object.keys((0,_gocacheprog_session_js__WEBPACK_IMPORTED_MODULE_3__/* .emptyStats */ .b)()).every((k) => typeof stats[k] === 'number') &&
        Array.isArray(raw.used) &&
        Array.isArray(raw.added) &&
        Array.isArray(raw.order) &&
        Number.isFinite(raw.startedMs) &&
        [...raw.used, ...raw.added, ...raw.order].every((id) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id));
    if (!valid)
        throw new Error('not a session report');
    return raw;
}


/***/ }),

/***/ 6309:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   o: () => (/* binding */ MAX_GO_OBJECT_BYTES)
/* harmony export */ });
/**
 * The largest object of Go's build cache we take from a remote or a bundle,
 * or send to one. Go has no limit of its own. The largest object measured on
 * real modules is 195.6 MiB: the test build of aws-sdk-go-v2's service/ec2
 * under `go test -race -cover` (go1.26.8; most others are under 25 MiB), so
 * 512 MiB leaves 2.6× headroom while bounding what others can make us read,
 * write and hash (docs/decisions.md#d32). An object above it is refused before
 * it is read; go's own puts above it stay local.
 */
const MAX_GO_OBJECT_BYTES = 512 * 1024 ** 2;


/***/ }),

/***/ 9594:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   XD: () => (/* binding */ RequestParser),
/* harmony export */   bd: () => (/* binding */ ProtocolError),
/* harmony export */   kd: () => (/* binding */ encodeResponse)
/* harmony export */ });
/* unused harmony exports KNOWN_COMMANDS, ID_SIZE, MAX_LINE_BYTES, parseRequestLine */
/**
 * GOCACHEPROG wire format, pure: an incremental request parser and response
 * encoding. No I/O here, so the framing is tested byte for byte.
 *
 * From cmd/go/internal/cache/prog.go (writeToChild) and
 * cmd/go/internal/cacheprog/cacheprog.go:
 * - each request is one JSON object on a line, followed by a blank line;
 * - when BodySize > 0, the body follows as a JSON string of padded standard
 *   base64 on its own line; with BodySize 0 there is no body line at all;
 * - []byte fields (ActionID, OutputID) are padded standard base64;
 * - responses may be sent in any order, matched by ID.
 */
const KNOWN_COMMANDS = ['get', 'put', 'close'];
/** Go's cache IDs are SHA-256 sized (cmd/go/internal/cache HashSize). */
const ID_SIZE = 32;
/** A stream that is not the protocol: the program must stop (stderr, non-zero exit). */
class ProtocolError extends Error {
    name = 'ProtocolError';
}
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const EQUALS = 0x3d;
/** cmd/go's request lines are ~200 bytes; anything this long is not the protocol. */
const MAX_LINE_BYTES = 1 << 20;
/**
 * Feed bytes in any chunking; complete requests come out in order. Bodies are
 * decoded as they stream in (4-character aligned), never held as base64.
 */
class RequestParser {
    buffer = Buffer.alloc(0);
    pending;
    push(chunk) {
        this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
        const out = [];
        for (;;) {
            if (this.pending) {
                if (!this.readBody())
                    break;
                out.push(this.pending.request);
                this.pending = undefined;
                continue;
            }
            this.skipWhitespace();
            if (this.buffer.length === 0)
                break;
            const end = this.buffer.indexOf(NEWLINE);
            // Checked whether or not the newline has arrived, so the verdict does not depend on the chunking.
            if ((end === -1 ? this.buffer.length : end) > MAX_LINE_BYTES)
                throw new ProtocolError('request line longer than 1 MiB');
            if (end === -1)
                break;
            const line = this.buffer.subarray(0, end).toString('utf8');
            this.buffer = this.buffer.subarray(end + 1);
            const request = parseRequestLine(line);
            if (request.bodySize > 0) {
                this.pending = { request: { ...request, body: [] }, opened: false, decoded: 0, carry: '' };
            }
            else {
                out.push(request);
            }
        }
        return out;
    }
    /** True when the stream ended between requests. */
    get idle() {
        return this.pending === undefined && this.buffer.every((b) => isSpace(b));
    }
    skipWhitespace() {
        let i = 0;
        while (i < this.buffer.length && isSpace(this.buffer[i]))
            i++;
        if (i > 0)
            this.buffer = this.buffer.subarray(i);
    }
    /** Consumes body bytes; true once the closing quote and the body are complete. */
    readBody() {
        const p = this.pending;
        if (!p.opened) {
            this.skipWhitespace();
            if (this.buffer.length === 0)
                return false;
            if (this.buffer[0] !== QUOTE)
                throw new ProtocolError(`request ${p.request.id}: expected the base64 body of ${p.request.bodySize} bytes`);
            this.buffer = this.buffer.subarray(1);
            p.opened = true;
        }
        const close = this.buffer.indexOf(QUOTE);
        const text = (close === -1 ? this.buffer : this.buffer.subarray(0, close)).toString('latin1');
        this.buffer = close === -1 ? Buffer.alloc(0) : this.buffer.subarray(close + 1);
        // Node's decoder also takes the URL-safe alphabet; Go only writes the standard one.
        if (text.includes('-') || text.includes('_'))
            throw new ProtocolError(`request ${p.request.id}: body is not standard base64`);
        const all = p.carry + text;
        let usable = close === -1 ? all.length - (all.length % 4) : all.length;
        // A padded group can only be the last one: hold it back until the closing
        // quote arrives (it may be in the next chunk), or it would be checked as a
        // full 3-byte group.
        if (close === -1 && usable > 0 && all.charCodeAt(usable - 1) === EQUALS)
            usable -= 4;
        if (usable > 0) {
            const bytes = Buffer.from(all.slice(0, usable), 'base64');
            // Node's decoder skips characters outside the alphabet, so anything but
            // clean base64 comes out short; a full-alphabet regex cost a quarter of
            // the client's CPU in a cold build.
            if (close === -1 ? bytes.length !== (usable / 4) * 3 : bytes.length !== decodedLength(all)) {
                throw new ProtocolError(`request ${p.request.id}: body is not standard base64`);
            }
            p.request.body.push(bytes);
            p.decoded += bytes.length;
        }
        p.carry = all.slice(usable);
        if (close === -1)
            return false;
        if (p.decoded !== p.request.bodySize) {
            throw new ProtocolError(`request ${p.request.id}: body has ${p.decoded} bytes, BodySize says ${p.request.bodySize}`);
        }
        return true;
    }
}
/** Bytes that a complete, padded base64 text decodes to. */
function decodedLength(text) {
    if (text.length % 4 !== 0)
        return -1;
    const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    return (text.length / 4) * 3 - padding;
}
function isSpace(b) {
    return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
function parseRequestLine(line) {
    let raw;
    try {
        raw = JSON.parse(line);
    }
    catch {
        throw new ProtocolError(`not a JSON request: ${truncate(line)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw new ProtocolError(`not a JSON object: ${truncate(line)}`);
    const r = raw;
    if (typeof r.ID !== 'number' || !Number.isSafeInteger(r.ID) || r.ID < 0)
        throw new ProtocolError(`request without a valid ID: ${truncate(line)}`);
    const id = r.ID;
    const command = r.Command;
    if (command !== 'get' && command !== 'put' && command !== 'close') {
        throw new ProtocolError(`request ${id}: unknown command ${JSON.stringify(command)}`);
    }
    const bodySize = r.BodySize === undefined ? 0 : r.BodySize;
    if (typeof bodySize !== 'number' || !Number.isSafeInteger(bodySize) || bodySize < 0) {
        throw new ProtocolError(`request ${id}: invalid BodySize`);
    }
    const request = { id, command, bodySize };
    if (command === 'get' || command === 'put')
        request.actionId = decodeId(r.ActionID, 'ActionID', id);
    // Go 1.21–1.23 sent the output ID as ObjectID (cache/prog.go before 1.24).
    if (command === 'put')
        request.outputId = decodeId(r.OutputID ?? r.ObjectID, 'OutputID', id);
    if (command !== 'put' && bodySize !== 0)
        throw new ProtocolError(`request ${id}: ${command} with a body`);
    return request;
}
function decodeId(value, field, id) {
    if (typeof value !== 'string')
        throw new ProtocolError(`request ${id}: missing ${field}`);
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length !== ID_SIZE || bytes.toString('base64') !== value) {
        throw new ProtocolError(`request ${id}: ${field} is not ${ID_SIZE} bytes of standard base64`);
    }
    return bytes.toString('hex');
}
/** One response line. Field names and encodings are Go's (cacheprog.Response). */
function encodeResponse(response) {
    switch (response.kind) {
        case 'hello':
            return `{"ID":${response.id},"KnownCommands":${JSON.stringify(response.readOnly ? KNOWN_COMMANDS.filter((c) => c !== 'put') : KNOWN_COMMANDS)}}\n`;
        case 'miss':
            return `{"ID":${response.id},"Miss":true}\n`;
        case 'hit': {
            const { hit } = response;
            return (`{"ID":${response.id},"OutputID":"${Buffer.from(hit.outputId, 'hex').toString('base64')}",` +
                `"Size":${hit.size},"Time":"${new Date(hit.timeMs).toISOString()}","DiskPath":${JSON.stringify(hit.diskPath)}}\n`);
        }
        case 'put':
            return `{"ID":${response.id},"DiskPath":${JSON.stringify(response.diskPath)}}\n`;
        case 'ok':
            return `{"ID":${response.id}}\n`;
        case 'error':
            return `{"ID":${response.id},"Err":${JSON.stringify(response.message)}}\n`;
    }
}
function truncate(text) {
    return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}


/***/ }),

/***/ 280:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Q: () => (/* binding */ serveSession),
/* harmony export */   b: () => (/* binding */ emptyStats)
/* harmony export */ });
/* harmony import */ var _protocol_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9594);

function emptyStats() {
    return { gets: 0, hits: 0, misses: 0, puts: 0, bytesIn: 0, bytesOut: 0, putErrors: 0, readOnly: 0, busyMs: 0 };
}
/** Resolves when the conversation ends; rejects with ProtocolError on a malformed stream. */
function serveSession(input, output, backend, options = {}) {
    const stats = emptyStats();
    const startedMs = Date.now();
    const used = new Set();
    const added = new Set();
    /** The position of each action ID's first request; a miss's later put keeps the miss's place. */
    const asked = new Map();
    const ask = (actionId) => {
        if (!asked.has(actionId))
            asked.set(actionId, asked.size);
    };
    const parser = new _protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .RequestParser */ .XD();
    // The answers produced in one turn of the event loop (say, to a chunk of
    // pipelined gets) leave in one write: the pipe write was the largest cost
    // per request (bench/protocol.ts). Flushed before the turn ends, so no
    // answer waits for I/O.
    let batch = '';
    const flush = () => {
        if (batch === '')
            return;
        const text = batch;
        batch = '';
        output.write(text);
    };
    const sendLine = (line) => {
        if (batch === '')
            process.nextTick(flush);
        batch += line;
    };
    const send = (response) => sendLine((0,_protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .encodeResponse */ .kd)(response));
    if (options.readOnly)
        stats.readOnly = 1;
    output.write((0,_protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .encodeResponse */ .kd)({ id: 0, kind: 'hello', readOnly: options.readOnly ?? false }));
    return new Promise((resolve, reject) => {
        let inFlight = 0;
        let ending;
        let closeId;
        let failed = false;
        const finishIfDone = () => {
            if (ending === undefined || inFlight > 0 || failed)
                return;
            if (closeId !== undefined)
                send({ id: closeId, kind: 'ok' });
            flush();
            input.off('data', onData);
            const order = [...new Set([...used, ...added])].sort((a, b) => asked.get(a) - asked.get(b));
            resolve({ stats, used: [...used], added: [...added], order, startedMs, end: ending });
        };
        const fail = (error) => {
            if (failed)
                return;
            failed = true;
            flush();
            input.off('data', onData);
            reject(error instanceof _protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .ProtocolError */ .bd ? error : new _protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .ProtocolError */ .bd(String(error)));
        };
        /** Answers a request from what the backend returned (ok) or threw (not ok). Never throws. */
        const answer = (request, ok, value, started) => {
            if (request.command === 'get') {
                const hit = ok ? value : undefined;
                let line;
                if (!ok)
                    options.log?.(`get ${request.actionId}: ${String(value)}`);
                else if (hit !== undefined) {
                    // Encoded here so that a hit Go could not read (say, a time out of
                    // range) is a miss too, not an exception that kills us.
                    try {
                        line = (0,_protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .encodeResponse */ .kd)({ id: request.id, kind: 'hit', hit });
                    }
                    catch (error) {
                        options.log?.(`get ${request.actionId}: ${String(error)}`);
                    }
                }
                if (hit === undefined || line === undefined) {
                    stats.misses++;
                    send({ id: request.id, kind: 'miss' });
                }
                else {
                    stats.hits++;
                    stats.bytesOut += hit.size;
                    used.add(request.actionId);
                    sendLine(line);
                }
            }
            else {
                const { diskPath, notStored } = ok ? (value ?? {}) : {};
                if (typeof diskPath === 'string') {
                    if (notStored === undefined)
                        added.add(request.actionId);
                    else {
                        stats.putErrors++;
                        options.log?.(`put ${request.actionId}: not stored (${notStored}); answered from ${diskPath}`);
                    }
                    send({ id: request.id, kind: 'put', diskPath });
                }
                else {
                    const error = ok ? new Error('the store returned no DiskPath') : value;
                    stats.putErrors++;
                    options.log?.(`put ${request.actionId}: ${String(error)}`);
                    send({ id: request.id, kind: 'error', message: `go-cache-setup: ${String(error)}` });
                }
            }
            stats.busyMs += performance.now() - started;
        };
        /**
         * Starts a request. A backend that answers synchronously (the local
         * store) is answered at once, with no promise in between: that was a
         * measurable share of a hit's cost (bench/protocol.ts).
         */
        const handle = (request) => {
            const started = performance.now();
            let result;
            try {
                ask(request.actionId);
                if (request.command === 'get') {
                    stats.gets++;
                    result = backend.get(request.actionId);
                }
                else {
                    stats.puts++;
                    stats.bytesIn += request.bodySize;
                    result = backend.put(request.actionId, request.outputId, request.body ?? [], request.bodySize);
                }
            }
            catch (error) {
                answer(request, false, error, started);
                return;
            }
            if (typeof result?.then !== 'function') {
                answer(request, true, result, started);
                return;
            }
            inFlight++;
            Promise.resolve(result)
                .then((value) => answer(request, true, value, started), (error) => answer(request, false, error, started))
                .finally(() => {
                inFlight--;
                finishIfDone();
            });
        };
        const onData = (chunk) => {
            if (failed || ending === 'close')
                return;
            let requests;
            try {
                requests = parser.push(chunk);
            }
            catch (error) {
                fail(error);
                return;
            }
            for (const request of requests) {
                if (request.command === 'close') {
                    ending = 'close';
                    closeId = request.id;
                    break;
                }
                handle(request);
            }
            finishIfDone();
        };
        input.on('data', onData);
        input.once('end', () => {
            if (ending !== undefined)
                return;
            if (!parser.idle) {
                fail(new _protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .ProtocolError */ .bd('input ended in the middle of a request'));
                return;
            }
            ending = 'eof';
            finishIfDone();
        });
        input.once('error', fail);
    });
}


/***/ }),

/***/ 1000:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Fb: () => (/* binding */ CACHE_WRITE_SETTINGS),
/* harmony export */   Fm: () => (/* binding */ parseCacheMode),
/* harmony export */   fD: () => (/* binding */ decideWrites),
/* harmony export */   gs: () => (/* binding */ classifyJob),
/* harmony export */   iP: () => (/* binding */ parseRefPatterns),
/* harmony export */   tZ: () => (/* binding */ TRUSTED_SCOPE),
/* harmony export */   vB: () => (/* binding */ describeScopes)
/* harmony export */ });
/* unused harmony exports WRITER_EVENTS, PULL_REQUEST_EVENTS, RefPatternError */
/**
 * Who may write which cache, decided once per job from the event, the ref and
 * the inputs. Pure: everything it needs is passed in, so every event GitHub
 * documents is table-tested (docs/security.md holds the model).
 *
 * Two caches, two rules:
 * - The GitHub Actions cache (bundle, module cache) is scoped by GitHub
 *   itself: a job writes only its ref's scope, and a pull request's scope is
 *   its own (github-actions-runtime.md "Scope"). Writes are refused only for
 *   untrusted events.
 * - A remote has no scopes of its own, so the client keys one (remote/scope.ts):
 *   a job reads its own scope, then the trusted one, and writes only its own.
 *   Only trusted refs (the default branch, and `trusted-refs`) write the
 *   trusted scope; pull requests are read-only on the remote unless the
 *   workflow opts in, and then write their own scope.
 *
 * Fails closed: an unknown, empty or unreadable event, or a workflow_run whose
 * origin cannot be proven, is untrusted.
 */
const CACHE_WRITE_SETTINGS = ['auto', 'true', 'false'];
/** The scope trusted refs write and every job reads. */
const TRUSTED_SCOPE = 'trusted';
/**
 * Events that only people with write access (or the repository's own
 * schedule) can start, running the code of the ref they name. GitHub keeps
 * read-write cache tokens for these (github-actions-runtime.md, 2026-06-26).
 */
const WRITER_EVENTS = new Set([
    'push',
    'schedule',
    'workflow_dispatch',
    'repository_dispatch',
    'merge_group',
    'release',
    'create',
    'delete',
    'registry_package',
    'page_build',
    'deployment',
    'deployment_status',
]);
/** Events that run a pull request's head: this repository's branch, or a fork's. */
const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_review', 'pull_request_review_comment']);
/** Events that anyone who can open an issue, comment or star can start; the workflow may then build what they sent. */
const OUTSIDE_EVENTS = {
    pull_request_target: 'pull_request_target runs the base branch with a pull request anyone can open',
    issue_comment: 'issue_comment can be started by anyone who can comment',
    issues: 'issues can be started by anyone who can open an issue',
    discussion: 'discussion can be started by anyone who can open a discussion',
    discussion_comment: 'discussion_comment can be started by anyone who can comment',
    fork: 'fork can be started by anyone',
    watch: 'watch can be started by anyone',
    gollum: 'gollum can be started by anyone who can edit the wiki',
};
function classifyJob(facts) {
    // GitHub names are case-insensitive: one scope however GITHUB_REPOSITORY spells it.
    const f = { ...facts, repository: facts.repository.toLowerCase() };
    const { event } = f;
    const untrusted = (reason) => ({ level: 'untrusted', reason, scope: eventScope(f) });
    if (Object.hasOwn(OUTSIDE_EVENTS, event.name))
        return untrusted(OUTSIDE_EVENTS[event.name]);
    if (PULL_REQUEST_EVENTS.has(event.name))
        return classifyPullRequest(f, dig(event.payload, 'pull_request'), event.name);
    if (event.name === 'workflow_run')
        return classifyWorkflowRun(f);
    if (!WRITER_EVENTS.has(event.name)) {
        return untrusted(event.name === '' ? 'the event is not known (GITHUB_EVENT_NAME is empty)' : `${event.name} is not an event known to run only writers' code`);
    }
    return classifyRef(f, f.ref, event.name);
}
/** A writer's event on `ref`: trusted when the ref is. */
function classifyRef(f, ref, what) {
    const trustedBy = trustedRefReason(f, ref);
    if (trustedBy !== undefined)
        return { level: 'trusted', reason: `${what} on ${ref}, ${trustedBy}`, scope: TRUSTED_SCOPE };
    return { level: 'branch', reason: `${what} on ${ref}, not the default branch nor in trusted-refs`, scope: `ref:${f.repository}:${ref}` };
}
function trustedRefReason(f, ref) {
    if (f.defaultBranch !== '' && ref === `refs/heads/${f.defaultBranch}`)
        return 'the default branch';
    // A schedule runs only on the default branch, and its payload does not name it.
    if (f.event.name === 'schedule' && f.defaultBranch === '' && ref === f.ref)
        return 'the default branch (a schedule runs nowhere else)';
    const pattern = f.trustedRefs.find((p) => p.regexp.test(ref));
    return pattern && `matched by trusted-refs ${pattern.text}`;
}
/** An event's own scope, for untrusted events that write with cache-write: true. */
function eventScope(f) {
    return `event:${f.repository}:${f.event.name}:${f.ref}`;
}
/** A pull request's own scope, by its number; `fallback` when the payload does not give one. */
function prScope(f, number, fallback) {
    return Number.isSafeInteger(number) ? `pr:${f.repository}#${String(number)}` : fallback;
}
function classifyPullRequest(f, pr, what) {
    const scope = prScope(f, dig(pr, 'number'), `ref:${f.repository}:${f.ref}`);
    const head = repoName(dig(pr, 'head', 'repo'));
    const base = repoName(dig(pr, 'base', 'repo')) ?? repoName(dig(f.event.payload, 'repository'));
    if (head === undefined || base === undefined)
        return { level: 'untrusted', reason: `${what}: the payload does not say where the head comes from; treated as a fork`, scope };
    if (head !== base)
        return { level: 'untrusted', reason: `${what} from the fork ${head}`, scope };
    return { level: 'pull-request', reason: `${what} from a branch of ${base}`, scope };
}
/**
 * workflow_run runs the default branch's workflow, usually on what another
 * run built: as trusted as that run's origin, and only when the payload
 * proves it. A run started by a pull request is that pull request.
 */
function classifyWorkflowRun(f) {
    const run = dig(f.event.payload, 'workflow_run');
    const head = repoName(dig(run, 'head_repository'));
    const base = repoName(dig(f.event.payload, 'repository'));
    const upstream = dig(run, 'event');
    const branch = dig(run, 'head_branch');
    const unproven = (why) => ({ level: 'untrusted', reason: `workflow_run: ${why}`, scope: eventScope(f) });
    if (head === undefined || base === undefined)
        return unproven('the payload does not say which repository started it');
    if (head !== base)
        return unproven(`started from the fork ${head}`);
    if (typeof upstream !== 'string')
        return unproven('the payload does not say which event started it');
    if (PULL_REQUEST_EVENTS.has(upstream)) {
        const scope = prScope(f, dig(run, 'pull_requests', '0', 'number'), eventScope(f));
        return { level: 'pull-request', reason: `workflow_run after ${upstream} from a branch of ${base}`, scope };
    }
    if (!WRITER_EVENTS.has(upstream) || typeof branch !== 'string' || branch === '')
        return unproven(`started by ${upstream}, which is not known to run only writers' code`);
    return classifyRef(f, `refs/heads/${branch}`, `workflow_run after ${upstream}`);
}
class RefPatternError extends Error {
}
const REF_PATTERN = /^refs\/[A-Za-z0-9._/*+-]+$/;
/** Newline- or comma-separated patterns; throws RefPatternError naming the first one that is not a ref pattern. */
function parseRefPatterns(text, inputName) {
    const patterns = [];
    for (const raw of text.split(/[\n,]/)) {
        const pattern = raw.trim();
        if (pattern === '' || pattern.startsWith('#'))
            continue;
        if (!REF_PATTERN.test(pattern) || pattern.includes('//') || pattern.endsWith('/') || /\*\*\*/.test(pattern)) {
            throw new RefPatternError(`${inputName}: "${pattern}" is not a ref pattern; write full ref names like refs/heads/release/* or refs/tags/v*, one per line (* stays within one segment, ** crosses them).`);
        }
        const body = pattern
            .split('**')
            .map((part) => part
            .split('*')
            .map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
            .join('[^/]*'))
            .join('.*');
        patterns.push({ text: pattern, regexp: new RegExp(`^${body}$`) });
    }
    return patterns;
}
function parseCacheMode(value) {
    const raw = (value ?? '').trim().toLowerCase();
    switch (raw) {
        case 'none':
            return { read: false, write: false, raw };
        case 'read':
            return { read: true, write: false, raw };
        case 'write-only':
            return { read: false, write: true, raw };
        default:
            return { read: true, write: true, raw };
    }
}
/**
 * `cache-write`: `auto` follows the trust level; `true` writes the job's own
 * scope whatever the event (never the trusted one unless the job is trusted);
 * `false` never writes. ACTIONS_CACHE_MODE without write outranks both: GitHub
 * judged the job read-only.
 */
function decideWrites(setting, trust, mode) {
    const refused = (reason) => ({ trust, actionsCache: { allowed: false, reason }, remote: { read: [TRUSTED_SCOPE], reason } });
    if (!mode.write)
        return refused(`ACTIONS_CACHE_MODE=${mode.raw} forbids cache writes`);
    if (setting === 'false')
        return refused('cache-write is false');
    const own = () => ({ read: trust.scope === TRUSTED_SCOPE ? [TRUSTED_SCOPE] : [trust.scope, TRUSTED_SCOPE], write: trust.scope });
    if (setting === 'true')
        return { trust, actionsCache: { allowed: true }, remote: own() };
    switch (trust.level) {
        case 'trusted':
        case 'branch':
            return { trust, actionsCache: { allowed: true }, remote: own() };
        case 'pull-request': {
            const reason = 'pull requests are read-only on the remote; cache-write: true writes their own scope';
            return { trust, actionsCache: { allowed: true }, remote: { read: [TRUSTED_SCOPE], reason } };
        }
        case 'untrusted':
            return refused(`untrusted event: ${trust.reason}`);
    }
}
/** "reads A, then trusted; writes A" or "reads trusted; writes nothing (why)"; `code` wraps each scope name (backticks in the summary). */
function describeScopes(s, code = (name) => name) {
    const reads = `reads ${s.read.map(code).join(', then ')}`;
    return s.write === undefined ? `${reads}; writes nothing${s.reason ? ` (${s.reason})` : ''}` : `${reads}; writes ${code(s.write)}`;
}
function dig(value, ...keys) {
    let current = value;
    for (const key of keys) {
        if (typeof current !== 'object' || current === null)
            return undefined;
        current = current[key];
    }
    return current;
}
function repoName(repo) {
    const name = dig(repo, 'full_name');
    return typeof name === 'string' && name !== '' ? name.toLowerCase() : undefined;
}


/***/ }),

/***/ 934:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $r: () => (/* binding */ GO_OUTPUT_PATH),
/* harmony export */   kd: () => (/* binding */ decodeActionResult),
/* harmony export */   wD: () => (/* binding */ encodeActionResult)
/* harmony export */ });
/* unused harmony export WORKER */
/**
 * The one REAPI message we store in bazel-remote's action cache, hand-encoded:
 * a few fields of build.bazel.remote.execution.v2.ActionResult
 * (remote_execution.proto), enough for bazel-remote to accept it and for any
 * REAPI tool to read what we stored (docs/remote-cache.md).
 *
 *   ActionResult            output_files = 2 (repeated), execution_metadata = 9
 *   OutputFile              path = 1, digest = 2
 *   Digest                  hash = 1 (lowercase hex), size_bytes = 2 (int64)
 *   ExecutedActionMetadata  worker = 1, worker_completed_timestamp = 4
 *   google.protobuf.Timestamp  seconds = 1 (int64), nanos = 2 (int32)
 *
 * bazel-remote re-marshals what it accepts, adding worker metadata unless
 * `worker` is set (server/http.go addWorkerMetadataHTTP): we set it, so the
 * stored bytes are ours. Decoding skips fields it does not know, as protobuf
 * readers must, and rejects anything malformed.
 */
/** The OutputFile path Go's object is stored under. */
const GO_OUTPUT_PATH = 'go-output';
/** ExecutedActionMetadata.worker: says who wrote the entry. */
const WORKER = 'go-cache-setup';
const HEX_ID = /^[0-9a-f]{64}$/;
/** 9999-12-31T23:59:59.999Z, the last instant Go's time.Time JSON takes. */
const MAX_TIME_MS = 253_402_300_799_999;
function encodeActionResult(result) {
    if (!HEX_ID.test(result.outputId))
        throw new Error(`invalid output ID ${JSON.stringify(result.outputId)}`);
    if (!Number.isSafeInteger(result.size) || result.size < 0)
        throw new Error(`invalid size ${result.size}`);
    if (!Number.isSafeInteger(result.timeMs) || result.timeMs < 0 || result.timeMs > MAX_TIME_MS)
        throw new Error(`invalid time ${result.timeMs}`);
    // proto3 leaves zero values out; Go's marshaller does too, so bazel-remote stores our bytes unchanged.
    const digest = Buffer.concat([stringField(1, result.outputId), result.size === 0 ? Buffer.alloc(0) : varintField(2, result.size)]);
    const outputFile = Buffer.concat([stringField(1, GO_OUTPUT_PATH), bytesField(2, digest)]);
    const seconds = Math.floor(result.timeMs / 1000);
    const nanos = (result.timeMs - seconds * 1000) * 1_000_000;
    const timestamp = Buffer.concat([seconds === 0 ? Buffer.alloc(0) : varintField(1, seconds), nanos === 0 ? Buffer.alloc(0) : varintField(2, nanos)]);
    const metadata = Buffer.concat([stringField(1, WORKER), bytesField(4, timestamp)]);
    return Buffer.concat([bytesField(2, outputFile), bytesField(9, metadata)]);
}
/**
 * Our entry from an ActionResult, or an Error saying why it is not one. Every
 * value that came from the server is checked: the hash must be an ID we would
 * write (it becomes a file name), the size and time in range.
 */
function decodeActionResult(bytes) {
    try {
        let output;
        let timeMs = 0;
        for (const field of readFields(bytes)) {
            if (field.number === 2 && field.bytes !== undefined) {
                let path;
                let digest;
                for (const f of readFields(field.bytes)) {
                    if (f.number === 1 && f.bytes !== undefined)
                        path = utf8(f.bytes);
                    if (f.number === 2 && f.bytes !== undefined)
                        digest = f.bytes;
                }
                if (path !== GO_OUTPUT_PATH || digest === undefined)
                    continue;
                const d = { size: 0 };
                for (const f of readFields(digest)) {
                    if (f.number === 1 && f.bytes !== undefined)
                        d.hash = utf8(f.bytes);
                    if (f.number === 2 && f.varint !== undefined)
                        d.size = f.varint;
                }
                output = d;
            }
            else if (field.number === 9 && field.bytes !== undefined) {
                for (const f of readFields(field.bytes)) {
                    if (f.number !== 4 || f.bytes === undefined)
                        continue;
                    let seconds = 0;
                    let nanos = 0;
                    for (const t of readFields(f.bytes)) {
                        if (t.number === 1 && t.varint !== undefined)
                            seconds = t.varint;
                        if (t.number === 2 && t.varint !== undefined)
                            nanos = t.varint;
                    }
                    if (nanos < 0 || nanos >= 1e9)
                        return new Error(`invalid timestamp nanos ${nanos}`);
                    timeMs = seconds * 1000 + Math.floor(nanos / 1e6);
                }
            }
        }
        if (output === undefined)
            return new Error(`no ${GO_OUTPUT_PATH} output file`);
        if (output.hash === undefined || !HEX_ID.test(output.hash))
            return new Error(`invalid output digest hash ${JSON.stringify(output.hash)}`);
        if (!Number.isSafeInteger(output.size) || output.size < 0)
            return new Error(`invalid output size ${output.size}`);
        if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs > MAX_TIME_MS)
            return new Error(`invalid time ${timeMs}`);
        return { outputId: output.hash, size: output.size, timeMs };
    }
    catch (error) {
        return error instanceof Error ? error : new Error(String(error));
    }
}
// --- protobuf wire format (protobuf.dev/programming-guides/encoding) ---
function key(number, wireType) {
    return varint(number * 8 + wireType);
}
/** Non-negative integers up to 2^53, as base-128 varints. */
function varint(value) {
    const out = [];
    let v = value;
    while (v >= 0x80) {
        out.push((v % 0x80) | 0x80);
        v = Math.floor(v / 0x80);
    }
    out.push(v);
    return Buffer.from(out);
}
function varintField(number, value) {
    return Buffer.concat([key(number, 0), varint(value)]);
}
function bytesField(number, value) {
    return Buffer.concat([key(number, 2), varint(value.length), value]);
}
function stringField(number, value) {
    return bytesField(number, Buffer.from(value, 'utf8'));
}
function* readFields(buf) {
    let pos = 0;
    const readVarint = () => {
        let result = 0;
        let scale = 1;
        for (let i = 0; i < 10; i++) {
            if (pos >= buf.length)
                throw new Error('truncated varint');
            const b = buf[pos++];
            result += (b & 0x7f) * scale;
            if ((b & 0x80) === 0) {
                if (!Number.isSafeInteger(result))
                    throw new Error('varint out of range');
                return result;
            }
            scale *= 0x80;
        }
        throw new Error('varint too long');
    };
    while (pos < buf.length) {
        const k = readVarint();
        const number = Math.floor(k / 8);
        const wireType = k % 8;
        if (number === 0)
            throw new Error('field number 0');
        switch (wireType) {
            case 0:
                yield { number, varint: readVarint() };
                break;
            case 1:
                if (pos + 8 > buf.length)
                    throw new Error('truncated fixed64');
                pos += 8;
                break;
            case 2: {
                const length = readVarint();
                if (pos + length > buf.length)
                    throw new Error('truncated length-delimited field');
                yield { number, bytes: buf.subarray(pos, pos + length) };
                pos += length;
                break;
            }
            case 5:
                if (pos + 4 > buf.length)
                    throw new Error('truncated fixed32');
                pos += 4;
                break;
            default:
                throw new Error(`unsupported wire type ${wireType}`);
        }
    }
}
function utf8(bytes) {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}


/***/ }),

/***/ 2766:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Qv: () => (/* binding */ encodeRemoteSettings),
/* harmony export */   Rn: () => (/* binding */ manifestKey),
/* harmony export */   XG: () => (/* binding */ NO_REMOTE_INPUTS),
/* harmony export */   jQ: () => (/* binding */ parseRemoteInputs),
/* harmony export */   kG: () => (/* binding */ remoteSettings),
/* harmony export */   n7: () => (/* binding */ RemoteConfigError),
/* harmony export */   ne: () => (/* binding */ parseCacheUrl),
/* harmony export */   qV: () => (/* binding */ remoteScopes),
/* harmony export */   uk: () => (/* binding */ decodeRemoteSettings),
/* harmony export */   vj: () => (/* binding */ parseGrpcUrl)
/* harmony export */ });
/* unused harmony exports DEFAULT_TIMEOUT_SECONDS, DEFAULT_UPLOAD_CONCURRENCY, AUTH_PRESETS, parseS3Url, tokenHeader, parseHeaders, authorizationHeader, secretValues */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _common_schema_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4318);
/* harmony import */ var _common_env_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(3938);
/**
 * The remote cache's settings: parsed from the action's inputs (pure, so every
 * rule is unit-tested), and handed to the daemon, the only process that talks
 * to the remote, through its environment. Never through argv, a file, state or
 * GITHUB_ENV: the Authorization header is in here.
 */




/** Every input empty: what a caller that sets only some of them (the kit, tests) starts from. */
const NO_REMOTE_INPUTS = {
    url: '',
    token: '',
    auth: '',
    headers: '',
    caCert: '',
    clientCert: '',
    clientKey: '',
    timeoutSeconds: '',
    compression: '',
    region: '',
    endpoint: '',
};
const DEFAULT_TIMEOUT_SECONDS = 10;
const DEFAULT_UPLOAD_CONCURRENCY = 8;
class RemoteConfigError extends Error {
}
/** Headers our client sets itself, or that would break the protocol if a user set them. */
const RESERVED_HEADERS = new Set([
    'host',
    'content-length',
    'content-type',
    'content-encoding',
    'accept-encoding',
    'transfer-encoding',
    'connection',
    'x-digest-sizebytes',
]);
/** gRPC's own metadata besides `grpc-*` (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md): set by the transport. */
const RESERVED_GRPC_HEADERS = new Set(['te', 'user-agent']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const INSTANCE_SEGMENT = /^[A-Za-z0-9._-]+$/;
/** Path segments REAPI gives meaning to in resource names (remote_execution.proto, ByteStream): not part of an instance name. */
const REAPI_RESERVED_SEGMENTS = new Set(['blobs', 'compressed-blobs', 'uploads', 'actions', 'actionResults', 'operations', 'capabilities']);
/**
 * How cache-token is sent (cache-auth), for Go and Pants alike:
 *   auto        `user:password` as Basic (bazel-remote's htpasswd), a value naming its scheme as it is, else Bearer
 *   bearer      Authorization: Bearer <token>
 *   buildbuddy  x-buildbuddy-api-key: <token> (https://www.buildbuddy.io/docs/guide-auth)
 *   depot       Authorization: <token> (https://depot.dev/docs/cache/integrations/bazel: --remote_header=authorization=DEPOT_TOKEN)
 */
const AUTH_PRESETS = ['auto', 'bearer', 'buildbuddy', 'depot'];
/**
 * The validated remote inputs, or undefined when no cache-url is set. Throws
 * RemoteConfigError with a message saying how to fix the input.
 */
function parseRemoteInputs(raw, names, workspace, env = {}) {
    const url = raw.url.trim();
    if (url.startsWith('s3://'))
        return parseS3Inputs(raw, names, env);
    const others = [
        [names.token, raw.token],
        [names.headers, raw.headers],
        [names.caCert, raw.caCert],
        [names.clientCert, raw.clientCert],
        [names.clientKey, raw.clientKey],
    ];
    // Checked whether a URL is set or not: a bad value is the user's to fix either way.
    const timeoutMs = parseTimeout(raw.timeoutSeconds, names.timeout);
    const compression = parseCompression(raw.compression, names.compression);
    const auth = parseAuthPreset(raw.auth, names.auth);
    // Pants sends the token by cache-auth too, so it stands without cache-url; never without the token.
    if (raw.auth.trim() !== '' && raw.token.trim() === '') {
        throw new RemoteConfigError(`${names.auth} says how ${names.token} is sent, and ${names.token} is empty; set ${names.token} from a secret, or remove ${names.auth}.`);
    }
    if (url === '') {
        // cache-token alone is fine: Pants may use it with its own store address (pants/).
        const set = [
            ...others,
            [names.timeout, raw.timeoutSeconds],
            [names.compression, raw.compression],
            [names.region, raw.region],
            [names.endpoint, raw.endpoint],
        ]
            .filter(([n, v]) => n !== names.token && v.trim() !== '')
            .map(([n]) => n);
        if (set.length > 0)
            throw new RemoteConfigError(`${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set but ${names.url} is empty; set ${names.url} to your cache server, like https://cache.example.com:8080.`);
        return undefined;
    }
    const grpc = /^grpcs?:/i.test(url);
    const endpoint = grpc ? parseGrpcUrl(url, names.url) : { url: parseCacheUrl(url, names.url) };
    const headers = parseHeaders(raw.headers, names.headers, grpc);
    const token = raw.token.trim();
    if (token !== '') {
        const [name, value] = tokenHeader(token, auth, names.token);
        if (Object.keys(headers).some((h) => h.toLowerCase() === name.toLowerCase())) {
            throw new RemoteConfigError(`${names.headers} sets ${name} and ${names.token} is set too (sent as ${name}); use one of them.`);
        }
        headers[name] = value;
    }
    const file = (value) => (value.trim() === '' ? undefined : node_path__WEBPACK_IMPORTED_MODULE_1___default().resolve(workspace, value.trim()));
    const caFile = file(raw.caCert);
    const certFile = file(raw.clientCert);
    const keyFile = file(raw.clientKey);
    if ((certFile === undefined) !== (keyFile === undefined)) {
        throw new RemoteConfigError(`${names.clientCert} and ${names.clientKey} go together: set both (PEM files) for mutual TLS, or neither.`);
    }
    if ((caFile || certFile) && !/^(https|grpcs):/.test(endpoint.url)) {
        throw new RemoteConfigError(`${names.caCert}/${names.clientCert} need an https:// or grpcs:// ${names.url}, got ${endpoint.url}.`);
    }
    for (const [name, value] of [
        [names.region, raw.region],
        [names.endpoint, raw.endpoint],
    ]) {
        if (value.trim() !== '')
            throw new RemoteConfigError(`${name} is for an s3:// ${names.url}; remove it, or make ${names.url} s3://bucket/prefix.`);
    }
    const common = { headers, ...(caFile && { caFile }), ...(certFile && { certFile }), ...(keyFile && { keyFile }), timeoutMs, compression };
    return 'instance' in endpoint ? { kind: 'grpc', ...endpoint, ...common } : { kind: 'http', url: endpoint.url, ...common };
}
/** S3's bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html), the common part. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** us-east-1, eu-central-2, auto (R2), … */
const REGION = /^[a-z0-9][a-z0-9-]{0,30}$/;
/** Key prefixes stay printable and unambiguous: no control characters, no backslash, no dot segments. */
const PREFIX_SEGMENT = /^[A-Za-z0-9!_.*'()-]+$/;
/**
 * `s3://bucket[/prefix…]` with a region (the input, else AWS_REGION or
 * AWS_DEFAULT_REGION from `env`) and an optional endpoint (MinIO-likes:
 * path-style addressing then). Throws RemoteConfigError saying how to fix it.
 */
function parseS3Url(value, raw, names, env, timeoutMs) {
    const match = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/.exec(value.trim());
    if (match === null)
        throw new RemoteConfigError(`${names.url}: "${value}" is not s3://bucket or s3://bucket/prefix (no query or fragment).`);
    const bucket = match[1];
    if (!BUCKET.test(bucket) || bucket.includes('..')) {
        throw new RemoteConfigError(`${names.url}: "${bucket}" is not an S3 bucket name (3–63 lowercase letters, digits, "." and "-").`);
    }
    const segments = (match[2] ?? '').split('/').filter((s) => s !== '');
    for (const segment of segments) {
        if (!PREFIX_SEGMENT.test(segment) || segment === '.' || segment === '..') {
            throw new RemoteConfigError(`${names.url}: the prefix segment "${segment}" may hold only letters, digits and !_.*'()- (and no . or .. segments).`);
        }
    }
    const region = (raw.region.trim() || env.AWS_REGION || env.AWS_DEFAULT_REGION || '').trim();
    if (region === '') {
        throw new RemoteConfigError(`${names.region}: the bucket's region is needed (like us-east-1); set ${names.region}, or AWS_REGION (aws-actions/configure-aws-credentials sets it).`);
    }
    if (!REGION.test(region))
        throw new RemoteConfigError(`${names.region}: "${region}" is not a region name like us-east-1.`);
    const endpointText = raw.endpoint.trim();
    let endpoint;
    if (endpointText !== '') {
        let url;
        try {
            url = new URL(endpointText);
        }
        catch {
            throw new RemoteConfigError(`${names.endpoint}: "${endpointText}" is not a URL; write it like http://127.0.0.1:9000 or https://<account>.r2.cloudflarestorage.com.`);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:')
            throw new RemoteConfigError(`${names.endpoint}: the scheme must be http or https.`);
        if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || url.pathname !== '/') {
            throw new RemoteConfigError(`${names.endpoint}: give only the scheme, host and port (credentials come from the AWS environment variables).`);
        }
        endpoint = url.origin;
    }
    // go-cache-plugin joins its --prefix with Go's path.Join; the segments were checked, so this is their plain join.
    return {
        bucket,
        prefix: node_path__WEBPACK_IMPORTED_MODULE_1___default().posix.join(...segments, '.').replace(/^\.$/, ''),
        region,
        ...(endpoint && { endpoint }),
        pathStyle: endpoint !== undefined,
        timeoutMs,
    };
}
/** An s3:// cache-url: only the inputs S3 uses may be set; credentials come from the AWS environment variables. */
function parseS3Inputs(raw, names, env) {
    const httpOnly = [
        [names.token, raw.token],
        [names.auth, raw.auth],
        [names.headers, raw.headers],
        [names.caCert, raw.caCert],
        [names.clientCert, raw.clientCert],
        [names.clientKey, raw.clientKey],
        [names.compression, raw.compression],
    ];
    const set = httpOnly.filter(([, v]) => v.trim() !== '').map(([n]) => n);
    if (set.length > 0) {
        throw new RemoteConfigError(`${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} not used with an s3:// ${names.url}: S3 credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (aws-actions/configure-aws-credentials sets them); remove ${set.length === 1 ? 'it' : 'them'}.`);
    }
    if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
        throw new RemoteConfigError(`${names.url} is ${raw.url.trim()} but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: run aws-actions/configure-aws-credentials (OIDC or keys from secrets) before this step.`);
    }
    const config = parseS3Url(raw.url, raw, names, env, parseTimeout(raw.timeoutSeconds, names.timeout));
    return { kind: 's3', url: `s3://${config.bucket}${config.prefix === '' ? '' : `/${config.prefix}`}`, ...config };
}
function parseTimeout(text, inputName) {
    const value = text.trim();
    const seconds = value === '' ? DEFAULT_TIMEOUT_SECONDS : Number(value);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
        throw new RemoteConfigError(`${inputName}: "${value}" is not a number of seconds between 0 and 600, like 10 or 2.5.`);
    }
    return Math.round(seconds * 1000);
}
function parseCompression(text, inputName) {
    const value = text.trim().toLowerCase() || 'zstd';
    if (value !== 'zstd' && value !== 'none')
        throw new RemoteConfigError(`${inputName}: "${text.trim()}" is not one of zstd, none.`);
    return value;
}
/** The daemon's settings: the config, this job's scopes (policy/write-policy.ts), and its manifest. */
function remoteSettings(config, scopes, manifestKey) {
    return { config, scopes, uploadConcurrency: DEFAULT_UPLOAD_CONCURRENCY, ...(manifestKey && { manifestKey }) };
}
/**
 * The manifest's key: one per job of a workflow, OS, arch and Go version (the
 * next run of the same job builds much the same). Prefixed so that it cannot
 * be a Go ActionID or a Pants action digest by accident.
 */
function manifestKey(scope) {
    const text = `go-cache-setup manifest v1\n${[scope.repository, scope.workflow, scope.job, scope.hostOS, scope.hostArch, scope.goVersion].join('\n')}`;
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(text).digest('hex');
}
/** `http(s)://host[:port][/instance/…]` → origin + instance path, without a trailing slash. */
function parseCacheUrl(value, inputName) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new RemoteConfigError(`${inputName}: "${value}" is not a URL; write it like https://cache.example.com:8080 or http://127.0.0.1:8080/my-instance.`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new RemoteConfigError(`${inputName}: the scheme must be http(s) (the Bazel HTTP cache protocol), grpc(s) (REAPI) or s3, got ${url.protocol.replace(/:$/, '')}.`);
    }
    if (url.username !== '' || url.password !== '') {
        throw new RemoteConfigError(`${inputName}: do not put credentials in the URL (it is logged and saved); pass them in cache-token from a secret.`);
    }
    if (url.search !== '' || url.hash !== '')
        throw new RemoteConfigError(`${inputName}: no query or fragment, got ${value}.`);
    const segments = url.pathname.split('/').filter((s) => s !== '');
    for (const segment of segments) {
        if (!INSTANCE_SEGMENT.test(segment) || segment === '.' || segment === '..' || segment === 'ac' || segment === 'cas') {
            throw new RemoteConfigError(`${inputName}: the path "${url.pathname}" must be an instance name made of letters, digits, ".", "_" and "-" (not ac or cas).`);
        }
    }
    return `${url.origin}${segments.map((s) => `/${s}`).join('')}`;
}
/**
 * `grpc://host:port` or `grpcs://host[:port]` (443 by default), with the
 * instance name as its path (`grpcs://remote.buildbuddy.io/my-instance`;
 * REAPI instance names may have several segments).
 */
function parseGrpcUrl(value, inputName) {
    const example = 'like grpcs://cache.example.com, grpc://127.0.0.1:9092 or grpcs://cache.example.com:443/instance-name';
    const match = /^(grpcs?):\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(value);
    let url;
    try {
        // URL leaves a grpc: URL's host unparsed (not a special scheme); as http it is checked like any host.
        if (match !== null)
            url = new URL(`http://${match[2]}`);
    }
    catch {
        url = undefined;
    }
    if (match === null || url === undefined || url.hostname === '')
        throw new RemoteConfigError(`${inputName}: "${value}" is not a gRPC address; write it ${example}.`);
    if (url.username !== '' || url.password !== '') {
        throw new RemoteConfigError(`${inputName}: do not put credentials in the URL (it is logged and saved); pass them in cache-token from a secret.`);
    }
    const scheme = match[1].toLowerCase();
    const port = url.port !== '' ? url.port : scheme === 'grpcs' ? '443' : '';
    if (port === '')
        throw new RemoteConfigError(`${inputName}: a grpc:// address needs its port (bazel-remote's is 9092); write it ${example}.`);
    const segments = (match[3] ?? '').split('/').filter((s) => s !== '');
    for (const segment of segments) {
        if (!INSTANCE_SEGMENT.test(segment) || segment === '.' || segment === '..' || REAPI_RESERVED_SEGMENTS.has(segment)) {
            throw new RemoteConfigError(`${inputName}: the path "${match[3]}" must be an instance name: segments of letters, digits, ".", "_" and "-" (not ${[...REAPI_RESERVED_SEGMENTS].join(', ')}).`);
        }
    }
    const instance = segments.join('/');
    if (instance.length > 200)
        throw new RemoteConfigError(`${inputName}: the instance name is longer than 200 characters.`);
    return { url: `${scheme}://${url.hostname}:${port}`, instance };
}
function parseAuthPreset(text, inputName) {
    const value = text.trim().toLowerCase() || 'auto';
    if (!AUTH_PRESETS.includes(value))
        throw new RemoteConfigError(`${inputName}: "${text.trim()}" is not one of ${AUTH_PRESETS.join(', ')}.`);
    return value;
}
/** The header that carries cache-token, by cache-auth (AUTH_PRESETS). */
function tokenHeader(token, preset, inputName) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
    if (/[\u0000-\u001f\u007f]/.test(token))
        throw new RemoteConfigError(`${inputName}: must be a single line without control characters.`);
    switch (preset) {
        case 'auto':
            return ['Authorization', authorizationHeader(token, inputName)];
        case 'bearer':
            return ['Authorization', /^bearer \S/i.test(token) ? token : `Bearer ${token}`];
        case 'buildbuddy':
            return ['x-buildbuddy-api-key', token];
        case 'depot':
            return ['Authorization', token];
    }
}
/** `Name: value` per line; blank lines and `#` comments skipped. `grpc`: gRPC's own metadata names are reserved too. */
function parseHeaders(text, inputName, grpc = false) {
    const headers = {};
    for (const [index, rawLine] of text.split(/\r?\n/).entries()) {
        const line = rawLine.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        const colon = line.indexOf(':');
        const name = colon === -1 ? '' : line.slice(0, colon).trim();
        const value = colon === -1 ? '' : line.slice(colon + 1).trim();
        if (!HEADER_NAME.test(name) || value === '') {
            throw new RemoteConfigError(`${inputName}: line ${index + 1} is not "Name: value" (header names are letters, digits and -).`);
        }
        const lower = name.toLowerCase();
        if (RESERVED_HEADERS.has(lower) || (grpc && (RESERVED_GRPC_HEADERS.has(lower) || lower.startsWith('grpc-') || lower.startsWith(':')))) {
            throw new RemoteConfigError(`${inputName}: ${name} is set by the client itself; remove it.`);
        }
        if (grpc && lower.endsWith('-bin'))
            throw new RemoteConfigError(`${inputName}: ${name} is binary gRPC metadata (-bin), which a text input cannot carry.`);
        if (Object.keys(headers).some((h) => h.toLowerCase() === name.toLowerCase()))
            throw new RemoteConfigError(`${inputName}: ${name} is given twice.`);
        headers[name] = value;
    }
    return headers;
}
/**
 * The Authorization value for a cache-token: `user:password` (bazel-remote's
 * htpasswd) becomes Basic, a value that already names its scheme (`Basic …`,
 * `Bearer …`) is sent as it is, anything else is a Bearer token (a proxy in
 * front of the server).
 */
function authorizationHeader(token, inputName) {
    if (/[\r\n]/.test(token))
        throw new RemoteConfigError(`${inputName}: must be a single line.`);
    if (/^(basic|bearer) \S/i.test(token))
        return token;
    if (token.includes(':'))
        return `Basic ${Buffer.from(token, 'utf8').toString('base64')}`;
    return `Bearer ${token}`;
}
/**
 * Every value to mask in logs: the token, and every header value with and
 * without its scheme (the Authorization made from the token among them; an
 * API key travels in a header as often as in a token).
 */
function secretValues(token, config) {
    const values = new Set([token]);
    for (const value of Object.values(config !== undefined && config.kind !== 's3' ? config.headers : {})) {
        values.add(value);
        values.add(value.replace(/^(basic|bearer) /i, ''));
    }
    return [...values].filter((v) => v.length > 0);
}
function encodeRemoteSettings(settings) {
    return JSON.stringify(settings);
}
const hexId = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj, (v) => /^[0-9a-f]{64}$/.test(v), '64 lowercase hex digits');
const positiveInteger = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .number */ .ai, (n) => Number.isSafeInteger(n) && n > 0, 'a positive whole number');
const httpRemoteConfig = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ik)({
    kind: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)('http'),
    url: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj, (v) => /^https?:\/\//.test(v), 'an http(s):// URL'),
    headers: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    caFile: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    certFile: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    keyFile: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    timeoutMs: positiveInteger,
    compression: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .enums */ .vP)(['zstd', 'none']),
});
const grpcRemoteConfig = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ik)({
    kind: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)('grpc'),
    url: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj, (v) => /^grpcs?:\/\/[^/]+:\d+$/.test(v), 'a grpc(s)://host:port address'),
    instance: _common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj,
    headers: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .record */ .g1)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    caFile: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    certFile: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    keyFile: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
    timeoutMs: positiveInteger,
    compression: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .enums */ .vP)(['zstd', 'none']),
});
const s3RemoteConfig = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ik)({
    kind: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .literal */ .eu)('s3'),
    url: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj, (v) => v.startsWith('s3://'), 'an s3:// URL'),
    bucket: _common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj,
    prefix: _common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj,
    region: _common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj,
    endpoint: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)((0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj, (v) => /^https?:\/\//.test(v), 'an http(s):// URL')),
    pathStyle: _common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .boolean */ .zM,
    timeoutMs: positiveInteger,
});
const remoteConfig = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .tagged */ .VK)('kind', { http: httpRemoteConfig, grpc: grpcRemoteConfig, s3: s3RemoteConfig });
const scopeName = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj, (v) => v !== '' && v.length <= 1024 && !/[\n\r]/.test(v), 'a scope name');
/** RemoteScopes as the daemon, the saved state and the kit's job record read them back. */
const remoteScopes = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ik)({
    read: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .check */ .z6)((0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .array */ .YO)(scopeName), (v) => v.length > 0, 'at least one scope'),
    write: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(scopeName),
    reason: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .string */ .Yj),
});
const remoteSettingsSchema = (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .object */ .Ik)({ config: remoteConfig, scopes: remoteScopes, uploadConcurrency: positiveInteger, manifestKey: (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .optional */ .lq)(hexId) });
const exact = [true, true, true];
void exact;
/** The daemon's side; throws on anything but what encodeRemoteSettings wrote, naming the first field that is not. */
function decodeRemoteSettings(text) {
    try {
        return (0,_common_schema_js__WEBPACK_IMPORTED_MODULE_2__/* .parse */ .qg)(remoteSettingsSchema, JSON.parse(text), _common_env_js__WEBPACK_IMPORTED_MODULE_3__/* .REMOTE_ENV */ .$_);
    }
    catch (error) {
        throw new Error(`${_common_env_js__WEBPACK_IMPORTED_MODULE_3__/* .REMOTE_ENV */ .$_} is not valid remote settings: ${error.message}`);
    }
}


/***/ }),

/***/ 4140:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   G5: () => (/* binding */ HttpTransport),
/* harmony export */   L9: () => (/* binding */ readDeadlineMs),
/* harmony export */   gz: () => (/* binding */ failed),
/* harmony export */   uo: () => (/* binding */ capped)
/* harmony export */ });
/* unused harmony export READ_BASE_MS */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(7067);
/* harmony import */ var node_http__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_http__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(4708);
/* harmony import */ var node_https__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_https__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var _remote_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(2618);
/**
 * HTTP for every remote (bazel-remote's HTTP protocol, S3): one request with a
 * deadline covering connect, headers and the whole body, and a cap on the
 * bytes taken from the answer, so a server can neither hang us nor fill
 * memory. Bodies arrive as streams; errors reach the consumer through them.
 */





/**
 * A read's deadline: READ_BASE_MS, plus the time the expected bytes take at
 * READ_MIN_BYTES_PER_MS (2 MiB/s), and never more than cache-timeout. go waits
 * on every read, and a hit that takes longer than this is worth less than
 * compiling; a server that stalls reads (headers, then a byte a second) costs
 * a lookup about 2 s, not the whole timeout (docs/decisions.md#d31).
 */
const READ_BASE_MS = 2_000;
const READ_MIN_BYTES_PER_MS = (2 * 1024 * 1024) / 1000;
function readDeadlineMs(timeoutMs, expectedBytes) {
    return Math.min(timeoutMs, READ_BASE_MS + Math.ceil(expectedBytes / READ_MIN_BYTES_PER_MS));
}
class HttpTransport {
    wire = { requests: 0, sent: 0, received: 0 };
    agent;
    authHint;
    /** `authHint`: what a 401 or 403 tells the user to check, in this remote's terms. */
    constructor(https_, tls, maxSockets, authHint) {
        this.authHint = authHint;
        const options = { keepAlive: true, maxSockets };
        this.agent = https_
            ? new (node_https__WEBPACK_IMPORTED_MODULE_2___default().Agent)({
                ...options,
                ca: tls.caFile ? (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(tls.caFile) : undefined,
                cert: tls.certFile ? (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(tls.certFile) : undefined,
                key: tls.keyFile ? (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync)(tls.keyFile) : undefined,
            })
            : new (node_http__WEBPACK_IMPORTED_MODULE_1___default().Agent)(options);
    }
    close() {
        this.agent.destroy();
    }
    /** The whole body of a 2xx answer (at most `maxResponseBytes`), undefined for a GET's or HEAD's 404; rejects on anything else. */
    async request(request) {
        const response = await this.open(request);
        if (response === undefined)
            return undefined;
        const chunks = [];
        for await (const chunk of response.body)
            chunks.push(chunk);
        return { headers: response.headers, body: Buffer.concat(chunks) };
    }
    /**
     * Sends the request; resolves at a 2xx answer's headers with its body as a
     * stream, undefined for a GET's or HEAD's 404; rejects on anything else.
     * Past the deadline, or past `maxResponseBytes` on the wire, the body
     * stream fails.
     */
    open({ method, url, what, headers, body, maxResponseBytes, deadlineMs }) {
        return new Promise((resolve, reject) => {
            let answered = false;
            let timer;
            /** Before the headers: reject. After: fail the body stream. */
            const fail = (error) => {
                clearTimeout(timer);
                request.destroy(error);
                if (!answered) {
                    answered = true;
                    reject(error);
                }
            };
            const transport = url.protocol === 'https:' ? (node_https__WEBPACK_IMPORTED_MODULE_2___default()) : (node_http__WEBPACK_IMPORTED_MODULE_1___default());
            const request = transport.request(url, {
                method,
                agent: this.agent,
                headers: { ...headers, ...(body !== undefined && { 'Content-Length': String(body.length) }) },
            });
            timer = setTimeout(() => fail(new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: no answer within ${deadlineMs} ms`)), deadlineMs);
            request.on('error', (error) => fail(error instanceof _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H ? error : new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: ${error.message}`)));
            request.on('response', (response) => {
                const status = response.statusCode ?? 0;
                if (status === 404 && method !== 'PUT') {
                    clearTimeout(timer);
                    answered = true;
                    response.resume();
                    return resolve(undefined);
                }
                if (status < 200 || status >= 300) {
                    // The reason, from the first 200 bytes of the body; never more is kept.
                    let text = '';
                    response.setEncoding('utf8');
                    response.on('data', (chunk) => {
                        this.wire.received += Buffer.byteLength(chunk);
                        if (text.length < 200)
                            text += chunk.slice(0, 200 - text.length);
                    });
                    const hint = status === 401 || status === 403 ? `; ${this.authHint}` : '';
                    response.on('end', () => fail(new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: HTTP ${status}${text.trim() ? ` (${text.trim()})` : ''}${hint}`, status)));
                    response.on('error', (error) => fail(new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: ${error.message}`)));
                    return;
                }
                answered = true;
                let taken = 0;
                const counted = quiet(new node_stream__WEBPACK_IMPORTED_MODULE_3__.Transform({
                    transform: (chunk, _encoding, done) => {
                        this.wire.received += chunk.length;
                        taken += chunk.length;
                        if (taken > maxResponseBytes)
                            return done(new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: the answer is larger than the ${maxResponseBytes} bytes expected`));
                        done(null, chunk);
                    },
                    flush: (done) => {
                        clearTimeout(timer);
                        done();
                    },
                }));
                response.on('error', (error) => counted.destroy(new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: ${error.message}`)));
                // A deadline or a request error after the headers ends up here.
                request.on('close', () => {
                    if (!response.complete)
                        counted.destroy(new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: the answer ended early`));
                });
                counted.on('close', () => {
                    clearTimeout(timer);
                    if (!response.complete)
                        request.destroy();
                });
                response.pipe(counted);
                resolve({ headers: response.headers, body: counted });
            });
            this.wire.requests++;
            if (body !== undefined)
                this.wire.sent += body.length;
            request.end(body);
        });
    }
}
/** The stages piped into one stream that fails once it goes past `size` bytes; an error anywhere destroys them all (the socket goes). */
function capped(stages, size, what) {
    let seen = 0;
    const out = new node_stream__WEBPACK_IMPORTED_MODULE_3__.Transform({
        transform(chunk, _encoding, done) {
            seen += chunk.length;
            if (seen > size)
                return done(new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: more than the ${size} bytes its entry says`));
            done(null, chunk);
        },
    });
    (0,node_stream__WEBPACK_IMPORTED_MODULE_3__.pipeline)([...stages, out], (error) => {
        if (error)
            out.destroy(error instanceof _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H ? error : new _remote_js__WEBPACK_IMPORTED_MODULE_4__/* .RemoteError */ .H(`${what}: ${error.message}`));
    });
    return quiet(out);
}
/** A stream that fails with `error` at once, and `source` dropped. */
function failed(source, error) {
    source.destroy();
    const out = quiet(new node_stream__WEBPACK_IMPORTED_MODULE_3__.Readable({ read() { } }));
    out.destroy(error);
    return out;
}
/** The consumer sees an error through the stream itself (for await, pipeline); one that comes before it starts reading must not be an unhandled 'error' event meanwhile. */
function quiet(stream) {
    stream.on('error', () => undefined);
    return stream;
}


/***/ }),

/***/ 2618:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   H: () => (/* binding */ RemoteError)
/* harmony export */ });
/** A request that failed; `status` when the server answered (a 401 or 403 message says which credentials to check). */
class RemoteError extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
    }
}


/***/ }),

/***/ 643:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   HY: () => (/* binding */ zstdDecoding),
/* harmony export */   oq: () => (/* binding */ zstdCompress),
/* harmony export */   rq: () => (/* binding */ HAS_ZSTD)
/* harmony export */ });
/* unused harmony export SkipSkippableFrames */
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(8522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_1__);
/**
 * zstd for blobs on the wire, shared by the remotes that offer it (bazel-remote
 * over HTTP and REAPI). Node gained zstd in zlib in 22.15/23.8; the runner's
 * node24 has it.
 */


const HAS_ZSTD = typeof (node_zlib__WEBPACK_IMPORTED_MODULE_1___default().zstdCompressSync) === 'function';
/** The blob at level 1 (fast; Go objects shrink 2–3×), or undefined when that is no smaller: incompressible data goes plain. */
function zstdCompress(body) {
    const compressed = node_zlib__WEBPACK_IMPORTED_MODULE_1___default().zstdCompressSync(body, { params: { [(node_zlib__WEBPACK_IMPORTED_MODULE_1___default().constants).ZSTD_c_compressionLevel]: 1 } });
    return compressed.length < body.length ? compressed : undefined;
}
/**
 * The stages that decode a zstd stream of a `size`-byte blob; the caller caps
 * their output at `size` (http.ts capped), so a bomb stops there.
 *
 * On libuv's thread pool, at most 1 MiB at a time: a bomb costs a thread, never
 * the event loop. The output buffer is sized to the blob: zlib allocates a whole
 * chunk per stream, and 1 MiB for each of thousands of small Go objects made
 * decompressing them 1.4–1.6× slower (3,000 objects, 411 MiB: 1.8–2.3 s against
 * 2.5–3.7 s), most of it garbage.
 */
function zstdDecoding(size) {
    const chunkSize = Math.min(1 << 20, Math.max(size + 1, 16 * 1024));
    return [new SkipSkippableFrames(), node_zlib__WEBPACK_IMPORTED_MODULE_1___default().createZstdDecompress({ chunkSize, params: { [(node_zlib__WEBPACK_IMPORTED_MODULE_1___default().constants).ZSTD_d_windowLogMax]: 27 } })];
}
/**
 * bazel-remote's zstd blobs start with a skippable frame (magic 0x184D2A5?)
 * holding its chunk table (cache/disk/casblob); Node's zstd decoder returns
 * nothing for a stream that starts with one, so they are dropped here. A
 * frame's 8-byte header may arrive split across chunks. The caller checks the
 * decoded bytes against the digest anyway.
 */
class SkipSkippableFrames extends node_stream__WEBPACK_IMPORTED_MODULE_0__.Transform {
    pending = Buffer.alloc(0);
    done = false;
    skip = 0;
    _transform(chunk, _encoding, callback) {
        callback(null, this.done ? chunk : this.strip(this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk));
    }
    /** What follows the skippable frames in `data`, or undefined while more is needed to tell. */
    strip(data) {
        this.pending = Buffer.alloc(0);
        for (;;) {
            const n = Math.min(this.skip, data.length);
            this.skip -= n;
            data = data.subarray(n);
            if (this.skip > 0)
                return undefined;
            if (data.length < 8) {
                this.pending = data;
                return undefined;
            }
            if ((data.readUInt32LE(0) & 0xfffffff0) !== 0x184d2a50) {
                this.done = true;
                return data;
            }
            this.skip = 8 + data.readUInt32LE(4);
        }
    }
    _flush(callback) {
        callback(null, this.pending.length > 0 ? this.pending : undefined);
    }
}


/***/ }),

/***/ 2415:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   N2: () => (/* binding */ checkObjectForAction),
/* harmony export */   QH: () => (/* binding */ BUILD_ID_HEAD_BYTES)
/* harmony export */ });
/* unused harmony exports hashToString, archiveBuildId */
/**
 * What a client can check about a build-cache object beyond its digest: that
 * a compiled package archive belongs to the action it is stored under.
 *
 * cmd/go stores a package compile's archive (a.Mode == "build") under key
 * a.actionID (cmd/go/internal/work/buildid.go updateBuildID: c.Put(a.actionID,
 * r)), and that archive carries the build ID HashToString(actionID) + "/" +
 * contentID (useCache sets a.buildID; updateBuildID only replaces the part after
 * the last "/", and caches nothing when the ID was not found in the file). When go
 * later gets the entry, useCache reads the build ID (cmd/internal/buildid
 * buildid.go ReadFile) and adopts it without comparing its action part with the
 * key. A poisoned or mismatched entry (another action's archive under this key)
 * then passes the digest check and breaks the build further on; here it is
 * caught before go sees it, so the entry can be treated as a miss.
 *
 * What it cannot catch: an archive crafted to carry the right build ID (the ID
 * is derived from the key, so anyone writing to the cache can forge it); and
 * every object that is not a Go archive (compile stdout, srcfiles lists, cgo
 * files, vet facts, test results, executables, PGO profiles: stored under other
 * keys or without a build ID in an archive header), which pass unchecked; nor
 * gccgo archives, whose ID sits in a _buildid.o member that ReadFile's fallback
 * reads. An archive whose build ID line does not parse passes too: ReadFile's
 * gccgo fallback then usually reads it as having an empty ID, which go accepts.
 */
/** How many leading bytes of an object callers pass: buildid.ReadFile reads at most the first 1024. */
const BUILD_ID_HEAD_BYTES = 1024;
const HEX_ID = /^[0-9a-fA-F]{64}$/;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/**
 * cmd/internal/buildid HashToString: the first 15 bytes of a 32-byte ID as 20
 * characters of URL-safe base64 without padding. Throws on an ID that is not 64 hex digits.
 */
function hashToString(actionIdHex) {
    if (!HEX_ID.test(actionIdHex))
        throw new Error(`not a 64-hex-digit ID: ${JSON.stringify(actionIdHex)}`);
    const h = Buffer.from(actionIdHex, 'hex');
    let out = '';
    for (let i = 0; i < 5; i++) {
        const v = (h[3 * i] << 16) | (h[3 * i + 1] << 8) | h[3 * i + 2];
        out += B64[(v >> 18) & 0x3f] + B64[(v >> 12) & 0x3f] + B64[(v >> 6) & 0x3f] + B64[v & 0x3f];
    }
    return out;
}
const BANG_ARCH = Buffer.from('!<arch>\n');
const PKGDEF = Buffer.from('__.PKGDEF');
const GO_OBJECT = Buffer.from('go object ');
const BUILD_ID = Buffer.from('build id ');
const NL = 0x0a;
/**
 * The build ID of a Go archive from its first bytes, parsed as buildid.ReadFile
 * parses the first 1024 bytes: "!<arch>\n", a line starting "__.PKGDEF", a line
 * starting "go object ", then a line `build id "<id>"`. A fourth line that does
 * not start "build id " gives '' (ReadFile: "doesn't have a build id line",
 * success with an empty ID). Undefined where ReadFile would fall back to other
 * formats (gccgo archives, executables) or fail: not a Go archive in this sense.
 *
 * The ID is read only in the form cmd/compile writes it (gc/obj.go
 * printObjHeader: %q of base64 characters and "/", so no escapes); any other
 * quoting is undefined, so the object passes unjudged: a writer able to craft
 * one could as well write the right ID.
 *
 * Pass min(size, BUILD_ID_HEAD_BYTES) bytes: a shorter head may cut the build
 * ID line and give undefined where go would read an ID.
 */
function archiveBuildId(head) {
    let data = head.subarray(0, BUILD_ID_HEAD_BYTES);
    if (data.length < BANG_ARCH.length || !data.subarray(0, BANG_ARCH.length).equals(BANG_ARCH))
        return undefined;
    data = data.subarray(BANG_ARCH.length);
    const lines = [];
    for (let i = 1; i <= 3; i++) {
        const j = data.indexOf(NL);
        if (j < 0)
            return undefined;
        lines.push(data.subarray(0, j));
        data = data.subarray(j + 1);
    }
    const [pkgdef, goObject, idLine] = lines;
    if (!startsWith(pkgdef, PKGDEF) || !startsWith(goObject, GO_OBJECT))
        return undefined;
    if (!startsWith(idLine, BUILD_ID))
        return '';
    // Printable ASCII but " and \: what %q leaves unescaped.
    const m = /^"([ !#-[\]-~]*)"$/.exec(idLine.subarray(BUILD_ID.length).toString('latin1'));
    return m?.[1];
}
/**
 * Ok unless `head` (the object's first BUILD_ID_HEAD_BYTES bytes) is a Go
 * archive whose non-empty build ID's action part (before the first "/") is not
 * hashToString(actionIdHex): then the object belongs to another action.
 */
function checkObjectForAction(actionIdHex, head) {
    const want = hashToString(actionIdHex);
    const id = archiveBuildId(head);
    if (id === undefined || id === '')
        return { ok: true };
    const got = id.split('/', 1)[0];
    if (got === want)
        return { ok: true };
    return { ok: false, reason: `archive build ID ${JSON.stringify(id)} is not for action ${want} (${actionIdHex.slice(0, 12)}…)` };
}
function startsWith(line, prefix) {
    return line.length >= prefix.length && line.subarray(0, prefix.length).equals(prefix);
}


/***/ }),

/***/ 8962:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   S: () => (/* binding */ readHashed),
/* harmony export */   T: () => (/* binding */ fileChunks)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _build_id_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(2415);




/**
 * `size` bytes of `file`, read 1 MiB at a time, synchronously (the stores
 * write synchronously): an object too large for memory, as an iterable a
 * store can compare and copy like a body held in memory. One buffer serves
 * every read, so a chunk is valid only until the next one is taken: a fresh
 * buffer each time left up to the whole object as garbage in one synchronous
 * loop (decisions.md#d32).
 */
function* fileChunks(file, size) {
    const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(file, 'r');
    try {
        const buffer = Buffer.allocUnsafe(Math.min(size, 1 << 20));
        for (let at = 0; at < size;) {
            const n = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readSync)(fd, buffer, 0, Math.min(buffer.length, size - at), at);
            if (n === 0)
                throw new Error(`${file} ends at ${at} of ${size} bytes`);
            at += n;
            yield buffer.subarray(0, n);
        }
    }
    finally {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
    }
}
/**
 * Reads `chunks` to the end, hashing them: into memory (`body`), or into
 * `file` (created owner-only) as they arrive. With the sha256, the length,
 * and the first BUILD_ID_HEAD_BYTES for the build-ID check. A bundle's large
 * objects and a remote's both come through here.
 */
async function readHashed(chunks, file) {
    const hash = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256');
    const kept = [];
    let head = Buffer.alloc(0);
    let length = 0;
    const handle = file === undefined ? undefined : await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.open)(file, 'wx', 0o600);
    try {
        for await (const chunk of chunks) {
            hash.update(chunk);
            length += chunk.length;
            if (head.length < _build_id_js__WEBPACK_IMPORTED_MODULE_3__/* .BUILD_ID_HEAD_BYTES */ .QH)
                head = Buffer.concat([head, chunk.subarray(0, _build_id_js__WEBPACK_IMPORTED_MODULE_3__/* .BUILD_ID_HEAD_BYTES */ .QH - head.length)]);
            if (handle === undefined)
                kept.push(chunk);
            else
                await handle.write(chunk);
        }
    }
    finally {
        await handle?.close();
    }
    return { digest: hash.digest('hex'), length, head, ...(handle === undefined && { body: Buffer.concat(kept, length) }) };
}


/***/ }),

/***/ 8430:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Rd: () => (/* binding */ rewriteImported),
/* harmony export */   U2: () => (/* binding */ importedPath),
/* harmony export */   Vs: () => (/* binding */ LocalStore),
/* harmony export */   hB: () => (/* binding */ readEntry),
/* harmony export */   xu: () => (/* binding */ readImported)
/* harmony export */ });
/* unused harmony exports parseImported, parseEntry */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _file_chunks_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(8962);
/**
 * The local store: content-addressed objects plus small action entries, on
 * disk, shared by every go process of the job (each through its own shim).
 *
 *   <root>/o/<xx>/<outputID hex>   the body; returned as DiskPath (absolute, no extension:
 *                                  tools filter on extensions, golang/go#74451)
 *   <root>/a/<xx>/<actionID hex>   "v1 <outputID hex> <size> <put time ms> <object mtime ms>\n"
 *   <root>/tmp/                    writes land here first, then rename(2) into place
 *   <root>/imported                the entries a bundle import brought, appended as their
 *                                  objects land: "<actionID hex> v1 …" as above, one line each
 *
 * Imported entries share one file because a file per entry was most of an
 * import's cost: 1,900 entry files took 0.75 s of a 1.7 s import on 2 cores,
 * where appending their lines costs a write per object (docs/decisions.md#d23).
 * An entry file, written by a later put, wins over an imported line.
 *
 * Safe with many writers: every file appears whole or not at all (rename is
 * atomic on one filesystem), and identical content under one name makes the
 * races harmless. A hit is served only when the object's size and mtime are
 * what the entry recorded at put time, so a truncated file (a crash before the
 * data reached disk) or one modified since is a miss, and Go recompiles. Go
 * itself stats the DiskPath and refuses a size mismatch too (cache.GetFile).
 *
 * Objects stay after the go command exits: `go list -export` prints DiskPaths
 * that tools open later. Eviction happens only in trim(), run by the post step.
 *
 * Owner-only whatever the umask: directories 0700, files 0600, so no other
 * local user can plant an entry. A symlink where a store directory belongs is
 * refused, not followed: each directory is lstat'ed once per process before
 * it is read or written (docs/security.md).
 */




const HEX_ID = /^[0-9a-f]{64}$/;
/** Entry and object reads never follow a symlink (O_NOFOLLOW is 0 on Windows, where the shim is the Node one and lstat still guards). */
const READ_NO_FOLLOW = node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_RDONLY | (node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.O_NOFOLLOW ?? 0);
/** 9999-12-31T23:59:59.999Z, the last instant Go's time.Time JSON takes. */
const MAX_TIME_MS = 253_402_300_799_999;
class LocalStore {
    root;
    tmp;
    tempBase = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).readUIntBE(0, 6);
    tempCount = 0;
    // Paths are built by concatenation: path.join cost more than the stat (bench/protocol.ts).
    objectPrefix;
    actionPrefix;
    /** Entry files are one short line; one read into this buffer takes them whole. */
    entryBuffer = Buffer.allocUnsafe(256);
    /** The imported entries read so far, and how far into the file (only whole lines are taken). */
    imported = new Map();
    importedRead = { ino: -1, offset: 0 };
    /** Open for appending while this instance imports a bundle. */
    importFd;
    /** Fan-out directories seen to be real directories, not symlinks (checked once per process). */
    checkedDirs = new Set();
    /**
     * False when this user cannot write the store (a store another user keeps,
     * a read-only mount): hits are still served, and the shim tells go the cache
     * is read-only so that it sends no puts.
     */
    writable;
    constructor(root) {
        this.root = node_path__WEBPACK_IMPORTED_MODULE_2___default().resolve(root);
        this.tmp = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.root, 'tmp');
        this.objectPrefix = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.root, 'o') + (node_path__WEBPACK_IMPORTED_MODULE_2___default().sep);
        this.actionPrefix = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.root, 'a') + (node_path__WEBPACK_IMPORTED_MODULE_2___default().sep);
        this.writable = makeWritableDir(this.tmp);
        for (const dir of [this.root, this.tmp, node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.root, 'o'), node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.root, 'a')]) {
            if ((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync)(dir, { throwIfNoEntry: false })?.isSymbolicLink())
                throw new Error(`${dir} is a symlink; the store refuses to follow it`);
        }
    }
    /** Whether `dir` may be used: a real directory (true), absent (false), or a symlink (throws, so a put fails and a get misses). */
    checkDir(dir) {
        if (this.checkedDirs.has(dir))
            return true;
        const info = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync)(dir, { throwIfNoEntry: false });
        if (info === undefined)
            return false;
        if (!info.isDirectory())
            throw new Error(`${dir} is not a directory (a symlink?); the store refuses to follow it`);
        this.checkedDirs.add(dir);
        return true;
    }
    /**
     * Closes a store that an older version, or a looser umask, left open to
     * other users: the root, tmp/, o/, a/ and every fan-out directory become
     * 0700, and a symlink where a fan-out directory belongs is removed (what it
     * points at is left alone). Once per job, by the daemon; returns what it changed.
     */
    tighten() {
        const changed = [];
        const dirs = [this.root, this.tmp];
        for (const top of ['o', 'a'].map((d) => node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.root, d))) {
            if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync)(top, { throwIfNoEntry: false })?.isDirectory())
                continue;
            dirs.push(top);
            let entries = [];
            try {
                entries = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readdirSync)(top, { withFileTypes: true });
            }
            catch {
                continue;
            }
            for (const entry of entries) {
                const dir = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(top, entry.name);
                if (entry.isDirectory())
                    dirs.push(dir);
                else if (entry.isSymbolicLink()) {
                    (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.unlinkSync)(dir);
                    changed.push(`removed the symlink ${dir}`);
                }
            }
        }
        for (const dir of dirs) {
            const info = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync)(dir, { throwIfNoEntry: false });
            if (info === undefined || !info.isDirectory() || (info.mode & 0o077) === 0)
                continue;
            try {
                (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.chmodSync)(dir, 0o700);
                changed.push(`${dir} ${(info.mode & 0o777).toString(8)} → 700`);
            }
            catch {
                // Not ours (a store another user provides read-only): left as it is.
            }
        }
        return changed;
    }
    /** Creates a fan-out directory owner-only, or checks the one there. */
    ensureDir(dir) {
        if (this.checkDir(dir))
            return;
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdirSync)(dir, { recursive: true, mode: 0o700 });
        if (!this.checkDir(dir))
            throw new Error(`${dir} could not be created`);
    }
    objectPath(outputId) {
        return this.objectPrefix + outputId.slice(0, 2) + (node_path__WEBPACK_IMPORTED_MODULE_2___default().sep) + outputId;
    }
    actionPath(actionId) {
        return this.actionPrefix + actionId.slice(0, 2) + (node_path__WEBPACK_IMPORTED_MODULE_2___default().sep) + actionId;
    }
    get importedPath() {
        return importedPath(this.root);
    }
    /**
     * Synchronous on purpose: a few small syscalls (open, read, close the
     * entry; stat the object), cheaper than round trips through libuv's thread
     * pool on the hottest path.
     */
    get(actionId) {
        assertId(actionId);
        const entryPath = this.actionPath(actionId);
        let entry;
        try {
            entry = (this.checkDir(fanOutDir(entryPath)) ? readEntry(entryPath, this.entryBuffer) : undefined) ?? this.importedEntry(actionId);
        }
        catch {
            return undefined;
        }
        if (entry === undefined)
            return undefined;
        const diskPath = this.objectPath(entry.outputId);
        try {
            if (!this.checkDir(fanOutDir(diskPath)))
                return undefined;
            // lstat: an object that is a symlink is not served (docs/security.md).
            const info = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.lstatSync)(diskPath, { throwIfNoEntry: false });
            if (info === undefined || !info.isFile() || info.size !== entry.size || Math.trunc(info.mtimeMs) !== entry.objectMtimeMs)
                return undefined;
        }
        catch {
            return undefined;
        }
        return { outputId: entry.outputId, size: entry.size, timeMs: entry.timeMs, diskPath };
    }
    /**
     * Synchronous too, measured: a cold build makes hundreds of puts while go
     * waits on each one, and plain syscalls beat ~10 thread-pool round trips per
     * put (docs/decisions.md#d9). The object is whole on disk before we answer.
     */
    put(actionId, outputId, body, size, timeMs = Date.now()) {
        return this.putShared(outputId, body, size, [{ actionId, timeMs }]);
    }
    /**
     * One object and every entry that points at it (a bundle's object frame):
     * the object is written or compared once, not once per entry.
     */
    putShared(outputId, body, size, entries) {
        return this.putEntries(this.publish(outputId, body, size, entries), outputId, size, entries);
    }
    /** A fresh path in tmp/ for a body too large for memory (a remote's object), written by the caller and then given to putStaged. */
    stagePath() {
        return this.tempName();
    }
    /**
     * "<pid>-<12 hex>", as the Go shim names its temp files: a random 48-bit
     * start and a counter, not random bytes per file (randomFillSync took
     * 0.1 s of a warm build's daemon). Opened with wx, so a clash fails safe.
     */
    tempName() {
        return node_path__WEBPACK_IMPORTED_MODULE_2___default().join(this.tmp, `${process.pid}-${((this.tempBase + this.tempCount++) % 2 ** 48).toString(16).padStart(12, '0')}`);
    }
    /**
     * put, for a body the caller wrote whole to `staged` (from stagePath) and
     * verified: linked into place, not copied. `staged` is gone after, either way.
     */
    putStaged(actionId, outputId, staged, size, timeMs) {
        try {
            const entries = [{ actionId, timeMs }];
            const body = { [Symbol.iterator]: () => (0,_file_chunks_js__WEBPACK_IMPORTED_MODULE_3__/* .fileChunks */ .T)(staged, size) };
            return this.putEntries(this.publish(outputId, body, size, entries, staged), outputId, size, entries);
        }
        finally {
            unlinkQuietly(staged);
        }
    }
    putEntries({ diskPath, wroteObject, mtimeMs }, outputId, size, entries) {
        for (const { actionId, timeMs } of entries) {
            this.writeAtomic(this.actionPath(actionId), [Buffer.from(entryLine(outputId, size, timeMs, mtimeMs), 'latin1')]);
        }
        return { diskPath, wroteObject };
    }
    /** The object of a put, in place and verified; its mtime goes into the entries. `staged`: a file in tmp/ holding `body` already. */
    publish(outputId, body, size, entries, staged) {
        for (const entry of entries)
            assertId(entry.actionId);
        assertId(outputId);
        const diskPath = this.objectPath(outputId);
        // Content-addressed, so an object already there is reused, but only after
        // comparing its bytes: go puts again precisely after a get missed because
        // the object was modified, and the new entry must not vouch for those bytes.
        const existingMtimeMs = sameContentMtime(diskPath, body, size);
        if (existingMtimeMs !== undefined)
            return { diskPath, wroteObject: false, mtimeMs: existingMtimeMs };
        const { mtimeMs, wrote } = staged === undefined ? this.writeObject(diskPath, body, size) : this.place(staged, (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.statSync)(staged).mtimeMs, diskPath, body, size);
        return { diskPath, wroteObject: wrote, mtimeMs };
    }
    /**
     * A bundle's object and its entries, while the bundle is imported: the
     * object as in putShared, the entries as lines appended to `imported` (one
     * write), not a file each. A reader sees a line only once it is whole.
     */
    importShared(outputId, body, size, entries) {
        const { diskPath, wroteObject, mtimeMs } = this.publish(outputId, body, size, entries);
        const lines = entries.map(({ actionId, timeMs }) => `${actionId} ${entryLine(outputId, size, timeMs, mtimeMs)}`).join('');
        this.importFd ??= (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(this.importedPath, 'a', 0o600);
        writeAll(this.importFd, Buffer.from(lines, 'latin1'));
        return { diskPath, wroteObject };
    }
    /** Ends this instance's import (closes the file it appends to). */
    endImport() {
        if (this.importFd === undefined)
            return;
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(this.importFd);
        this.importFd = undefined;
    }
    /** An imported entry: from what was read already, else from the lines appended since (the import may still run). */
    importedEntry(actionId) {
        const known = this.imported.get(actionId);
        if (known !== undefined)
            return known;
        // A miss costs one stat when nothing was appended since (the hot path: go's misses).
        let fd;
        try {
            const info = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.statSync)(this.importedPath, { throwIfNoEntry: false });
            if (info === undefined || (info.ino === this.importedRead.ino && info.size === this.importedRead.offset))
                return undefined;
            fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(this.importedPath, 'r');
        }
        catch {
            return undefined;
        }
        try {
            const { ino, size } = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.fstatSync)(fd);
            // Rewritten by a trim: start over.
            if (ino !== this.importedRead.ino || size < this.importedRead.offset) {
                this.imported.clear();
                this.importedRead = { ino, offset: 0 };
            }
            if (size === this.importedRead.offset)
                return undefined;
            const fresh = Buffer.allocUnsafe(size - this.importedRead.offset);
            const length = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readSync)(fd, fresh, 0, fresh.length, this.importedRead.offset);
            // lastIndexOf would read a negative start as counted from the end.
            if (length === 0)
                return undefined;
            const whole = fresh.lastIndexOf(0x0a, length - 1) + 1;
            this.importedRead.offset += whole;
            for (const [id, entry] of parseImported(fresh.toString('latin1', 0, whole)))
                this.imported.set(id, entry);
        }
        catch {
            return undefined;
        }
        finally {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
        }
        return this.imported.get(actionId);
    }
    /** Marks entries as used now, so trim() keeps what jobs actually read. Synchronous: thousands of utimes(2), each far cheaper than a thread-pool trip. */
    async touch(actionIds, when = new Date()) {
        for (const id of actionIds) {
            if (!HEX_ID.test(id))
                continue;
            try {
                (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.utimesSync)(this.actionPath(id), when, when);
            }
            catch {
                // gone since: trimmed, or never written
            }
        }
    }
    /**
     * Publishes an object under its content name. A hard link creates the name
     * only if it is free, so when shims race on one object the first copy stays
     * and every entry records that copy's mtime; a rename would swap in a later
     * copy with another mtime under entries already written (a miss each).
     * Replaces the name only when it holds other bytes.
     */
    writeObject(target, body, size) {
        const { temp, mtimeMs } = this.writeTemp(body);
        try {
            return this.place(temp, mtimeMs, target, body, size);
        }
        finally {
            unlinkQuietly(temp);
        }
    }
    /** writeObject's publishing, of a temp file holding `body` (written at `mtimeMs`); the caller removes `temp` after. */
    place(temp, mtimeMs, target, body, size) {
        this.ensureDir(fanOutDir(target));
        const error = tryLink(temp, target);
        if (error === undefined)
            return { mtimeMs, wrote: true };
        if (error.code === 'EEXIST') {
            const existing = sameContentMtime(target, body, size);
            if (existing !== undefined)
                return { mtimeMs: existing, wrote: false };
        }
        else if (!NO_HARD_LINKS.has(error.code ?? '')) {
            throw error;
        }
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.renameSync)(temp, target);
        return { mtimeMs, wrote: true };
    }
    /** Writes to a temp file and renames it into place, replacing what was there; returns the file's mtime (rename keeps it). */
    writeAtomic(target, chunks) {
        const { temp, mtimeMs } = this.writeTemp(chunks);
        try {
            this.ensureDir(fanOutDir(target));
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.renameSync)(temp, target);
            return mtimeMs;
        }
        catch (error) {
            unlinkQuietly(temp);
            throw error;
        }
    }
    /** A complete temp file in tmp/, and its mtime. On failure nothing is left behind (a full disk must not fill further). */
    writeTemp(chunks) {
        const temp = this.tempName();
        // wx: never through a file or symlink already under the name.
        const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(temp, 'wx', 0o600);
        let written = false;
        try {
            for (const chunk of chunks)
                writeAll(fd, chunk);
            const { mtimeMs } = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.fstatSync)(fd);
            written = true;
            return { temp, mtimeMs };
        }
        finally {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
            if (!written)
                unlinkQuietly(temp);
        }
    }
}
/** The o/xx or a/xx directory of an object or entry path (its name is always 64 hex digits): a slice, not path.dirname, on the hot path. */
function fanOutDir(file) {
    return file.slice(0, file.length - 65);
}
/** Creates `dir` owner-only if needed; false when this user may not write there (the store is read-only to it). */
function makeWritableDir(dir) {
    try {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdirSync)(dir, { recursive: true, mode: 0o700 });
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.accessSync)(dir, node_fs__WEBPACK_IMPORTED_MODULE_1__.constants.W_OK);
        return true;
    }
    catch (error) {
        if (NOT_WRITABLE.has(error.code ?? ''))
            return false;
        throw error;
    }
}
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);
/** link(2), returning its error instead of throwing it. */
function tryLink(existing, target) {
    try {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.linkSync)(existing, target);
        return undefined;
    }
    catch (error) {
        return error;
    }
}
/** link(2) errors of filesystems without hard links (FAT, some network mounts): fall back to rename. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK', 'EACCES']);
function unlinkQuietly(file) {
    try {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.unlinkSync)(file);
    }
    catch {
        // already renamed into place, or gone
    }
}
function writeAll(fd, buffer) {
    let offset = 0;
    while (offset < buffer.length)
        offset += (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.writeSync)(fd, buffer, offset);
}
/** The mtime of `file` when it holds exactly `body` (`size` bytes), else undefined. */
function sameContentMtime(file, body, size) {
    let fd;
    try {
        fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(file, READ_NO_FOLLOW);
    }
    catch {
        return undefined;
    }
    try {
        const info = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.fstatSync)(fd);
        if (!info.isFile() || info.size !== size)
            return undefined;
        const scratch = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 1 << 20));
        for (const chunk of body) {
            for (let offset = 0; offset < chunk.length;) {
                const n = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readSync)(fd, scratch, 0, Math.min(scratch.length, chunk.length - offset), null);
                if (n === 0 || scratch.compare(chunk, offset, offset + n, 0, n) !== 0)
                    return undefined;
                offset += n;
            }
        }
        return info.mtimeMs;
    }
    catch {
        return undefined;
    }
    finally {
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
    }
}
/**
 * An entry file, read whole in one read into `buffer` (256 bytes: entries are
 * one short line); undefined when it is missing, longer than any entry we
 * write, or does not parse.
 */
function readEntry(file, buffer) {
    let length;
    try {
        const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(file, READ_NO_FOLLOW);
        try {
            length = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readSync)(fd, buffer, 0, buffer.length, 0);
        }
        finally {
            (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.closeSync)(fd);
        }
    }
    catch {
        return undefined;
    }
    if (length === buffer.length)
        return undefined;
    return parseEntry(buffer.toString('latin1', 0, length));
}
function importedPath(root) {
    return node_path__WEBPACK_IMPORTED_MODULE_2___default().join(root, 'imported');
}
/** The whole lines of an imported-entries file; lines that do not parse are skipped (a later line for an ID wins). */
function parseImported(text) {
    const entries = new Map();
    for (const line of text.split('\n')) {
        if (line.length < 66 || line[64] !== ' ')
            continue;
        const actionId = line.slice(0, 64);
        if (!HEX_ID.test(actionId))
            continue;
        const entry = parseEntry(`${line.slice(65)}\n`);
        if (entry !== undefined)
            entries.set(actionId, entry);
    }
    return entries;
}
/** Every entry of the imported-entries file; none when it is missing or unreadable. */
function readImported(root) {
    try {
        return parseImported((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)(importedPath(root), 'latin1'));
    }
    catch {
        return new Map();
    }
}
/** Rewrites the imported-entries file without `remove` (a trim), if it holds any of them; atomic, so a reader sees the old file or the new one. */
function rewriteImported(root, remove) {
    const lines = [...readImported(root)];
    const kept = lines.filter(([id]) => !remove.has(id));
    if (kept.length === lines.length)
        return;
    const temp = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(root, 'tmp', `imported-${process.pid}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}`);
    (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.writeFileSync)(temp, kept.map(([id, e]) => `${id} ${entryLine(e.outputId, e.size, e.timeMs, e.objectMtimeMs)}`).join(''), { encoding: 'latin1', mode: 0o600 });
    (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.renameSync)(temp, importedPath(root));
}
function entryLine(outputId, size, timeMs, objectMtimeMs) {
    return `v1 ${outputId} ${size} ${timeMs} ${Math.trunc(objectMtimeMs)}\n`;
}
function parseEntry(text) {
    const m = /^v1 ([0-9a-f]{64}) (\d+) (\d+) (\d+)\n$/.exec(text);
    if (m === null)
        return undefined;
    const entry = { outputId: m[1], size: Number(m[2]), timeMs: Number(m[3]), objectMtimeMs: Number(m[4]) };
    // The time goes back to go as RFC 3339, which it reads only up to year 9999;
    // out of range, the hit line would be unreadable and go would stop.
    if (!Number.isSafeInteger(entry.size) || !Number.isSafeInteger(entry.objectMtimeMs) || !(entry.timeMs <= MAX_TIME_MS))
        return undefined;
    return entry;
}
function assertId(id) {
    // Every ID becomes a file name: only 64 lowercase hex characters may.
    if (!HEX_ID.test(id))
        throw new Error(`invalid cache ID ${JSON.stringify(id)}`);
}


/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".bundle.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(5581);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 

//# sourceMappingURL=bundle.js.map