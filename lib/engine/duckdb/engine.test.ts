import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { KeystoneError } from '../../errors';
import { createEngine } from '..';
import { DuckDBEngine, closeDuckDB, defaultMaxConnections, getDuckDB } from './engine';

/** Long enough that only an interrupt ends it within the test's limits (tens of seconds on two cores). */
const SLOW = 'SELECT count(*) FROM range(10000000000) t1';

let engine: DuckDBEngine;
let tmp: string;

beforeAll(() => {
  engine = new DuckDBEngine();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keystone-duckdb-'));
});

afterAll(async () => {
  await engine.close();
  await closeDuckDB();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<KeystoneError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KeystoneError);
  return e as KeystoneError;
}

describe('bound parameters', () => {
  const evil = `it's "quoted" '; DROP TABLE victims; --`;

  beforeAll(async () => {
    await engine.execute('CREATE OR REPLACE TABLE victims AS SELECT range AS id FROM range(3)');
  });

  it('binds positional ? and $1 parameters', async () => {
    const q = await engine.query('SELECT ? AS a, ? AS b, ? AS c, ? AS d', { params: [1, 'two', 3.5, null] });
    expect(q.rows).toEqual([[1, 'two', 3.5, null]]);
    const d = await engine.query('SELECT $2 AS second, $1 AS first, $1 + 1 AS again', { params: [41, 'x'] });
    expect(d.rows).toEqual([['x', 41, 42]]);
  });

  it('binds named $name parameters', async () => {
    const r = await engine.query('SELECT $name AS name, $n * 2 AS twice, $flag AS flag', { params: { name: 'duck', n: 21, flag: true } });
    expect(r.columns.map((c) => c.name)).toEqual(['name', 'twice', 'flag']);
    expect(r.rows).toEqual([['duck', 42, true]]);
  });

  it('returns a hostile string verbatim and runs none of it', async () => {
    const positional = await engine.query('SELECT ? AS v, length(?) AS n', { params: [evil, evil] });
    expect(positional.rows).toEqual([[evil, String(evil.length)]]);
    const named = await engine.query('SELECT count(*) AS n FROM victims WHERE $v <> $v || id::VARCHAR', { params: { v: evil } });
    expect(named.rows).toEqual([['3']]);
    const still = await engine.query('SELECT count(*) FROM victims');
    expect(still.rows).toEqual([['3']]);
  });

  it('binds large integers, lists, structs and an empty list', async () => {
    const r = await engine.query('SELECT ?::BIGINT AS big, ? AS l, list_sum(?) AS s, ? AS st, len(?::INTEGER[]) AS empty', {
      params: [9_007_199_254_740_991, [1, 2.5, null], [1, 2, 3], { a: 1, b: ['x'] }, []],
    });
    expect(r.rows).toEqual([['9007199254740991', [1, 2.5, null], '6', { a: 1, b: ['x'] }, '0']]);
  });

  it('lets DuckDB cast a bound string to the type the SQL expects', async () => {
    const r = await engine.query(`SELECT count(*) FROM (SELECT DATE '2024-01-02' AS d) WHERE d = $1`, { params: ['2024-01-02'] });
    expect(r.rows).toEqual([['1']]);
  });

  it('refuses unknown names, missing values and mixed list types as bad requests', async () => {
    const unknown = await failure(engine.query('SELECT $a', { params: { a: 1, zz: 2 } }));
    expect(unknown.code).toBe('bad_request:sql');
    expect(unknown.message).toContain('$zz');
    const missing = await failure(engine.query('SELECT ?, ?', { params: [1] }));
    expect(missing.code).toBe('bad_request:sql');
    const mixed = await failure(engine.query('SELECT ?', { params: [[1, 'a']] }));
    expect(mixed.code).toBe('bad_request:sql');
  });

  it('only lets the last statement of a multi-statement text take parameters', async () => {
    const e = await failure(engine.query('SELECT ?; SELECT ?', { params: [1] }));
    expect(e.code).toBe('bad_request:sql');
    const r = await engine.query('SELECT 1; SELECT ? AS v', { params: [7] });
    expect(r.rows).toEqual([[7]]);
  });
});

