export const id = 540;
export const ids = [540];
export const modules = {

/***/ 3540:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  KitUsageError: () => (/* binding */ KitUsageError),
  bootstrapCommand: () => (/* binding */ bootstrapCommand),
  hookCommand: () => (/* binding */ hookCommand),
  kitPlatformProblem: () => (/* binding */ kitPlatformProblem)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: external "node:util"
var external_node_util_ = __webpack_require__(7975);
;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: ./src/daemon/control.ts
var control = __webpack_require__(2141);
// EXTERNAL MODULE: ./src/daemon/endpoint.ts
var endpoint = __webpack_require__(7687);
;// CONCATENATED MODULE: ./src/daemon/launch.ts
/**
 * Starting the daemon as a process that outlives its starter: the action's
 * main step or the kit's job-started hook. Both then wait until it answers.
 */






/** The real one: its own process group, so the runner's step cleanup does not take it; output to `logFile`. */
const spawnDetachedProcess = (command, args, logFile, env) => {
    const log = (0,external_node_fs_.openSync)(logFile, 'a');
    // The runner passes inputs as INPUT_* variables, secrets among them
    // (cache-token): a process that lives on gets none of them.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INPUT_')));
    // windowsHide: a detached child on Windows gets a console window of its own otherwise.
    (0,external_node_child_process_.spawn)(command, args, { detached: true, windowsHide: true, stdio: ['ignore', log, log], env: { ...inherited, ...env } }).unref();
};
/** The daemon's command line (cli.ts `daemon`). */
function daemonArgs(l) {
    return [l.client, 'daemon', '--store', l.store, '--socket', l.socket, '--max-bytes', String(l.maxBytes), '--log', l.logFile];
}
/** True once the new daemon answers a ping; false after `timeoutMs` (go then works without it: the shims journal). */
async function launchDaemon(spawnDetached, l, timeoutMs) {
    spawnDetached(l.node, daemonArgs(l), l.logFile, l.env);
    return (0,control/* waitForDaemon */.v)(l.socket, timeoutMs);
}
/**
 * A new endpoint for a daemon (endpoint.ts planEndpoint): a pipe name on
 * Windows; a socket in `stateDir`, or in a fresh owner-only directory under
 * /tmp when that path is over the platform's limit.
 */
function createEndpoint(stateDir, platform = process.platform, limit = (0,endpoint/* socketPathLimit */.Mc)(platform)) {
    const plan = (0,endpoint/* planEndpoint */.lx)({ platform, stateDir, id: (0,external_node_crypto_.randomBytes)(8).toString('hex'), limit });
    if (plan.kind !== 'short-socket')
        return plan.path;
    // mkdtemp: a new name, mode 0700, so the socket is never in a directory another user can enter.
    return external_node_path_default().join((0,external_node_fs_.mkdtempSync)(plan.dirPrefix), plan.name);
}

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
var external_node_os_default = /*#__PURE__*/__webpack_require__.n(external_node_os_);
;// CONCATENATED MODULE: ./src/gocacheprog/command-line.ts
/**
 * GOCACHEPROG is a command line that cmd/go splits with
 * cmd/internal/quoted.Split: fields split on space, tab, CR and LF; a field
 * may be wrapped whole in '…' or "…", with no escapes inside. So a path with a
 * space must be quoted, and a field holding both quote kinds cannot be written.
 */
function joinGoCommandLine(args) {
    return args.map(quoteField).join(' ');
}
function quoteField(field) {
    const needsQuotes = field === '' || /[ \t\r\n]/.test(field) || field.startsWith("'") || field.startsWith('"');
    if (!needsQuotes)
        return field;
    if (!field.includes("'"))
        return `'${field}'`;
    if (!field.includes('"'))
        return `"${field}"`;
    throw new Error(`cannot pass ${JSON.stringify(field)} in GOCACHEPROG: Go's quoting has no escape for a field with both ' and "`);
}
/** The inverse, as cmd/go does it; used to validate a user's `gocacheprog` input. */
function splitGoCommandLine(line) {
    const fields = [];
    let rest = line;
    for (;;) {
        rest = rest.replace(/^[ \t\r\n]+/, '');
        if (rest === '')
            return fields;
        const quote = rest[0];
        if (quote === "'" || quote === '"') {
            const end = rest.indexOf(quote, 1);
            if (end === -1)
                throw new Error(`unterminated ${quote} string`);
            fields.push(rest.slice(1, end));
            rest = rest.slice(end + 1);
        }
        else {
            const m = /^[^ \t\r\n]+/.exec(rest);
            fields.push(m[0]);
            rest = rest.slice(m[0].length);
        }
    }
}

;// CONCATENATED MODULE: ./src/buildcache/client-install.ts
/**
 * Installs the client into the runner's tool cache (RUNNER_TOOL_CACHE/
 * go-cache-setup/<version>/<arch>), a stable, versioned path that the
 * bootstrap kit uses too, and builds the GOCACHEPROG command line for it.
 */





const CLIENT_TOOL_NAME = 'go-cache-setup';
const CLIENT_ENTRY = 'index.js';
/**
 * Reuses an installed copy only when its bundle is byte-identical to ours: a
 * self-hosted runner keeps its tool cache across jobs and action versions.
 */
async function client_install_installClient(tools, sourceDir, version) {
    const ours = await digest(external_node_path_default().join(sourceDir, CLIENT_ENTRY));
    const found = tools.find(CLIENT_TOOL_NAME, version);
    if (found !== '' && (await digest(external_node_path_default().join(found, CLIENT_ENTRY)).catch(() => '')) === ours) {
        return external_node_path_default().join(found, CLIENT_ENTRY);
    }
    const installed = await tools.cacheDir(sourceDir, CLIENT_TOOL_NAME, version);
    return external_node_path_default().join(installed, CLIENT_ENTRY);
}
async function digest(file) {
    return (0,external_node_crypto_.createHash)('sha256')
        .update(await (0,promises_.readFile)(file))
        .digest('hex');
}
/**
 * Pure: the compiled shim shipped beside the client for this platform
 * (scripts/package.mjs builds them; docs/decisions.md#d28), relative to the
 * client's directory, or undefined where the Node shim serves: any platform
 * not built.
 */
function shimFile(platform, arch) {
    const goos = { linux: 'linux', darwin: 'darwin', win32: 'windows' }[platform];
    const goarch = { x64: 'amd64', arm64: 'arm64' }[arch];
    if (goos === undefined || goarch === undefined)
        return undefined;
    return external_node_path_default().join('shim', `go-cache-shim-${goos}-${goarch}${goos === 'windows' ? '.exe' : ''}`);
}
/**
 * The compiled shim next to the installed `client`, runnable; undefined when
 * there is none for this platform or it cannot be run (the Node shim then
 * serves, a few tens of ms slower per go command).
 */
function findShim(client, platform = process.platform, arch = process.arch) {
    const file = shimFile(platform, arch);
    if (file === undefined)
        return undefined;
    const shim = external_node_path_default().join(external_node_path_default().dirname(client), file);
    try {
        (0,external_node_fs_.accessSync)(shim, external_node_fs_.constants.X_OK);
        return shim;
    }
    catch {
        try {
            // A copy that lost its mode bits (an unpacked archive, a tool cache copy).
            (0,external_node_fs_.chmodSync)(shim, 0o755);
            (0,external_node_fs_.accessSync)(shim, external_node_fs_.constants.X_OK);
            return shim;
        }
        catch {
            return undefined;
        }
    }
}
/** The GOCACHEPROG value: absolute paths, quoted the way cmd/go splits them. */
function cacheProgCommand(p) {
    const readStore = p.readStore === undefined ? [] : ['--read-store', p.readStore];
    const remote = p.remoteWaitMs === undefined ? [] : ['--remote-wait-ms', String(p.remoteWaitMs)];
    const bundle = p.bundleWaitMs === undefined ? [] : ['--bundle-wait-ms', String(p.bundleWaitMs)];
    const program = p.shim === undefined ? [p.node, p.client] : [p.shim];
    return joinGoCommandLine([...program, 'serve', '--store', p.store, ...readStore, '--daemon', p.socket, ...remote, ...bundle]);
}

;// CONCATENATED MODULE: ./src/bootstrap/shell-quote.ts
/** POSIX single-quoting, so that paths with spaces or `$` reach the program as they are. */
function quoteShell(value) {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

;// CONCATENATED MODULE: ./src/bootstrap/hook-scripts.ts
/**
 * The two hook scripts `bootstrap install` writes. The runner runs a `.sh`
 * hook with `bash -e`, synchronously, with no timeout and no
 * continue-on-error: a non-zero exit from the job-started hook fails the job
 * (docs: "Running scripts before or after a job"; actions/runner ADR 1751).
 * So the script never lets the program's exit status through: a broken kit
 * costs one warning and the cache, never the job.
 */

function renderHookScript(kind, p) {
    return [
        '#!/usr/bin/env bash',
        `# go-cache-setup ${kind} hook, written by \`go-cache-setup bootstrap install\`; uninstall removes it.`,
        '# It never fails the job: any problem is one warning line, and the job runs without the cache.',
        `export GO_CACHE_SETUP_KIT_CONFIG="\${GO_CACHE_SETUP_KIT_CONFIG:-${p.config.replace(/["\\$`]/g, '\\$&')}}"`,
        `${quoteShell(p.node)} ${quoteShell(p.client)} hook ${kind} || echo "::warning::go-cache-setup: the ${kind} hook failed (exit $?); this job runs without the build cache."`,
        'exit 0',
        '',
    ].join('\n');
}

// EXTERNAL MODULE: ./src/remote/config.ts
var remote_config = __webpack_require__(2766);
;// CONCATENATED MODULE: ./src/store/byte-size.ts
/** `5GiB`, `512MiB`, `10G`, `1073741824`: binary multiples. Undefined when it is not a size of at least 1 MiB. */
function parseByteSize(text) {
    const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?$/i.exec(text.trim());
    const bytes = m ? Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]) : NaN;
    return Number.isSafeInteger(bytes) && bytes >= MIN_BYTES ? bytes : undefined;
}
const MIN_BYTES = 1024 ** 2;
const UNITS = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

// EXTERNAL MODULE: ./src/policy/write-policy.ts
var write_policy = __webpack_require__(1000);
// EXTERNAL MODULE: ./src/common/env.ts
var common_env = __webpack_require__(3938);
;// CONCATENATED MODULE: ./src/bootstrap/kit-config.ts
/**
 * The bootstrap kit's config file: what a platform team decides once per
 * runner (or per image), read by the job hooks and by the action itself.
 *
 * The runner puts every line of its `.env` into each job's environment
 * (github-actions-runtime.md section 4), so `bootstrap install` registers
 * GO_CACHE_SETUP_KIT_CONFIG there, and that is how both find the file.
 * JSON, not YAML: the hooks run on a bare runner, and JSON needs no parser
 * that the client bundle does not already have.
 *
 * The file holds no secret: the token stays in its own file (tokenFile),
 * readable by the runner's user only.
 */






