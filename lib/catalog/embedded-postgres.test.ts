import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { acquireLock } from '../process-lock';
import { openCatalog } from './database';
import { ensureEmbeddedPostgres } from './embedded-postgres';

const quiet = createLogger({}, () => undefined);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-embedded-'));
fs.chmodSync(dataDir, 0o755);

afterAll(async () => {
  const h = await ensureEmbeddedPostgres({ dataDir, log: quiet });
  await h.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the embedded Postgres (started from scratch)', () => {
  it('initialises, starts, serves many connections at once, and keeps data across restarts', async () => {
    const first = await ensureEmbeddedPostgres({ dataDir, log: quiet });
    expect(first.startedHere).toBe(true);
    expect(first.url).toMatch(/^postgres:\/\/keystone:.+@127\.0\.0\.1:\d+\/keystone$/);

    // Multi-connection: 8 sessions sleeping 300 ms each finish together, not one after another.
    const pool = new pg.Pool({ connectionString: first.url, max: 8 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => pool.query('select pg_sleep(0.3)')));
    expect(Date.now() - t0).toBeLessThan(1800);
    await pool.query('create table kept (v int); insert into kept values (42)');
    const sessions = await pool.query("select count(*)::int as n from pg_stat_activity where datname = 'keystone'");
    expect(sessions.rows[0].n).toBeGreaterThanOrEqual(2);
    await pool.end();

    // A second user of the same data dir (the CLI beside the console) joins instead of starting another.
    const joiner = await ensureEmbeddedPostgres({ dataDir, log: quiet });
    expect(joiner.startedHere).toBe(false);
    expect(joiner.port).toBe(first.port);

    await first.stop();
    const again = await ensureEmbeddedPostgres({ dataDir, log: quiet });
    expect(again.startedHere).toBe(true);
    const c = new pg.Client({ connectionString: again.url });
    await c.connect();
    expect((await c.query('select v from kept')).rows).toEqual([{ v: 42 }]);
    await c.end();
  });

  it('runs the server as the postgres OS user, never as root, listening on loopback only', async () => {
    const h = await ensureEmbeddedPostgres({ dataDir, log: quiet });
    const c = new pg.Client({ connectionString: h.url });
    await c.connect();
    const r = await c.query("select current_setting('listen_addresses') as listen, current_setting('data_directory') as dir");
    await c.end();
    expect(r.rows[0].listen).toBe('127.0.0.1');
    const pid = Number(fs.readFileSync(path.join(r.rows[0].dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const uid = Number(/Uid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    if (process.getuid?.() === 0) expect(uid).not.toBe(0);
    else expect(uid).toBe(process.getuid?.());
  });

  it('release() leaves the server up while a keystone serve holds the data dir', async () => {
    const h = await ensureEmbeddedPostgres({ dataDir, log: quiet });
    await h.stop();
    const serveLock = path.join(dataDir, 'serve.lock');
    const mine = await ensureEmbeddedPostgres({ dataDir, log: quiet, serveLockFile: serveLock });
    expect(mine.startedHere).toBe(true);
    // Pretend a serve (another live process: our parent) holds the lock.
    fs.writeFileSync(serveLock, JSON.stringify({ pid: process.ppid, host: os.hostname(), startedAt: new Date().toISOString(), purpose: 'test' }));
    await mine.release();
    const still = await ensureEmbeddedPostgres({ dataDir, log: quiet });
    expect(still.startedHere).toBe(false);
    fs.rmSync(serveLock);
    await mine.release(); // no serve now: the starter stops it
    const after = await ensureEmbeddedPostgres({ dataDir, log: quiet });
    expect(after.startedHere).toBe(true);
  });

  it('is what openCatalog uses when DATABASE_URL is unset', async () => {
    const catalog = await openCatalog(loadConfig({ KEYSTONE_DATA_DIR: dataDir }), { log: quiet });
    expect(catalog.describe).toMatch(/^embedded Postgres on 127\.0\.0\.1:\d+$/);
    const r = await catalog.pool.query("select table_name from information_schema.tables where table_schema = 'public'");
    const names = r.rows.map((x: { table_name: string }) => x.table_name);
    expect(names).toEqual(expect.arrayContaining(['datasets', 'dataset_versions', 'files', 'job_runs', 'lineage_edges', 'users']));
    await catalog.close();
  });
});

describe('the serve lock', () => {
  it('names the process that holds the data dir', () => {
    const file = path.join(dataDir, 'lock-test.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: process.ppid, host: os.hostname(), startedAt: '2026-01-01T00:00:00Z', purpose: 'keystone serve' }));
    expect(() => acquireLock(file, 'keystone serve on x', 'serve')).toThrow(new RegExp(`process ${process.ppid}`));
    // A holder that is gone is stale and is taken over.
    fs.writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 7, host: os.hostname(), startedAt: '2026-01-01T00:00:00Z', purpose: 'x' }));
    const lock = acquireLock(file, 'keystone serve on x', 'serve');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(file)).toBe(false);
  });
});
