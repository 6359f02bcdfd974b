/**
 * Runs as the console (and `keystone runs`) show them: history with durations, row counts and check
 * results; one run with its steps, checks and progress; its log lines after a sequence cursor.
 */
import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import { datasets, jobRuns, runChecks, runLogs, users } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError } from '../errors';
import type { LogLevel, RunStatus } from '../catalog/runs';

export interface CheckCounts {
  passed: number;
  warned: number;
  failed: number;
}

export interface RunSummary {
  id: string;
  job: string;
  status: RunStatus;
  startedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Finished runs: end − start; running ones: so far. */
  durationMs: number | null;
  rowsIn: number | null;
  rowsOut: number | null;
  error: string | null;
  progress: { done: number; total: number; step: string } | null;
  checks: CheckCounts;
  /** For a failed run: the first failing check, which is usually why. */
  failingCheck: { name: string; message: string | null; dataset: string | null } | null;
  params: Record<string, unknown>;
}

export interface RunCheckView {
  id: number;
  dataset: string | null;
  name: string;
  action: 'warn' | 'quarantine' | 'fail';
  status: 'passed' | 'warned' | 'failed';
  observed: unknown;
  expected: unknown;
  message: string | null;
}

export interface RunDetail extends RunSummary {
  steps: Record<string, unknown>[];
  checkList: RunCheckView[];
  engine: string | null;
  /** Highest log sequence number written so far. */
  lastSeq: number;
}

export interface LogLine {
  seq: number;
  at: string;
  level: LogLevel;
  message: string;
}

const RUN_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isRunId(id: unknown): id is string {
  return typeof id === 'string' && RUN_ID_RE.test(id);
}

type RunRow = typeof jobRuns.$inferSelect & { startedBy: string | null };

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

async function checkFacts(db: CatalogDb, runIds: string[]) {
  const counts = new Map<string, CheckCounts>();
  const failing = new Map<string, RunSummary['failingCheck']>();
  if (runIds.length === 0) return { counts, failing };
  const rows = await db
    .select({ runId: runChecks.runId, status: runChecks.status, n: sql<number>`count(*)::int` })
    .from(runChecks)
    .where(inArray(runChecks.runId, runIds))
    .groupBy(runChecks.runId, runChecks.status);
  for (const r of rows) {
    const c = counts.get(r.runId) ?? { passed: 0, warned: 0, failed: 0 };
    c[r.status] = r.n;
    counts.set(r.runId, c);
  }
  const failed = await db
    .selectDistinctOn([runChecks.runId], { runId: runChecks.runId, name: runChecks.name, message: runChecks.message, layer: datasets.layer, dataset: datasets.name })
    .from(runChecks)
    .leftJoin(datasets, eq(datasets.id, runChecks.datasetId))
    .where(and(inArray(runChecks.runId, runIds), eq(runChecks.status, 'failed')))
    .orderBy(runChecks.runId, asc(runChecks.id));
  for (const f of failed) failing.set(f.runId, { name: f.name, message: f.message, dataset: f.dataset ? `${f.layer}.${f.dataset}` : null });
  return { counts, failing };
}

function summarize(r: RunRow, facts: Awaited<ReturnType<typeof checkFacts>>, now = Date.now()): RunSummary {
  const start = r.startedAt?.getTime() ?? null;
  const end = r.finishedAt?.getTime() ?? (r.status === 'running' ? now : null);
  const p = r.progress as { done?: unknown; total?: unknown; step?: unknown } | null;
  return {
    id: r.id,
    job: r.job,
    status: r.status,
    startedBy: r.startedBy,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    durationMs: start !== null && end !== null ? Math.max(0, end - start) : null,
    rowsIn: r.rowsIn,
    rowsOut: r.rowsOut,
    error: r.error,
    progress: p && typeof p.done === 'number' && typeof p.total === 'number' ? { done: p.done, total: p.total, step: String(p.step ?? '') } : null,
    checks: facts.counts.get(r.id) ?? { passed: 0, warned: 0, failed: 0 },
    failingCheck: facts.failing.get(r.id) ?? null,
    params: r.params,
  };
}