class KitConfigError extends Error {
}
const KEYS = new Set(['version', 'cacheUrl', 'tokenFile', 'autoConfigure', 'repositories', 'cacheWrite', 'trustedRefs', 'storePath', 'storeMaxSize']);
const REPO_PATTERN = /^[A-Za-z0-9_.*-]+\/[A-Za-z0-9_.*-]+$/;
/** Parses and validates the file's text; every problem names the key and says what is expected. */
function parseKitConfig(text, file = 'the kit config') {
    let raw;
    try {
        raw = JSON.parse(text);
    }
    catch (error) {
        throw new KitConfigError(`${file} is not valid JSON: ${error.message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        throw new KitConfigError(`${file} must hold a JSON object`);
    const v = raw;
    const fail = (key, expected) => {
        throw new KitConfigError(`${file}: "${key}" ${expected}`);
    };
    for (const key of Object.keys(v))
        if (!KEYS.has(key))
            fail(key, `is not a known key (known: ${[...KEYS].join(', ')})`);
    if (v.version !== 1)
        fail('version', 'must be 1');
    let cacheUrl;
    if (v.cacheUrl !== undefined && v.cacheUrl !== '') {
        if (typeof v.cacheUrl !== 'string')
            fail('cacheUrl', 'must be a string');
        try {
            // The same rules as the action's cache-url input: a Bazel HTTP cache, or REAPI over gRPC.
            const text = v.cacheUrl;
            const name = `${file}: "cacheUrl"`;
            if (/^grpcs?:/i.test(text)) {
                const { url, instance } = (0,remote_config/* parseGrpcUrl */.vj)(text, name);
                cacheUrl = instance === '' ? url : `${url}/${instance}`;
            }
            else
                cacheUrl = (0,remote_config/* parseCacheUrl */.ne)(text, name);
        }
        catch (error) {
            throw new KitConfigError(`${error.message.replace('pass them in cache-token from a secret', 'put the token in tokenFile')}`);
        }
    }
    const tokenFile = optionalAbsolute(v, 'tokenFile', fail);
    const autoConfigure = v.autoConfigure ?? true;
    if (typeof autoConfigure !== 'boolean')
        fail('autoConfigure', 'must be true or false');
    const repos = (v.repositories ?? {});
    if (typeof repos !== 'object' || repos === null || Array.isArray(repos))
        fail('repositories', 'must be an object with "include" and "exclude" lists');
    for (const key of Object.keys(repos))
        if (key !== 'include' && key !== 'exclude')
            fail(`repositories.${key}`, 'is not a known key (include, exclude)');
    const list = (key) => {
        const value = repos[key] ?? [];
        if (!Array.isArray(value) || !value.every((p) => typeof p === 'string' && REPO_PATTERN.test(p))) {
            fail(`repositories.${key}`, 'must be a list of owner/name patterns, like "my-org/*"');
        }
        return value;
    };
    const cacheWrite = v.cacheWrite ?? 'auto';
    if (!write_policy/* CACHE_WRITE_SETTINGS */.Fb.includes(cacheWrite))
        fail('cacheWrite', `must be one of ${write_policy/* CACHE_WRITE_SETTINGS */.Fb.join(', ')}`);
    const refs = v.trustedRefs ?? [];
    if (!Array.isArray(refs) || !refs.every((r) => typeof r === 'string'))
        fail('trustedRefs', 'must be a list of ref patterns, like ["refs/heads/release/*"]');
    try {
        (0,write_policy/* parseRefPatterns */.iP)(refs.join('\n'), `${file}: "trustedRefs"`);
    }
    catch (error) {
        throw new KitConfigError(error.message);
    }
    const storePath = optionalAbsolute(v, 'storePath', fail);
    if (storePath === undefined)
        fail('storePath', 'is required: an absolute directory on the runner for the persistent local store');
    const storeMaxSize = v.storeMaxSize ?? '5GiB';
    if (typeof storeMaxSize !== 'string' || parseByteSize(storeMaxSize) === undefined)
        fail('storeMaxSize', 'must be a size of at least 1MiB, like "5GiB"');
    return {
        version: 1,
        ...(cacheUrl !== undefined && { cacheUrl }),
        ...(tokenFile !== undefined && { tokenFile }),
        autoConfigure: autoConfigure,
        repositories: { include: list('include'), exclude: list('exclude') },
        cacheWrite: cacheWrite,
        trustedRefs: refs,
        storePath: storePath,
        storeMaxSize: storeMaxSize,
    };
}
function optionalAbsolute(v, key, fail) {
    const value = v[key];
    if (value === undefined || value === '')
        return undefined;
    if (typeof value !== 'string' || !external_node_path_default().isAbsolute(value))
        fail(key, 'must be an absolute path');
    return external_node_path_default().normalize(value);
}
/** Whether the kit configures jobs of `repository` (`owner/name`, from GITHUB_REPOSITORY). Exclude wins. */
function repositoryIncluded(config, repository) {
    const matches = (pattern) => globToRegExp(pattern).test(repository);
    if (config.repositories.exclude.some(matches))
        return false;
    return config.repositories.include.length === 0 || config.repositories.include.some(matches);
}
function globToRegExp(pattern) {
    const body = pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
        .join('[^/]*');
    // GitHub owner and repository names are case-insensitive.
    return new RegExp(`^${body}$`, 'i');
}
/** The kit config named by GO_CACHE_SETUP_KIT_CONFIG; a broken one is a problem to report, never a throw. */
async function readKitConfig(env) {
    const file = env[common_env/* KIT_CONFIG_ENV */.mf];
    if (!file)
        return { found: false };
    try {
        return { found: true, file, config: parseKitConfig(await (0,promises_.readFile)(file, 'utf8'), file) };
    }
    catch (error) {
        const problem = error instanceof KitConfigError ? error.message : `cannot read ${file}: ${error.message}`;
        return { found: true, file, problem };
    }
}

;// CONCATENATED MODULE: ./src/bootstrap/runner-env-file.ts
/**
 * The runner's `.env` file: `KEY=VALUE` per line, split on the first `=`, no
 * quoting, read once when the runner's listener starts (actions/runner
 * src/Runner.Listener/Program.cs LoadAndSetEnv), so a change needs a runner
 * restart. Every line of it is in the environment of every job and hook.
 *
 * Pure text edits, so that install and uninstall are exact inverses: install
 * appends only the lines it needs, uninstall removes exactly those lines, and
 * every other line (and the file's own ending) is left as it was.
 */
/** The value the runner would read for `name`: the last line that sets it wins, as in a dictionary insert. */
function readEnvValue(text, name) {
    let value;
    for (const line of splitLines(text)) {
        const eq = line.indexOf('=');
        if (eq > 0 && line.slice(0, eq) === name)
            value = line.slice(eq + 1);
    }
    return value;
}
class EnvConflictError extends Error {
}
/**
 * Appends `NAME=value` for each entry not already set to that value. An entry
 * set to something else is a conflict: the runner runs one script per hook, so
 * silently replacing another team's hook would switch it off.
 */
function addEnvEntries(text, entries) {
    const missing = [];
    for (const [name, value] of Object.entries(entries)) {
        if (/[\r\n]/.test(value) || value === '')
            throw new Error(`${name}: a .env value must be one non-empty line`);
        const current = readEnvValue(text, name);
        if (current === value)
            continue;
        if (current !== undefined) {
            throw new EnvConflictError(`${name} is already set to ${JSON.stringify(current)} in the runner's .env. The runner runs one script per hook: ` +
                `call ours (${value}) from that script, or remove the line and install again.`);
        }
        missing.push(`${name}=${value}`);
    }
    if (missing.length === 0)
        return { text, added: [], addedNewline: false };
    const addedNewline = text !== '' && !text.endsWith('\n');
    return { text: `${text}${addedNewline ? '\n' : ''}${missing.join('\n')}\n`, added: missing, addedNewline };
}
/** Removes the lines `install` added (exact lines only), and the newline it added before them. */
function removeEnvLines(text, lines, addedNewline) {
    const remove = new Set(lines);
    const kept = text.split('\n').filter((line) => !remove.has(line.replace(/\r$/, '')));
    let result = kept.join('\n');
    if (addedNewline && result.endsWith('\n'))
        result = result.slice(0, -1);
    return result;
}
function splitLines(text) {
    return text.split('\n').map((line) => line.replace(/\r$/, ''));
}

;// CONCATENATED MODULE: ./src/bootstrap/install.ts
/**
 * `go-cache-setup bootstrap install|uninstall|status`: pre-configures a
 * self-hosted runner so that every job gets the build cache without a
 * workflow step, the way managed runners come configured.
 *
 * install puts the client in the runner's tool cache (where the action looks
 * too), writes the kit's config and two hook scripts into the kit directory
 * (outside the runner's own directory, which runner updates replace), and
 * registers them in the runner's `.env`. It can run any number of times with
 * the same result; uninstall takes exactly that back, from the record install
 * keeps. The runner reads `.env` when it starts, so it needs a restart after
 * either.
 */









const HOOK_ENV = {
    'job-started': 'ACTIONS_RUNNER_HOOK_JOB_STARTED',
    'job-completed': 'ACTIONS_RUNNER_HOOK_JOB_COMPLETED',
};
const HOOKS = ['job-started', 'job-completed'];
const kitFiles = (kitDir) => ({
    config: external_node_path_default().join(kitDir, 'config.json'),
    record: external_node_path_default().join(kitDir, 'install.json'),
    hook: (kind) => external_node_path_default().join(kitDir, 'hooks', `${kind}.sh`),
});
async function installKit(o, log) {
    await requireRunnerDir(o.runnerDir);
    if (isInside(o.kitDir, o.runnerDir)) {
        throw new Error(`--kit-dir ${o.kitDir} is inside the runner's directory; runner updates replace it. Choose a directory outside, like /opt/go-cache-setup.`);
    }
    // Re-validate: the same rules whether the config came from flags or a file.
    const config = parseKitConfig(JSON.stringify(o.config));
    const files = kitFiles(o.kitDir);
    const client = await client_install_installClient(fsToolCache(o.toolCache), o.clientSourceDir, o.clientVersion);
    log(`client: ${client}`);
    await (0,promises_.mkdir)(external_node_path_default().join(o.kitDir, 'hooks'), { recursive: true });
    await (0,promises_.writeFile)(files.config, `${JSON.stringify(config, null, 2)}\n`);
    for (const kind of HOOKS) {
        await (0,promises_.writeFile)(files.hook(kind), renderHookScript(kind, { node: o.node, client, config: files.config }));
        await (0,promises_.chmod)(files.hook(kind), 0o755);
    }
    await (0,promises_.mkdir)(config.storePath, { recursive: true });
    const envFile = external_node_path_default().join(o.runnerDir, '.env');
    const before = await (0,promises_.readFile)(envFile, 'utf8').catch(() => undefined);
    const addition = addEnvEntries(before ?? '', {
        [HOOK_ENV['job-started']]: files.hook('job-started'),
        [HOOK_ENV['job-completed']]: files.hook('job-completed'),
        [common_env/* KIT_CONFIG_ENV */.mf]: files.config,
    });
    const previous = await readRecord(o.kitDir);
    const record = previous ?? {
        version: 1,
        envFile,
        envLines: [],
        envAddedNewline: false,
        envCreated: before === undefined,
        client,
        toolDir: external_node_path_default().dirname(external_node_path_default().dirname(client)),
    };
    record.envLines = [...record.envLines, ...addition.added];
    record.envAddedNewline ||= addition.addedNewline;
    record.client = client;
    if (addition.added.length > 0)
        await (0,promises_.writeFile)(envFile, addition.text);
    await (0,promises_.writeFile)(files.record, `${JSON.stringify(record, null, 2)}\n`);
    log(addition.added.length > 0 ? `registered the hooks in ${envFile}` : `${envFile} already registers the hooks`);
    log(`config: ${files.config}; store: ${config.storePath}`);
    log('Restart the runner (for example `sudo ./svc.sh stop && sudo ./svc.sh start`) so that it reads .env again.');
}
async function uninstallKit(p, options, log) {
    const files = kitFiles(p.kitDir);
    const record = await readRecord(p.kitDir);
    if (record === undefined)
        throw new Error(`no install record in ${p.kitDir}: nothing installed there (or it was installed by hand)`);
    const config = await (0,promises_.readFile)(files.config, 'utf8').then((text) => parseKitConfig(text), () => undefined);
    const text = await (0,promises_.readFile)(record.envFile, 'utf8').catch(() => undefined);
    if (text !== undefined) {
        const restored = removeEnvLines(text, record.envLines, record.envAddedNewline);
        if (restored === '' && record.envCreated)
            await (0,promises_.rm)(record.envFile, { force: true });
        else
            await (0,promises_.writeFile)(record.envFile, restored);
        log(`removed the hooks from ${record.envFile}`);
    }
    // Only our version's directory, and only if it is the tool-cache layout we wrote.
    if (external_node_path_default().basename(record.client) === CLIENT_ENTRY && record.toolDir.includes(`${(external_node_path_default()).sep}${CLIENT_TOOL_NAME}${(external_node_path_default()).sep}`)) {
        await (0,promises_.rm)(record.toolDir, { recursive: true, force: true });
        await (0,promises_.rm)(`${record.toolDir}.complete`, { force: true });
        // <tool>/<version> and <tool>, when nothing else is left in them.
        for (const dir of [external_node_path_default().dirname(record.toolDir), external_node_path_default().dirname(external_node_path_default().dirname(record.toolDir))])
            await (0,promises_.rmdir)(dir).catch(() => undefined);
    }
    for (const kind of HOOKS)
        await (0,promises_.rm)(files.hook(kind), { force: true });
    await (0,promises_.rm)(external_node_path_default().join(p.kitDir, 'hooks'), { recursive: true, force: true });
    await (0,promises_.rm)(files.config, { force: true });
    await (0,promises_.rm)(files.record, { force: true });
    if (config !== undefined) {
        if (options.purgeStore) {
            await (0,promises_.rm)(config.storePath, { recursive: true, force: true });
            log(`removed the store ${config.storePath}`);
        }
        else {
            log(`kept the store ${config.storePath} (a cache; --purge-store removes it)`);
        }
    }
    log('Restart the runner so that it reads .env again.');
}
/** What is installed, for people: every check on one line, ok or not. */
async function kitStatus(p) {
    const files = kitFiles(p.kitDir);
    const lines = [];
    let ok = true;
    const check = (good, what) => {
        ok &&= good;
        lines.push(`${good ? 'ok     ' : 'MISSING'} ${what}`);
    };
    const record = await readRecord(p.kitDir);
    check(record !== undefined, `install record ${files.record}`);
    try {
        const config = parseKitConfig(await (0,promises_.readFile)(files.config, 'utf8'), files.config);
        check(true, `config ${files.config}: auto-configure ${config.autoConfigure ? 'on' : 'off'}, cache ${config.cacheUrl ?? 'local store only'}, store ${config.storePath}, writes ${config.cacheWrite}`);
    }
    catch (error) {
        check(false, `config ${files.config}: ${error.message}`);
    }
    const envText = await (0,promises_.readFile)(external_node_path_default().join(p.runnerDir, '.env'), 'utf8').catch(() => '');
    for (const kind of HOOKS) {
        check((0,external_node_fs_.existsSync)(files.hook(kind)), `hook ${files.hook(kind)}`);
        check(readEnvValue(envText, HOOK_ENV[kind]) === files.hook(kind), `${HOOK_ENV[kind]} in ${external_node_path_default().join(p.runnerDir, '.env')}`);
    }
    check(readEnvValue(envText, common_env/* KIT_CONFIG_ENV */.mf) === files.config, `${common_env/* KIT_CONFIG_ENV */.mf} in ${external_node_path_default().join(p.runnerDir, '.env')}`);
    check(record !== undefined && (0,external_node_fs_.existsSync)(record.client), `client ${record?.client ?? '(unknown)'}`);
    return { installed: ok, lines };
}
async function readRecord(kitDir) {
    try {
        const record = JSON.parse(await (0,promises_.readFile)(kitFiles(kitDir).record, 'utf8'));
        return record.version === 1 && Array.isArray(record.envLines) ? record : undefined;
    }
    catch {
        return undefined;
    }
}
async function requireRunnerDir(dir) {
    const info = await (0,promises_.stat)(dir).catch(() => undefined);
    if (!info?.isDirectory())
        throw new Error(`--runner-dir ${dir} is not a directory: give the runner's directory (the one with run.sh and .env)`);
}
function isInside(child, parent) {
    const relative = external_node_path_default().relative(parent, child);
    return relative === '' || (!relative.startsWith('..') && !external_node_path_default().isAbsolute(relative));
}
/**
 * @actions/tool-cache's layout (<root>/<tool>/<version>/<arch> plus an
 * `<arch>.complete` marker), written with plain fs: the action's tc.find on
 * the same runner then finds what the kit installed, and the other way round.
 */
