import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/support/databases';
import { runCli } from '../test/support/cli';

let tdb: TestDatabase;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-cli-'));

beforeAll(async () => {
  tdb = await createTestDatabase();
});
afterAll(async () => {
  await tdb.drop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('keystone CLI', { timeout: 240_000 }, () => {
  it('has --help on the program and on every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['serve', 'doctor', 'ingestor']) expect(top.stdout).toContain(cmd);
    for (const cmd of ['serve', 'doctor', 'ingestor']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: keystone ${cmd}`);
    }
  });

  it('doctor reports every part healthy on a working setup and exits 0', async () => {
    const r = await runCli(['doctor'], { DATABASE_URL: tdb.url, KEYSTONE_DATA_DIR: path.join(tmp, 'ok') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +data dir/);
    expect(r.stdout).toMatch(/ok +storage/);
    expect(r.stdout).toMatch(/ok +engine +DuckDB v1\./);
    expect(r.stdout).toMatch(/ok +database .*PostgreSQL/);
    expect(r.stdout).toContain('All required parts are healthy.');
    // The password in DATABASE_URL is never printed.
    const password = new URL(tdb.url).password;
    if (password) expect(r.stdout).not.toContain(password);
  });

  it('doctor exits 1 and says which part failed when the data dir is not writable', async () => {
    fs.writeFileSync(path.join(tmp, 'a-file'), 'x');
    const r = await runCli(['doctor'], { DATABASE_URL: tdb.url, KEYSTONE_DATA_DIR: path.join(tmp, 'a-file', 'data') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL data dir .*not writable/);
  });

  // How fast a dead server is given up on is checked in lib/catalog/migrations.test.ts; here, what is said.
  it('doctor exits 1 when DATABASE_URL cannot be reached, naming it without its password', async () => {
    const r = await runCli(['doctor'], { DATABASE_URL: 'postgres://x:topsecret@127.0.0.1:1/nope', KEYSTONE_DATA_DIR: path.join(tmp, 'ok') });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL database +Cannot use the catalog database at postgres:\/\/x:\*\*\*@127\.0\.0\.1:1\/nope/);
    expect(r.stdout + r.stderr).not.toContain('topsecret');
  });

  it('query estimates the scan and its Athena price before running, and --estimate only estimates', async () => {
    const env = { DATABASE_URL: tdb.url, KEYSTONE_DATA_DIR: path.join(tmp, 'ok') };
    const only = await runCli(['query', '--estimate', 'SELECT * FROM silver.orders'], env);
    expect(only.code).toBe(0);
    // An empty lake: nothing known about silver.orders, so the estimate says so and bills the 10 MB minimum.
    expect(only.stdout).toContain('estimated scan: 0 B (billed 10 MiB, $0.000048) on Athena; no statistics for silver.orders');
    const ran = await runCli(['query', 'SELECT 41 + 1 AS answer'], env);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain('estimated scan: 0 B (billed 10 MiB, $0.000048) on Athena');
    expect(ran.stdout).toMatch(/answer[\s\S]*42[\s\S]*\(1 row, \d+ ms\)/);
  });

  it('a wrong configuration value stops the start, naming the variable and the allowed values (exit 2)', async () => {
    const r = await runCli(['serve'], { KEYSTONE_STORAGE: 'dropbox', KEYSTONE_DATA_DIR: path.join(tmp, 'ok') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('KEYSTONE_STORAGE="dropbox" is not valid: allowed values are "local", "s3"');
  });

  it('a second keystone serve on the same data dir says which process holds it and exits 1', async () => {
    const dataDir = path.join(tmp, 'busy');
    fs.mkdirSync(dataDir, { recursive: true });
    // The holder: this test's parent process, which is certainly alive.
    fs.writeFileSync(path.join(dataDir, 'serve.lock'), JSON.stringify({ pid: process.ppid, host: os.hostname(), startedAt: '2026-11-26T00:00:00.000Z', purpose: 'keystone serve' }));
    const r = await runCli(['serve'], { DATABASE_URL: tdb.url, KEYSTONE_DATA_DIR: dataDir, PORT: '3391', KEYSTONE_INGEST_PORT: '50391' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`already held by process ${process.ppid}`);
    expect(fs.existsSync(path.join(dataDir, 'serve.lock'))).toBe(true);
  });
});