const runColumns = {
  id: jobRuns.id,
  jobNamespace: jobRuns.jobNamespace,
  job: jobRuns.job,
  parentRunId: jobRuns.parentRunId,
  params: jobRuns.params,
  status: jobRuns.status,
  engine: jobRuns.engine,
  userId: jobRuns.userId,
  createdAt: jobRuns.createdAt,
  startedAt: jobRuns.startedAt,
  finishedAt: jobRuns.finishedAt,
  rowsIn: jobRuns.rowsIn,
  rowsOut: jobRuns.rowsOut,
  steps: jobRuns.steps,
  progress: jobRuns.progress,
  error: jobRuns.error,
  facets: jobRuns.facets,
  startedBy: users.username,
};

export async function listRunHistory(db: CatalogDb, opts: { limit?: number; job?: string } = {}): Promise<RunSummary[]> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  const q = db.select(runColumns).from(jobRuns).leftJoin(users, eq(users.id, jobRuns.userId));
  const rows = await (opts.job ? q.where(eq(jobRuns.job, opts.job)) : q).orderBy(desc(jobRuns.createdAt)).limit(limit);
  const facts = await checkFacts(db, rows.map((r) => r.id));
  return rows.map((r) => summarize(r, facts));
}

export async function getRunDetail(db: CatalogDb, id: string): Promise<RunDetail> {
  if (!isRunId(id)) throw new KeystoneError('not_found:run', 'There is no such run.');
  const [row] = await db.select(runColumns).from(jobRuns).leftJoin(users, eq(users.id, jobRuns.userId)).where(eq(jobRuns.id, id));
  if (!row) throw new KeystoneError('not_found:run', `There is no run ${id}.`);
  const facts = await checkFacts(db, [id]);
  const checks = await db
    .select({ c: runChecks, layer: datasets.layer, dataset: datasets.name })
    .from(runChecks)
    .leftJoin(datasets, eq(datasets.id, runChecks.datasetId))
    .where(eq(runChecks.runId, id))
    // Failures first: they are why a run failed.
    .orderBy(sql`case ${runChecks.status} when 'failed' then 0 when 'warned' then 1 else 2 end`, asc(runChecks.id));
  const [last] = await db.select({ seq: sql<number>`coalesce(max(${runLogs.seq}), 0)::int` }).from(runLogs).where(eq(runLogs.runId, id));
  return {
    ...summarize(row, facts),
    steps: row.steps,
    engine: row.engine,
    lastSeq: last?.seq ?? 0,
    checkList: checks.map(({ c, layer, dataset }) => ({
      id: c.id,
      dataset: dataset ? `${layer}.${dataset}` : null,
      name: c.name,
      action: c.action,
      status: c.status,
      observed: c.observed,
      expected: c.expected,
      message: c.message,
    })),
  };
}

export const MAX_LOG_PAGE = 5000;

/** Log lines with seq > after, oldest first, at most `limit` (≤ 5000): poll with the last seq seen. */
export async function readRunLogs(db: CatalogDb, id: string, after = 0, limit = MAX_LOG_PAGE): Promise<LogLine[]> {
  if (!isRunId(id)) throw new KeystoneError('not_found:run', 'There is no such run.');
  const n = Math.min(Math.max(Math.trunc(limit) || MAX_LOG_PAGE, 1), MAX_LOG_PAGE);
  const from = Number.isFinite(after) && after > 0 ? Math.trunc(after) : 0;
  const rows = await db
    .select()
    .from(runLogs)
    .where(and(eq(runLogs.runId, id), gt(runLogs.seq, from)))
    .orderBy(asc(runLogs.seq))
    .limit(n);
  return rows.map((r) => ({ seq: r.seq, at: r.at.toISOString(), level: r.level, message: r.message }));
}
