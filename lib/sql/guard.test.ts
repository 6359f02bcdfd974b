import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBEngine, closeDuckDB } from '../engine/duckdb/engine';
import { isKeystoneError } from '../errors';
import { duckdbInspector } from './duckdb-inspector';
import { assertReadOnly, checkReadOnly, checkTokens, type SqlInspector } from './guard';

let engine: DuckDBEngine;
let inspector: SqlInspector;

beforeAll(async () => {
  engine = new DuckDBEngine();
  // A miniature lake: the three layer schemas with a table each, and a table outside the lake.
  await engine.execute(`
    CREATE SCHEMA IF NOT EXISTS bronze; CREATE SCHEMA IF NOT EXISTS silver; CREATE SCHEMA IF NOT EXISTS gold;
    CREATE OR REPLACE TABLE gold.fact_orders AS SELECT range AS order_id, 'delivered' AS order_status, range * 1.5 AS payment_value FROM range(10);
    CREATE OR REPLACE TABLE silver.orders AS SELECT range AS order_id, DATE '2017-01-01' + CAST(range AS INTEGER) AS d FROM range(10);
    CREATE OR REPLACE TABLE bronze.orders AS SELECT 'x' AS raw;
    CREATE OR REPLACE TABLE victims AS SELECT range AS id FROM range(3);
  `);
  inspector = duckdbInspector({ bind: true });
});

afterAll(async () => {
  await engine.close();
  await closeDuckDB();
});

/** Statements analysts may run: reads of the lake in every shape people write them. */
const ALLOWED: string[] = [
  'SELECT 1',
  'select * from gold.fact_orders',
  'SeLeCt order_id FrOm GOLD.FACT_ORDERS where order_id < 3',
  'FROM gold.fact_orders',
  'WITH recent AS (SELECT * FROM silver.orders WHERE d > DATE \'2017-01-03\') SELECT count(*) FROM recent',
  'WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r',
  "SELECT 'DROP TABLE victims; INSERT INTO x' AS harmless_text",
  "SELECT * FROM gold.fact_orders WHERE order_status = 'delete' OR order_status = 'CREATE'",
  'SELECT 1 AS "drop", 2 AS "insert", 3 AS "copy"',
  '-- DROP TABLE victims\nSELECT count(*) FROM gold.fact_orders',
  '/* ATTACH \'x.db\'; COPY t TO \'/tmp/x\' */ SELECT 1',
  '/* nested /* DROP */ still a comment: DELETE */ SELECT 1',
  "SELECT $$it's DROP TABLE time$$ AS dollar_quoted",
  "SELECT E'it\\'s INSERT' AS escaped",
  'SELECT o.order_id, s.d FROM gold.fact_orders o JOIN silver.orders s USING (order_id) ORDER BY 1 LIMIT 5',
  'SELECT * FROM gold.fact_orders WHERE order_id IN (SELECT order_id FROM silver.orders)',
  'SELECT order_status, sum(payment_value) FROM gold.fact_orders GROUP BY ALL HAVING sum(payment_value) > 1',
  'SELECT * FROM range(10)',
  'SELECT count(*) FROM range(10000000000)',
  'SELECT * FROM generate_series(1, 3)',
  'SELECT unnest([1, 2, 3])',
  'DESCRIBE gold.fact_orders',
  'SUMMARIZE gold.fact_orders',
  'SHOW TABLES',
  'EXPLAIN SELECT * FROM gold.fact_orders',
  'EXPLAIN ANALYZE SELECT count(*) FROM gold.fact_orders',
  'SELECT 1; SELECT 2',
  'SELECT 1;',
  'VALUES (1, 2), (3, 4)',
  'SELECT table_name FROM information_schema.tables',
  'SELECT * FROM duckdb_tables()',
  'SELECT list_transform([1, 2], x -> x * 2)',
  'SELECT [x * 2 FOR x IN [1, 2]]',
  'SELECT * FROM gold.fact_orders WHERE order_id = $1',
  'SELECT * FROM gold.fact_orders WHERE order_id = CAST($1 AS BIGINT) AND order_status <> $2',
  'SELECT order_id AS last_update, order_status AS reset_reason FROM gold.fact_orders',
  'SELECT t.set FROM (SELECT 1 AS "set") t',
  'PIVOT gold.fact_orders ON order_status IN (\'delivered\') USING sum(payment_value)',
];

