/**
 * The Athena engine against aws-sdk-client-mock. No real Athena is reachable from this machine or
 * from CI, so every response below is a hand-written copy of the shapes Athena's API documents;
 * what these tests prove is our side of the conversation (the state machine, paging, retries,
 * cancellation, type mapping, parameter rendering), not Athena's behaviour. See docs/athena.md.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  InvalidRequestException,
  ResourceNotFoundException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  TooManyRequestsException,
  type ColumnInfo,
  type GetQueryExecutionOutput,
  type GetQueryResultsInput,
  type GetQueryResultsOutput,
  type QueryExecution,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config';
import { KeystoneError } from '../../errors';
import { createLogger } from '../../logger';
import { tokenize } from '../cost/tokenize';
import { createEngine } from '..';
import type { Row } from '../engine';
import { AthenaEngine, type AthenaEngineOptions } from './engine';
import { classifyFailure } from './error-mapping';
import { pollDelay, retryDelay } from './retry';

const client = new AthenaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const athena = mockClient(client);
const quiet = createLogger({}, () => undefined);

const ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const STATS = { DataScannedInBytes: 123_456_789_012, QueryQueueTimeInMillis: 321, EngineExecutionTimeInMillis: 4_567, TotalExecutionTimeInMillis: 5_000 };

function engine(extra: Partial<AthenaEngineOptions> = {}): AthenaEngine {
  return new AthenaEngine({
    workgroup: 'keystone-wg',
    database: 'keystone',
    outputLocation: 's3://keystone-athena-results/queries/',
    region: 'eu-west-1',
    client,
    poll: { initialMs: 1, maxMs: 4 },
    retry: { baseMs: 1, maxMs: 4 },
    random: () => 0.5,
    logger: quiet,
    ...extra,
  });
}

function execution(State: QueryExecutionState, extra: Partial<QueryExecution> = {}): GetQueryExecutionOutput {
  return {
    QueryExecution: {
      QueryExecutionId: ID,
      StatementType: 'DML',
      WorkGroup: 'keystone-wg',
      Status: { State },
      ...(State === 'SUCCEEDED' ? { Statistics: STATS } : {}),
      ...extra,
    },
  };
}

type Cell = string | undefined;

/** A GetQueryResults page; `header` prepends the row of column names, as Athena does on a SELECT's first page. */
function page(columns: [name: string, type: string, extra?: Partial<ColumnInfo>][], rows: Cell[][], options: { header?: boolean; next?: string } = {}): GetQueryResultsOutput {
  const all: Cell[][] = options.header ? [columns.map(([n]) => n), ...rows] : rows;
  return {
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map(([Name, Type, extra]) => ({ Name, Label: Name, Type, Nullable: 'UNKNOWN', ...extra })) },
      Rows: all.map((r) => ({ Data: r.map((v) => (v === undefined ? {} : { VarCharValue: v })) })),
    },
    ...(options.next !== undefined ? { NextToken: options.next } : {}),
  };
}

const ORDER_COLUMNS: [string, string][] = [
  ['order_id', 'varchar'],
  ['n', 'integer'],
];
const orderRows = (from: number, count: number): Cell[][] => Array.from({ length: count }, (_, i) => [`order-${from + i}`, String(from + i)]);

/** 2,500 rows in three pages: header + 999, 1000, 501. */
function threePages(input: GetQueryResultsInput): GetQueryResultsOutput {
  switch (input.NextToken) {
    case undefined:
      return page(ORDER_COLUMNS, orderRows(0, 999), { header: true, next: 'page-2' });
    case 'page-2':
      return page(ORDER_COLUMNS, orderRows(999, 1000), { next: 'page-3' });
    case 'page-3':
      return page(ORDER_COLUMNS, orderRows(1999, 501));
    default:
      throw new Error(`unexpected NextToken ${input.NextToken}`);
  }
}

function succeedsWith(results: (input: GetQueryResultsInput) => GetQueryResultsOutput, extra: Partial<QueryExecution> = {}) {
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
  athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', extra));
  athena.on(GetQueryResultsCommand).callsFake(results);
}