function fsToolCache(root, arch = external_node_os_default().arch()) {
    const dir = (tool, version) => external_node_path_default().join(root, tool, version, arch);
    return {
        find: (tool, version) => ((0,external_node_fs_.existsSync)(`${dir(tool, version)}.complete`) ? dir(tool, version) : ''),
        cacheDir: async (source, tool, version) => {
            const dest = dir(tool, version);
            await (0,promises_.rm)(`${dest}.complete`, { force: true });
            await (0,promises_.rm)(dest, { recursive: true, force: true });
            await (0,promises_.mkdir)(dest, { recursive: true });
            await (0,promises_.cp)(source, dest, { recursive: true });
            await (0,promises_.writeFile)(`${dest}.complete`, '');
            return dest;
        },
    };
}

;// CONCATENATED MODULE: ./src/buildcache/client-daemon.ts
/**
 * Starts the client's daemon for a job and builds the GOCACHEPROG command
 * that reaches it: one way for the action's main step (setup.ts) and the
 * kit's job-started hook (bootstrap/job-hooks.ts).
 */






/**
 * How long a go lookup may wait for an entry the daemon's bundle import is
 * bringing. The import of a bundle at the 2 GiB default store size takes
 * seconds; a lookup that gives up recompiles, which is correct, only slower.
 */
const BUNDLE_WAIT_MS = 60_000;
/** How long a shim waits for the daemon's answer to a fetch: an AC and a CAS request, plus slack. */
function fetchWaitMs(config) {
    return 2 * config.timeoutMs + 2_000;
}
async function client_daemon_startClientDaemon(spawnDetached, o) {
    // Owner-only whatever the umask: the socket, the log and the store live here (docs/security.md).
    await (0,promises_.mkdir)(o.stateDir, { recursive: true, mode: 0o700 });
    await (0,promises_.chmod)(o.stateDir, 0o700);
    await (0,promises_.mkdir)(o.store, { recursive: true, mode: 0o700 });
    const platform = o.platform ?? process.platform;
    const socket = createEndpoint(o.stateDir, platform, o.socketPathLimit);
    const logFile = external_node_path_default().join(o.stateDir, 'daemon.log');
    // The daemon's temporary files (a bundle's large objects while they are
    // verified) go beside the store, not to the system's temp directory: on
    // Windows that is the profile's drive, slow on hosted runners, and on Linux
    // it may be a tmpfs in memory. Node's os.tmpdir() reads TMPDIR, or TEMP/TMP on Windows.
    const tempDir = external_node_path_default().join(o.stateDir, 'tmp');
    await (0,promises_.mkdir)(tempDir, { recursive: true, mode: 0o700 });
    const env = { ...(o.remote && { [common_env/* REMOTE_ENV */.$_]: (0,remote_config/* encodeRemoteSettings */.Qv)(o.remote) }), ...tempEnv(platform, tempDir) };
    const launch = { node: o.node, client: o.client, store: o.store, socket, maxBytes: o.maxBytes, logFile, env };
    const daemonStarted = await launchDaemon(spawnDetached, launch, o.startTimeoutMs);
    const shim = o.shim === 'node' ? undefined : findShim(o.client, platform);
    const command = cacheProgCommand({
        node: o.node,
        client: o.client,
        ...(shim !== undefined && { shim }),
        store: o.store,
        socket,
        ...(o.readStore !== undefined && { readStore: o.readStore }),
        ...(o.remote && { remoteWaitMs: fetchWaitMs(o.remote.config) }),
        ...(o.bundle && daemonStarted && { bundleWaitMs: BUNDLE_WAIT_MS }),
    });
    return { socket, logFile, command, daemonStarted };
}
/** The variables that make `dir` a process' temporary directory (os.tmpdir()), per platform. */
function tempEnv(platform, dir) {
    return platform === 'win32' ? { TEMP: dir, TMP: dir } : { TMPDIR: dir };
}

// EXTERNAL MODULE: ./src/daemon/reports.ts
var reports = __webpack_require__(3195);
;// CONCATENATED MODULE: ./src/buildcache/finish.ts


/** How long the post step lets background uploads run before it counts the rest as unsent. */
const UPLOAD_FLUSH_DEADLINE_MS = 60_000;
/** Flush includes the uploads and the LRU trim of the store; generous, since the post step may not hang the job. */
const FLUSH_TIMEOUT_MS = UPLOAD_FLUSH_DEADLINE_MS + 120_000;
const STOP_TIMEOUT_MS = 5_000;
async function finishClient(socket, store, { owner = 'action', remote } = {}) {
    try {
        if (owner === 'kit') {
            const reply = await (0,control/* controlRequest */.l)(socket, { op: 'stats' }, STOP_TIMEOUT_MS);
            if (!reply.ok)
                throw new Error(reply.error);
            return {
                stats: reply.stats,
                ...(reply.peakRssBytes !== undefined && { daemonPeakRssBytes: reply.peakRssBytes }),
                ...(remote && { remote: { settings: remote, stats: reply.remote } }),
            };
        }
        const reply = await (0,control/* controlRequest */.l)(socket, { op: 'flush', uploadDeadlineMs: UPLOAD_FLUSH_DEADLINE_MS, ids: true }, FLUSH_TIMEOUT_MS);
        if (!reply.ok)
            throw new Error(reply.error);
        await (0,control/* controlRequest */.l)(socket, { op: 'stop' }, STOP_TIMEOUT_MS).catch(() => undefined);
        return {
            stats: reply.stats,
            trim: reply.trim,
            ids: reply.ids,
            ...(reply.import && { import: reply.import }),
            ...(reply.peakRssBytes !== undefined && { daemonPeakRssBytes: reply.peakRssBytes }),
            ...(remote && { remote: { settings: remote, stats: reply.remote } }),
        };
    }
    catch (error) {
        const account = new reports/* JobAccount */.dr();
        await (0,reports/* drainJournals */.jb)(store, account);
        return {
            stats: account.summary(),
            // The daemon held the remote's figures and the upload queue: both are gone with it.
            ...(remote && { remote: { settings: remote } }),
            // The daemon drains journals only at stats and flush, so a dead daemon leaves them all here.
            ids: account.ids(),
            problem: `the cache daemon could not be reached (${String(error)}); figures come from the go processes' journals`,
        };
    }
}
/** The figures the post step sets as outputs, as strings. */
function buildCacheFigures(stats) {
    return {
        gets: String(stats.gets),
        hits: String(stats.hits),
        misses: String(stats.misses),
        puts: String(stats.puts),
        bytesIn: String(stats.bytesIn),
        bytesOut: String(stats.bytesOut),
        hitRatio: stats.gets === 0 ? '0' : (stats.hits / stats.gets).toFixed(4),
        timeMs: String(Math.round(stats.busyMs)),
    };
}
/**
 * One warning per kind of store trouble the job's go processes met (pure):
 * a store they could not write, and puts it did not take. Each made the
 * build slower, not broken: a put the store cannot take is answered from a
 * temporary copy (store/spill.ts), since go fails some commands without one.
 */
function storeWarnings(stats) {
    const warnings = [];
    if (stats.readOnly > 0) {
        warnings.push(`${stats.readOnly} of ${stats.sessions} go processes found the local store read-only to this user: they were served its hits and stored nothing (go sends no puts to a read-only GOCACHEPROG).`);
    }
    if (stats.putErrors > 0) {
        warnings.push(`${stats.putErrors} puts were not stored (the store was full or not writable, or a body was not its OutputID; set GO_CACHE_SETUP_DEBUG=1 to see each): where the store had no room, go was handed a temporary copy and went on; the next go process misses them.`);
    }
    return warnings;
}
/**
 * The remote's trouble as one warning (pure), or undefined when it had none:
 * failed requests and refused answers cost the job time, never its result,
 * and a remote that fails every request (a missing bucket, wrong credentials)
 * should not pass unnoticed behind a green build.
 */
function remoteWarning(stats) {
    const parts = [
        stats.errors > 0 && `${stats.errors} lookups failed`,
        stats.uploadErrors > 0 && `${stats.uploadErrors} upload requests failed`,
        stats.rejected > 0 && `${stats.rejected} rejected answers (digest or format)`,
    ].filter((part) => part !== false);
    if (parts.length === 0)
        return undefined;
    const first = stats.firstErrors[0] === undefined ? '' : ` First: ${stats.firstErrors[0]}`;
    return `Remote cache: ${parts.join(', ')}; go built what it could not get (see the job summary).${first}`;
}

// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(5919);
;// CONCATENATED MODULE: ./src/store/writer-thread.ts


function writer_thread_writerState(mtimeMs) {
    return { made: new Set(), prefix: randomBytes(6).toString('hex'), count: 0, mtime: new Date(mtimeMs) };
}
/**
 * Writes each group's files in order, each by rename, whole, with
 * `state.mtime`; leaves a file that `skip` says stands. A file that fails
 * ends its group (an entry is not written when its object could not be) and
 * leaves nothing behind; the other groups are still tried, and the first
 * failure is returned, not thrown. Go's trim looks only at names ending in -a
 * and -d, so a leftover temporary is never taken for an entry.
 */
function writer_thread_writeFiles(io, groups, state) {
    let failure;
    for (const group of groups) {
        for (const { file, size, data, skip } of group) {
            const dir = file.slice(0, file.lastIndexOf('/'));
            const tmp = `${dir}/.${state.prefix}-${state.count++}.tmp`;
            try {
                const there = io.statSync(file, { throwIfNoEntry: false });
                if (there !== undefined && (skip === 'any' || there.size === size))
                    continue;
                if (!state.made.has(dir)) {
                    io.mkdirSync(dir, { recursive: true });
                    state.made.add(dir);
                }
                const fd = io.openSync(tmp, 'w', 0o666);
                try {
                    const chunks = typeof data === 'string' ? [Buffer.from(data, 'latin1')] : ArrayBuffer.isView(data) ? [data] : data;
                    for (const chunk of chunks)
                        for (let at = 0; at < chunk.byteLength;)
                            at += io.writeSync(fd, chunk, at);
                    io.futimesSync(fd, state.mtime, state.mtime);
                }
                finally {
                    io.closeSync(fd);
                }
                io.renameSync(tmp, file);
            }
            catch (error) {
                try {
                    io.rmSync(tmp, { force: true });
                }
                catch {
                    // Its directory could not be made, so no temporary is there.
                }
                failure ??= `${file}: ${error instanceof Error ? error.message : String(error)}`;
                break;
            }
        }
    }
    return failure;
}
const WORKER_SOURCE = (/* unused pure expression or super */ null && (`
const { parentPort, workerData } = require('node:worker_threads')
const fs = require('node:fs')
const writeFiles = ${writer_thread_writeFiles.toString()}
const state = { made: new Set(), prefix: workerData.prefix, count: 0, mtime: new Date(workerData.mtimeMs) }
parentPort.on('message', (groups) => {
  let failure
  try {
    failure = writeFiles(fs, groups, state)
  } catch (error) {
    failure = String(error)
  }
  parentPort.postMessage(failure)
})
`));
/** Bytes handed to the thread and not yet written before `write` makes its caller wait. */
const WRITE_BEHIND_BYTES = (/* unused pure expression or super */ null && (32 * 1024 ** 2));
/** Groups are sent in batches of about this many bytes, or groups: a message costs more than a small file's write. */
const BATCH_BYTES = (/* unused pure expression or super */ null && (1024 ** 2));
const BATCH_GROUPS = 128;
/**
 * The main thread's side: batches jobs to the worker, holds at most
 * WRITE_BEHIND_BYTES in flight, and reports the first failure. Never throws
 * from `write` for a failure of the thread; `finish` says what failed.
 */
class writer_thread_WriterThread {
    worker;
    batch = [];
    batchBytes = 0;
    /** Bytes of each batch sent and not yet acknowledged, oldest first. */
    sent = [];
    inFlight = 0;
    wakers = [];
    failure;
    dead = false;
    constructor(mtimeMs) {
        this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { mtimeMs, prefix: randomBytes(6).toString('hex') } });
        this.worker.on('message', (failure) => {
            this.failure ??= failure;
            this.inFlight -= this.sent.shift() ?? 0;
            this.wake();
        });
        this.worker.on('error', (error) => this.stop(`the writer thread failed: ${error.message}`));
        this.worker.on('exit', () => this.stop('the writer thread exited'));
    }
    /** The first failure so far (a file that could not be written, or the thread gone). */
    get failed() {
        return this.failure;
    }
    /**
     * Queues a group (writeFiles) of strings and Uint8Arrays; resolves once the
     * bytes in flight are under the bound. `data` must not change afterwards: a
     * Uint8Array that is its whole buffer is moved to the thread, not copied.
     */
    async write(group) {
        this.batch.push(group);
        for (const job of group)
            this.batchBytes += job.size;
        if (this.batchBytes >= BATCH_BYTES || this.batch.length >= BATCH_GROUPS)
            this.send();
        while (!this.dead && this.inFlight > WRITE_BEHIND_BYTES)
            await new Promise((resolve) => this.wakers.push(resolve));
    }
    /** Waits for every write, stops the thread; the first failure, if any. */
    async finish() {
        this.send();
        while (!this.dead && this.sent.length > 0)
            await new Promise((resolve) => this.wakers.push(resolve));
        if (!this.dead) {
            this.dead = true;
            await this.worker.terminate();
        }
        return this.failure;
    }
    send() {
        if (this.batch.length === 0 || this.dead)
            return;
        const groups = this.batch;
        const transfer = groups
            .flat()
            .flatMap(({ data }) => (data instanceof Uint8Array && data.byteLength === data.buffer.byteLength ? [data.buffer] : []));
        this.sent.push(this.batchBytes);
        this.inFlight += this.batchBytes;
        this.batch = [];
        this.batchBytes = 0;
        this.worker.postMessage(groups, transfer);
    }
    stop(reason) {
        if (this.dead)
            return;
        this.dead = true;
        this.failure ??= reason;
        this.wake();
    }
    wake() {
        const wakers = this.wakers;
        this.wakers = [];
        for (const wake of wakers)
            wake();
    }
}

;// CONCATENATED MODULE: ./src/store/go-cache-dir.ts
/**
 * Go's own build cache directory (GOCACHE) as the place a bundle lands and a
 * save reads from: native mode, with nothing between go and its cache
 * (docs/decisions.md#d27). The layout is cmd/go/internal/cache's:
 *
 *   <dir>/<xx>/<actionID hex>-a   "v1 <actionID> <outputID> <size %20d> <put time ns %20d>\n"
 *   <dir>/<xx>/<outputID hex>-d   the body
 *
 * What a job used is read back from mtimes. Go bumps an entry's mtime when it
 * finds it and the mtime is an hour old or more (cache.go markUsed,
 * mtimeInterval), and deletes entries unused for 5 days and an hour
 * (trimLimit + mtimeInterval) when it trims, at most once a day (trim.txt).
 * So imported entries get an mtime IMPORT_AGE_MS before the job: old enough
 * that the first use bumps it, young enough that Go's trim keeps it. After
 * the job, an entry with an mtime from the job was used or added; its put
 * time (the entry's own field) says which.
 */



/** cmd/go/internal/cache mtimeInterval: a use within this of the mtime is not recorded. */
const GO_MTIME_INTERVAL_MS = 60 * 60 * 1000;
/** cmd/go/internal/cache trimLimit + mtimeInterval: Go's trim deletes entries unused for longer. */
const GO_TRIM_AGE_MS = 5 * 24 * 60 * 60 * 1000 + GO_MTIME_INTERVAL_MS;
/** How far before the job imported entries are dated: past the mtime interval, far inside the trim age. */
const go_cache_dir_IMPORT_AGE_MS = 2 * GO_MTIME_INTERVAL_MS;
const HEX_ID = /^[0-9a-f]{64}$/;
/** "v1 " + 64 + " " + 64 + " " + 20 + " " + 20 + "\n" (cache.go entrySize). */
const ENTRY_BYTES = (/* unused pure expression or super */ null && (2 + 1 + 64 + 1 + 64 + 1 + 20 + 1 + 20 + 1));
const ENTRY = /^v1 ([0-9a-f]{64}) ([0-9a-f]{64}) ([ \d]{20}) ([ \d]{20})\n$/;
/** Objects up to this size are copied to the writer thread; a larger one is written on the main thread from its chunks (memory stays flat: docs/decisions.md#d32). */
const THREAD_OBJECT_BYTES = (/* unused pure expression or super */ null && (8 * 1024 ** 2));
/** A %20d field: spaces, then digits. */
const FIELD = /^ *\d+$/;
/** Pure: Go's entry line for an action. */
function entryText(actionId, outputId, size, timeMs) {
    const ns = BigInt(Math.max(0, Math.trunc(timeMs))) * 1000000n;
    return `v1 ${actionId} ${outputId} ${String(size).padStart(20)} ${String(ns).padStart(20)}\n`;
}
/** Pure: an entry file's content, or undefined for anything Go would not accept either (cache.go get). */
function parseEntryText(text, actionId) {
    if (text.length !== ENTRY_BYTES)
        return undefined;
    const m = ENTRY.exec(text);
    if (m === null || m[1] !== actionId || !FIELD.test(m[3]) || !FIELD.test(m[4]))
        return undefined;
    const size = Number(m[3]);
    const timeMs = Number(BigInt(m[4].trim()) / 1000000n);
    if (!Number.isSafeInteger(size))
        return undefined;
    return { actionId, outputId: m[2], size, timeMs };
}
class go_cache_dir_GoCacheDir {
    root;
    importMtimeMs;
    /** The main thread's own writes: objects too large to copy to the writer thread. */
    state;
    writer;
    /** `importMtimeMs`: the mtime imported entries get (the job's start minus IMPORT_AGE_MS: buildcache/native.ts). */
    constructor(root, importMtimeMs) {
        this.root = path.resolve(root);
        this.importMtimeMs = importMtimeMs;
        this.state = writerState(importMtimeMs);
    }
    objectPath(outputId) {
        return `${this.root}/${outputId.slice(0, 2)}/${outputId}-d`;
    }
    actionPath(actionId) {
        return `${this.root}/${actionId.slice(0, 2)}/${actionId}-a`;
    }
    /** The entry and its object as Go would serve them (size checked, as cache.GetFile does), without marking a use. */
    get(actionId) {
        if (!HEX_ID.test(actionId))
            return undefined;
        let entry;
        try {
            entry = parseEntryText(readFileSync(this.actionPath(actionId), 'latin1'), actionId);
        }
        catch {
            return undefined;
        }
        if (entry === undefined)
            return undefined;
        const diskPath = this.objectPath(entry.outputId);
        const info = statSync(diskPath, { throwIfNoEntry: false });
        if (!info?.isFile() || info.size !== entry.size)
            return undefined;
        return { outputId: entry.outputId, size: entry.size, timeMs: entry.timeMs, diskPath };
    }
    /**
     * A verified object and its entries from a bundle (bundle/import.ts), dated
     * IMPORT_AGE_MS back. What is already there stays: an object of the same
     * size is the same object (its name is its sha256), and an existing entry
     * is Go's own. Written on a writer thread, behind the import (store/writer-thread.ts);
     * resolves when the import may go on, and rejects once a write failed.
     */
    importShared(outputId, body, size, entries) {
        const entryJobs = entries.map(({ actionId, timeMs }) => ({
            file: this.actionPath(actionId),
            size: ENTRY_BYTES,
            data: entryText(actionId, outputId, size, timeMs),
            skip: 'any',
        }));
        if (size > THREAD_OBJECT_BYTES) {
            // Too large to copy: written here, from its chunks (a staged object's are read from disk).
            const failed = writeFiles(fs, [[{ file: this.objectPath(outputId), size, data: body, skip: 'size' }, ...entryJobs]], this.state);
            if (failed !== undefined)
                throw new Error(failed);
            return;
        }
        this.writer ??= new WriterThread(this.importMtimeMs);
        if (this.writer.failed !== undefined)
            throw new Error(this.writer.failed);
        // A copy of its own, moved to the thread: a chunk is valid only until the next is taken.
        const data = new Uint8Array(size);
        let at = 0;
        for (const chunk of body) {
            data.set(chunk, at);
            at += chunk.length;
        }
        return this.writer.write([{ file: this.objectPath(outputId), size, data, skip: 'size' }, ...entryJobs]);
    }
    /** Every write done; rejects with the first that failed. */
    async endImport() {
        const writer = this.writer;
        this.writer = undefined;
        const failed = await writer?.finish();
        if (failed !== undefined)
            throw new Error(failed);
    }
    /**
     * Keeps Go from trimming during the job when this directory has never been
     * trimmed (a fresh runner): the first go command would otherwise walk every
     * entry at exit. An existing trim.txt is Go's, and left alone, so a
     * long-lived GOCACHE is still trimmed by Go once a day.
     */
    markTrimmed(nowMs) {
        const file = path.join(this.root, 'trim.txt');
        if (statSync(file, { throwIfNoEntry: false }) !== undefined)
            return;
        writeFileSync(file, String(Math.floor(nowMs / 1000)));
    }
    /** Every entry whose mtime is at or after `sinceMs`: what the job used or added. */
    touchedSince(sinceMs) {
        const found = [];
        for (let i = 0; i < 256; i++) {
            const sub = `${this.root}/${i.toString(16).padStart(2, '0')}`;
            let names;
            try {
                names = readdirSync(sub);
            }
            catch {
                continue;
            }
            for (const name of names) {
                if (name.length !== 66 || !name.endsWith('-a'))
                    continue;
                const file = `${sub}/${name}`;
                const info = statSync(file, { throwIfNoEntry: false });
                if (info === undefined || !info.isFile() || info.mtimeMs < sinceMs)
                    continue;
                let entry;
                try {
                    entry = parseEntryText(readFileSync(file, 'latin1'), name.slice(0, 64));
                }
                catch {
                    continue;
                }
                if (entry !== undefined)
                    found.push({ ...entry, mtimeMs: info.mtimeMs });
            }
        }
        return found;
    }
}

