/**
 * What travels between the SQL editor and `/api/sql/run`: newline-delimited JSON, one message per
 * line, so the browser shows the first rows while the rest are still coming (a 100k-row result is
 * ~50 lines of 2,048 rows rather than one 10 MB JSON document to parse at the end).
 *
 *   {"type":"start", queryId, engine, columns, estimate?}   (estimate: bytes and Athena price, before running)
 *   {"type":"rows", rows:[[…], …]}            (repeated)
 *   {"type":"end", rows, elapsedMs, bytesScanned?, billedBytes?, dollars?, truncated}
 *   {"type":"error", code, message}           (instead of "end", when it fails after starting)
 *
 * A failure before the first row (syntax error, refused by the guard, bad parameter) is an ordinary
 * JSON error response `{error, code}` with its HTTP status.
 */
import type { QueryParameter } from '../../db/schema';
import type { Column, Row } from '../engine/engine';
import type { ScanEstimate } from './estimate';
import type { RawValue } from './parameters';

export interface RunRequestBody {
  queryId: string;
  /** Omitted when running a saved query as saved. */
  sql?: string;
  savedQueryId?: string | null;
  parameters?: QueryParameter[];
  values?: Record<string, RawValue>;
  timeoutSeconds?: number;
}

export type RunMessage =
  | { type: 'start'; queryId: string; engine: 'duckdb' | 'athena'; columns: Column[]; maxRows: number; estimate?: ScanEstimate }
  | { type: 'rows'; rows: Row[] }
  | { type: 'end'; rows: number; elapsedMs: number; bytesScanned?: number; billedBytes?: number; dollars?: number; truncated: boolean }
  | { type: 'error'; code: string; message: string };

/** The grid keeps at most this many rows; the CSV export always has them all. */
export const GRID_MAX_ROWS = 250_000;