describe('query', () => {
  it('returns columns, rows and stats', async () => {
    const r = await engine.query('SELECT range AS n, range::VARCHAR AS s FROM range(3) ORDER BY n');
    expect(r.columns).toEqual([
      { name: 'n', type: 'bigint', engineType: 'BIGINT' },
      { name: 's', type: 'string', engineType: 'VARCHAR' },
    ]);
    expect(r.rows).toEqual([
      ['0', '0'],
      ['1', '1'],
      ['2', '2'],
    ]);
    expect(r.truncated).toBe(false);
    expect(r.stats.rows).toBe(3);
    expect(r.stats.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(r.stats.elapsedMs)).toBe(true);
  });

  it('stops reading at maxRows and says so', async () => {
    const r = await engine.query('SELECT range::INTEGER AS n FROM range(100000)', { maxRows: 5 });
    expect(r.rows).toEqual([[0], [1], [2], [3], [4]]);
    expect(r.truncated).toBe(true);
    expect(r.stats.rows).toBe(5);

    const across = await engine.query('SELECT range::INTEGER AS n FROM range(100000)', { maxRows: 3000 });
    expect(across.rows).toHaveLength(3000);
    expect(across.rows[2999]).toEqual([2999]);
    expect(across.truncated).toBe(true);

    // Exactly as many rows as allowed is not a truncation, even on a chunk boundary.
    for (const n of [10, 2048]) {
      const exact = await engine.query(`SELECT * FROM range(${n})`, { maxRows: n });
      expect(exact.rows).toHaveLength(n);
      expect(exact.truncated).toBe(false);
    }
    expect(engine.connections.leased).toBe(0);
  });

  it('runs several statements and returns the last one', async () => {
    const r = await engine.query('CREATE OR REPLACE TABLE multi AS SELECT 1 AS a; INSERT INTO multi VALUES (2); SELECT sum(a) AS s FROM multi');
    expect(r.rows).toEqual([['3']]);
  });

  it('answers four concurrent queries', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) => engine.query(`SELECT sum(range)::BIGINT AS s, ${i} AS i FROM range(${i * 1_000_000})`)),
    );
    expect(results.map((r) => r.rows[0])).toEqual(
      [1, 2, 3, 4].map((i) => {
        const n = BigInt(i * 1_000_000);
        return [String((n * (n - 1n)) / 2n), i];
      }),
    );
    expect(engine.connections.leased).toBe(0);
  });
});

describe('stream', () => {
  it('streams 1,000,000 rows in bounded batches with an exact sum', async () => {
    const s = await engine.stream('SELECT range AS n FROM range(1000000)');
    expect(s.columns).toEqual([{ name: 'n', type: 'bigint', engineType: 'BIGINT' }]);
    let rows = 0;
    let batches = 0;
    let largest = 0;
    let sum = 0n;
    for await (const batch of s.batches) {
      batches++;
      rows += batch.length;
      largest = Math.max(largest, batch.length);
      for (const row of batch) sum += BigInt(row[0] as string);
    }
    expect(rows).toBe(1_000_000);
    expect(sum).toBe(499_999_500_000n);
    expect(largest).toBe(2048);
    expect(batches).toBe(Math.ceil(1_000_000 / 2048));
    const stats = await s.stats();
    expect(stats.rows).toBe(1_000_000);
    expect(stats.elapsedMs).toBeGreaterThanOrEqual(0);
    expect(engine.connections.leased).toBe(0);
  });

  it('regroups chunks into the requested batch size', async () => {
    const s = await engine.stream('SELECT range AS n FROM range(10001)', { batchRows: 1000 });
    const sizes: number[] = [];
    for await (const batch of s.batches) sizes.push(batch.length);
    expect(sizes).toEqual([...Array(10).fill(1000), 1]);
  });

  it('frees the connection when the consumer stops after the first batch', async () => {
    const s = await engine.stream('SELECT range AS n FROM range(100000000)');
    for await (const batch of s.batches) {
      expect(batch).toHaveLength(2048);
      break;
    }
    expect(engine.connections.leased).toBe(0);
    expect((await s.stats()).rows).toBe(2048);
    const after = await engine.query('SELECT 42 AS v');
    expect(after.rows).toEqual([[42]]);
  });

  it('frees the connection when the stream is returned before any batch was read', async () => {
    const s = await engine.stream('SELECT * FROM range(100000000)');
    await s.batches[Symbol.asyncIterator]().return?.();
    expect(engine.connections.leased).toBe(0);
  });

  it('waits for a read in flight before handing the connection back', async () => {
    const s = await engine.stream('SELECT * FROM range(100000000)');
    const it = s.batches[Symbol.asyncIterator]();
    const reading = it.next();
    await it.return?.();
    expect(await reading).toEqual({ done: true, value: undefined });
    expect(engine.connections.leased).toBe(0);
    expect((await engine.query('SELECT 1')).rows).toEqual([[1]]);
  });

  it('cancels mid-stream through the signal', async () => {
    const ac = new AbortController();
    const s = await engine.stream('SELECT * FROM range(100000000)', { signal: ac.signal });
    const it = s.batches[Symbol.asyncIterator]();
    await it.next();
    ac.abort();
    expect(engine.connections.leased).toBe(0); // released while the consumer was not reading
    const e = await failure(it.next());
    expect(e.code).toBe('cancelled:query');
    expect((await failure(s.stats())).code).toBe('cancelled:query');
  });

  it('reports an error raised mid-stream instead of ending quietly, and frees the connection', async () => {
    // DuckDB ends a failed stream exactly like a finished one; only the result's state tells them apart.
    const s = await engine.stream(`SELECT CASE WHEN range = 500000 THEN error('boom at 500000') ELSE range END FROM range(1000000)`);
    let rows = 0;
    const e = await failure(
      (async () => {
        for await (const batch of s.batches) rows += batch.length;
      })(),
    );
    expect(rows).toBeLessThan(500000);
    expect(e.code).toBe('bad_request:sql');
    expect(e.message).toContain('failed while its rows were being read');
    expect((await failure(s.stats())).code).toBe('bad_request:sql');
    expect(engine.connections.leased).toBe(0);
  });
});