async function failure(p: Promise<unknown>): Promise<KeystoneError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KeystoneError);
  return e as KeystoneError;
}

function throttling(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function tooManyRequests(): TooManyRequestsException {
  return new TooManyRequestsException({ message: 'You have exceeded the limit for concurrent queries', $metadata: { httpStatusCode: 400 }, Reason: 'CONCURRENT_QUERY_LIMIT_EXCEEDED' });
}

const startInputs = () => athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
const resultInputs = () => athena.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input);
const stopInputs = () => athena.commandCalls(StopQueryExecutionCommand).map((c) => c.args[0].input);

beforeEach(() => {
  athena.reset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the query state machine', () => {
  it('runs queued → running → succeeded and reads 2,500 rows over three pages, skipping the header once', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('QUEUED'))
      .resolvesOnce(execution('RUNNING'))
      .resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).callsFake(threePages);

    const result = await engine().query('SELECT order_id, n FROM silver.orders');

    expect(result.columns).toEqual([
      { name: 'order_id', type: 'string', engineType: 'varchar' },
      { name: 'n', type: 'integer', engineType: 'integer' },
    ]);
    expect(result.rows).toHaveLength(2500);
    expect(result.rows[0]).toEqual(['order-0', 0]);
    expect(result.rows[998]).toEqual(['order-998', 998]);
    expect(result.rows[999]).toEqual(['order-999', 999]);
    expect(result.rows[2499]).toEqual(['order-2499', 2499]);
    expect(result.rows.map((r) => r[1])).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(result.truncated).toBe(false);
    expect(result.stats).toEqual({ rows: 2500, elapsedMs: expect.any(Number), bytesScanned: 123_456_789_012, queueMs: 321, engineMs: 4_567 });

    const [start, ...more] = startInputs();
    expect(more).toEqual([]);
    expect(start).toEqual({
      QueryString: 'SELECT order_id, n FROM silver.orders',
      ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
      QueryExecutionContext: { Database: 'keystone' },
      WorkGroup: 'keystone-wg',
      ResultConfiguration: { OutputLocation: 's3://keystone-athena-results/queries/' },
    });
    expect(athena.commandCalls(GetQueryExecutionCommand).map((c) => c.args[0].input)).toEqual(Array(4).fill({ QueryExecutionId: ID }));
    expect(resultInputs()).toEqual([
      { QueryExecutionId: ID, MaxResults: 1000 },
      { QueryExecutionId: ID, MaxResults: 1000, NextToken: 'page-2' },
      { QueryExecutionId: ID, MaxResults: 1000, NextToken: 'page-3' },
    ]);
    expect(stopInputs()).toEqual([]);
  });

  it('leaves ResultConfiguration to the workgroup when no output location is configured', async () => {
    succeedsWith(() => page(ORDER_COLUMNS, [], { header: true }));
    await engine({ outputLocation: undefined }).query('SELECT 1');
    expect(startInputs()[0]).not.toHaveProperty('ResultConfiguration');
  });

  it('polls with backoff: 100 ms doubling to 2 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const polledAt: number[] = [];
    let polls = 0;
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      polledAt.push(Date.now());
      return execution(++polls < 9 ? (polls < 3 ? 'QUEUED' : 'RUNNING') : 'SUCCEEDED');
    });
    athena.on(GetQueryResultsCommand).resolves(page(ORDER_COLUMNS, [], { header: true }));

    const running = engine({ poll: undefined }).query('SELECT 1', { timeoutMs: Infinity });
    await vi.advanceTimersByTimeAsync(20_000);
    await running;

    const waits = polledAt.slice(1).map((t, i) => t - polledAt[i]!);
    expect(waits).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => pollDelay(n))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('surfaces a syntax error as bad_request:sql with Athena’s own message', async () => {
    const reason = "SYNTAX_ERROR: line 1:15: mismatched input 'FORM'. Expecting: ',', 'FROM', <EOF>";
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce(execution('RUNNING'))
      .resolves(
        execution('FAILED', {
          Status: { State: 'FAILED', StateChangeReason: reason, AthenaError: { ErrorCategory: 2, ErrorType: 1301, Retryable: false, ErrorMessage: reason } },
        }),
      );

    const e = await failure(engine().query('SELECT order_id FORM silver.orders'));
    expect(e.code).toBe('bad_request:sql');
    expect(e.message).toBe(reason);
    expect(e.details).toEqual({ queryExecutionId: ID, errorCategory: 2, errorType: 1301, retryable: false });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('surfaces permission failures as unavailable:athena', async () => {
    const reason = 'Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: X)';
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('FAILED', { Status: { State: 'FAILED', StateChangeReason: reason, AthenaError: { ErrorCategory: 2 } } }));
    const e = await failure(engine().query('SELECT * FROM silver.orders'));
    expect(e.code).toBe('unavailable:athena');
    expect(e.message).toBe(`Athena failed the query: ${reason}`);
  });

  it('classifies failure reasons: SQL, permissions, throttling, broken lake files, Athena’s own timeout', () => {
    const cases: [string, number | undefined, number | undefined, string][] = [
      ["TABLE_NOT_FOUND: line 1:15: Table 'awsdatacatalog.keystone.nope' does not exist", 2, undefined, 'bad_request:sql'],
      ["COLUMN_NOT_FOUND: line 1:8: Column 'forbidden_access' cannot be resolved", 2, undefined, 'bad_request:sql'],
      ['FAILED: SemanticException [Error 10001]: Table not found keystone.nope', 2, undefined, 'bad_request:sql'],
      ['Some new user error Athena invents later', 2, undefined, 'bad_request:sql'],
      ['Insufficient Lake Formation permission(s): Required Select on orders', 2, undefined, 'unavailable:athena'],
      ['User: arn:aws:iam::1:user/x is not authorized to perform: glue:GetTable', 2, undefined, 'unavailable:athena'],
      ['Rate exceeded (Service: AWSGlue; Status Code: 400; Error Code: ThrottlingException)', 1, undefined, 'unavailable:athena'],
      ['Please reduce your request rate. (Service: Amazon S3; Status Code: 503; Error Code: SlowDown)', 1, undefined, 'unavailable:athena'],
      ['Query exhausted resources at this scale factor', 1, 1, 'unavailable:athena'],
      ["HIVE_BAD_DATA: Error parsing field value '2017-13-45' for field 3", 2, undefined, 'unavailable:athena'],
      ['Query timeout', 1, 206, 'timeout:query'],
      ['Internal error', 1, 100, 'unavailable:athena'],
      ['Something odd', undefined, undefined, 'unavailable:athena'],
    ];
    for (const [reason, category, type, code] of cases) expect([reason, classifyFailure(reason, category, type)]).toEqual([reason, code]);
  });

  it('cancels: abort → StopQueryExecution with the query id → cancelled:query', async () => {
    const controller = new AbortController();
    let polls = 0;
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).callsFake(() => {
      if (++polls === 2) controller.abort();
      return execution(polls === 1 ? 'QUEUED' : 'RUNNING');
    });
    athena.on(StopQueryExecutionCommand).resolves({});

    const e = await failure(engine().query('SELECT count(*) FROM gold.fact_sales', { signal: controller.signal }));
    expect(e.code).toBe('cancelled:query');
    expect(stopInputs()).toEqual([{ QueryExecutionId: ID }]);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const e = await failure(engine().query('SELECT 1', { signal: controller.signal }));
    expect(e.code).toBe('cancelled:query');
    expect(athena.calls()).toHaveLength(0);
  });

  it('stops a query whose start was still in flight when the caller aborted', async () => {
    const controller = new AbortController();
    let release!: () => void;
    athena.on(StartQueryExecutionCommand).callsFake(async () => {
      await new Promise<void>((r) => (release = r));
      return { QueryExecutionId: ID };
    });
    athena.on(StopQueryExecutionCommand).resolves({});
    const running = engine().query('SELECT 1', { signal: controller.signal });
    await vi.waitFor(() => expect(startInputs()).toHaveLength(1));
    controller.abort();
    expect((await failure(running)).code).toBe('cancelled:query');
    release();
    await vi.waitFor(() => expect(stopInputs()).toEqual([{ QueryExecutionId: ID }]));
  });

  it('times out: StopQueryExecution with the query id → timeout:query', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});

    const started = Date.now();
    const e = await failure(engine().query('SELECT * FROM gold.fact_sales', { timeoutMs: 40 }));
    expect(e.code).toBe('timeout:query');
    expect(e.message).toContain('40 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stopInputs()).toEqual([{ QueryExecutionId: ID }]);
  });

  it('reports a cancel made outside Keystone (console, scan limit) as cancelled:query with Athena’s reason', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('CANCELLED', { Status: { State: 'CANCELLED', StateChangeReason: 'Query cancelled by user' } }));
    const e = await failure(engine().query('SELECT 1'));
    expect(e.code).toBe('cancelled:query');
    expect(e.message).toBe('Athena cancelled the query: Query cancelled by user');
    expect(stopInputs()).toEqual([]);
  });

  it('stops running queries when the engine closes', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('RUNNING'));
    athena.on(StopQueryExecutionCommand).resolves({});
    const e1 = engine();
    const running = failure(e1.query('SELECT 1'));
    await vi.waitFor(() => expect(athena.commandCalls(GetQueryExecutionCommand).length).toBeGreaterThan(0));
    await e1.close();
    expect((await running).code).toBe('cancelled:query');
    expect(stopInputs()).toEqual([{ QueryExecutionId: ID }]);
    expect((await failure(e1.query('SELECT 1'))).code).toBe('unavailable:athena');
  });
});

