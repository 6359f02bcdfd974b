/**
 * Query history, per user: every run from the editor, a saved query's form or an export is recorded
 * when it starts (status `running`) and completed when it ends, with rows, time, bytes scanned when the
 * engine knows, and the error a person saw.
 */
import { and, desc, eq, lt } from 'drizzle-orm';
import { queryHistory } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import type { Value } from '../engine/engine';

export type HistoryEntry = typeof queryHistory.$inferSelect;
export type HistoryStatus = HistoryEntry['status'];

export interface HistoryStart {
  userId: string;
  sql: string;
  params?: Record<string, Value> | null;
  savedQueryId?: string | null;
  engine: string;
  estimatedBytes?: number | null;
}

export interface HistoryOutcome {
  status: Exclude<HistoryStatus, 'running'>;
  rowCount?: number | null;
  elapsedMs?: number | null;
  bytesScanned?: number | null;
  error?: string | null;
}

/** The longest SQL text kept in history; longer texts are cut with a marker (the run itself is not affected). */
const MAX_SQL = 100_000;

export async function recordQueryStart(db: CatalogDb, start: HistoryStart): Promise<number> {
  const sql = start.sql.length > MAX_SQL ? `${start.sql.slice(0, MAX_SQL)}\n-- … (${start.sql.length - MAX_SQL} more characters not kept)` : start.sql;
  const rows = await db
    .insert(queryHistory)
    .values({
      userId: start.userId,
      sql,
      params: start.params ?? null,
      savedQueryId: start.savedQueryId ?? null,
      engine: start.engine,
      status: 'running',
      estimatedBytes: start.estimatedBytes ?? null,
    })
    .returning({ id: queryHistory.id });
  return rows[0]!.id;
}

export async function recordQueryEnd(db: CatalogDb, id: number, outcome: HistoryOutcome): Promise<void> {
  await db
    .update(queryHistory)
    .set({
      status: outcome.status,
      rowCount: outcome.rowCount ?? null,
      elapsedMs: outcome.elapsedMs === undefined || outcome.elapsedMs === null ? null : Math.round(outcome.elapsedMs),
      bytesScanned: outcome.bytesScanned ?? null,
      error: outcome.error ?? null,
      finishedAt: new Date(),
    })
    .where(eq(queryHistory.id, id));
}

/** A user's most recent runs, newest first; `before` pages further back by id. */
export async function listHistory(db: CatalogDb, userId: string, options: { limit?: number; before?: number } = {}): Promise<HistoryEntry[]> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const where = options.before === undefined ? eq(queryHistory.userId, userId) : and(eq(queryHistory.userId, userId), lt(queryHistory.id, options.before));
  return db.select().from(queryHistory).where(where).orderBy(desc(queryHistory.id)).limit(limit);
}
