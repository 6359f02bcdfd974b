import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { KeystoneError } from '../errors';
import { createLogger } from '../logger';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';
import { migrationsFolder, openCatalog } from './database';

const quiet = createLogger({}, () => undefined);
const EXPECTED_TABLES = [
  'dataset_versions',
  'datasets',
  'files',
  'ingest_consumption',
  'ingests',
  'job_runs',
  'lineage_edges',
  'query_history',
  'run_checks',
  'run_logs',
  'saved_queries',
  'sessions',
  'uploads',
  'users',
  'version_files',
];

interface Journal {
  entries: { idx: number; tag: string }[];
}

const dbs: TestDatabase[] = [];
afterEach(async () => {
  while (dbs.length) await dbs.pop()!.drop();
});

async function freshDb() {
  const db = await createTestDatabase();
  dbs.push(db);
  return db;
}

async function tables(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' order by 1");
    return r.rows.map((x) => x.table_name);
  } finally {
    await c.end();
  }
}

describe('catalog migrations', () => {
  it('apply to an empty database and create every catalog table', async () => {
    const db = await freshDb();
    const catalog = await openCatalog(loadConfig({ DATABASE_URL: db.url }), { log: quiet });
    await catalog.close();
    expect(await tables(db.url)).toEqual(EXPECTED_TABLES);
  });

  it('are idempotent and safe when several processes start at once', async () => {
    const db = await freshDb();
    const config = loadConfig({ DATABASE_URL: db.url });
    const catalogs = await Promise.all([1, 2, 3, 4].map(() => openCatalog(config, { log: quiet })));
    await Promise.all(catalogs.map((c) => c.close()));
    const again = await openCatalog(config, { log: quiet });
    const applied = await again.pool.query('select count(*)::int as n from drizzle.__drizzle_migrations');
    await again.close();
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(), 'meta/_journal.json'), 'utf8')) as Journal;
    expect(applied.rows[0].n).toBe(journal.entries.length);
  });

  it('apply on top of every earlier version', async () => {
    const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(), 'meta/_journal.json'), 'utf8')) as Journal;
    for (let upTo = 1; upTo <= journal.entries.length; upTo++) {
      const db = await freshDb();
      // A migrations folder as it stood after `upTo` migrations.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-mig-'));
      fs.cpSync(migrationsFolder(), dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, upTo) }));
      process.env.KEYSTONE_MIGRATIONS_DIR = dir;
      try {
        await (await openCatalog(loadConfig({ DATABASE_URL: db.url }), { log: quiet })).close();
      } finally {
        delete process.env.KEYSTONE_MIGRATIONS_DIR;
        fs.rmSync(dir, { recursive: true, force: true });
      }
      await (await openCatalog(loadConfig({ DATABASE_URL: db.url }), { log: quiet })).close();
      expect(await tables(db.url)).toEqual(EXPECTED_TABLES);
    }
  });

  it('match db/schema.ts: generating again produces no new migration', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-gen-'));
    fs.cpSync(migrationsFolder(), out, { recursive: true });
    const before = fs.readdirSync(out).sort();
    const r = spawnSync(process.execPath, ['node_modules/drizzle-kit/bin.cjs', 'generate', '--dialect=postgresql', '--schema=./db/schema.ts', `--out=${path.relative(process.cwd(), out)}`], {
      encoding: 'utf8',
    });
    const printed = r.stdout + r.stderr;
    expect(fs.readdirSync(out).sort()).toEqual(before);
    expect(printed).toMatch(/No schema changes/);
    fs.rmSync(out, { recursive: true, force: true });
  });
});

describe('an unreachable DATABASE_URL', () => {
  it('fails fast with a clear error when nothing listens', async () => {
    const started = Date.now();
    const err = await openCatalog(loadConfig({ DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/x' }), { log: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeystoneError);
    expect((err as KeystoneError).code).toBe('unavailable:database');
    expect((err as KeystoneError).message).toContain('127.0.0.1:1');
    expect((err as KeystoneError).message).not.toContain('secret');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up within 10 s on a server that never answers (no hang)', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const started = Date.now();
    const err = await openCatalog(loadConfig({ DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/x` }), { log: quiet }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    sockets.forEach((s) => s.destroy());
    silent.close();
    expect((err as KeystoneError).code).toBe('unavailable:database');
    expect(elapsed).toBeGreaterThan(9_000);
    // Given up on by the 10 s connect timeout, not hanging (slack for a loaded machine).
    expect(elapsed).toBeLessThan(25_000);
  });
});
