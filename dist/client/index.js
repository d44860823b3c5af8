import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 362:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_util__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _daemon_control_js__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(141);
/* harmony import */ var _daemon_daemon_js__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(981);
/* harmony import */ var _daemon_reports_js__WEBPACK_IMPORTED_MODULE_4__ = __nccwpck_require__(195);
/* harmony import */ var _gocacheprog_protocol_js__WEBPACK_IMPORTED_MODULE_7__ = __nccwpck_require__(594);
/* harmony import */ var _gocacheprog_session_js__WEBPACK_IMPORTED_MODULE_6__ = __nccwpck_require__(280);
/* harmony import */ var _store_local_store_js__WEBPACK_IMPORTED_MODULE_5__ = __nccwpck_require__(430);
/**
 * The cache client program (dist/client/index.js). GOCACHEPROG runs `serve`;
 * the action runs `daemon`, `stats`, `flush` and `stop`.
 *
 * stdout belongs to the protocol: cmd/go treats anything that is not JSON as
 * fatal ("error reading JSON from GOCACHEPROG"), so every message goes to
 * stderr, and only when something is wrong (or GO_CACHE_SETUP_DEBUG=1).
 */








const USAGE = `usage:
  go-cache-setup serve --store DIR [--daemon SOCKET]     speak GOCACHEPROG on stdin/stdout (set GOCACHEPROG to this)
  go-cache-setup daemon --store DIR --socket SOCKET [--max-bytes N] [--idle-timeout-seconds N] [--log FILE]
  go-cache-setup stats|flush|stop|ping --socket SOCKET`;