describe('throttling', () => {
  it('retries StartQueryExecution through TooManyRequestsException and ThrottlingException, with one request token', async () => {
    athena.on(StartQueryExecutionCommand).rejectsOnce(tooManyRequests()).rejectsOnce(throttling()).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).resolves(page(ORDER_COLUMNS, [['order-1', '1']], { header: true }));

    const result = await engine().query('SELECT order_id, n FROM silver.orders');
    expect(result.rows).toEqual([['order-1', 1]]);
    const starts = startInputs();
    expect(starts).toHaveLength(3);
    expect(new Set(starts.map((s) => s.ClientRequestToken)).size).toBe(1);
  });

  it('retries throttled polls and page reads too', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).rejectsOnce(throttling()).resolves(execution('SUCCEEDED'));
    athena.on(GetQueryResultsCommand).rejectsOnce(tooManyRequests()).resolves(page(ORDER_COLUMNS, [['order-1', '1']], { header: true }));
    expect((await engine().query('SELECT 1')).rows).toEqual([['order-1', 1]]);
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(2);
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(2);
  });

  it('gives up after the policy’s attempts with unavailable:athena', async () => {
    athena.on(StartQueryExecutionCommand).rejects(tooManyRequests());
    const e = await failure(engine({ retry: { attempts: 4, baseMs: 1, maxMs: 2 } }).query('SELECT 1'));
    expect(e.code).toBe('unavailable:athena');
    expect(e.message).toContain('gave up after 4 attempts');
    expect(e.message).toContain('TooManyRequestsException');
    expect(startInputs()).toHaveLength(4);
  });

  it('does not retry what is not transient', async () => {
    athena.on(StartQueryExecutionCommand).rejects(new InvalidRequestException({ message: 'WorkGroup keystone-wg is disabled', $metadata: {}, AthenaErrorCode: 'INVALID_INPUT' }));
    const e = await failure(engine().query('SELECT 1'));
    expect(e.code).toBe('bad_request:athena');
    expect(e.message).toBe('Athena refused the request: WorkGroup keystone-wg is disabled');
    expect(startInputs()).toHaveLength(1);
  });

  it('backs off exponentially with jitter between half the cap and the cap', () => {
    const policy = { attempts: 8, baseMs: 200, maxMs: 10_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, policy, () => 0))).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => retryDelay(n, policy, () => 1))).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000]);
  });
});