describe('execute', () => {
  it('runs DDL and DML, several statements at once, and counts rows written', async () => {
    const stats = await engine.execute(`
      CREATE OR REPLACE TABLE ex AS SELECT range AS id FROM range(6);
      INSERT INTO ex SELECT range FROM range(4);
      DELETE FROM ex WHERE id < 2;
    `);
    expect(stats.rows).toBe(6 + 4 + 4);
    expect((await engine.query('SELECT count(*) FROM ex')).rows).toEqual([['6']]);
  });

  it('round-trips a Parquet file written with COPY', async () => {
    const file = path.join(tmp, 'x.parquet');
    const copied = await engine.execute(
      `COPY (SELECT range AS id, 'name ' || range AS name, (range / 4)::DECIMAL(18,2) AS amount, DATE '1960-01-01' + range::INTEGER AS day
             FROM range(1000)) TO '${file}' (FORMAT PARQUET)`,
    );
    expect(copied.rows).toBe(1000);
    const back = await engine.query('SELECT count(*) AS n, sum(id) AS ids, sum(amount) AS total, min(day) AS first FROM read_parquet($file)', {
      params: { file },
    });
    expect(back.rows).toEqual([['1000', '499500', '124875.00', '1960-01-01']]);
    const sample = await engine.query('SELECT * FROM read_parquet(?) ORDER BY id LIMIT 2', { params: [file] });
    expect(sample.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'bigint'],
      ['name', 'string'],
      ['amount', 'decimal'],
      ['day', 'date'],
    ]);
    expect(sample.rows).toEqual([
      ['0', 'name 0', '0.00', '1960-01-01'],
      ['1', 'name 1', '0.25', '1960-01-02'],
    ]);
    const meta = await engine.query('SELECT num_rows FROM parquet_file_metadata(?)', { params: [file] });
    expect(meta.rows).toEqual([['1000']]);
  });

  it('never hands a connection with an open transaction to the next query', async () => {
    await engine.execute('BEGIN TRANSACTION');
    // Had that connection been pooled, this BEGIN would fail inside the still-open transaction.
    await engine.execute('BEGIN TRANSACTION; SELECT 1; COMMIT');
  });
});

describe('cancel and timeout', () => {
  it('really stops a cancelled query, and the engine answers afterwards', async () => {
    const ac = new AbortController();
    const running = engine.query(SLOW, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 300));
    const abortedAt = Date.now();
    ac.abort();
    const e = await failure(running);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(e.code).toBe('cancelled:query');
    expect((await engine.query('SELECT 42')).rows).toEqual([[42]]);
    expect(engine.connections.leased).toBe(0);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const e = await failure(engine.query('SELECT 1', { signal: AbortSignal.abort() }));
    expect(e.code).toBe('cancelled:query');
  });

  it('times out with a message naming the limit', async () => {
    const started = Date.now();
    const e = await failure(engine.query(SLOW, { timeoutMs: 300 }));
    expect(e.code).toBe('timeout:query');
    expect(e.message).toContain('300 ms');
    expect(Date.now() - started).toBeLessThan(2300);
    expect((await engine.execute('SELECT 1')).rows).toBe(1);
  });

  it('cancels a query still waiting for a connection', async () => {
    const single = new DuckDBEngine({ maxConnections: 1 });
    try {
      const holder = new AbortController();
      const first = single.query(SLOW, { signal: holder.signal });
      await new Promise((r) => setTimeout(r, 100));
      const waiter = new AbortController();
      const second = single.query('SELECT 1', { signal: waiter.signal });
      await new Promise((r) => setTimeout(r, 100));
      expect(single.connections.waiting).toBe(1);
      waiter.abort();
      expect((await failure(second)).code).toBe('cancelled:query');
      holder.abort();
      expect((await failure(first)).code).toBe('cancelled:query');
      expect((await single.query('SELECT 2')).rows).toEqual([[2]]);
    } finally {
      await single.close();
    }
  });

  it('stops running queries when the engine closes, and refuses new ones', async () => {
    const closing = new DuckDBEngine();
    const running = closing.query(SLOW);
    await new Promise((r) => setTimeout(r, 100));
    await closing.close();
    expect((await failure(running)).code).toBe('cancelled:query');
    expect((await failure(closing.query('SELECT 1'))).code).toBe('unavailable:duckdb');
  });
});