const debug = process.env.GO_CACHE_SETUP_DEBUG === '1';
const warn = (message) => void process.stderr.write(`go-cache-setup: ${message}\n`);
/** How long a finished go process may wait to hand its report to the daemon before journaling it. */
const REPORT_TIMEOUT_MS = 500;
async function serve(storeDir, socket) {
    const store = new _store_local_store_js__WEBPACK_IMPORTED_MODULE_5__/* .LocalStore */ .V(storeDir);
    let report;
    try {
        report = await (0,_gocacheprog_session_js__WEBPACK_IMPORTED_MODULE_6__/* .serveSession */ .Q)(process.stdin, process.stdout, { get: (id) => store.get(id), put: (a, o, body, size) => store.put(a, o, body, size) }, { log: debug ? warn : undefined });
    }
    catch (error) {
        if (error instanceof _gocacheprog_protocol_js__WEBPACK_IMPORTED_MODULE_7__/* .ProtocolError */ .bd) {
            warn(`protocol error: ${error.message}`);
            return 2;
        }
        throw error;
    }
    finally {
        process.stdin.destroy();
    }
    // Standalone (a workstation): nobody sums reports, so none are kept.
    if (socket === undefined)
        return 0;
    // go waits for our stdout to close, not for us to exit (cache/prog.go
    // Close), so close it before the report: the report costs go nothing.
    await new Promise((resolve) => process.stdout.end(resolve));
    // The daemon journals the report; if it is gone or slow, we journal it
    // ourselves under the same name, so it is counted once either way.
    const id = (0,_daemon_reports_js__WEBPACK_IMPORTED_MODULE_4__/* .newReportId */ .yv)();
    try {
        const reply = await (0,_daemon_control_js__WEBPACK_IMPORTED_MODULE_2__/* .controlRequest */ .l)(socket, { op: 'report', id, report }, REPORT_TIMEOUT_MS);
        if (!reply.ok)
            throw new Error(reply.error);
    }
    catch (error) {
        if (debug)
            warn(`daemon unavailable (${String(error)}); journaling the report`);
        await (0,_daemon_reports_js__WEBPACK_IMPORTED_MODULE_4__/* .writeJournal */ .fY)(store.root, report, id).catch((e) => warn(`could not write the journal: ${String(e)}`));
    }
    return 0;
}
async function main(argv) {
    const [command, ...rest] = argv;
    const { values } = (0,node_util__WEBPACK_IMPORTED_MODULE_1__.parseArgs)({
        args: rest,
        options: {
            store: { type: 'string' },
            daemon: { type: 'string' },
            socket: { type: 'string' },
            'max-bytes': { type: 'string' },
            'idle-timeout-seconds': { type: 'string' },
            log: { type: 'string' },
        },
        strict: true,
    });
    switch (command) {
        case 'serve':
            if (!values.store)
                throw new UsageError('serve needs --store DIR');
            return serve(values.store, values.daemon);
        case 'daemon': {
            if (!values.store || !values.socket)
                throw new UsageError('daemon needs --store DIR and --socket SOCKET');
            const logStream = values.log ? (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)(values.log, { flags: 'a' }) : undefined;
            const log = (m) => void logStream?.write(`${new Date().toISOString()} ${m}\n`);
            const daemon = await (0,_daemon_daemon_js__WEBPACK_IMPORTED_MODULE_3__/* .startDaemon */ .L)({
                store: values.store,
                socket: values.socket,
                maxBytes: positive(values['max-bytes'] ?? String(5 * 1024 ** 3), '--max-bytes'),
                idleTimeoutMs: positive(values['idle-timeout-seconds'] ?? String(6 * 3600), '--idle-timeout-seconds') * 1000,
                log,
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
            const reply = await (0,_daemon_control_js__WEBPACK_IMPORTED_MODULE_2__/* .controlRequest */ .l)(values.socket, { op: command }, 60_000);
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

/***/ 141:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   l: () => (/* binding */ controlRequest)
/* harmony export */ });
/* unused harmony export waitForDaemon */
/* harmony import */ var node_net__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(30);
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

/***/ 981:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  L: () => (/* binding */ startDaemon)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(24);
// EXTERNAL MODULE: external "node:net"
var external_node_net_ = __nccwpck_require__(30);
var external_node_net_default = /*#__PURE__*/__nccwpck_require__.n(external_node_net_);
// EXTERNAL MODULE: ./src/store/local-store.ts
var local_store = __nccwpck_require__(430);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(760);
var external_node_path_default = /*#__PURE__*/__nccwpck_require__.n(external_node_path_);
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
async function scanStore(root, now = Date.now()) {
    const entries = [];
    const objects = new Map();
    for (const shard of (await (0,promises_.readdir)(external_node_path_default().join(root, 'a')).catch(() => [])).filter((s) => SHARD.test(s))) {
        for (const actionId of (await (0,promises_.readdir)(external_node_path_default().join(root, 'a', shard)).catch(() => [])).filter((n) => HEX_ID.test(n))) {
            const file = external_node_path_default().join(root, 'a', shard, actionId);
            const [text, info] = await Promise.all([(0,promises_.readFile)(file, 'latin1').catch(() => ''), (0,promises_.stat)(file).catch(() => undefined)]);
            entries.push({ actionId, outputId: (0,local_store/* parseEntry */.E)(text)?.outputId, lastUsedMs: info?.mtimeMs ?? 0 });
        }
    }
    for (const shard of (await (0,promises_.readdir)(external_node_path_default().join(root, 'o')).catch(() => [])).filter((s) => SHARD.test(s))) {
        for (const outputId of (await (0,promises_.readdir)(external_node_path_default().join(root, 'o', shard)).catch(() => [])).filter((n) => HEX_ID.test(n))) {
            const info = await (0,promises_.stat)(external_node_path_default().join(root, 'o', shard, outputId)).catch(() => undefined);
            if (info?.isFile())
                objects.set(outputId, info.size);
        }
    }
    const temps = [];
    for (const name of await (0,promises_.readdir)(external_node_path_default().join(root, 'tmp')).catch(() => [])) {
        const info = await (0,promises_.stat)(external_node_path_default().join(root, 'tmp', name)).catch(() => undefined);
        if (info)
            temps.push({ name, ageMs: now - info.mtimeMs });
    }
    return { entries, objects, temps };
}
async function applyTrim(root, plan) {
    const remove = (...parts) => (0,promises_.rm)(external_node_path_default().join(root, ...parts), { force: true });
    for (const id of plan.removeEntries)
        await remove('a', id.slice(0, 2), id);
    for (const id of plan.removeObjects)
        await remove('o', id.slice(0, 2), id);
    for (const name of plan.removeTemps)
        await remove('tmp', name);
}

// EXTERNAL MODULE: ./src/daemon/reports.ts
var reports = __nccwpck_require__(195);
;// CONCATENATED MODULE: ./src/daemon/daemon.ts
/**
 * The long-lived daemon the action's main step starts. go processes never wait
 * on it: their shims serve hits and write puts straight to the shared store.
 * The daemon holds what outlives one go process: the job's accounting (sessions
 * report to it when they end), LRU bookkeeping and trimming at flush, and,
 * with the remote tiers, background transfers.
 */





async function startDaemon(options) {
    const store = new local_store/* LocalStore */.V(options.store);
    const account = new reports/* JobAccount */.dr();
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
                await (0,reports/* writeJournal */.fY)(store.root, (0,reports/* parseReport */.MM)(JSON.stringify(request.report)), request.id);
                return { ok: true };
            case 'stats':
                await (0,reports/* drainJournals */.jb)(store.root, account);
                return { ok: true, stats: account.summary() };
            case 'flush': {
                await (0,reports/* drainJournals */.jb)(store.root, account);
                await store.touch(account.used);
                const plan = planTrim(await scanStore(store.root), options.maxBytes);
                await applyTrim(store.root, plan);
                options.log(`flush: kept ${plan.keptBytes} bytes, removed ${plan.removeEntries.length} entries (${plan.removedBytes} bytes)`);
                return {
                    ok: true,
                    stats: account.summary(),
                    trim: { entriesRemoved: plan.removeEntries.length, bytesRemoved: plan.removedBytes, storeBytes: plan.keptBytes },
                    ...(request.ids ? { ids: account.ids() } : {}),
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
            let end;
            while ((end = buffer.indexOf('\n')) !== -1) {
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
    // A socket file left by a daemon that died would make listen fail with EADDRINUSE.
    if ((0,external_node_fs_.existsSync)(options.socket))
        (0,external_node_fs_.rmSync)(options.socket, { force: true });
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.socket, () => resolve());
    });
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
            await new Promise((resolve) => server.close(() => resolve()));
            (0,external_node_fs_.rmSync)(options.socket, { force: true });
            resolveClosed();
        },
    };
    options.log(`listening on ${options.socket}, store ${store.root}`);
    return running;
}


/***/ }),

