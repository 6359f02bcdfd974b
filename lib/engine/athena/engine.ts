/**
 * The Athena engine: the same QueryEngine as DuckDB, over Athena's asynchronous API.
 *
 *   StartQueryExecution ──► GetQueryExecution (poll: QUEUED / RUNNING, 100 ms doubling to 2 s)
 *        │                        ├─ SUCCEEDED ──► GetQueryResults pages (NextToken, ≤ 1000 rows)
 *        │                        ├─ FAILED    ──► StateChangeReason → bad_request:sql | unavailable:athena
 *        │                        └─ CANCELLED ──► cancelled:query
 *        └── abort / timeout at any point ──► StopQueryExecution(id) ──► cancelled:query | timeout:query
 *
 * Every API call goes through `withRetries` (retry.ts): throttling and server faults are retried
 * there and nowhere else. Every result carries Athena's figures: bytes scanned, queue time and
 * engine time (QueryStats). Nothing here was run against a real Athena: see docs/athena.md.
 */
import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type QueryExecution,
  type StartQueryExecutionCommandInput,
  type StartQueryExecutionCommandOutput,
} from '@aws-sdk/client-athena';
import { KeystoneError } from '../../errors';
import { log, type Logger } from '../../logger';
import type { QueryEngine, QueryOptions, QueryResult, QueryStats, QueryStream, Row } from '../engine';
import { DEFAULT_TIMEOUT_MS, QueryGuard } from '../guard';
import { cancelledByAthena, failedQueryError, toKeystoneError } from './error-mapping';
import { executionParameters } from './params';
import { MAX_PAGE_ROWS, PageBatches, ResultPages } from './results';
import { DEFAULT_POLL, DEFAULT_RETRY, pollDelay, sleep, withRetries, type PollPolicy, type RetryPolicy } from './retry';

export interface AthenaEngineOptions {
  workgroup: string;
  /** The Glue database unqualified table names resolve in (QueryExecutionContext.Database). */
  database: string;
  /** s3://… for query results; unset means the workgroup's own setting. */
  outputLocation?: string | undefined;
  region?: string | undefined;
  /** A client to use instead of one made from `region` (tests pass one mocked by aws-sdk-client-mock). */
  client?: AthenaClient;
  /** Default 5 minutes, as DuckDB. Long CTAS jobs pass their own `timeoutMs`. */
  defaultTimeoutMs?: number;
  poll?: Partial<PollPolicy>;
  retry?: Partial<RetryPolicy>;
  /** Jitter source, for tests. */
  random?: () => number;
  logger?: Logger;
}

/** How long a cancel waits for Athena to acknowledge StopQueryExecution before reporting anyway. */
const STOP_ACK_MS = 10_000;
const CHECK_TIMEOUT_MS = 10_000;

interface Finished {
  id: string;
  execution: QueryExecution;
}

export class AthenaEngine implements QueryEngine {
  readonly kind = 'athena' as const;
  readonly workgroup: string;
  readonly database: string;
  readonly outputLocation: string | undefined;
  readonly region: string | undefined;
  private clientInstance: AthenaClient | undefined;
  private readonly ownsClient: boolean;
  private readonly defaultTimeoutMs: number;
  private readonly poll: PollPolicy;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly running = new Set<QueryGuard>();
  private readonly stopping = new Set<Promise<void>>();
  private closed = false;

  constructor(options: AthenaEngineOptions) {
    this.workgroup = options.workgroup;
    this.database = options.database;
    this.outputLocation = options.outputLocation;
    this.region = options.region;
    this.clientInstance = options.client;
    this.ownsClient = options.client === undefined;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.poll = { ...DEFAULT_POLL, ...options.poll };
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? log.child({ engine: 'athena' });
  }

  /** Made on first use, so building the engine (doctor, dry runs) needs no credentials. */
  private get client(): AthenaClient {
    // maxAttempts 1: retries happen in withRetries only, not also inside the SDK.
    this.clientInstance ??= new AthenaClient({ ...(this.region ? { region: this.region } : {}), maxAttempts: 1 });
    return this.clientInstance;
  }

  async query(sql: string, options: QueryOptions & { maxRows?: number } = {}): Promise<QueryResult> {
    const maxRows = options.maxRows ?? Infinity;
    if (!(maxRows >= 0)) throw new KeystoneError('bad_request:query', `maxRows must be 0 or more (got ${maxRows}).`);
    const guard = this.begin(options);
    try {
      const { id, execution } = await this.run(sql, options, guard);
      const pages = this.pages(id, execution, guard);
      const rows: Row[] = [];
      let truncated = false;
      for (;;) {
        const room = maxRows - rows.length;
        // With a limit, ask for one row more than there is room for: that row says "truncated".
        const page = await pages.next(room === Infinity ? MAX_PAGE_ROWS : room + 1);
        if (page === undefined) break;
        if (page.length > room) {
          for (const row of page.slice(0, room)) rows.push(row);
          truncated = true; // the rest of the result is never read
          break;
        }
        for (const row of page) rows.push(row);
      }
      return { columns: pages.columns, rows, truncated, stats: statsOf(execution, rows.length, guard) };
    } catch (e) {
      throw toKeystoneError(e, guard);
    } finally {
      this.end(guard);
    }
  }