describe('type mapping through a result', () => {
  it('maps every type in the table to exact values, and NULL to null', async () => {
    const columns: [string, string, Partial<ColumnInfo>?][] = [
      ['v', 'varchar'],
      ['c', 'char'],
      ['b', 'boolean'],
      ['ti', 'tinyint'],
      ['si', 'smallint'],
      ['i', 'integer'],
      ['bi', 'bigint'],
      ['d', 'double'],
      ['f', 'float'],
      ['dec', 'decimal', { Precision: 38, Scale: 9 }],
      ['dt', 'date'],
      ['ts', 'timestamp'],
      ['tstz', 'timestamp with time zone'],
      ['t', 'time'],
      ['arr', 'array'],
      ['m', 'map'],
      ['r', 'row'],
      ['j', 'json'],
      ['bin', 'varbinary'],
    ];
    const values: Cell[] = [
      "Conceição d'Oeste",
      'SP ',
      'true',
      '-128',
      '32767',
      '-2147483648',
      '9223372036854775807',
      '0.1',
      '3.4028235E38',
      '12345678901234567890123456789.123456789',
      '2017-11-24',
      '2017-11-24 13:45:07.123',
      '2017-11-24 13:45:07.123 America/Sao_Paulo',
      '13:45:07.123',
      '[1, 2, null]',
      '{credit_card=3, boleto=1}',
      '{city=São Paulo, zip=01310}',
      '{"a":[1,true,null],"b":"x"}',
      '68 65 6c 6c 6f',
    ];
    succeedsWith(() => page(columns, [values, columns.map(() => undefined)], { header: true }));

    const result = await engine().query('SELECT * FROM everything');
    expect(result.columns.map((c) => [c.name, c.type, c.engineType])).toEqual([
      ['v', 'string', 'varchar'],
      ['c', 'string', 'char'],
      ['b', 'boolean', 'boolean'],
      ['ti', 'integer', 'tinyint'],
      ['si', 'integer', 'smallint'],
      ['i', 'integer', 'integer'],
      ['bi', 'bigint', 'bigint'],
      ['d', 'double', 'double'],
      ['f', 'double', 'float'],
      ['dec', 'decimal', 'decimal(38,9)'],
      ['dt', 'date', 'date'],
      ['ts', 'timestamp', 'timestamp'],
      ['tstz', 'timestamp', 'timestamp with time zone'],
      ['t', 'time', 'time'],
      ['arr', 'json', 'array'],
      ['m', 'json', 'map'],
      ['r', 'json', 'row'],
      ['j', 'json', 'json'],
      ['bin', 'binary', 'varbinary'],
    ]);
    expect(result.rows).toEqual([
      [
        "Conceição d'Oeste",
        'SP ',
        true,
        -128,
        32767,
        -2147483648,
        '9223372036854775807',
        0.1,
        3.4028235e38,
        '12345678901234567890123456789.123456789',
        '2017-11-24',
        '2017-11-24T13:45:07.123Z',
        '2017-11-24T15:45:07.123Z', // São Paulo was UTC−2 (summer time) in November 2017
        '13:45:07.123',
        [1, 2, null],
        { credit_card: 3, boleto: 1 },
        { city: 'São Paulo', zip: '01310' },
        { a: [1, true, null], b: 'x' },
        'aGVsbG8=',
      ],
      columns.map(() => null),
    ]);
  });

  it('keeps an empty string apart from NULL', async () => {
    succeedsWith(() => page([['s', 'varchar']], [[''], [undefined]], { header: true }));
    expect((await engine().query('SELECT s FROM t')).rows).toEqual([[''], [null]]);
  });

  it('does not skip a first row of a DDL result (no header there)', async () => {
    succeedsWith(() => page([['tab_name', 'string']], [['orders'], ['customers']]), { StatementType: 'DDL' });
    expect((await engine().query('SHOW TABLES')).rows).toEqual([['orders'], ['customers']]);
  });

  it('skips a UTILITY result’s first row only when it is the column names', async () => {
    succeedsWith(() => page([['Query Plan', 'varchar']], [['Query Plan'], ['Fragment 0']]), { StatementType: 'UTILITY' });
    expect((await engine().query('EXPLAIN SELECT 1')).rows).toEqual([['Fragment 0']]);
  });
});

