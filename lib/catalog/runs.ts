/**
 * Job runs: status, timings, steps, log lines, checks and lineage, recorded as they happen so the
 * console can follow a run live. Log lines are buffered and written in batches (a run may log 50k).
 *
 * Two runs of the same job never write at the same time: a run holds a session-level advisory lock
 * per job on a dedicated connection for its whole life; a second run is refused, naming the first.
 */
import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
import type pg from 'pg';
import { jobRuns, lineageEdges, runChecks, runLogs } from '../../db/schema';
import { KeystoneError, errorMessage } from '../errors';
import type { Catalog, CatalogDb } from './database';

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type JobRun = typeof jobRuns.$inferSelect;

export interface StepRecord {
  step: string;
  rowsIn?: number;
  rowsOut?: number;
  quarantined?: number;
  duplicates?: number;
  updated?: number;
  ms?: number;
  [k: string]: unknown;
}

export interface CheckRecord {
  datasetId?: string | null;
  name: string;
  action: 'warn' | 'quarantine' | 'fail';
  status: 'passed' | 'warned' | 'failed';
  observed?: unknown;
  expected?: unknown;
  message?: string;
}

export interface LineageRecord {
  direction: 'input' | 'output';
  namespace: string;
  name: string;
  datasetId?: string | null;
  versionId?: number | null;
  partition?: Record<string, string> | null;
  fileId?: number | null;
  ingestId?: string | null;
  rowCount?: number | null;
  facets?: Record<string, unknown>;
}

/** Job lock key: a stable 32-bit hash of the lock name, in its own advisory-lock namespace. */
const LOCK_NAMESPACE = 7_340_033;

async function tryLock(client: pg.PoolClient, name: string): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LOCK_NAMESPACE, name]);
  return r.rows[0]!.ok;
}

export interface StartRunInput {
  job: string;
  params?: Record<string, unknown>;
  engine?: string;
  userId?: string | null;
  parentRunId?: string | null;
  /** Locks to hold for the run (default: the job's name). */
  locks?: string[];
}

export class RunRecorder {
  private logBuffer: { seq: number; level: LogLevel; message: string; at: Date }[] = [];
  private seq = 0;
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  readonly steps: StepRecord[] = [];
  finished = false;

  constructor(
    private readonly catalog: Catalog,
    readonly id: string,
    readonly job: string,
    private readonly lockClient: pg.PoolClient | undefined,
    private readonly onLog?: (level: LogLevel, message: string) => void,
  ) {}

  get db(): CatalogDb {
    return this.catalog.db;
  }

  log(level: LogLevel, message: string) {
    this.onLog?.(level, message);
    this.logBuffer.push({ seq: ++this.seq, level, message, at: new Date() });
    if (this.logBuffer.length >= 500) void this.flushLogs();
    else this.timer ??= setTimeout(() => void this.flushLogs(), 250);
  }

  info(message: string) {
    this.log('info', message);
  }
  warn(message: string) {
    this.log('warn', message);
  }

  flushLogs(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.logBuffer;
    this.logBuffer = [];
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(async () => {
      for (let i = 0; i < batch.length; i += 1000) {
        await this.db.insert(runLogs).values(batch.slice(i, i + 1000).map((l) => ({ runId: this.id, ...l })));
      }
    });
    return this.flushing;
  }

  private stepWrites: Promise<unknown> = Promise.resolve();

  /** Steps may be recorded by concurrent tasks; the writes are chained so the last one holds them all. */
  async step(record: StepRecord) {
    this.steps.push(record);
    const write = this.stepWrites.then(() => this.db.update(jobRuns).set({ steps: [...this.steps] }).where(eq(jobRuns.id, this.id)));
    this.stepWrites = write.catch(() => undefined);
    await write;
  }

  async progress(p: { done: number; total: number; step: string }) {
    await this.db.update(jobRuns).set({ progress: p }).where(eq(jobRuns.id, this.id));
  }

  async checks(records: CheckRecord[]) {
    if (records.length === 0) return;
    await this.db.insert(runChecks).values(
      records.map((c) => ({
        runId: this.id,
        datasetId: c.datasetId ?? null,
        name: c.name,
        action: c.action,
        status: c.status,
        observed: c.observed ?? null,
        expected: c.expected ?? null,
        message: c.message ?? null,
      })),
    );
  }

