/**
 * The SQL console's core against a real catalog (a throw-away Postgres database) and DuckDB:
 * saved queries, history, running with bound parameters, cancel, timeout, the analyst guard, CSV.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../auth/users';
import { closeDuckDB } from '../engine/duckdb/engine';
import { isKeystoneError, type KeystoneError } from '../errors';
import { createTestLake, type TestLake } from '../../test/support/lake';
import { csvStream } from './csv';
import { listHistory } from './history';
import { RunningQueries } from './running';
import { createSavedQuery, deleteSavedQuery, getSavedQuery, listSavedQueries, updateSavedQuery } from './saved-queries';
import { runToEnd, startQuery, type SqlServices, type SqlUser } from './run';

let lake: TestLake;
let services: SqlServices;
let engineer: SqlUser;
let analyst: SqlUser;
let otherAnalyst: SqlUser;
let n = 0;
const qid = () => `test-query-${++n}-${Math.random().toString(36).slice(2, 8)}`;

const SLOW = 'SELECT count(*) FROM range(10000000000) t1';

async function failure(p: Promise<unknown>): Promise<KeystoneError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isKeystoneError(e)).toBe(true);
  return e as KeystoneError;
}

beforeAll(async () => {
  lake = await createTestLake();
  services = { catalog: lake.ctx.catalog, storage: lake.ctx.storage, engine: lake.ctx.engine, running: new RunningQueries() };
  const db = lake.ctx.catalog.db;
  engineer = { id: await createUser(db, { username: 'eng', password: 'engineer-pw', role: 'engineer' }), role: 'engineer' };
  analyst = { id: await createUser(db, { username: 'ana', password: 'analyst-pw', role: 'analyst' }), role: 'analyst' };
  otherAnalyst = { id: await createUser(db, { username: 'ann', password: 'analyst-pw', role: 'analyst' }), role: 'analyst' };
  await lake.ctx.engine.execute(`
    CREATE SCHEMA IF NOT EXISTS gold;
    CREATE OR REPLACE TABLE gold.customers AS SELECT * FROM (VALUES (1, 'O''Brien', DATE '2017-01-01'), (2, 'Silva', DATE '2017-06-01'), (3, 'Souza', DATE '2018-01-01')) v(id, name, since);
    CREATE OR REPLACE TABLE victims AS SELECT range AS id FROM range(3);
  `);
});

afterAll(async () => {
  await lake?.close();
  await closeDuckDB();
});

describe('saved queries', () => {
  it('create, list, get, update, delete; names unique ignoring case', async () => {
    const db = lake.ctx.catalog.db;
    const q = await createSavedQuery(db, analyst, {
      name: 'Customers since',
      description: 'Customers who joined on or after a date',
      sql: 'SELECT * FROM gold.customers WHERE since >= {{start_date}} ORDER BY id',
      parameters: [{ name: 'start_date', type: 'date', default: '2017-01-01', label: 'Joined on or after' }],
    });
    expect(q.parameters).toEqual([{ name: 'start_date', type: 'date', default: '2017-01-01', label: 'Joined on or after' }]);
    expect((await listSavedQueries(db)).map((s) => s.name)).toContain('Customers since');
    expect((await getSavedQuery(db, q.id)).sql).toContain('{{start_date}}');

    const dup = await failure(createSavedQuery(db, engineer, { name: 'CUSTOMERS SINCE', sql: 'SELECT 1' }));
    expect(dup.code).toBe('conflict:saved_query');

    const undeclared = await createSavedQuery(db, engineer, { name: 'Undeclared', sql: 'SELECT {{who}} AS who' });
    expect(undeclared.parameters).toEqual([{ name: 'who', type: 'string' }]);

    // Only the author or an engineer may change it.
    expect((await failure(updateSavedQuery(db, otherAnalyst, q.id, { name: 'Mine now', sql: 'SELECT 1' }))).code).toBe('forbidden:saved_query');
    const updated = await updateSavedQuery(db, engineer, q.id, { name: 'Customers since (v2)', sql: q.sql, parameters: q.parameters });
    expect(updated.name).toBe('Customers since (v2)');
    expect((await failure(updateSavedQuery(db, engineer, q.id, { name: 'undeclared', sql: 'SELECT 1' }))).code).toBe('conflict:saved_query');

    expect((await failure(createSavedQuery(db, engineer, { name: '  ', sql: 'SELECT 1' }))).code).toBe('bad_request:saved_query');
    expect((await failure(createSavedQuery(db, engineer, { name: 'Unused param', sql: 'SELECT 1', parameters: [{ name: 'x', type: 'string' }] }))).message).toMatch(/does not use/);

    await deleteSavedQuery(db, engineer, undeclared.id);
    expect((await failure(getSavedQuery(db, undeclared.id))).code).toBe('not_found:saved_query');
    expect((await failure(getSavedQuery(db, 'not-a-uuid'))).code).toBe('not_found:saved_query');
  });
});

describe('running SQL', () => {
  it('runs a saved query with its parameters bound, and records it in history', async () => {
    const db = lake.ctx.catalog.db;
    const q = await createSavedQuery(db, engineer, {
      name: 'By name',
      sql: 'SELECT id, name FROM gold.customers WHERE name = {{who}} OR since >= {{start_date}} ORDER BY id',
      parameters: [
        { name: 'who', type: 'string' },
        { name: 'start_date', type: 'date', default: '2099-01-01' },
      ],
    });
    const hostile = "O'Brien'; DROP TABLE victims; --";
    const r = await runToEnd(services, { user: analyst, queryId: qid(), sql: q.sql, parameters: q.parameters, values: { who: "O'Brien" }, savedQueryId: q.id });
    expect(r.rows).toEqual([[1, "O'Brien"]]);
    expect(r.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['name', 'string'],
    ]);
    const echo = await runToEnd(services, { user: analyst, queryId: qid(), sql: 'SELECT {{v}} AS v', values: { v: hostile } });
    expect(echo.rows).toEqual([[hostile]]);
    expect((await lake.ctx.engine.query('SELECT count(*) FROM victims')).rows).toEqual([['3']]);

    const history = await listHistory(db, analyst.id, { limit: 5 });
    expect(history[0]).toMatchObject({ sql: 'SELECT {{v}} AS v', params: { v: hostile }, status: 'succeeded', rowCount: 1, engine: 'duckdb' });
    expect(history[1]).toMatchObject({ savedQueryId: q.id, params: { who: "O'Brien", start_date: '2099-01-01' }, status: 'succeeded', rowCount: 1 });
    expect(history[1]!.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(history[1]!.finishedAt).not.toBeNull();
    // History is per user.
    expect((await listHistory(db, otherAnalyst.id)).length).toBe(0);
  });

  it('refuses DDL for an analyst, records the refusal, and lets an engineer run it', async () => {
    const e = await failure(startQuery(services, { user: analyst, queryId: qid(), sql: 'CREATE TABLE gold.mine AS SELECT 1 AS a' }));
    expect(e.code).toBe('forbidden:sql');
    expect(e.message).toMatch(/CREATE is not allowed/);
    const [last] = await listHistory(lake.ctx.catalog.db, analyst.id, { limit: 1 });
    expect(last).toMatchObject({ status: 'failed', error: expect.stringMatching(/Refused: CREATE/) });
    const done = await runToEnd(services, { user: engineer, queryId: qid(), sql: 'CREATE OR REPLACE TABLE gold.mine AS SELECT 1 AS a; SELECT * FROM gold.mine' });
    expect(done.rows).toEqual([[1]]);
  });

  it('reports a syntax error with line and column', async () => {
    const e = await failure(startQuery(services, { user: analyst, queryId: qid(), sql: 'SELECT id\nFROM gold.customers\nWHER id = 1' }));
    expect(e.code).toBe('bad_request:sql');
    expect(e.message).toMatch(/syntax error at or near "id"/);
    expect(e.message).toMatch(/LINE 3: WHER id = 1/);
    const engineerError = await failure(startQuery(services, { user: engineer, queryId: qid(), sql: 'SELECT nope FROM gold.customers' }));
    expect(engineerError.message).toMatch(/Referenced column "nope" not found/);
    expect(engineerError.message).toMatch(/LINE 1:/);
  });

  it('cancel really stops a long query in the engine', async () => {
    const running = services.running!;
    const id = qid();
    // DuckDB computes an aggregate before its first row: the start itself is what cancel interrupts.
    const t0 = Date.now();
    const starting = startQuery(services, { user: analyst, queryId: id, sql: SLOW });
    await new Promise((r) => setTimeout(r, 400));
    expect(running.list(analyst.id).map((r) => r.id)).toContain(id);
    // Another analyst may not cancel it; its owner may.
    expect(() => running.cancel(id, otherAnalyst)).toThrow(/Only the person who started/);
    expect(running.cancel(id, analyst)).toBe(true);
    const err = await failure(starting);
    expect(err.kind).toBe('cancelled');
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(running.list(analyst.id).map((r) => r.id)).not.toContain(id);
    expect(running.cancel(id, analyst)).toBe(false); // already over: idempotent
    const [last] = await listHistory(lake.ctx.catalog.db, analyst.id, { limit: 1 });
    expect(last).toMatchObject({ status: 'cancelled', sql: SLOW });
    // The engine is free again at once.
    expect((await runToEnd(services, { user: analyst, queryId: qid(), sql: 'SELECT 42' })).rows).toEqual([[42]]);
  });

  it('cancel stops a query whose rows are being read', async () => {
    const running = services.running!;
    const id = qid();
    const q = await startQuery(services, { user: analyst, queryId: id, sql: 'SELECT range AS i FROM range(100000000000)', batchRows: 1000 });
    let batches = 0;
    const reading = (async () => {
      for await (const _ of q.batches) {
        batches++;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await new Promise((r) => setTimeout(r, 300));
    expect(running.cancel(id, engineer)).toBe(true); // an engineer may cancel anyone's
    await reading.catch(() => undefined);
    expect(batches).toBeGreaterThan(0);
    expect(await q.ended).toMatchObject({ status: 'cancelled' });
  });

  it('a query over its time limit is stopped and says so', async () => {
    const t0 = Date.now();
    const err = await failure(startQuery(services, { user: engineer, queryId: qid(), sql: SLOW, timeoutMs: 500 }));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(err.code).toBe('timeout:query');
    expect(err.message).toMatch(/longer than its 500 ms limit/);
    const [last] = await listHistory(lake.ctx.catalog.db, engineer.id, { limit: 1 });
    expect(last).toMatchObject({ status: 'failed', error: expect.stringMatching(/500 ms limit/) });
  });

  it('stopping early (the grid has enough rows) ends as a truncated success', async () => {
    const r = await runToEnd(services, { user: analyst, queryId: qid(), sql: 'SELECT * FROM range(1000000)' }, 5000);
    expect(r.rows.length).toBe(5000);
    expect(r.end).toMatchObject({ status: 'succeeded', truncated: true, rows: expect.any(Number) });
  });

  it('refuses a query id that is already running', async () => {
    const id = qid();
    const first = startQuery(services, { user: engineer, queryId: id, sql: SLOW });
    await new Promise((r) => setTimeout(r, 300));
    expect((await failure(startQuery(services, { user: engineer, queryId: id, sql: 'SELECT 1' }))).code).toBe('conflict:query_id');
    services.running!.cancel(id, engineer);
    expect((await failure(first)).kind).toBe('cancelled');
  });
});

describe('CSV export', () => {
  async function csvOf(sql: string, user = analyst): Promise<string> {
    const q = await startQuery(services, { user, queryId: qid(), sql });
    const body = csvStream(q.columns, q.batches);
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await new Response(body).arrayBuffer());
  }

  it('streams every row, quoting what needs quoting', async () => {
    const text = await csvOf(`SELECT * FROM (VALUES (1, 'plain', NULL), (2, 'with, comma', 1.5), (3, 'with "quote"', 2), (4, E'line\\nbreak', 3)) v(id, label, x)`);
    expect(text).toBe('\uFEFFid,label,x\r\n1,plain,\r\n2,"with, comma",1.5\r\n3,"with ""quote""",2.0\r\n4,"line\nbreak",3.0\r\n');
  });

  it('exports the full result, not a grid page: 250 001 rows', async () => {
    const text = await csvOf('SELECT range AS i, range * 2 AS j FROM range(250001)');
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines.length).toBe(250_002);
    expect(lines[250_001]).toBe('250000,500000');
  });

  it('cancelling the download stops the query', async () => {
    const q = await startQuery(services, { user: engineer, queryId: qid(), sql: 'SELECT range FROM range(100000000000)' });
    const reader = csvStream(q.columns, q.batches).getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    expect((await q.ended).status).toBe('cancelled');
  });
});