/***/ 195:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   MM: () => (/* binding */ parseReport),
/* harmony export */   dr: () => (/* binding */ JobAccount),
/* harmony export */   fY: () => (/* binding */ writeJournal),
/* harmony export */   jb: () => (/* binding */ drainJournals),
/* harmony export */   yv: () => (/* binding */ newReportId)
/* harmony export */ });
/* unused harmony exports journalDir, REPORT_ID */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(760);
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
    add(report) {
        this.sessions++;
        for (const key of Object.keys(this.stats))
            this.stats[key] += report.stats[key];
        for (const id of report.used)
            this.used.add(id);
        for (const id of report.added)
            this.added.add(id);
    }
    ids() {
        return { used: [...this.used], added: [...this.added] };
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
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir)(dir, { recursive: true });
    const name = id;
    const temp = node_path__WEBPACK_IMPORTED_MODULE_2___default().join(dir, `.${name}.${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(4).toString('hex')}.tmp`);
    await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile)(temp, JSON.stringify(report));
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
        [...raw.used, ...raw.added].every((id) => typeof id === 'string' && /^[0-9a-f]{64}$/.test(id));
    if (!valid)
        throw new Error('not a session report');
    return raw;
}


/***/ }),

/***/ 594:
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
            return `{"ID":${response.id},"KnownCommands":${JSON.stringify(KNOWN_COMMANDS)}}\n`;
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
/* harmony import */ var _protocol_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(594);