;// CONCATENATED MODULE: ./src/buildcache/native.ts
/**
 * Native mode (docs/decisions.md#d27): with no remote, go uses its own GOCACHE
 * directory, with nothing in the request path. The main step imports the
 * restored bundle into it before go runs; the post step reads back from
 * mtimes what the job used and added (store/go-cache-dir.ts), and saves the
 * next bundle from that, as it does for our client's store.
 */


/**
 * How far before the job's start an mtime still counts as the job's:
 * filesystems with coarse timestamps round down (HFS+ to the second).
 * Imported entries are dated IMPORT_AGE_MS back, far below it. Put times are
 * Go's clock in the entry, in ns: they are compared exactly, since a bundle
 * saved by a job that ended a moment ago holds entries from just before this
 * one started.
 */
const CLOCK_SLACK_MS = 2_000;
/** The directory go will use, ready for the import; `startedAtMs` is wall-clock time. */
async function native_prepareNative(dir, startedAtMs) {
    await mkdir(dir, { recursive: true });
    const cache = nativeCacheDir(dir, startedAtMs);
    cache.markTrimmed(startedAtMs);
    return cache;
}
/** GOCACHE as the job that started at `startedAtMs` sees it: imports are dated IMPORT_AGE_MS before that. */
function nativeCacheDir(dir, startedAtMs) {
    return new GoCacheDir(dir, startedAtMs - IMPORT_AGE_MS);
}
/**
 * Pure: what the job used and added, from the entries touched since it
 * started. An entry whose put time is from the job was added; any other was
 * there before (imported, or Go's own) and used. Ordered by mtime: a used
 * entry's is its first use, an added one's its put, so the next bundle is
 * laid out about as go will ask (docs/decisions.md#d23).
 */
function nativeUsage(touched, startedAtMs) {
    const sorted = [...touched].filter((e) => e.mtimeMs >= startedAtMs - CLOCK_SLACK_MS).sort((a, b) => a.mtimeMs - b.mtimeMs);
    const used = [];
    const added = [];
    let bytesOut = 0;
    let bytesIn = 0;
    for (const e of sorted) {
        if (e.timeMs >= startedAtMs) {
            added.push(e.actionId);
            bytesIn += e.size;
        }
        else {
            used.push(e.actionId);
            bytesOut += e.size;
        }
    }
    return {
        ids: { used, added, order: sorted.map((e) => e.actionId) },
        stats: {
            gets: used.length + added.length,
            hits: used.length,
            misses: added.length,
            puts: added.length,
            bytesIn,
            bytesOut,
            putErrors: 0,
            readOnly: 0,
            busyMs: 0,
            sessions: 0,
            usedEntries: used.length,
            addedEntries: added.length,
        },
    };
}
/** Post: what the job did with GOCACHE. */
function finishNative(dir, startedAtMs) {
    const cache = nativeCacheDir(dir, startedAtMs);
    return { ...nativeUsage(cache.touchedSince(startedAtMs - CLOCK_SLACK_MS), startedAtMs), cache };
}

;// CONCATENATED MODULE: ./src/buildcache/setup.ts
/**
 * Main step, build cache: decide how Go's build cache is served this job, and
 * wire it. Five ways, in this order:
 *   off        build-cache: false
 *   custom     the user's own GOCACHEPROG (gocacheprog input), exported as given
 *   directory  Go < 1.24 ignores GOCACHEPROG, so GOCACHE is cached as a directory
 *   client     ours: install, start the daemon, export GOCACHEPROG; always with a
 *              remote, or on a kit runner whose daemon answers
 *   native     no remote: go's own GOCACHE, the bundle imported into it before go
 *              runs, nothing in go's request path (docs/decisions.md#d27)
 */







/** What the summary says of a remote: where it is, and this job's scopes in it. */
function remoteSummary({ config, scopes }) {
    return { url: config.url, ...(config.kind === 'grpc' && config.instance !== '' && { instance: config.instance }), scopes };
}
const KIT_PING_TIMEOUT_MS = 2_000;
/** How long the main step waits for a new daemon to answer. */
const DAEMON_START_TIMEOUT_MS = 10_000;
async function setupBuildCache(settings, goEnv, io) {
    if (!settings.enabled)
        return { mode: 'off' };
    // The inputs reader has checked that Go can split it.
    if (settings.customCommand !== '')
        return { mode: 'custom', command: settings.customCommand };
    if (!supportsCacheProg(goEnv.goVersion)) {
        io.notice(`${goEnv.goVersion} ignores GOCACHEPROG (it is on by default from Go 1.24), so the build cache is cached as a directory (GOCACHE=${goEnv.buildCache}) instead. Use Go 1.24 or newer for the cache client.`);
        return { mode: 'directory', restore: await io.restoreDirectory(goEnv.buildCache) };
    }
    if (io.kitDaemon !== undefined) {
        const reply = await controlRequest(io.kitDaemon.socket, { op: 'ping' }, KIT_PING_TIMEOUT_MS).catch(() => undefined);
        if (reply?.ok && reply.store !== undefined) {
            io.log.info(`Using the cache daemon the runner's bootstrap kit started (store ${reply.store}); its job hooks finish it.`);
            // The kit's daemon was started with the kit's remote (or none) before this step ran.
            if (settings.remote !== undefined) {
                io.log.warning(`cache-url (${settings.remote.config.url}) is not used for Go here: the bootstrap kit's daemon serves the build cache with the kit's own remote settings. Set cacheUrl in the kit's config (bootstrap install --cache-url), or drop cache-url from this workflow on kit runners.`);
            }
            return { mode: 'client', store: reply.store, socket: io.kitDaemon.socket, command: io.kitDaemon.command, daemonStarted: true, logFile: '', owner: 'kit' };
        }
        io.log.warning(`The bootstrap kit's cache daemon does not answer at ${io.kitDaemon.socket}; starting one for this job.`);
    }
    if (settings.native) {
        const dir = goEnv.buildCache;
        if (dir === '' || dir === 'off') {
            io.notice(`GOCACHE is ${JSON.stringify(dir)}: go builds without a build cache, so there is nothing to cache. Unset GOCACHE, or set build-cache: false.`);
            return { mode: 'off' };
        }
        const startedAtMs = io.wallClock();
        await prepareNative(dir, startedAtMs);
        io.log.info(`Build cache: go's own GOCACHE (${dir}), no GOCACHEPROG; the bundle is imported into it before go runs`);
        if (settings.storePath !== '')
            io.log.info(`store-path (${settings.storePath}) is not used: it is our client's store, and go uses GOCACHE here.`);
        return { mode: 'native', dir, startedAtMs };
    }
    const store = path.resolve(settings.storePath || path.join(io.stateDir, 'store'));
    const client = await installClient(io.tools, io.clientSourceDir, io.clientVersion);
    const daemon = await startClientDaemon(io.spawnDetached, {
        node: io.nodePath,
        client,
        stateDir: io.stateDir,
        store,
        maxBytes: settings.storeMaxBytes,
        ...(settings.remote && { remote: settings.remote }),
        ...(settings.bundle && { bundle: true }),
        ...(settings.shim && { shim: settings.shim }),
        startTimeoutMs: DAEMON_START_TIMEOUT_MS,
    });
    if (!daemon.daemonStarted) {
        io.log.warning(`The cache daemon did not start (see ${daemon.logFile}); go commands will use the local store on their own.`);
    }
    io.log.info(`GOCACHEPROG=${daemon.command}`);
    const remote = settings.remote && remoteSummary(settings.remote);
    if (remote)
        io.log.info(`Remote cache: ${remote.url} (${describeScopes(remote.scopes)})`);
    return {
        mode: 'client',
        store,
        socket: daemon.socket,
        command: daemon.command,
        daemonStarted: daemon.daemonStarted,
        logFile: daemon.logFile,
        ...(remote && { remote }),
    };
}

// EXTERNAL MODULE: ./src/common/schema.ts
var schema = __webpack_require__(4318);
;// CONCATENATED MODULE: ./src/policy/auto-configure.ts