describe('bound parameters', () => {
  const hostile = "O'Brien'; DROP TABLE x; --";

  it('renders each value as one safe SQL literal in ExecutionParameters', async () => {
    succeedsWith(() => page(ORDER_COLUMNS, [], { header: true }));
    const sql = 'SELECT * FROM silver.customers WHERE name = ? AND n = ? AND big = ? AND ratio = ? AND ok = ? AND gone IS ? AND state IN (SELECT * FROM UNNEST(?))';
    await engine().query(sql, { params: [hostile, 42, 9_007_199_254_740_991, 2.5, true, null, ['SP', "R'J"]] });

    const parameters = startInputs()[0]!.ExecutionParameters!;
    expect(parameters).toEqual(["'O''Brien''; DROP TABLE x; --'", '42', '9007199254740991', '2.5E0', 'TRUE', 'NULL', "ARRAY['SP', 'R''J']"]);
    // Read back as SQL, the hostile value is one string literal holding exactly the original text.
    const tokens = tokenize(parameters[0]!);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ kind: 'string', value: hostile });
    expect(startInputs()[0]!.QueryString).toBe(sql);
  });

  it('does not count ? inside strings, quoted names or comments', async () => {
    succeedsWith(() => page(ORDER_COLUMNS, [], { header: true }));
    await engine().query(`SELECT '?' AS "why?" -- really?\nFROM t /* ? */ WHERE a = ?`, { params: ['x'] });
    expect(startInputs()[0]!.ExecutionParameters).toEqual(["'x'"]);
  });

  it('refuses named parameters, miscounts, objects and non-finite numbers before sending anything', async () => {
    const named = await failure(engine().query('SELECT * FROM t WHERE a = $a', { params: { a: 1 } }));
    expect(named.code).toBe('bad_request:sql');
    expect(named.message).toContain('named parameters');

    const dollar = await failure(engine().query('SELECT * FROM t WHERE a = $1', { params: [1] }));
    expect(dollar.message).toBe('The SQL has 0 ? placeholders but 1 parameter value was given. Athena uses ? for parameters, not $1 or :name.');

    const missing = await failure(engine().query('SELECT * FROM t WHERE a = ? AND b = ?', { params: [1] }));
    expect(missing.message).toBe('The SQL has 2 ? placeholders but 1 parameter value was given.');

    const object = await failure(engine().query('SELECT * FROM t WHERE a = ?', { params: [{ a: 1 }] }));
    expect(object.message).toContain('json_parse(?)');

    const nan = await failure(engine().query('SELECT * FROM t WHERE a = ?', { params: [Number.NaN] }));
    expect(nan.code).toBe('bad_request:sql');

    const long = await failure(engine().query('SELECT * FROM t WHERE a = ?', { params: ['x'.repeat(1023)] }));
    expect(long.message).toContain('at most 1024');

    expect(athena.calls()).toHaveLength(0);
  });

  it('sends no ExecutionParameters without parameters', async () => {
    succeedsWith(() => page(ORDER_COLUMNS, [], { header: true }));
    await engine().query('SELECT 1', { params: [] });
    expect(startInputs()[0]).not.toHaveProperty('ExecutionParameters');
  });
});