/** Statements analysts may not run, with a fragment of the reason a person sees. */
const REFUSED: [string, RegExp][] = [
  ['INSERT INTO gold.fact_orders VALUES (1, \'x\', 1)', /INSERT is not allowed/],
  ['insert into victims values (9)', /INSERT is not allowed/],
  ['UPDATE victims SET id = 0', /UPDATE is not allowed/],
  ['DELETE FROM victims', /DELETE is not allowed/],
  ['CREATE TABLE gold.mine AS SELECT 1', /CREATE is not allowed/],
  ['create or replace view gold.v as select 1', /CREATE is not allowed/],
  ['CREATE MACRO m(a) AS a', /CREATE is not allowed/],
  ['DROP TABLE victims', /DROP is not allowed/],
  ['dRoP tAbLe victims', /DROP is not allowed/],
  ['ALTER TABLE victims ADD COLUMN y INT', /ALTER is not allowed/],
  ['TRUNCATE victims', /TRUNCATE is not allowed/],
  ["ATTACH '/tmp/other.duckdb' AS other", /ATTACH is not allowed/],
  ['DETACH other', /DETACH is not allowed/],
  ["COPY victims TO '/tmp/victims.csv'", /COPY is not allowed/],
  ["COPY (SELECT 1) TO '/tmp/x.parquet' (FORMAT parquet)", /COPY is not allowed/],
  ["EXPORT DATABASE '/tmp/exported'", /EXPORT is not allowed/],
  ["IMPORT DATABASE '/tmp/exported'", /IMPORT is not allowed/],
  ['INSTALL httpfs', /INSTALL is not allowed/],
  ['LOAD json', /LOAD is not allowed/],
  ['SET threads = 1', /SET is not allowed/],
  ["SET enable_external_access = true", /SET is not allowed/],
  ['RESET threads', /RESET is not allowed/],
  ['PRAGMA threads = 1', /PRAGMA is not allowed/],
  ['PRAGMA version', /PRAGMA is not allowed/],
  ['CALL pragma_version()', /CALL is not allowed/],
  ['CHECKPOINT', /CHECKPOINT is not allowed/],
  ['VACUUM', /VACUUM is not allowed/],
  ['USE gold', /USE is not allowed/],
  ['BEGIN TRANSACTION', /BEGIN is not allowed/],
  ['PREPARE p AS SELECT 1', /PREPARE is not allowed/],
  ['SELECT 1; DROP TABLE victims', /DROP is not allowed/],
  ['SELECT 1;DROP TABLE victims;--', /DROP is not allowed/],
  ["SELECT 'a'; DELETE FROM victims; SELECT 'b'", /DELETE is not allowed/],
  ['WITH x AS (SELECT 1) INSERT INTO victims SELECT * FROM x', /INSERT is not allowed/],
  ['EXPLAIN ANALYZE INSERT INTO victims VALUES (4)', /INSERT is not allowed/],
  ['EXPLAIN ANALYZE DELETE FROM victims', /DELETE is not allowed/],
  ["SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) is not allowed/],
  ["SELECT * FROM READ_CSV_AUTO('/etc/passwd')", /read_csv_auto\(\) is not allowed/],
  ["select * from read_parquet('/tmp/*.parquet')", /read_parquet\(\) is not allowed/],
  ["SELECT * FROM parquet_scan('x.parquet')", /parquet_scan\(\) is not allowed/],
  ["SELECT * FROM read_json('/etc/hosts')", /read_json\(\) is not allowed/],
  ["SELECT * FROM read_text('/etc/hostname')", /read_text\(\) is not allowed/],
  ["SELECT * FROM read_blob('/etc/hostname')", /read_blob\(\) is not allowed/],
  ["SELECT * FROM glob('/*')", /glob\(\) is not allowed/],
  ["SELECT * FROM parquet_metadata('x.parquet')", /parquet_metadata\(\) is not allowed/],
  ["SELECT * FROM parquet_schema('x.parquet')", /parquet_schema\(\) is not allowed/],
  ["SELECT * FROM sniff_csv('/etc/passwd')", /sniff_csv\(\) is not allowed/],
  ["SELECT * FROM query('DROP TABLE victims')", /query\(\) is not allowed/],
  ["SELECT * FROM query_table('victims')", /query_table\(\) is not allowed/],
  ["SELECT current_setting('temp_directory')", /current_setting\(\) is not allowed/],
  ['SELECT * FROM duckdb_settings()', /duckdb_settings\(\) is not allowed/],
  ['SELECT * FROM duckdb_secrets()', /duckdb_secrets\(\) is not allowed/],
  ["SELECT * FROM '/etc/passwd'", /by path is not allowed/],
  ["SELECT * FROM 'data/*.csv'", /by path is not allowed/],
  ['SELECT * FROM gold.fact_orders JOIN \'/tmp/x.parquet\' USING (order_id)', /by path is not allowed/],
  ['SELECT * FROM "/etc/passwd"', /never a file path/],
  ['SELECT * FROM "x.csv"', /never a file path/],
  ["SELECT * FROM gold.fact_orders WHERE order_id IN (SELECT * FROM read_parquet('x.parquet'))", /read_parquet\(\) is not allowed/],
  ["SELECT 1 UNION ALL SELECT * FROM read_csv('a.csv')", /read_csv\(\) is not allowed/],
  ["WITH f AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM f", /read_csv\(\) is not allowed/],
  ["SUMMARIZE SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) is not allowed/],
  ["DESCRIBE SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) is not allowed/],
  ["SELECT * FROM main.read_csv('/etc/passwd')", /read_csv\(\) is not allowed/],
  ["SELECT * FROM read_csv /* sneaky */ ('/etc/passwd')", /read_csv\(\) is not allowed/],
  ["SELECT * FROM read_csv\n(\n'/etc/passwd')", /read_csv\(\) is not allowed/],
  ['SELECT * FROM other.main.t', /names the database|not in the lake/],
  ['SELECT * FROM gold_next.fact_orders', /not in the lake/],
  ["SELECT nextval('s')", /nextval\(\) is not allowed/],
];

describe('the read-only guard', () => {
  it.each(ALLOWED)('allows %s', async (sql) => {
    const verdict = await checkReadOnly(sql, inspector);
    expect(verdict).toEqual({ ok: true });
  });

  it.each(REFUSED)('refuses %s', async (sql, reason) => {
    const verdict = await checkReadOnly(sql, inspector);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it('throws forbidden:sql with the reason, and nothing was run', async () => {
    const e = await assertReadOnly('DROP TABLE victims', inspector).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isKeystoneError(e, 'forbidden')).toBe(true);
    expect((e as Error).message).toMatch(/^Refused: DROP is not allowed/);
    expect((await engine.query('SELECT count(*) FROM victims')).rows).toEqual([['3']]);
  });

  it('reports a syntax error with DuckDB message, line and caret', async () => {
    const e = await checkReadOnly('SELECT *\nFROM gold.fact_orders\nWHER order_id = 1', inspector).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isKeystoneError(e, 'bad_request')).toBe(true);
    expect((e as Error).message).toMatch(/Parser Error: syntax error at or near "order_id"/);
    expect((e as Error).message).toMatch(/LINE 3:/);
  });

  it('reports an unknown table with the binder message', async () => {
    const e = await checkReadOnly('SELECT * FROM gold.nope', inspector).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isKeystoneError(e, 'bad_request')).toBe(true);
    expect((e as Error).message).toMatch(/Table with name nope does not exist/);
  });

  describe('each layer refuses on its own', () => {
    // A parser stand-in that claims everything is a harmless SELECT: only the other layers can refuse.
    const lenientParser: SqlInspector = { serialize: async () => ({ error: false, statements: [{ node: {} }] }) };

    it('tokens: keywords and file functions outside strings and comments', () => {
      expect(checkTokens('SELECT 1; DROP TABLE x').ok).toBe(false);
      expect(checkTokens("SELECT 'DROP TABLE x'").ok).toBe(true);
      expect(checkTokens('SELECT "drop" FROM t').ok).toBe(true);
      expect(checkTokens("SELECT * FROM read_csv('x')").ok).toBe(false);
      expect(checkTokens('SELECT read_csv FROM t').ok).toBe(true); // a column named read_csv, not a call
      expect(checkTokens("SELECT 1 -- ; DROP TABLE x\n").ok).toBe(true);
    });

    it('parser: a statement the token layer cannot see is still refused', async () => {
      // `SUMMARIZE`-free, keyword-free DDL does not exist, so stand in a token-clean text that DuckDB parses as non-SELECT.
      const tree = await inspector.serialize('ATTACH \'x\' AS y');
      expect(tree.error).toBe(true);
      const verdict = await checkReadOnly('SELECT 1', { serialize: async () => tree });
      expect(verdict).toMatchObject({ ok: false, layer: 'parser' });
    });

    it('parser: a path table reference hidden from the tokens is refused', async () => {
      const tree = await inspector.serialize("SELECT * FROM '/etc/passwd'");
      const verdict = await checkReadOnly('SELECT 1', { serialize: async () => tree });
      expect(verdict).toMatchObject({ ok: false, layer: 'parser' });
    });

    it('binder: a non-SELECT statement type is refused even when the other layers pass', async () => {
      const verdict = await checkReadOnly('SELECT 1', { ...lenientParser, statementTypes: async () => ['SELECT', 'INSERT'] });
      expect(verdict).toMatchObject({ ok: false, layer: 'binder' });
      expect((await checkReadOnly('SELECT 1', { ...lenientParser, statementTypes: async () => ['EXPLAIN'] })).ok).toBe(false);
      expect((await checkReadOnly('EXPLAIN SELECT 1', { ...lenientParser, statementTypes: async () => ['EXPLAIN'] })).ok).toBe(true);
    });

    it('binder: DuckDB reports the statement types of real SQL', async () => {
      expect(await inspector.statementTypes!('SELECT 1; DESCRIBE gold.fact_orders')).toEqual(['SELECT', 'SELECT']);
      expect(await inspector.statementTypes!('INSERT INTO victims VALUES (1)')).toEqual(['INSERT']);
      expect(await inspector.statementTypes!('EXPLAIN SELECT 1')).toEqual(['EXPLAIN']);
      expect((await engine.query('SELECT count(*) FROM victims')).rows).toEqual([['3']]); // prepared, never run
    });
  });
});