  async lineage(edges: LineageRecord[]) {
    for (let i = 0; i < edges.length; i += 2000) {
      await this.db.insert(lineageEdges).values(
        edges.slice(i, i + 2000).map((e) => ({
          runId: this.id,
          direction: e.direction,
          namespace: e.namespace,
          name: e.name,
          datasetId: e.datasetId ?? null,
          versionId: e.versionId ?? null,
          partition: e.partition ?? null,
          fileId: e.fileId ?? null,
          ingestId: e.ingestId ?? null,
          rowCount: e.rowCount ?? null,
          facets: e.facets ?? {},
        })),
      );
    }
  }

  async finish(status: 'succeeded' | 'failed' | 'cancelled', fields: { rowsIn?: number; rowsOut?: number; error?: string } = {}) {
    if (this.finished) return;
    this.finished = true;
    await this.flushLogs().catch(() => undefined);
    try {
      await this.db
        .update(jobRuns)
        .set({ status, finishedAt: sql`now()`, rowsIn: fields.rowsIn ?? null, rowsOut: fields.rowsOut ?? null, error: fields.error ?? null, progress: null })
        .where(eq(jobRuns.id, this.id));
    } finally {
      if (this.lockClient) {
        // Unlock explicitly: a closed session's locks are released only once the server notices, and
        // the next run of the job may start right away.
        await this.lockClient.query('select pg_advisory_unlock_all()').catch(() => undefined);
        this.lockClient.release(true);
      }
    }
  }
}

/**
 * Start a run: take its locks (or refuse, naming the run that holds them) and record it as running.
 */
export async function startRun(catalog: Catalog, input: StartRunInput, onLog?: (level: LogLevel, message: string) => void): Promise<RunRecorder> {
  const locks = input.locks ?? [input.job];
  const client = await catalog.pool.connect();
  try {
    for (const lock of locks) {
      if (!(await tryLock(client, lock))) {
        const holder = await catalog.db
          .select({ id: jobRuns.id, job: jobRuns.job, startedAt: jobRuns.startedAt })
          .from(jobRuns)
          .where(and(eq(jobRuns.status, 'running'), sql`${jobRuns.facets} -> 'locks' ? ${lock}`))
          .orderBy(desc(jobRuns.startedAt))
          .limit(1);
        const who = holder[0] ? `run ${holder[0].id} (${holder[0].job}, started ${holder[0].startedAt?.toISOString()})` : 'another run';
        throw new KeystoneError('conflict:job_running', `the ${lock} job is already running: ${who}. Wait for it to finish, then run again.`, {
          details: { lock, holder: holder[0] ?? null },
        });
      }
    }
  } catch (e) {
    client.release(true);
    throw e;
  }
  const [row] = await catalog.db
    .insert(jobRuns)
    .values({
      job: input.job,
      params: input.params ?? {},
      status: 'running',
      engine: input.engine ?? null,
      userId: input.userId ?? null,
      parentRunId: input.parentRunId ?? null,
      startedAt: sql`now()`,
      facets: { locks },
    })
    .returning({ id: jobRuns.id });
  return new RunRecorder(catalog, row!.id, input.job, client, onLog);
}

/** Runs left `running` by a process that died are marked failed (their locks died with their sessions). */
export async function failAbandonedRuns(catalog: Catalog): Promise<number> {
  const r = await catalog.pool.query(
    `update job_runs r set status = 'failed', finished_at = now(), error = 'the process running it stopped before it finished'
      where r.status = 'running'
        and not exists (select 1 from pg_locks l where l.locktype = 'advisory' and l.classid = $1
                         and l.granted and l.objid = any (select hashtext(x)::oid from jsonb_array_elements_text(r.facets -> 'locks') x))`,
    [LOCK_NAMESPACE],
  );
  return r.rowCount ?? 0;
}

export async function getRun(db: CatalogDb, id: string): Promise<JobRun | undefined> {
  const rows = await db.select().from(jobRuns).where(eq(jobRuns.id, id));
  return rows[0];
}

export async function listRuns(db: CatalogDb, opts: { limit?: number; job?: string } = {}): Promise<JobRun[]> {
  const q = db.select().from(jobRuns);
  return (opts.job ? q.where(eq(jobRuns.job, opts.job)) : q).orderBy(desc(jobRuns.createdAt)).limit(opts.limit ?? 50);
}

export async function runLogsAfter(db: CatalogDb, runId: string, afterSeq = 0, limit = 5000) {
  return db
    .select()
    .from(runLogs)
    .where(and(eq(runLogs.runId, runId), gt(runLogs.seq, afterSeq)))
    .orderBy(asc(runLogs.seq))
    .limit(limit);
}

export async function checksOfRun(db: CatalogDb, runId: string) {
  return db.select().from(runChecks).where(eq(runChecks.runId, runId)).orderBy(asc(runChecks.id));
}

export function describeError(e: unknown): string {
  return errorMessage(e);
}