  /** One batch per GetQueryResults page: `batchRows` (default and at most 1000, Athena's page limit) rows each. */
  async stream(sql: string, options: QueryOptions = {}): Promise<QueryStream> {
    const batchRows = options.batchRows ?? MAX_PAGE_ROWS;
    if (!Number.isInteger(batchRows) || batchRows < 1) {
      throw new KeystoneError('bad_request:query', `batchRows must be a positive integer (got ${batchRows}).`);
    }
    const pageRows = Math.min(batchRows, MAX_PAGE_ROWS);
    const guard = this.begin(options);
    try {
      const { id, execution } = await this.run(sql, options, guard);
      const pages = this.pages(id, execution, guard);
      const first = await pages.next(pageRows); // also brings the columns
      const batches = new PageBatches(first, pages, guard, pageRows, (rows) => statsOf(execution, rows, guard), () => this.end(guard));
      return { columns: pages.columns, batches, stats: () => batches.stats };
    } catch (e) {
      this.end(guard);
      throw toKeystoneError(e, guard);
    }
  }

  /** DDL, CTAS, INSERT INTO: `rows` is Athena's UpdateCount for DML (rows written), 0 for DDL. */
  async execute(sql: string, options: QueryOptions = {}): Promise<QueryStats> {
    const guard = this.begin(options);
    try {
      const { id, execution } = await this.run(sql, options, guard);
      let rows = 0;
      if (execution.StatementType === 'DML') {
        const out = await this.call('GetQueryResults', () => this.client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1 })), guard);
        rows = out.UpdateCount ?? 0;
      }
      return statsOf(execution, rows, guard);
    } catch (e) {
      throw toKeystoneError(e, guard);
    } finally {
      this.end(guard);
    }
  }

  /** GetWorkGroup: is the workgroup there, enabled, and does it know where results go? Never throws. */
  async check(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }> {
    const guard = new QueryGuard({ timeoutMs: CHECK_TIMEOUT_MS });
    try {
      const out = await this.call('GetWorkGroup', () => this.client.send(new GetWorkGroupCommand({ WorkGroup: this.workgroup })), guard);
      const wg = out.WorkGroup;
      if (!wg) return { ok: false, reason: `Athena returned no workgroup named "${this.workgroup}".` };
      if (wg.State === 'DISABLED') return { ok: false, reason: `Athena workgroup "${this.workgroup}" is disabled.` };
      const config = wg.Configuration;
      const theirs = config?.ResultConfiguration?.OutputLocation;
      const managed = config?.ManagedQueryResultsConfiguration?.Enabled === true ? 'managed by Athena' : undefined;
      const results = config?.EnforceWorkGroupConfiguration ? (theirs ?? managed) : (this.outputLocation ?? theirs ?? managed);
      if (results === undefined) {
        return {
          ok: false,
          reason: `Athena workgroup "${this.workgroup}" has no query result location and ATHENA_OUTPUT_LOCATION is not set: every query would fail. Set one of them.`,
        };
      }
      const engine = config?.EngineVersion?.EffectiveEngineVersion ?? config?.EngineVersion?.SelectedEngineVersion;
      const limit = config?.BytesScannedCutoffPerQuery;
      const parts = [
        `workgroup ${this.workgroup}`,
        ...(engine ? [engine] : []),
        `database ${this.database}`,
        `results ${results}`,
        ...(limit !== undefined ? [`scan limit ${formatBytes(limit)} per query`] : []),
        ...(this.region ? [this.region] : []),
      ];
      return { ok: true, detail: `Athena: ${parts.join(', ')}` };
    } catch (e) {
      return { ok: false, reason: toKeystoneError(e, guard).message };
    } finally {
      guard.dispose();
    }
  }

  /** Stops running queries (StopQueryExecution for each) and waits for Athena to acknowledge. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const guard of [...this.running]) {
      guard.stop(new KeystoneError('cancelled:query', 'The query was stopped because the engine is closing.'));
    }
    await Promise.allSettled([...this.stopping]);
    if (this.ownsClient) this.clientInstance?.destroy();
  }

  // ───────────────────────────── one query's life ─────────────────────────────

  /** Starts the query and waits until it has SUCCEEDED; stops it on Athena when the guard fires. */
  private async run(sql: string, options: QueryOptions, guard: QueryGuard): Promise<Finished> {
    guard.throwIfStopped();
    const parameters = executionParameters(sql, options.params);
    const input: StartQueryExecutionCommandInput = {
      QueryString: sql,
      // One token for every attempt: a retried start can never start the query twice.
      ClientRequestToken: randomUUID(),
      QueryExecutionContext: { Database: this.database },
      WorkGroup: this.workgroup,
      ...(this.outputLocation ? { ResultConfiguration: { OutputLocation: this.outputLocation } } : {}),
      ...(parameters ? { ExecutionParameters: parameters } : {}),
    };
    const id = await this.start(input, guard);
    let stopped: Promise<void> | undefined;
    const off = guard.onStop(() => {
      stopped = this.stopQuery(id);
    });
    try {
      return { id, execution: await this.waitFor(id, guard) };
    } catch (e) {
      // Report the cancel once Athena has been told (or has had its chance to answer).
      if (stopped) await Promise.race([stopped, delay(STOP_ACK_MS)]);
      throw e;
    } finally {
      off();
    }
  }

  private async start(input: StartQueryExecutionCommandInput, guard: QueryGuard): Promise<string> {
    let latest: Promise<StartQueryExecutionCommandOutput> | undefined;
    try {
      const out = await this.call('StartQueryExecution', () => (latest = this.client.send(new StartQueryExecutionCommand(input))), guard);
      if (!out.QueryExecutionId) throw new KeystoneError('internal:athena', 'StartQueryExecution answered without a QueryExecutionId.');
      return out.QueryExecutionId;
    } catch (e) {
      // Stopped while a start was in flight: Athena may have started the query all the same.
      if (guard.reason && latest) {
        void latest.then(
          (out) => (out.QueryExecutionId ? this.stopQuery(out.QueryExecutionId) : undefined),
          () => undefined,
        );
      }
      throw e;
    }
  }

  private async waitFor(id: string, guard: QueryGuard): Promise<QueryExecution> {
    for (let polls = 0; ; polls++) {
      const out = await this.call('GetQueryExecution', () => this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id })), guard);
      const execution = out.QueryExecution;
      switch (execution?.Status?.State) {
        case 'SUCCEEDED':
          return execution;
        case 'FAILED':
          throw failedQueryError(execution, id);
        case 'CANCELLED':
          throw guard.reason ?? cancelledByAthena(execution, id);
        default:
          // QUEUED or RUNNING (Athena may also move a query from RUNNING back to QUEUED on a transient error).
          await sleep(pollDelay(polls, this.poll), guard);
      }
    }
  }

  private pages(id: string, execution: QueryExecution, guard: QueryGuard): ResultPages {
    const fetch = (input: ConstructorParameters<typeof GetQueryResultsCommand>[0]) =>
      this.call('GetQueryResults', () => this.client.send(new GetQueryResultsCommand(input)), guard);
    return new ResultPages(fetch, id, execution.StatementType === 'DML');
  }

  /** StopQueryExecution, retried like any call but bound to no guard (the guard is why we stop). Never rejects. */
  private stopQuery(id: string): Promise<void> {
    const attempt = withRetries(() => this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })), {
      policy: { ...this.retry, attempts: Math.min(this.retry.attempts, 3) },
      random: this.random,
      operation: 'StopQueryExecution',
    }).then(
      () => this.logger.debug('Athena query stopped', { queryExecutionId: id }),
      (e: unknown) => this.logger.warn('Could not stop the Athena query; it may run on', { queryExecutionId: id, error: e }),
    );
    this.stopping.add(attempt);
    void attempt.finally(() => this.stopping.delete(attempt));
    return attempt;
  }

  private call<T>(operation: string, fn: () => Promise<T>, guard: QueryGuard): Promise<T> {
    return withRetries(fn, {
      policy: this.retry,
      random: this.random,
      operation,
      guard,
      onRetry: ({ attempt, delayMs, error }) => this.logger.debug('Athena call retried', { operation, attempt, delayMs, error }),
    });
  }

  private begin(options: QueryOptions): QueryGuard {
    if (this.closed) throw new KeystoneError('unavailable:athena', 'The Athena engine has been closed.');
    const guard = new QueryGuard(options, this.defaultTimeoutMs);
    this.running.add(guard);
    return guard;
  }

  private end(guard: QueryGuard): void {
    guard.dispose();
    this.running.delete(guard);
  }
}

/** Athena's figures, passed through exactly; absent ones stay absent. */
function statsOf(execution: QueryExecution, rows: number, guard: QueryGuard): QueryStats {
  const s = execution.Statistics;
  return {
    rows,
    elapsedMs: guard.elapsedMs,
    ...(s?.DataScannedInBytes !== undefined ? { bytesScanned: s.DataScannedInBytes } : {}),
    ...(s?.QueryQueueTimeInMillis !== undefined ? { queueMs: s.QueryQueueTimeInMillis } : {}),
    ...(s?.EngineExecutionTimeInMillis !== undefined ? { engineMs: s.EngineExecutionTimeInMillis } : {}),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}

function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${+v.toFixed(1)} ${units[u]}`;
}