describe('errors', () => {
  it('turns a syntax error into bad_request:sql with DuckDB’s message', async () => {
    const e = await failure(engine.query('SELEC 1'));
    expect(e.code).toBe('bad_request:sql');
    expect(e.message).toContain('syntax error');
    expect(e.message).toContain('LINE 1');
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('reports binder and catalog errors the same way, with or without parameters', async () => {
    const catalog = await failure(engine.query('SELECT * FROM no_such_table'));
    expect(catalog.code).toBe('bad_request:sql');
    expect(catalog.message).toMatch(/^Catalog Error: Table with name no_such_table does not exist/);
    const binder = await failure(engine.query('SELECT no_such_column FROM range(1)', { params: [] }));
    expect(binder.code).toBe('bad_request:sql');
    expect(binder.message).toMatch(/^Binder Error:/);
    const parser = await failure(engine.query('SELEC ?', { params: [1] }));
    expect(parser.message).toMatch(/^Parser Error: syntax error/);
  });

  it('reports an error raised while rows are read with DuckDB’s message', async () => {
    const sql = `SELECT CASE WHEN range = 300000 THEN error('boom at 300000') ELSE range END AS v FROM range(1000000)`;
    const all = await failure(engine.query(sql));
    expect(all.code).toBe('bad_request:sql');
    expect(all.message).toContain('boom at 300000');
    // With a row limit the result is streamed, and a failure within the limit is rerun for its message.
    const limited = await failure(engine.query(sql, { maxRows: 400000 }));
    expect(limited.code).toBe('bad_request:sql');
    expect(limited.message).toContain('boom at 300000');
    // A failure past the limit is never computed.
    const preview = await engine.query(sql, { maxRows: 10 });
    expect(preview.rows).toHaveLength(10);
    expect(preview.truncated).toBe(true);
  });

  it('says so when there is no statement at all', async () => {
    const e = await failure(engine.query('  -- nothing here\n'));
    expect(e.code).toBe('bad_request:sql');
  });

  it('keeps the connection pool healthy after errors', async () => {
    for (let i = 0; i < 5; i++) await failure(engine.query('SELECT * FROM nope'));
    expect(engine.connections.leased).toBe(0);
    expect((await engine.query('SELECT 1')).rows).toEqual([[1]]);
  });
});

describe('check and wiring', () => {
  it('check() names the DuckDB version', async () => {
    const health = await engine.check();
    expect(health.ok).toBe(true);
    if (health.ok) expect(health.detail).toMatch(/^DuckDB v\d+\.\d+\.\d+/);
  });

  it('check() reports a closed engine without throwing', async () => {
    const closed = new DuckDBEngine();
    await closed.close();
    const health = await closed.check();
    expect(health.ok).toBe(false);
  });

  it('shares one instance and refuses to reopen it differently', async () => {
    expect(await getDuckDB()).toBe(await getDuckDB());
    const e = await failure(getDuckDB({ path: path.join(tmp, 'other.duckdb') }));
    expect(e.code).toBe('internal:duckdb');
  });

  it('sizes the pool below the libuv thread pool', () => {
    expect(defaultMaxConnections({})).toBe(3);
    expect(defaultMaxConnections({ UV_THREADPOOL_SIZE: '16' })).toBe(8);
    expect(defaultMaxConnections({ UV_THREADPOOL_SIZE: '1' })).toBe(1);
  });

  it('createEngine builds DuckDB by default (the Athena branch is tested in athena/engine.test.ts)', async () => {
    const duck = createEngine(loadConfig({}, tmp));
    expect(duck.kind).toBe('duckdb');
    await duck.close();
  });
});