describe('maxRows', () => {
  it('stops reading once the limit is passed and says so', async () => {
    succeedsWith(threePages);
    const result = await engine().query('SELECT order_id, n FROM silver.orders', { maxRows: 5 });
    expect(result.rows).toEqual(orderRows(0, 5).map(([o, n]) => [o, Number(n)]));
    expect(result.truncated).toBe(true);
    expect(result.stats.rows).toBe(5);
    // header + 5 rows + one to learn there is more
    expect(resultInputs()).toEqual([{ QueryExecutionId: ID, MaxResults: 7 }]);
  });

  it('reads across pages up to the limit', async () => {
    succeedsWith(threePages);
    const result = await engine().query('SELECT order_id, n FROM silver.orders', { maxRows: 1500 });
    expect(result.rows).toHaveLength(1500);
    expect(result.rows[1499]).toEqual(['order-1499', 1499]);
    expect(result.truncated).toBe(true);
    expect(resultInputs()).toEqual([
      { QueryExecutionId: ID, MaxResults: 1000 },
      { QueryExecutionId: ID, MaxResults: 502, NextToken: 'page-2' },
    ]);
  });

  it('is not truncated when the result fits exactly', async () => {
    succeedsWith(() => page(ORDER_COLUMNS, orderRows(0, 3), { header: true }));
    const result = await engine().query('SELECT 1', { maxRows: 3 });
    expect(result.rows).toHaveLength(3);
    expect(result.truncated).toBe(false);
  });

  it('returns the columns and no rows for maxRows 0', async () => {
    succeedsWith(threePages);
    const result = await engine().query('SELECT 1', { maxRows: 0 });
    expect(result.columns.map((c) => c.name)).toEqual(['order_id', 'n']);
    expect(result.rows).toEqual([]);
    expect(result.truncated).toBe(true);
  });
});