function emptyStats() {
    return { gets: 0, hits: 0, misses: 0, puts: 0, bytesIn: 0, bytesOut: 0, putErrors: 0, busyMs: 0 };
}
/** Resolves when the conversation ends; rejects with ProtocolError on a malformed stream. */
function serveSession(input, output, backend, options = {}) {
    const stats = emptyStats();
    const used = new Set();
    const added = new Set();
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
    output.write((0,_protocol_js__WEBPACK_IMPORTED_MODULE_0__/* .encodeResponse */ .kd)({ id: 0, kind: 'hello' }));
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
            resolve({ stats, used: [...used], added: [...added], end: ending });
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
                const diskPath = ok ? value?.diskPath : undefined;
                if (typeof diskPath === 'string') {
                    added.add(request.actionId);
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
            Promise.resolve(result).then((value) => answer(request, true, value, started), (error) => answer(request, false, error, started)).finally(() => {
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

/***/ 430:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ parseEntry),
/* harmony export */   V: () => (/* binding */ LocalStore)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(24);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3__ = __nccwpck_require__(760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__nccwpck_require__.n(node_path__WEBPACK_IMPORTED_MODULE_3__);
/**
 * The local store: content-addressed objects plus small action entries, on
 * disk, shared by every go process of the job (each through its own shim).
 *
 *   <root>/o/<xx>/<outputID hex>   the body; returned as DiskPath (absolute, no extension:
 *                                  tools filter on extensions, golang/go#74451)
 *   <root>/a/<xx>/<actionID hex>   "v1 <outputID hex> <size> <put time ms> <object mtime ms>\n"
 *   <root>/tmp/                    writes land here first, then rename(2) into place
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
 */




const HEX_ID = /^[0-9a-f]{64}$/;
/** 9999-12-31T23:59:59.999Z, the last instant Go's time.Time JSON takes. */
const MAX_TIME_MS = 253_402_300_799_999;
class LocalStore {
    root;
    tmp;
    // Paths are built by concatenation: path.join cost more than the stat (bench/protocol.ts).
    objectPrefix;
    actionPrefix;
    /** Entry files are one short line; one read into this buffer takes them whole. */
    entryBuffer = Buffer.allocUnsafe(256);
    constructor(root) {
        this.root = node_path__WEBPACK_IMPORTED_MODULE_3___default().resolve(root);
        this.tmp = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.root, 'tmp');
        this.objectPrefix = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.root, 'o') + (node_path__WEBPACK_IMPORTED_MODULE_3___default().sep);
        this.actionPrefix = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.root, 'a') + (node_path__WEBPACK_IMPORTED_MODULE_3___default().sep);
        (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdirSync)(this.tmp, { recursive: true });
    }
    objectPath(outputId) {
        return this.objectPrefix + outputId.slice(0, 2) + (node_path__WEBPACK_IMPORTED_MODULE_3___default().sep) + outputId;
    }
    actionPath(actionId) {
        return this.actionPrefix + actionId.slice(0, 2) + (node_path__WEBPACK_IMPORTED_MODULE_3___default().sep) + actionId;
    }
    /**
     * Synchronous on purpose: a few small syscalls (open, read, close the
     * entry; stat the object), cheaper than round trips through libuv's thread
     * pool on the hottest path.
     */
    get(actionId) {
        assertId(actionId);
        const buffer = this.entryBuffer;
        let length;
        try {
            const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(this.actionPath(actionId), 'r');
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
            return undefined; // longer than any entry we write
        const entry = parseEntry(buffer.toString('latin1', 0, length));
        if (entry === undefined)
            return undefined;
        const diskPath = this.objectPath(entry.outputId);
        try {
            const info = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.statSync)(diskPath, { throwIfNoEntry: false });
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
     * put (docs/decisions.md, D9). The object is whole on disk before we answer.
     */
    put(actionId, outputId, body, size, timeMs = Date.now()) {
        assertId(actionId);
        assertId(outputId);
        const diskPath = this.objectPath(outputId);
        // Content-addressed, so an object already there is reused, but only after
        // comparing its bytes: go puts again precisely after a get missed because
        // the object was modified, and the new entry must not vouch for those bytes.
        const existingMtimeMs = sameContentMtime(diskPath, body, size);
        const { mtimeMs, wrote: wroteObject } = existingMtimeMs === undefined ? this.writeObject(diskPath, body, size) : { mtimeMs: existingMtimeMs, wrote: false };
        const entry = Buffer.from(`v1 ${outputId} ${size} ${timeMs} ${Math.trunc(mtimeMs)}\n`, 'latin1');
        this.writeAtomic(this.actionPath(actionId), [entry]);
        return { diskPath, wroteObject };
    }
    /** Marks entries as used now, so trim() keeps what jobs actually read. */
    async touch(actionIds, when = new Date()) {
        for (const id of actionIds) {
            if (!HEX_ID.test(id))
                continue;
            await (0,node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.utimes)(this.actionPath(id), when, when).catch(() => undefined);
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
            let error = tryLink(temp, target);
            if (error?.code === 'ENOENT') {
                (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdirSync)(node_path__WEBPACK_IMPORTED_MODULE_3___default().dirname(target), { recursive: true });
                error = tryLink(temp, target);
            }
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
        finally {
            unlinkQuietly(temp);
        }
    }
    /** Writes to a temp file and renames it into place, replacing what was there; returns the file's mtime (rename keeps it). */
    writeAtomic(target, chunks) {
        const { temp, mtimeMs } = this.writeTemp(chunks);
        try {
            try {
                (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.renameSync)(temp, target);
            }
            catch (error) {
                if (error.code !== 'ENOENT')
                    throw error;
                (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.mkdirSync)(node_path__WEBPACK_IMPORTED_MODULE_3___default().dirname(target), { recursive: true });
                (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.renameSync)(temp, target);
            }
            return mtimeMs;
        }
        catch (error) {
            unlinkQuietly(temp);
            throw error;
        }
    }
    /** A complete temp file in tmp/, and its mtime. On failure nothing is left behind (a full disk must not fill further). */
    writeTemp(chunks) {
        const temp = node_path__WEBPACK_IMPORTED_MODULE_3___default().join(this.tmp, `${process.pid}-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomBytes)(6).toString('hex')}`);
        const fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(temp, 'w', 0o644);
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
        fd = (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.openSync)(file, 'r');
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

/***/ 598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 24:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 30:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

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
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(362);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
