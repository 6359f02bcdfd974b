/**
 * Reading a finished query's result with GetQueryResults: pages of at most 1000 rows, chained by
 * NextToken. For SELECTs (StatementType DML) the first row of the first page repeats the column
 * names — a header, skipped once. Other statements (SHOW, DESCRIBE: DDL / UTILITY) have no header;
 * their first row is skipped only when it is exactly the column names, which is what a header is.
 */
import type { GetQueryResultsInput, GetQueryResultsOutput, Row as AthenaRow } from '@aws-sdk/client-athena';
import type { Column, QueryStats, Row, Value } from '../engine';
import type { QueryGuard } from '../guard';
import { toKeystoneError } from './error-mapping';
import { toColumn, valueReader } from './type-mapping';

/** GetQueryResults' largest page. */
export const MAX_PAGE_ROWS = 1000;

export type FetchPage = (input: GetQueryResultsInput) => Promise<GetQueryResultsOutput>;

export class ResultPages {
  columns: Column[] = [];
  private readers: ((text: string | undefined) => Value)[] = [];
  private nextToken: string | undefined;
  private first = true;
  private done = false;

  /** `headerRow`: the first row is known to be a header (SELECTs). */
  constructor(
    private readonly fetch: FetchPage,
    private readonly queryExecutionId: string,
    private readonly headerRow: boolean,
  ) {}

  /** The next page's rows (possibly none), asking for at most `dataRows`; undefined once the result is exhausted. */
  async next(dataRows: number = MAX_PAGE_ROWS): Promise<Row[] | undefined> {
    if (this.done) return undefined;
    const header = this.first && this.headerRow ? 1 : 0;
    const out = await this.fetch({
      QueryExecutionId: this.queryExecutionId,
      MaxResults: Math.max(1, Math.min(MAX_PAGE_ROWS, dataRows + header)),
      ...(this.nextToken !== undefined ? { NextToken: this.nextToken } : {}),
    });
    let rows = out.ResultSet?.Rows ?? [];
    if (this.first) {
      this.first = false;
      const info = out.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
      this.columns = info.map(toColumn);
      this.readers = info.map((c) => valueReader(c.Type));
      if (rows.length > 0 && (this.headerRow || isHeader(rows[0]!, this.columns))) rows = rows.slice(1);
    }
    this.nextToken = out.NextToken;
    if (this.nextToken === undefined || this.nextToken === '') this.done = true;
    return rows.map((r) => this.read(r));
  }

  private read(row: AthenaRow): Row {
    const data = row.Data ?? [];
    return this.readers.map((read, i) => read(data[i]?.VarCharValue));
  }
}

function isHeader(row: AthenaRow, columns: readonly Column[]): boolean {
  const data = row.Data ?? [];
  return columns.length > 0 && data.length === columns.length && data.every((d, i) => d.VarCharValue === columns[i]!.name);
}

/**
 * `stream()`'s batches: one per result page, read when the consumer asks for it. A hand-made
 * iterator (as DuckDB's BatchReader) so that `return()` ends the stream even before a first `next()`.
 * The query has finished on Athena's side by now, so stopping early only stops the page reads.
 */
export class PageBatches implements AsyncIterableIterator<Row[]> {
  private rows = 0;
  private finished = false;
  private resolveStats!: (s: QueryStats) => void;
  private rejectStats!: (e: unknown) => void;
  readonly stats: Promise<QueryStats>;

  constructor(
    private pending: Row[] | undefined,
    private readonly pages: ResultPages,
    private readonly guard: QueryGuard,
    private readonly pageRows: number,
    private readonly statsFor: (rows: number) => QueryStats,
    private readonly onDone: () => void,
  ) {
    this.stats = new Promise<QueryStats>((resolve, reject) => {
      this.resolveStats = resolve;
      this.rejectStats = reject;
    });
    // Nobody is obliged to call stats(): an error must not become an unhandled rejection.
    this.stats.catch(() => undefined);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Row[]>> {
    try {
      for (;;) {
        if (this.finished) return { done: true, value: undefined };
        const batch = this.pending;
        this.pending = undefined;
        if (batch !== undefined) {
          if (batch.length === 0) continue;
          this.rows += batch.length;
          return { done: false, value: batch };
        }
        this.guard.throwIfStopped();
        const page = await this.pages.next(this.pageRows);
        if (this.finished) return { done: true, value: undefined }; // returned while this read was in flight
        if (page === undefined) {
          this.finish();
          return { done: true, value: undefined };
        }
        this.pending = page;
      }
    } catch (e) {
      const error = toKeystoneError(e, this.guard);
      this.finish(error);
      throw error;
    }
  }

  /** The consumer stopped early (break, return, throw in a for-await): no more pages are read. */
  async return(): Promise<IteratorResult<Row[]>> {
    this.finish();
    return { done: true, value: undefined };
  }

  private finish(error?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.pending = undefined;
    const stats = this.statsFor(this.rows);
    this.onDone();
    if (error === undefined) this.resolveStats(stats);
    else this.rejectStats(error);
  }
}