describe('stream()', () => {
  it('yields one batch per result page and the stats at the end', async () => {
    succeedsWith(threePages);
    const stream = await engine().stream('SELECT order_id, n FROM silver.orders');
    expect(stream.columns.map((c) => c.name)).toEqual(['order_id', 'n']);
    const sizes: number[] = [];
    const all: Row[] = [];
    for await (const batch of stream.batches) {
      sizes.push(batch.length);
      all.push(...batch);
    }
    expect(sizes).toEqual([999, 1000, 501]);
    expect(all[2499]).toEqual(['order-2499', 2499]);
    expect(await stream.stats()).toEqual({ rows: 2500, elapsedMs: expect.any(Number), bytesScanned: 123_456_789_012, queueMs: 321, engineMs: 4_567 });
  });

  it('asks for batchRows rows per page, and stops reading when the consumer stops', async () => {
    succeedsWith(threePages);
    const stream = await engine().stream('SELECT order_id, n FROM silver.orders', { batchRows: 200 });
    for await (const batch of stream.batches) {
      expect(batch).toHaveLength(999); // the mock ignores MaxResults; the request is what we check
      break;
    }
    expect(resultInputs()).toEqual([{ QueryExecutionId: ID, MaxResults: 201 }]);
    expect((await stream.stats()).rows).toBe(999);
  });

  it('fails stream() itself when the query fails', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('FAILED', { Status: { State: 'FAILED', StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved" } }));
    expect((await failure(engine().stream('SELECT x FROM t'))).code).toBe('bad_request:sql');
  });

  it('reports a throttled page read that never recovers from the iterator and from stats()', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED'));
    athena
      .on(GetQueryResultsCommand)
      .resolvesOnce(page(ORDER_COLUMNS, orderRows(0, 2), { header: true, next: 'page-2' }))
      .rejects(throttling());
    const stream = await engine({ retry: { attempts: 2, baseMs: 1, maxMs: 1 } }).stream('SELECT 1');
    const it = stream.batches[Symbol.asyncIterator]();
    expect((await it.next()).value).toHaveLength(2);
    const e = await failure(it.next());
    expect(e.code).toBe('unavailable:athena');
    expect((await failure(stream.stats())).code).toBe('unavailable:athena');
  });
});

describe('execute()', () => {
  it('returns Athena’s figures and UpdateCount for CTAS / INSERT', async () => {
    succeedsWith(() => ({ UpdateCount: 112_650, ResultSet: { Rows: [], ResultSetMetadata: { ColumnInfo: [] } } }));
    const stats = await engine().execute('CREATE TABLE gold.fact_sales WITH (format = \'PARQUET\') AS SELECT * FROM silver.order_items');
    expect(stats).toEqual({ rows: 112_650, elapsedMs: expect.any(Number), bytesScanned: 123_456_789_012, queueMs: 321, engineMs: 4_567 });
    expect(resultInputs()).toEqual([{ QueryExecutionId: ID, MaxResults: 1 }]);
  });

  it('reads no results for DDL', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: ID });
    athena.on(GetQueryExecutionCommand).resolves(execution('SUCCEEDED', { StatementType: 'DDL', Statistics: { DataScannedInBytes: 0, EngineExecutionTimeInMillis: 310 } }));
    const stats = await engine().execute('MSCK REPAIR TABLE silver.orders');
    expect(stats).toEqual({ rows: 0, elapsedMs: expect.any(Number), bytesScanned: 0, engineMs: 310 });
    expect(athena.commandCalls(GetQueryResultsCommand)).toHaveLength(0);
  });
});

