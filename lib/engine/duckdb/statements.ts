/**
 * Runs a SQL text that may hold several statements. A prepared statement takes only one, so the
 * text is split with DuckDB's own parser (`extractStatements`): every statement but the last runs
 * to completion, and the last one is the result. Each is prepared only when its turn comes, because
 * preparing binds names and `INSERT INTO t …` cannot bind before an earlier `CREATE TABLE t` ran.
 * Parameters go to the last statement: positional `$1` would be ambiguous across statements.
 */
import {
  ResultReturnType,
  StatementType,
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBMaterializedResult,
  type DuckDBResult,
  type DuckDBValue,
} from '@duckdb/node-api';
import { KeystoneError } from '../../errors';
import type { Column, Params, Row, Value } from '../engine';
import type { QueryGuard } from '../guard';
import { bindParams } from './params';
import { toColumn, valueReader } from './type-mapping';

/**
 * Statements after which a connection is as clean as a fresh one. Anything else (SET, USE, BEGIN
 * without COMMIT, CREATE TEMP, PREPARE…) may leave session state behind that the next, unrelated
 * query would inherit, so that connection is closed instead of pooled.
 */
const LEAVES_NO_SESSION_STATE: ReadonlySet<StatementType> = new Set([
  StatementType.SELECT,
  StatementType.EXPLAIN,
  StatementType.INSERT,
  StatementType.UPDATE,
  StatementType.DELETE,
  StatementType.MERGE_INTO,
  StatementType.COPY,
  StatementType.DROP,
  StatementType.ALTER,
  StatementType.ANALYZE,
  StatementType.EXPORT,
]);

export interface Ran<R> {
  result: R;
  /** The last statement's kind (SELECT, INSERT…). */
  lastType: StatementType;
  /** Runs the last statement again, to completion: how a streamed failure gets DuckDB's message back. */
  rerunLast(): Promise<DuckDBMaterializedResult>;
  /** Sum of rows written or returned by the statements before the last (for `execute`). */
  earlierRows: number;
  /** False when a statement may have left session state on the connection. */
  reusable: boolean;
}

export async function runStatements(
  connection: DuckDBConnection,
  sql: string,
  params: Params | undefined,
  guard: QueryGuard,
  mode: 'stream',
): Promise<Ran<DuckDBResult>>;
export async function runStatements(
  connection: DuckDBConnection,
  sql: string,
  params: Params | undefined,
  guard: QueryGuard,
  mode: 'run',
): Promise<Ran<DuckDBMaterializedResult>>;
export async function runStatements(
  connection: DuckDBConnection,
  sql: string,
  params: Params | undefined,
  guard: QueryGuard,
  mode: 'stream' | 'run',
): Promise<Ran<DuckDBResult>>;
export async function runStatements(
  connection: DuckDBConnection,
  sql: string,
  params: Params | undefined,
  guard: QueryGuard,
  mode: 'stream' | 'run',
): Promise<Ran<DuckDBResult>> {
  const extracted = await connection.extractStatements(sql);
  const count = extracted.count;
  let reusable = true;
  let earlierRows = 0;
  for (let i = 0; ; i++) {
    guard.throwIfStopped();
    const prepared = await extracted.prepare(i);
    try {
      if (!LEAVES_NO_SESSION_STATE.has(prepared.statementType)) reusable = false;
      if (i < count - 1) {
        if (prepared.parameterCount > 0) {
          throw new KeystoneError(
            'bad_request:sql',
            `Statement ${i + 1} of ${count} uses parameters; only the last statement of a multi-statement text may.`,
          );
        }
        earlierRows += affectedRows(await prepared.run());
        continue;
      }
      if (params !== undefined) bindParams(prepared, params);
      // The streaming result stays valid after its prepared statement is destroyed (the library does the same).
      const result = mode === 'stream' ? await prepared.stream() : await prepared.run();
      const lastType = prepared.statementType;
      const rerunLast = async () => {
        // Parsed afresh: preparing an extracted statement consumes it, so it cannot be prepared twice.
        const again = await (await connection.extractStatements(sql)).prepare(count - 1);
        try {
          if (params !== undefined) bindParams(again, params);
          return await again.run();
        } finally {
          again.destroySync();
        }
      };
      return { result, lastType, rerunLast, earlierRows, reusable };
    } finally {
      prepared.destroySync();
    }
  }
}

/**
 * True when a streamed result ended because DuckDB failed mid-way. @duckdb/node-api 1.5.6 cannot
 * tell that apart from a normal end: both give an empty chunk, and the error text
 * (duckdb_result_error) is not exposed. The result's return type turning INVALID is the only trace.
 */
export function endedInError(result: DuckDBResult): boolean {
  return result.returnType === ResultReturnType.INVALID;
}

export function streamFailed(rowsRead?: number): KeystoneError {
  const after = rowsRead === undefined ? '' : ` after ${rowsRead} rows`;
  return new KeystoneError(
    'bad_request:sql',
    `The query failed while its rows were being read${after}. DuckDB does not report the cause for a result read as it is computed; preview the same SQL to see the error.`,
    { details: { rowsRead } },
  );
}

/** Statements that can run twice without effect, so a failed read may be rerun for its error message. */
export function isReadOnly(type: StatementType): boolean {
  return type === StatementType.SELECT || type === StatementType.EXPLAIN;
}

/** Rows a finished statement wrote (INSERT/UPDATE/DELETE/COPY/CREATE … AS) or returned (SELECT). */
export function affectedRows(result: DuckDBMaterializedResult): number {
  switch (result.returnType) {
    case ResultReturnType.CHANGED_ROWS:
      return result.rowsChanged;
    case ResultReturnType.QUERY_RESULT:
      return result.rowCount;
    default: {
      // CREATE TABLE … AS reports NOTHING, yet carries its row count in a one-row 'Count' column.
      if (result.columnCount !== 1 || result.columnName(0) !== 'Count' || result.rowCount !== 1) return 0;
      const v = result.getChunk(0).getColumnValues(0)[0];
      return typeof v === 'bigint' || typeof v === 'number' ? Number(v) : 0;
    }
  }
}

export interface ResultShape {
  columns: Column[];
  readers: ((v: DuckDBValue) => Value)[];
}

export function shapeOf(result: DuckDBResult): ResultShape {
  const names = result.columnNames();
  const types = result.columnTypes();
  return { columns: names.map((n, i) => toColumn(n, types[i]!)), readers: types.map(valueReader) };
}

/** The first `limit` rows of a chunk, normalised, row-major. */
export function readRows(chunk: DuckDBDataChunk, readers: ResultShape['readers'], limit = Infinity): Row[] {
  const n = Math.min(chunk.rowCount, limit);
  const rows: Row[] = Array.from({ length: n }, () => new Array<Value>(readers.length));
  readers.forEach((read, c) => {
    const values = chunk.getColumnValues(c);
    for (let r = 0; r < n; r++) rows[r]![c] = read(values[r] ?? null);
  });
  return rows;
}
