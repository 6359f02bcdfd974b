/**
 * The SQL console's path with Athena as the engine (the SDK mocked: no real Athena is reachable from
 * CI): `silver.orders` is sent as the Glue table; a `{{parameter}}` as an Athena execution parameter, never spliced; the rows
 * stream back; the history row keeps the estimate made before the run beside the bytes Athena scanned;
 * an analyst's DDL is refused before anything reaches Athena.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';
import { createUser } from '../auth/users';
import { openCatalog, type Catalog } from '../catalog/database';
import { beginVersion, commitVersion, ensureDataset } from '../catalog/versions';
import { loadConfig } from '../config';
import { AthenaEngine } from '../engine/athena/engine';
import { createLogger } from '../logger';
import { createStorage } from '../storage';
import { listHistory } from './history';
import { RunningQueries } from './running';
import { runToEnd, type SqlServices, type SqlUser } from './run';

const client = new AthenaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const athena = mockClient(client);
const MB = 2 ** 20;
const SCANNED = 42 * MB;

let tdb: TestDatabase;
let catalog: Catalog;
let services: SqlServices;
let analyst: SqlUser;

beforeAll(async () => {
  tdb = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: tdb.url });
  catalog = await openCatalog(config, { log: createLogger({}, () => undefined) });
  // silver.orders: two days of 30 MB each, so a one-day filter estimates 30 MB.
  const ds = await ensureDataset(catalog.db, { layer: 'silver', name: 'orders', bucket: 'silver', prefix: 'orders/', partitionKeys: ['year', 'month', 'day'] });
  const v = await beginVersion(catalog.db, { datasetId: ds.id, operation: 'overwrite' });
  await commitVersion(catalog.db, {
    staging: v,
    newFiles: ['01', '02'].map((day) => ({ key: `orders/_v/000001/year=2018/month=01/day=${day}/a.parquet`, bytes: 30 * MB, rowCount: 100, partition: { year: '2018', month: '01', day } })),
    keep: { kind: 'none' },
  });
  const engine = new AthenaEngine({ workgroup: 'wg', database: 'keystone', outputLocation: 's3://results/', region: 'eu-west-1', client, poll: { initialMs: 1, maxMs: 2 }, retry: { baseMs: 1, maxMs: 2 }, logger: createLogger({}, () => undefined) });
  services = { catalog, storage: createStorage(config), engine, running: new RunningQueries(), config: { engine: { kind: 'athena', workgroup: 'wg', outputLocation: 's3://results/', region: 'eu-west-1', database: 'keystone' } } };
  analyst = { id: await createUser(catalog.db, { username: 'ana', password: 'analyst-pw', role: 'analyst' }), role: 'analyst' };
});
afterAll(async () => {
  await catalog.close();
  await tdb.drop();
});

describe('the SQL console on Athena', () => {
  it('binds parameters as execution parameters, streams rows, and records estimate and scan', async () => {
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q-1' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { QueryExecutionId: 'q-1', Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: SCANNED, QueryQueueTimeInMillis: 5, EngineExecutionTimeInMillis: 50 } },
    });
    athena.on(GetQueryResultsCommand).resolves({
      ResultSet: {
        ResultSetMetadata: { ColumnInfo: [{ Name: 'order_status', Type: 'varchar' }, { Name: 'orders', Type: 'bigint' }] },
        Rows: [{ Data: [{ VarCharValue: 'order_status' }, { VarCharValue: 'orders' }] }, { Data: [{ VarCharValue: 'delivered' }, { VarCharValue: '97' }] }],
      },
    });
    // Written as on DuckDB; sent to Athena as its Glue table.
    const sql = `SELECT order_status, count(*) AS orders FROM silver.orders WHERE year = '2018' AND month = '01' AND day = {{day}} GROUP BY 1`;
    const r = await runToEnd(services, { user: analyst, queryId: 'athena-1', sql, values: { day: "01' OR '1'='1" } });
    expect(r.end.status).toBe('succeeded');
    expect(r.rows).toEqual([['delivered', '97']]); // bigint travels as a decimal string
    expect(r.end.status === 'succeeded' && r.end.stats.bytesScanned).toBe(SCANNED);

    const start = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(start.QueryString).toBe(`SELECT order_status, count(*) AS orders FROM "keystone"."silver_orders" WHERE year = '2018' AND month = '01' AND day = ? GROUP BY 1`);
    expect(start.QueryString).not.toContain("OR '1'='1");
    expect(start.ExecutionParameters).toEqual(["'01'' OR ''1''=''1'"]);
    expect(start.WorkGroup).toBe('wg');

    const [h] = await listHistory(catalog.db, analyst.id, { limit: 1 });
    // The parameter filter on `day` is unknown before binding: both days are estimated (60 MB).
    expect({ engine: h!.engine, status: h!.status, estimatedBytes: Number(h!.estimatedBytes), bytesScanned: Number(h!.bytesScanned), rows: h!.rowCount }).toEqual({
      engine: 'athena',
      status: 'succeeded',
      estimatedBytes: 60 * MB,
      bytesScanned: SCANNED,
      rows: 1,
    });
  });

  it('refuses DDL from an analyst before anything reaches Athena', async () => {
    athena.reset();
    await expect(runToEnd(services, { user: analyst, queryId: 'athena-2', sql: 'CREATE TABLE x AS SELECT 1' })).rejects.toThrow(/read-only|not allowed|refused/i);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});