describe('check()', () => {
  it('is ok with the workgroup’s details', async () => {
    athena.on(GetWorkGroupCommand).resolves({
      WorkGroup: {
        Name: 'keystone-wg',
        State: 'ENABLED',
        Configuration: {
          ResultConfiguration: { OutputLocation: 's3://wg-results/' },
          EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
          BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        },
      },
    });
    expect(await engine().check()).toEqual({
      ok: true,
      detail: 'Athena: workgroup keystone-wg, Athena engine version 3, database keystone, results s3://keystone-athena-results/queries/, scan limit 10 GB per query, eu-west-1',
    });
    expect(athena.commandCalls(GetWorkGroupCommand)[0]!.args[0].input).toEqual({ WorkGroup: 'keystone-wg' });
  });

  it('uses the workgroup’s location when it is enforced', async () => {
    athena.on(GetWorkGroupCommand).resolves({
      WorkGroup: { Name: 'keystone-wg', State: 'ENABLED', Configuration: { EnforceWorkGroupConfiguration: true, ResultConfiguration: { OutputLocation: 's3://wg-results/' } } },
    });
    const result = await engine().check();
    expect(result.ok && result.detail).toContain('results s3://wg-results/');
  });

  it('gives a reason for a disabled workgroup, a missing result location, or an error — and never throws', async () => {
    athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'keystone-wg', State: 'DISABLED' } });
    expect(await engine().check()).toEqual({ ok: false, reason: 'Athena workgroup "keystone-wg" is disabled.' });

    athena.reset();
    athena.on(GetWorkGroupCommand).resolves({ WorkGroup: { Name: 'keystone-wg', State: 'ENABLED', Configuration: {} } });
    const noOutput = await engine({ outputLocation: undefined }).check();
    expect(noOutput.ok === false && noOutput.reason).toContain('no query result location');

    athena.reset();
    athena.on(GetWorkGroupCommand).rejects(new ResourceNotFoundException({ message: 'WorkGroup keystone-wg is not found.', $metadata: {} }));
    const missing = await engine().check();
    expect(missing).toEqual({ ok: false, reason: 'Athena could not find it: WorkGroup keystone-wg is not found. (check ATHENA_WORKGROUP and ATHENA_DATABASE).' });

    athena.reset();
    athena.on(GetWorkGroupCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const creds = await engine().check();
    expect(creds.ok === false && creds.reason).toContain('credentials');
  });
});

describe('createEngine', () => {
  it('builds the Athena engine from the configuration, without touching AWS', async () => {
    const config = loadConfig(
      {
        KEYSTONE_ENGINE: 'athena',
        KEYSTONE_STORAGE: 's3',
        ATHENA_WORKGROUP: 'analytics',
        ATHENA_DATABASE: 'olist',
        ATHENA_OUTPUT_LOCATION: 's3://olist-athena-results/',
        AWS_REGION: 'sa-east-1',
      },
      '/tmp',
    );
    const built = createEngine(config);
    expect(built).toBeInstanceOf(AthenaEngine);
    expect(built.kind).toBe('athena');
    const a = built as AthenaEngine;
    expect([a.workgroup, a.database, a.outputLocation, a.region]).toEqual(['analytics', 'olist', 's3://olist-athena-results/', 'sa-east-1']);
    await built.close();
  });
});