/** Pure: the first level that says something, and which one it was. */
function resolveAutoConfigure(levels) {
    const warnings = [];
    if (levels.input !== undefined)
        return { value: levels.input, source: 'input', warnings };
    // `${{ vars.X }}` is empty when the variable is not defined: empty is "not set".
    const env = (levels.env ?? '').trim();
    if (env !== '') {
        const value = parseEnvBoolean(env);
        if (value !== undefined)
            return { value, source: 'environment', warnings };
        warnings.push(`${common_env/* AUTO_CONFIGURE_ENV */.L9}="${env}" is not true or false; ignored.`);
    }
    if (levels.kit.found) {
        if ('config' in levels.kit)
            return { value: levels.kit.config.autoConfigure, source: 'kit-config', warnings };
        warnings.push(`The bootstrap kit config cannot be used for auto-configure: ${levels.kit.problem}`);
    }
    return { value: true, source: 'default', warnings };
}
/** Environment values are typed by people in runner .env files and org settings: take the usual spellings. */
function parseEnvBoolean(value) {
    const v = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v))
        return true;
    if (['false', '0', 'no', 'off'].includes(v))
        return false;
    return undefined;
}
function describeAutoConfigure(a) {
    const from = {
        input: 'the auto-configure input',
        environment: common_env/* AUTO_CONFIGURE_ENV */.L9,
        'kit-config': "the bootstrap kit's config",
        default: 'the default',
    }[a.source];
    return `Auto-configure ${a.value ? 'on' : 'off'} (from ${from})`;
}
/** Summary lines (pure, exact text tested). */
function renderWiring(w) {
    const lines = [
        `${describeAutoConfigure({ value: w.autoConfigure, source: w.source, warnings: [] })}${w.autoConfigure ? '.' : ': GOCACHEPROG and the Pants config are outputs only.'}`,
    ];
    if (w.pants !== undefined) {
        const p = w.pants;
        lines.push('', `Pants remote cache: \`${p.address}\`${p.instance === undefined ? '' : ` instance \`${p.instance}\``}, ${p.write ? 'read and write' : 'read only'}; ${p.registered ? `\`${p.file}\` added to PANTS_CONFIG_FILES.` : `config written to \`${p.file}\`, not registered.`}`);
    }
    return lines;
}

;// CONCATENATED MODULE: ./src/pants/pants-toml.ts
/**
 * Reads `[GLOBAL] pants_version` from pants.toml without a TOML library: the
 * one key we need is a plain string in a plain table, and the action's bundle
 * takes no new dependency for it. Anything we cannot read plainly is "unknown",
 * and the config falls back to the keys every supported version accepts.
 */
/** The `[GLOBAL] pants_version` string, or undefined when the file does not set one we can read. */
function pants_toml_readPantsVersion(tomlText) {
    let table = '';
    let multiline;
    for (const rawLine of tomlText.split(/\r?\n/)) {
        // Skip the bodies of multi-line strings: a `[GLOBAL]` inside one is text, not a table.
        if (multiline !== undefined) {
            if (countOccurrences(rawLine, multiline) % 2 === 1)
                multiline = undefined;
            continue;
        }
        const line = rawLine.trim();
        if (line.startsWith('[[')) {
            table = line; // an array of tables: never GLOBAL
            continue;
        }
        const header = /^\[\s*("?)([A-Za-z0-9_.-]+)\1\s*\](?:\s*#.*)?$/.exec(line);
        if (header !== null) {
            table = header[2];
            continue;
        }
        const key = /^(?:"?GLOBAL"?\s*\.\s*)?("?)pants_version\1\s*=\s*(.*)$/.exec(line);
        const dotted = /^"?GLOBAL"?\s*\./.test(line);
        if (key !== null && (table === 'GLOBAL' ? !dotted : table === '' && dotted)) {
            return stringValue(key[2]);
        }
        for (const quote of ['"""', "'''"]) {
            if (countOccurrences(line, quote) % 2 === 1)
                multiline = quote;
        }
    }
    return undefined;
}
/** A TOML basic or literal one-line string, with a trailing comment allowed. */
function stringValue(rest) {
    const m = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*(?:#.*)?$/.exec(rest.trim());
    if (m === null)
        return undefined;
    return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}
function countOccurrences(text, needle) {
    return text.split(needle).length - 1;
}
/** `2.17.1`, `2.20.0rc1`, `2.21.0.dev3` → {2, 17 …}; undefined for anything else (an interpolation, say). */
function pants_toml_parsePantsVersion(text) {
    const m = /^(\d+)\.(\d+)(?:[.\-+a-z0-9]*)$/i.exec(text?.trim() ?? '');
    if (m === null)
        return undefined;
    return { major: Number(m[1]), minor: Number(m[2]), text: text.trim() };
}
/** Whether `v` is at least `major.minor`. */
function pants_toml_atLeast(v, major, minor) {
    return v.major > major || (v.major === major && v.minor >= minor);
}

;// CONCATENATED MODULE: ./src/pants/config.ts
/**
 * The generated Pants config: pure text from settings and the repository's
 * Pants version, plus the PANTS_CONFIG_FILES value that registers it.
 *
 * Pants rejects unknown config keys ("Invalid config entries detected"), and
 * the valid keys change between versions, so every key written here is one
 * the target version accepts (docs/decisions.md#d18). The token is never in
 * the text: a header value says `%(env.NAME)s` and Pants reads the variable
 * when it runs.
 */


const DEFAULT_PANTS_AUTH_HEADER = `Authorization: Bearer %(env.${common_env/* PANTS_TOKEN_ENV */.Ti})s`;
/** The header Pants sends the token in, by cache-auth (remote/config.ts tokenHeader): the same header Go's client sends, read from the variable. */
function pantsAuthHeader(preset) {
    const token = `%(env.${PANTS_TOKEN_ENV})s`;
    switch (preset) {
        // auto: Pants cannot base64 a user:password into Basic; Bearer, as before cache-auth existed.
        case 'auto':
        case 'bearer':
            return DEFAULT_PANTS_AUTH_HEADER;
        case 'buildbuddy':
            return `x-buildbuddy-api-key: ${token}`;
        case 'depot':
            return `Authorization: ${token}`;
    }
}
/** The oldest Pants this config is checked against (2.17, the last line on PyPI). */
const config_MIN_PANTS = { major: 2, minor: 17 };
/**
 * Pants waits at exit only `session_end_tasks_timeout` for its async cache
 * writes (default 3 s), and drops the rest (pantsbuild/pants#16947). A CI job
 * would rather wait than lose its last writes; a dead server is cut off sooner
 * by Pants' own RPC timeouts.
 */
const SESSION_END_TASKS_TIMEOUT_SECONDS = 60;
/** The config file's text for `version` (undefined: pants.toml names none we could read). */
function config_renderPantsConfig(settings, version) {
    const lines = [
        version === undefined
            ? '# Written by go-cache-setup: Pants remote caching over REAPI. pants.toml names no Pants version we could read,'
            : `# Written by go-cache-setup: Pants remote caching over REAPI, for Pants ${version.text}.`,
    ];
    if (version === undefined)
        lines.push('# so this file holds only keys that every Pants from 2.17 on accepts.');
    lines.push("# Registered after the repository's own config files (PANTS_CONFIG_FILES), so these keys win;", '# pants.toml is not changed.', '[GLOBAL]', 'remote_cache_read = true', `remote_cache_write = ${settings.write}`);
    if (version !== undefined && pants_toml_atLeast(version, 2, 20)) {
        // From 2.20 the address scheme depends on remote_provider, which the
        // repository may have set to the GitHub Actions cache; ours is REAPI.
        lines.push('# The repository may have chosen another remote provider; this address is REAPI (Pants 2.20+).', 'remote_provider = "reapi"');
    }
    lines.push(`remote_store_address = ${tomlString(settings.storeAddress)}`);
    if (settings.instanceName !== '')
        lines.push(`remote_instance_name = ${tomlString(settings.instanceName)}`);
    if (settings.caCertsPath !== undefined)
        lines.push(`remote_ca_certs_path = ${tomlString(settings.caCertsPath)}`);
    lines.push('# Pants waits at exit for its last cache writes only this long (default 3 s, pantsbuild/pants#16947).', `session_end_tasks_timeout = ${SESSION_END_TASKS_TIMEOUT_SECONDS.toFixed(1)}`);
    if (settings.headers.length > 0) {
        lines.push(version !== undefined && pants_toml_atLeast(version, 2, 25)
            ? "# `.add` merges into the repository's own headers instead of replacing them."
            : "# `.add` merges into the repository's own headers and Pants' user-agent (the default before 2.25) instead of replacing them.", `remote_store_headers.add = { ${settings.headers.map(([name, value]) => `${tomlString(name)} = ${tomlString(value)}`).join(', ')} }`);
    }
    return `${lines.join('\n')}\n`;
}
/** A TOML basic string. Inputs are validated to one line without control characters. */
function tomlString(value) {
    return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
/**
 * The PANTS_CONFIG_FILES value that adds `file` after what is already there
 * (pants.ci.toml from an earlier step, say). Pants 2.17 splits comma-joined
 * modifiers only when the value starts with `+` or `-`
 * (ListValueComponent._split_modifier_expr), so a bare value or a replacing
 * list is rewritten into one form instead of being joined with a comma.
 */
function config_registerConfigFile(existing, file) {
    const current = (existing ?? '').trim();
    const quoted = pythonString(file);
    if (current === '')
        return `+[${quoted}]`;
    if (current.includes(quoted) || current === file)
        return current;
    if (current.startsWith('+') || current.startsWith('-'))
        return `${current},+[${quoted}]`;
    const list = /^([[(])([\s\S]*?)\s*,?\s*([\])])$/.exec(current);
    if (list !== null) {
        // A replacing list (`['a.toml']`): the new file goes inside it.
        const body = list[2].trim();
        return body === '' ? `[${quoted}]` : `[${body}, ${quoted}]`;
    }
    // A bare value appends one file.
    return `+[${pythonString(current)}, ${quoted}]`;
}
/** A Python string literal, as Pants parses list values. */
function pythonString(value) {
    return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
/**
 * bazel-remote serves the same store over HTTP and gRPC, on port 8080 and
 * 9092 unless told otherwise. From the HTTP cache-url we keep the host and
 * TLS-ness and take the default gRPC port; anything else needs the address
 * given explicitly (pants-remote-store-address).
 */
const BAZEL_REMOTE_GRPC_PORT = 9092;
function config_grpcAddressFromCacheUrl(cacheUrl) {
    let url;
    try {
        url = new URL(cacheUrl);
    }
    catch {
        return undefined;
    }
    // A REAPI cache-url is Pants' address as it is (remote/config.ts parseGrpcUrl wrote it without its instance).
    if (url.protocol === 'grpc:' || url.protocol === 'grpcs:')
        return `${url.protocol}//${url.host}`;
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        return undefined;
    return `${url.protocol === 'https:' ? 'grpcs' : 'grpc'}://${url.hostname}:${BAZEL_REMOTE_GRPC_PORT}`;
}

;// CONCATENATED MODULE: ./src/pants/headers.ts
/**
 * Header lines for Pants' remote store (`name: value`, one per line), as the
 * pants-remote-headers and pants-auth-header inputs give them. Values are
 * written into the config file as they are, so a secret must come in as
 * `%(env.NAME)s`, which Pants fills in when it runs.
 */
/** Pants interpolates `%(...)s`; we allow only the env form, so a stray `%` cannot break the file. */
const ENV_PLACEHOLDER = /%\(env\.([A-Za-z_][A-Za-z0-9_]*)\)s/g;
/** RFC 9110 token characters; Pants lower-cases the name (HeaderName::from_str). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
class HeaderError extends Error {
}
/** Parses `name: value` lines; blank lines and `#` comments are skipped. Throws HeaderError saying what is wrong. */
function parseHeaderLines(text) {
    const headers = [];
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        headers.push(parseHeaderLine(line));
    }
    const seen = new Set();
    for (const [name] of headers) {
        if (seen.has(name.toLowerCase()))
            throw new HeaderError(`header "${name}" is given twice`);
        seen.add(name.toLowerCase());
    }
    return headers;
}
function parseHeaderLine(line) {
    const colon = line.indexOf(':');
    const name = colon < 0 ? '' : line.slice(0, colon).trim();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    if (!HEADER_NAME.test(name))
        throw new HeaderError(`"${line}" is not "name: value" with a valid header name`);
    if (value === '')
        throw new HeaderError(`header "${name}" has no value`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
    if (/[\u0000-\u001f\u007f]/.test(value))
        throw new HeaderError(`header "${name}" has a control character in its value`);
    if (value.replace(ENV_PLACEHOLDER, '').includes('%')) {
        throw new HeaderError(`header "${name}": "%" may appear only as %(env.NAME)s, which Pants replaces with the variable NAME`);
    }
    return [name, value];
}
/** The environment variables the headers read, in order, without repeats. */
function headerEnvNames(headers) {
    const names = headers.flatMap(([, value]) => [...value.matchAll(ENV_PLACEHOLDER)].map((m) => m[1]));
    return [...new Set(names)];
}

;// CONCATENATED MODULE: ./src/pants/setup.ts
/**
 * Pants remote caching in the main step: find the repository's Pants, write
 * a config for its version, and register it through PANTS_CONFIG_FILES (when
 * auto-configure is on). pants.toml is only read, never written.
 */





const PANTS_CONFIG_FILE_NAME = 'pants-remote-cache.toml';
async function setupPants(options, io) {
    if (!options.enabled) {
        io.log.info('Pants: remote cache off (pants-remote-cache: false).');
        return { status: 'off' };
    }
    const buildroot = await findBuildroot(options.workingDirectory, options.workspace);
    if (buildroot === undefined) {
        io.log.info(`Pants: no pants.toml in ${options.workingDirectory} or above it in the workspace; nothing to configure.`);
        return { status: 'no-pants' };
    }
    const written = readPantsVersion(await readFile(path.join(buildroot, 'pants.toml'), 'utf8'));
    const version = parsePantsVersion(written);
    if (version !== undefined && !atLeast(version, MIN_PANTS.major, MIN_PANTS.minor)) {
        io.log.warning(`Pants ${version.text} is older than ${MIN_PANTS.major}.${MIN_PANTS.minor}, the oldest whose config keys go-cache-setup checks; its remote cache is not configured. Upgrade Pants or configure it by hand.`);
        return { status: 'unsupported-version', buildroot, version };
    }
    const address = options.storeAddress || (options.cacheUrl === '' ? undefined : grpcAddressFromCacheUrl(options.cacheUrl));
    if (address === undefined) {
        io.log.info(`Pants found (${path.join(buildroot, 'pants.toml')}), but no remote store: set pants-remote-store-address (grpc:// or grpcs://), or cache-url to a bazel-remote.`);
        return { status: 'no-address', buildroot, ...(version !== undefined && { version }) };
    }
    if (version === undefined) {
        io.log.info(`Pants: pants.toml names no Pants version we can read (${written ?? 'no [GLOBAL] pants_version'}); writing only keys every Pants from 2.17 accepts.`);
    }
    const file = await writePantsConfig(options.configDir, renderPantsConfig({
        storeAddress: address,
        instanceName: options.instanceName,
        ...(options.caCertsPath !== undefined && { caCertsPath: options.caCertsPath }),
        headers: options.headers,
        write: options.write,
    }, version));
    const derived = options.storeAddress === '' ? (/^grpcs?:/.test(options.cacheUrl) ? ' (cache-url)' : ' (gRPC address derived from cache-url)') : '';
    const how = `${address}${options.instanceName === '' ? '' : `, instance ${options.instanceName}`}, ${options.write ? 'read and write' : 'read only'}${derived}`;
    if (options.register) {
        io.exportVariable(PANTS_CONFIG_FILES, registerConfigFile(io.env[PANTS_CONFIG_FILES], file));
        io.log.info(`Pants: remote cache ${how}; ${file} added to ${PANTS_CONFIG_FILES}.`);
    }
    else {
        io.log.info(`Pants: remote cache config written to ${file} (${how}); auto-configure is off, so it is not registered: use the pants-config output.`);
    }
    for (const name of options.headerEnvNames) {
        if (io.env[name] === undefined) {
            io.log.info(`Pants reads a header from $${name}, which this step does not see: set it on every step that runs Pants, or Pants stops with "Unknown value for placeholder".`);
        }
    }
    return { status: 'configured', buildroot, ...(version !== undefined && { version }), file, address, registered: options.register };
}
/** Writes the config (no secret in it) and returns its absolute path. */
async function writePantsConfig(configDir, text) {
    await (0,promises_.mkdir)(configDir, { recursive: true });
    const file = external_node_path_default().resolve(configDir, PANTS_CONFIG_FILE_NAME);
    await (0,promises_.writeFile)(file, text, { mode: 0o644 });
    return file;
}
/** The nearest directory from `start` up to `workspace` holding pants.toml, as Pants looks for its buildroot. */
async function findBuildroot(start, workspace) {
    const top = path.resolve(workspace);
    let dir = path.resolve(start);
    for (;;) {
        const found = await readFile(path.join(dir, 'pants.toml')).then(() => true, () => false);
        if (found)
            return dir;
        const parent = path.dirname(dir);
        if (dir === top || parent === dir || !dir.startsWith(top))
            return undefined;
        dir = parent;
    }
}

;// CONCATENATED MODULE: ./src/policy/event-file.ts
/**
 * The triggering event, from GITHUB_EVENT_NAME and the payload at
 * GITHUB_EVENT_PATH: the action's steps and the kit's job hooks both get them
 * (github-actions-runtime.md 4.1).
 */

async function readEvent(env) {
    const name = env.GITHUB_EVENT_NAME ?? '';
    const file = env.GITHUB_EVENT_PATH;
    if (!file)
        return { name, payload: undefined };
    try {
        return { name, payload: JSON.parse(await (0,promises_.readFile)(file, 'utf8')) };
    }
    catch {
        // An unreadable payload makes fork detection fail closed (see classifyEvent).
        return { name, payload: undefined };
    }
}

;// CONCATENATED MODULE: ./src/common/run.ts
/**
 * The run's facts, read once from the runner's variables and the event
 * payload, and passed on as they are: every key, path and manifest that
 * names the run takes them from here.
 */


/** The directory under RUNNER_TEMP that holds our files; the runner empties RUNNER_TEMP between jobs. */
const STATE_DIR_NAME = 'go-cache-setup';
function runFacts(env, payload) {
    const repository = typeof payload === 'object' && payload !== null ? payload.repository : undefined;
    const defaultBranch = typeof repository === 'object' && repository !== null ? repository.default_branch : undefined;
    return {
        repository: env.GITHUB_REPOSITORY ?? '',
        workflow: env.GITHUB_WORKFLOW ?? '',
        job: env.GITHUB_JOB || 'job',
        runId: env.GITHUB_RUN_ID || '0',
        runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
        ref: env.GITHUB_REF ?? '',
        branch: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || 'unknown',
        defaultBranch: typeof defaultBranch === 'string' ? defaultBranch : '',
        stateDir: external_node_path_default().join(env.RUNNER_TEMP || external_node_os_default().tmpdir(), STATE_DIR_NAME),
    };
}

;// CONCATENATED MODULE: ./src/bootstrap/job-hooks.ts
/**
 * The kit's job hooks. The runner runs job-started before the first step and
 * job-completed after the last post step; a hook can write GITHUB_ENV (the
 * runner processes it after the hook) but sees no ACTIONS_RUNTIME_TOKEN, and
 * its exit status decides the job (github-actions-runtime.md section 4.1).
 *
 * job-started decides, for this job: on or off (the toggle, the repository
 * lists), and read-write or read-only (the write policy and the event). When
 * on, it starts the daemon over the runner's persistent store and exports
 * GOCACHEPROG. A job that may not write gets a private store for its own
 * puts, and reads the shared one through `serve --read-store`: a fork's code
 * must not plant entries that later trusted jobs on this runner would use.
 */



















/**
 * Pure: what the hook does for this job. A broken kit config is a warning and
 * no configuration. The toggle resolves as in the action (auto-configure.ts),
 * without the step input: GO_CACHE_SETUP_AUTO_CONFIGURE (the runner's
 * environment, set by the organisation), then the kit's autoConfigure.
 */
function planJob(lookup, env, decideWritesFor) {
    if (!lookup.found)
        return { configure: false, reason: 'no kit config (GO_CACHE_SETUP_KIT_CONFIG is not set)', warnings: [] };
    if ('problem' in lookup)
        return { configure: false, reason: `${lookup.problem}; this job runs without the build cache`, warning: true, warnings: [] };
    const { config } = lookup;
    const auto = resolveAutoConfigure({ input: undefined, env: env[common_env/* AUTO_CONFIGURE_ENV */.L9], kit: lookup });
    if (!auto.value)
        return { configure: false, reason: describeAutoConfigure(auto), warnings: auto.warnings };
    const repository = env.GITHUB_REPOSITORY ?? '';
    if (!repositoryIncluded(config, repository))
        return { configure: false, reason: `${repository} is not among the kit's repositories`, warnings: auto.warnings };
    return { configure: true, config, writes: decideWritesFor(config), warnings: auto.warnings };
}
const jobRecord = (0,schema/* object */.Ik)({
    socket: schema/* string */.Yj,
    store: schema/* string */.Yj,
    remote: (0,schema/* optional */.lq)((0,schema/* object */.Ik)({ url: schema/* string */.Yj, instance: (0,schema/* optional */.lq)(schema/* string */.Yj), scopes: remote_config/* remoteScopes */.qV })),
});
/**
 * The kit's remote cache, when its config names one. The token comes from the
 * token file (never the config, never GITHUB_ENV) and goes to the daemon only.
 * An unreadable token file is a warning: the job goes on with the local store.
 */
async function kitRemote(config, writes, env, print) {
    if (config.cacheUrl === undefined)
        return undefined;
    let token = '';
    if (config.tokenFile !== undefined) {
        try {
            token = (await (0,promises_.readFile)(config.tokenFile, 'utf8')).trim();
        }
        catch (error) {
            print(`::warning::go-cache-setup: cannot read the token file ${config.tokenFile} (${error.code ?? String(error)}); this job uses the runner's local store only`);
            return undefined;
        }
    }
    // The same parser as the action's inputs: the token becomes its Authorization header there, once.
    let remote;
    try {
        remote = (0,remote_config/* parseRemoteInputs */.jQ)({ ...remote_config/* NO_REMOTE_INPUTS */.XG, url: config.cacheUrl, token }, KIT_REMOTE_NAMES, '/', env);
    }
    catch (error) {
        if (!(error instanceof remote_config/* RemoteConfigError */.n7))
            throw error;
        print(`::warning::go-cache-setup: ${error.message}; this job uses the runner's local store only`);
        return undefined;
    }
    if (remote === undefined)
        return undefined;
    // Go's version is not known before the job's steps run; the manifest is per job without it.
    const scope = {
        repository: env.GITHUB_REPOSITORY ?? '',
        workflow: env.GITHUB_WORKFLOW ?? '',
        job: env.GITHUB_JOB ?? '',
        hostOS: env.RUNNER_OS ?? '',
        hostArch: env.RUNNER_ARCH ?? '',
        goVersion: 'kit',
    };
    return (0,remote_config/* remoteSettings */.kG)(remote, writes.remote, (0,remote_config/* manifestKey */.Rn)(scope));
}
/** The kit config's names for what the parser reports on (kit-config.ts). */
const KIT_REMOTE_NAMES = {
    url: 'cacheUrl',
    token: 'tokenFile',
    auth: 'auth',
    headers: 'headers',
    caCert: 'caCert',
    clientCert: 'clientCert',
    clientKey: 'clientKey',
    timeout: 'timeout',
    compression: 'compression',
    region: 'AWS_REGION',
    endpoint: 'endpoint',
};
function recordPath(env) {
    return external_node_path_default().join(requireEnv(env, 'RUNNER_TEMP'), 'go-cache-setup-kit', 'job.json');
}
const job_hooks_DAEMON_START_TIMEOUT_MS = 3_000;
async function jobStarted(io) {
    const started = io.now();
    const { env } = io;
    const lookup = await readKitConfig(env);
    const event = await readEvent(env);
    const plan = planJob(lookup, env, (config) => kitWrites(config, event, env));
    for (const warning of plan.warnings)
        io.print(`::warning::go-cache-setup: ${warning}`);
    if (!plan.configure) {
        io.print(plan.warning ? `::warning::go-cache-setup: ${plan.reason}` : `go-cache-setup: ${plan.reason}; nothing configured`);
        return;
    }
    const { config, writes } = plan;
    const stateDir = external_node_path_default().dirname(recordPath(env));
    await (0,promises_.mkdir)(stateDir, { recursive: true, mode: 0o700 });
    // The runner's store is what its later trusted jobs read, so only a trusted
    // job writes it; any other gets a private store that reads through to it.
    const shared = writes.remote.write === write_policy/* TRUSTED_SCOPE */.tZ;
    // Writers' branches and pull requests could push to the default branch anyway;
    // code from outside (a fork) must not reach what trusted jobs read.
    const exposed = writes.trust.level === 'untrusted' && (await writableByUs(config.storePath));
    if (exposed) {
        io.print(`::warning::go-cache-setup: this job is not trusted (${writes.trust.reason}) and runs as a user that can write the shared store ${config.storePath}; ` +
            'its code could plant entries there whatever the kit does, so the kit does not share the store with it. Run such jobs on ephemeral runners (docs/security.md#kit).');
    }
    const store = shared ? config.storePath : external_node_path_default().join(stateDir, 'store');
    const readStore = shared || exposed ? undefined : config.storePath;
    const remote = await kitRemote(config, writes, env, io.print);
    const daemon = await client_daemon_startClientDaemon(io.spawnDetached, {
        node: io.nodePath,
        client: io.clientPath,
        stateDir,
        store,
        ...(readStore !== undefined && { readStore }),
        maxBytes: parseByteSize(config.storeMaxSize),
        ...(remote && { remote }),
        ...(env[common_env/* SHIM_ENV */.Cq] === 'node' && { shim: 'node' }),
        startTimeoutMs: job_hooks_DAEMON_START_TIMEOUT_MS,
    });
    if (!daemon.daemonStarted)
        io.print(`::warning::go-cache-setup: the cache daemon did not start (see ${daemon.logFile}); go uses the store without it`);
    const { socket, command } = daemon;
    const record = { socket, store, ...(remote && { remote: remoteSummary(remote) }) };
    await (0,promises_.writeFile)(recordPath(env), JSON.stringify(record));
    const exports = [`GOCACHEPROG=${command}`, `${common_env/* KIT_DAEMON_SOCKET_ENV */.Yd}=${socket}`];
    const pants = await pantsConfig(config, shared, env, stateDir);
    if (pants !== undefined)
        exports.push(`${common_env/* PANTS_CONFIG_FILES */.Oc}=${config_registerConfigFile(env[common_env/* PANTS_CONFIG_FILES */.Oc], pants)}`, `${common_env/* KIT_PANTS_CONFIG_ENV */.$V}=${pants}`);
    await (0,promises_.appendFile)(requireEnv(env, 'GITHUB_ENV'), exports.map((line) => `${line}\n`).join(''));
    const tiers = remote
        ? `store ${store}${readStore ? ` over ${readStore}` : ''}, remote ${remote.config.url}: ${(0,write_policy/* describeScopes */.vB)(remote.scopes)}`
        : `store ${store}${readStore ? ` over ${readStore}` : ''}`;
    io.print(`go-cache-setup: GOCACHEPROG set for this job in ${Math.round(io.now() - started)} ms (${writes.trust.level}: ${writes.trust.reason}; ${tiers})`);
    if (pants !== undefined)
        io.print(`go-cache-setup: Pants remote cache registered (${pants})`);
}
/**
 * The hook runs before the repository is checked out, so it cannot read
 * pants_version: it writes only the keys every Pants from 2.17 accepts
 * (pants/config.ts), which is harmless to a repository without Pants. The
 * action, when the workflow has it, rewrites the same file for the version.
 * Pants needs a REAPI server: without a cache URL there is nothing to register.
 * The token is never in the file: the header reads it from the runner's
 * environment when the organisation put it there, else Pants goes unauthenticated.
 */
async function pantsConfig(config, write, env, stateDir) {
    const address = config.cacheUrl === undefined ? undefined : config_grpcAddressFromCacheUrl(config.cacheUrl);
    if (address === undefined)
        return undefined;
    const headers = env[common_env/* PANTS_TOKEN_ENV */.Ti] ? [parseHeaderLine(DEFAULT_PANTS_AUTH_HEADER)] : [];
    // A REAPI cacheUrl names Pants' instance too (kit-config.ts checked it).
    const instanceName = /^grpcs?:/.test(config.cacheUrl) ? (0,remote_config/* parseGrpcUrl */.vj)(config.cacheUrl, 'cacheUrl').instance : '';
    return writePantsConfig(stateDir, config_renderPantsConfig({ storeAddress: address, instanceName, headers, write }, undefined));
}
/** How long job-completed may take to flush; the runner gives hooks no timeout, so we keep our own. */
async function jobCompleted(io) {
    const file = recordPath(io.env);
    let text;
    try {
        text = await (0,promises_.readFile)(file, 'utf8');
    }
    catch {
        io.print('go-cache-setup: the job-started hook configured nothing; nothing to finish');
        return;
    }
    let record;
    try {
        record = (0,schema/* parse */.qg)(jobRecord, JSON.parse(text), 'job');
    }
    catch (error) {
        io.print(`::warning::go-cache-setup: ${file} is not what job-started wrote (${error.message}); nothing to finish`);
        return;
    }
    const { stats, trim, problem, remote } = await finishClient(record.socket, record.store, { remote: record.remote });
    for (const warning of [...(problem ? [problem] : []), ...storeWarnings(stats)])
        io.print(`::warning::go-cache-setup: ${warning}`);
    const ratio = stats.gets === 0 ? 0 : stats.hits / stats.gets;
    io.print(`go-cache-setup: ${stats.sessions} go processes, ${stats.gets} gets, ${stats.hits} hits (${(ratio * 100).toFixed(1)}%), ` +
        `${stats.misses} misses, ${stats.puts} puts (${stats.bytesOut} bytes)` +
        (trim ? `; store ${trim.storeBytes} bytes after trimming ${trim.entriesRemoved} entries` : ''));
    const r = remote?.stats;
    if (r !== undefined) {
        io.print(`go-cache-setup: remote ${remote.settings.url}: ${r.hits} hits, ${r.misses} misses, ${r.errors} errors, ${r.uploads} uploads, ${r.unsent} unsent`);
    }
    await (0,promises_.rm)(file, { force: true });
}
/** The job's trust and writes, decided as the action decides them (policy/write-policy.ts), from what the runner gave the hook. */
function kitWrites(config, event, env) {
    const run = runFacts(env, event.payload);
    const trustedRefs = (0,write_policy/* parseRefPatterns */.iP)(config.trustedRefs.join('\n'), 'trustedRefs');
    const trust = (0,write_policy/* classifyJob */.gs)({ event, ref: run.ref, repository: run.repository, defaultBranch: run.defaultBranch, trustedRefs });
    return (0,write_policy/* decideWrites */.fD)(config.cacheWrite, trust, (0,write_policy/* parseCacheMode */.Fm)(env.ACTIONS_CACHE_MODE));
}
/**
 * Whether this process's user can write the store (or create it): then so can
 * the job's own code, which runs as the same user (docs/security.md#kit).
 */
async function writableByUs(dir) {
    for (let d = dir;; d = external_node_path_default().dirname(d)) {
        try {
            await (0,promises_.access)(d, external_node_fs_.constants.W_OK);
            return true;
        }
        catch (error) {
            if (error.code !== 'ENOENT' || external_node_path_default().dirname(d) === d)
                return false;
        }
    }
}
function requireEnv(env, name) {
    const value = env[name];
    if (!value)
        throw new Error(`${name} is not set: is this running as a runner job hook?`);
    return value;
}

;// CONCATENATED MODULE: ./src/bootstrap/cli.ts
/**
 * The kit's subcommands of the client program: `bootstrap …` for people
 * setting up a runner, `hook …` for the runner. Loaded only when asked for, so
 * `serve` (started by every go command) does not pay for it.
 */









/** Outside any runner's directory: runner updates replace that. */
const DEFAULT_KIT_DIR = '/opt/go-cache-setup';
class KitUsageError extends Error {
}
async function bootstrapCommand(argv, print) {
    const [action, ...rest] = argv;
    const { values } = (0,external_node_util_.parseArgs)({
        args: rest,
        options: {
            'runner-dir': { type: 'string' },
            'kit-dir': { type: 'string' },
            'tool-cache': { type: 'string' },
            node: { type: 'string' },
            config: { type: 'string' },
            'cache-url': { type: 'string' },
            'token-file': { type: 'string' },
            'auto-configure': { type: 'string' },
            include: { type: 'string', multiple: true },
            exclude: { type: 'string', multiple: true },
            'cache-write': { type: 'string' },
            'trusted-ref': { type: 'string', multiple: true },
            'store-path': { type: 'string' },
            'store-max-size': { type: 'string' },
            'purge-store': { type: 'boolean' },
        },
        strict: true,
    });
    const kitDir = external_node_path_default().resolve(values['kit-dir'] ?? DEFAULT_KIT_DIR);
    const runnerDir = () => {
        if (!values['runner-dir'])
            throw new KitUsageError(`bootstrap ${action} needs --runner-dir DIR (the runner's directory, with run.sh and .env)`);
        return external_node_path_default().resolve(values['runner-dir']);
    };
    // The runner's default tool cache; RUNNER_TOOL_CACHE overrides it on the runner too.
    const toolCache = () => external_node_path_default().resolve(values['tool-cache'] ?? process.env.RUNNER_TOOL_CACHE ?? external_node_path_default().join(runnerDir(), '_work', '_tool'));
    switch (action) {
        case 'install': {
            const unsupported = kitPlatformProblem(process.platform);
            if (unsupported !== undefined)
                throw new KitUsageError(unsupported);
            const dir = runnerDir();
            // The runner's own Node, which is there as long as the runner is; else the one running us.
            const runnerNode = external_node_path_default().join(dir, 'externals', 'node24', 'bin', 'node');
            await installKit({
                runnerDir: dir,
                kitDir,
                toolCache: toolCache(),
                config: values.config !== undefined ? parseKitConfig(await (0,promises_.readFile)(values.config, 'utf8'), values.config) : configFromFlags(values),
                node: external_node_path_default().resolve(values.node ?? ((0,external_node_fs_.existsSync)(runnerNode) ? runnerNode : process.execPath)),
                clientSourceDir: import.meta.dirname,
                clientVersion: package_namespaceObject.rE,
            }, print);
            return 0;
        }
        case 'uninstall':
            await uninstallKit({ kitDir }, { purgeStore: values['purge-store'] ?? false }, print);
            return 0;
        case 'status': {
            const status = await kitStatus({ runnerDir: runnerDir(), kitDir, toolCache: toolCache() });
            for (const line of status.lines)
                print(line);
            return status.installed ? 0 : 1;
        }
        default:
            throw new KitUsageError(action ? `unknown bootstrap command ${action}` : 'bootstrap needs install, uninstall or status');
    }
}
/**
 * Pure: why the kit cannot be installed on this platform, or undefined. On
 * Windows the runner's job hooks run PowerShell (.ps1), and the kit writes
 * shell scripts and edits the runner's .env for run.sh: refused, not half done.
 */
function kitPlatformProblem(platform) {
    if (platform !== 'win32')
        return undefined;
    return ('the bootstrap kit supports Linux and macOS runners only: a Windows runner runs its job hooks as PowerShell scripts, which the kit does not write. ' +
        'On Windows, add the action to the workflow instead (uses: org/go-cache-setup@v1), which runs there.');
}
function configFromFlags(values) {
    const text = (name) => values[name];
    const autoConfigure = text('auto-configure');
    if (autoConfigure !== undefined && autoConfigure !== 'true' && autoConfigure !== 'false') {
        throw new KitUsageError(`--auto-configure must be true or false, got ${autoConfigure}`);
    }
    if (text('store-path') === undefined)
        throw new KitUsageError('bootstrap install needs --store-path DIR (or --config FILE): where the persistent local store lives');
    const raw = {
        version: 1,
        cacheUrl: text('cache-url'),
        tokenFile: text('token-file') && external_node_path_default().resolve(text('token-file')),
        autoConfigure: autoConfigure === undefined ? true : autoConfigure === 'true',
        repositories: { include: values.include ?? [], exclude: values.exclude ?? [] },
        cacheWrite: text('cache-write') ?? 'auto',
        trustedRefs: values['trusted-ref'] ?? [],
        storePath: external_node_path_default().resolve(text('store-path')),
        storeMaxSize: text('store-max-size') ?? '5GiB',
    };
    return parseKitConfig(JSON.stringify(raw), 'the flags');
}
/** `hook job-started|job-completed`: always exits 0, the scripts add their own guard too. */
async function hookCommand(argv, print) {
    const io = {
        env: process.env,
        print,
        spawnDetached: spawnDetachedProcess,
        nodePath: process.execPath,
        clientPath: external_node_path_default().resolve(process.argv[1]),
        now: () => performance.now(),
    };
    try {
        if (argv[0] === 'job-started')
            await jobStarted(io);
        else if (argv[0] === 'job-completed')
            await jobCompleted(io);
        else
            throw new KitUsageError(`unknown hook ${argv[0] ?? ''}: job-started or job-completed`);
    }
    catch (error) {
        print(`::warning::go-cache-setup ${argv[0] ?? 'hook'}: ${error.message}; this job runs without the build cache`);
    }
    return 0;
}


/***/ })

};

//# sourceMappingURL=540.bundle.js.map