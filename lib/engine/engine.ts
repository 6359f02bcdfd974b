/**
 * The engine seam: SQL in, typed rows out. DuckDB in-process by default; Athena when scaled out.
 * One result shape for every engine (after Evidence's connectors): columns with names and types,
 * rows in batches, and the figures a person wants to see beside a result.
 */

/** Our portable column types. Each engine maps its own types to these in one commented table. */
export type ColumnType =
  | 'boolean'
  | 'integer' // fits a JS number exactly (≤ 2^53)
  | 'bigint' // may not: rows carry it as a decimal string
  | 'double'
  | 'decimal' // rows carry it as a decimal string, exact
  | 'string'
  | 'date' // rows carry 'YYYY-MM-DD'
  | 'timestamp' // rows carry ISO-8601 'YYYY-MM-DDTHH:MM:SS.sssZ' (UTC)
  | 'time'
  | 'interval'
  | 'binary' // base64
  | 'json' // lists, structs, maps: carried as JSON values
  | 'unknown';

export interface Column {
  name: string;
  type: ColumnType;
  /** The engine's own type name, e.g. `DECIMAL(10,2)` or `varchar`. */
  engineType: string;
}

/** A row value after normalisation: JSON-safe, so results cross into the browser unchanged. */
export type Value = string | number | boolean | null | Value[] | { [k: string]: Value };
export type Row = Value[];

/** Bound parameters: positional (`?` / `$1`) or named (`$name`). Values are bound, never spliced. */
export type Params = readonly Value[] | Readonly<Record<string, Value>>;

export interface QueryOptions {
  params?: Params;
  /** Stop the query after this many ms (default: the engine's default, 5 minutes). */
  timeoutMs?: number;
  /** Abort to cancel: the engine really stops the query (DuckDB interrupt, Athena StopQueryExecution). */
  signal?: AbortSignal;
  /** Rows per batch for `stream` (default 2048). */
  batchRows?: number;
}

export interface QueryStats {
  rows: number;
  elapsedMs: number;
  /** Bytes the engine read, when it knows (Athena: DataScannedInBytes). */
  bytesScanned?: number;
  /** Athena: time queued and time in the engine. */
  queueMs?: number;
  engineMs?: number;
}

export interface QueryResult {
  columns: Column[];
  rows: Row[];
  /** True when `maxRows` cut the result short. */
  truncated: boolean;
  stats: QueryStats;
}

export interface QueryStream {
  columns: Column[];
  /** Batches of rows; stops early (and cancels the query) when the consumer stops iterating. */
  batches: AsyncIterable<Row[]>;
  /** Resolves once the batches are exhausted. */
  stats(): Promise<QueryStats>;
}

export interface QueryEngine {
  readonly kind: 'duckdb' | 'athena';
  /** Run and collect. `maxRows` keeps memory bounded for previews (rest of the result is not read). */
  query(sql: string, options?: QueryOptions & { maxRows?: number }): Promise<QueryResult>;
  /** Run and read the result batch by batch (exports, large results). */
  stream(sql: string, options?: QueryOptions): Promise<QueryStream>;
  /** Statements that return nothing interesting (DDL, COPY). */
  execute(sql: string, options?: QueryOptions): Promise<QueryStats>;
  check(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }>;
  close(): Promise<void>;
}
