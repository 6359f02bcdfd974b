/**
 * From the log to bronze: sealed log segments become one bronze ingest per (table, flush).
 *
 * A flush takes a run of sealed segments [a..b] (at most KEYSTONE_INGEST_FLUSH_MAX_BYTES), renders
 * every stored event as a bronze row (CSV for the typed tables, NDJSON for generic ones and the dead
 * letters; one file per table), and writes
 * each file to bronze as one immutable version (bronze-writer.ts: the same layout, lineage columns and
 * ingest record as an upload, plus `_event_id`, `_event_time`, `_producer_id`, `_sequence`,
 * `_received_at`). Each table's ingest is recorded in a run (job `stream`) with lineage edges from the
 * producers — facets listing the (producer, sequence ranges) batches it holds — to `bronze.<table>`;
 * the same facets are kept on the bronze version and its ingest record.
 *
 * Exactly once, across crashes:
 *   1. The range is written to `flush.json` (durably) before anything else: after a crash the same
 *      range is flushed again, whatever has been sealed since.
 *   2. Each table's ingest is named `<epoch>:<a>-<b>/<table>` (the ingest's source name). The ingest
 *      record is committed in the same catalog transaction as the bronze version, so "is there an ingest
 *      with this name?" says exactly whether that table's part of the flush is in bronze. A retried flush
 *      skips the tables already there.
 *   3. Only when every table is in: the dedup checkpoint is written (with b as the last flushed
 *      segment), then the segments are deleted, then `flush.json`.
 * A crash anywhere leaves either the segments (and the flush is redone, skipping what committed) or
 * nothing to redo. The epoch (random per log directory) keeps names unique if a log is ever wiped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { quoteLiteral } from '../lib/catalog/identifiers';
import { startRun, type LineageRecord } from '../lib/catalog/runs';
import { DuckDBEngine, type QueryEngine } from '../lib/engine';
import { errorMessage } from '../lib/errors';
import type { LakeContext } from '../lib/lake/context';
import type { Logger } from '../lib/logger';
import { writeStreamBronze } from './bronze-writer';
import { ByteSink, markQuoteFree } from './byte-sink';
import { writeCheckpoint, type DedupState } from './dedup';
import {
  DEAD_LETTER_COLUMNS,
  DEAD_LETTER_TABLE,
  EventView,
  STREAM_META_COLUMNS,
  TYPED_PAYLOADS,
  batchMeta,
  decodeEvent,
  renderDeadLetter,
  renderGeneric,
  renderTyped,
  typedCsvColumns,
  typedCsvHeader,
} from './events';
import type { IngestMetrics } from './metrics';
import { decodeBatchRecord } from './record';
import type { IngestSettings } from './settings';
import { SegmentReader, writeFileDurableAsync, type SegmentInfo, type Wal } from './wal';
import { parseBatchFrame } from './wire';

export interface FlushPlan {
  from: number;
  to: number;
  segments: number[];
}

interface TableOut {
  dataset: string;
  file: string;
  fd: number;
  sink: ByteSink;
  rows: number;
  /** The row's own columns (generic tables collect theirs while rendering); the stream's follow. */
  columns: Set<string>;
  olist: (typeof TYPED_PAYLOADS)[number]['olist'];
  kind: 'typed' | 'generic' | 'dead_letter';
  /** Longest line written (DuckDB's reader needs to know). */
  maxLine: number;
  /** producer → sorted, merged [from, to] sequence ranges of the batches with rows here. */
  batches: Map<string, [number, number][]>;
}

export interface FlusherOptions {
  lake: () => Promise<LakeContext>;
  wal: Wal;
  dedup: DedupState;
  epoch: string;
  checkpointFile: string;
  planFile: string;
  settings: IngestSettings;
  metrics: IngestMetrics;
  log: Logger;
}

const YIELD_EVERY = 1024;

export class Flusher {
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private converter: QueryEngine | undefined;
  running = false;
  /** Called after a flush released its log segments (room for producers again). */
  onReleased: (() => void) | undefined;
  lastError: string | null = null;
  lastAt: string | null = null;

  constructor(private readonly o: FlusherOptions) {
    o.wal.onSeal = () => this.wake?.();
  }

  start(): void {
    this.loop = this.run();
  }

  /**
   * Open the catalog and configure DuckDB now rather than inside the first flush: that first open
   * (connections, abandoned-run repair, engine settings) took seconds of CPU, and under load it landed
   * in the middle of the acks (ack p99). Waits at most `maxWaitMs`: with the catalog down the ingestor
   * still starts and takes batches, and the flush keeps retrying.
   */
  async warmUp(maxWaitMs: number): Promise<void> {
    const ready = this.o
      .lake()
      .then((ctx) => this.duck(ctx, this.o.settings))
      .then(
        () => true,
        (e: unknown) => {
          this.o.log.warn('the catalog could not be opened at start; the flush will retry', { error: errorMessage(e) });
          return false;
        },
      );
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([ready, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), maxWaitMs)))]);
    clearTimeout(timer);
    if (waited === 'timeout') this.o.log.warn('the catalog is slow to open; serving without waiting for it', { waitedMs: maxWaitMs });
  }

  /** Finish the flush in progress (if any) and stop. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  /** Seal by size or age, then flush whatever is sealed; repeat. */
  private async run(): Promise<void> {
    let backoff = 0;
    const { wal, settings } = this.o;
    while (!this.stopping) {
      const a = wal.activeState();
      if (a.records > 0 && (a.bytes >= settings.flushBytes || Date.now() - a.firstAt >= settings.flushIntervalMs)) wal.requestSeal();
      const plan = this.nextPlan();
      if (!plan) {
        await this.sleep(Math.min(100, settings.flushIntervalMs));
        continue;
      }
      try {
        await this.flush(plan);
        backoff = 0;
        this.lastError = null;
      } catch (e) {
        if (e instanceof FlushStopped) break;
        this.o.metrics.flushFailures++;
        this.lastError = errorMessage(e);
        backoff = Math.min(30_000, backoff ? backoff * 2 : 500);
        this.o.log.error('flush to bronze failed; it will be retried', { from: plan.from, to: plan.to, error: errorMessage(e), retryInMs: backoff });
        await this.sleep(backoff);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }

  /** The range to flush: the one a crashed flush left in flush.json, else the oldest sealed segments. */
  nextPlan(): FlushPlan | undefined {
    const sealed = this.o.wal.sealed();
    if (sealed.length === 0) return undefined;
    const saved = readPlan(this.o.planFile);
    if (saved && saved.segments.every((no) => sealed.some((s) => s.no === no))) return saved;
    const chosen: SegmentInfo[] = [];
    let bytes = 0;
    for (const s of sealed) {
      if (chosen.length > 0 && bytes + s.bytes > this.o.settings.flushMaxBytes) break;
      chosen.push(s);
      bytes += s.bytes;
    }
    return { from: chosen[0]!.no, to: chosen[chosen.length - 1]!.no, segments: chosen.map((s) => s.no) };
  }

  /** Flush one range (idempotent: see the top of this file). */
  async flush(plan: FlushPlan): Promise<void> {
    const { wal, settings, metrics, log } = this.o;
    this.running = true;
    const t0 = performance.now();
    const name = `${this.o.epoch}:${plan.from}-${plan.to}`;
    let work: string | undefined;
    try {
      await writeFileDurableAsync(this.o.planFile, JSON.stringify(plan));
      const ctx = await this.o.lake();
      if (settings.flushDelayMs > 0) {
        await this.sleep(settings.flushDelayMs);
        if (this.stopping) throw new FlushStopped();
      }
      work = ctx.scratch('stream-flush');
      const tRender = performance.now();
      const cpu0 = process.cpuUsage();
      const outs = await this.render(plan, work);
      const renderMs = Math.round(performance.now() - tRender);
      const cpu1 = process.cpuUsage();
      const done = await this.ingestTables(ctx, name, plan, outs, work);
      const cpu2 = process.cpuUsage();
      // Process CPU (all threads: the gRPC path's too, while the flush ran), for tuning.
      const cpuMs = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => Math.round((b.user - a.user + b.system - a.system) / 1000);
      if (settings.fault === 'crash-before-flush-commit') {
        log.warn('fault injection: killing the ingestor after the flush committed to bronze, before the log was released');
        process.kill(process.pid, 'SIGKILL');
      }
      // Every table is in bronze: remember the dedup state, then let the log go.
      await writeCheckpoint(this.o.checkpointFile, this.o.dedup.toCheckpoint(this.o.epoch, plan.to));
      await wal.release(plan.segments);
      await fs.promises.rm(this.o.planFile, { force: true });
      this.onReleased?.();
      const rows = outs.reduce((a, o) => a + o.rows, 0);
      metrics.flushes++;
      metrics.flushedRows += done.rows;
      metrics.flushDuration.observe((performance.now() - t0) / 1000);
      this.lastAt = new Date().toISOString();
      log.info('flushed to bronze', { flush: name, rows, tables: outs.map((o) => `${o.dataset}:${o.rows}`).join(','), skipped: done.skipped, ms: Math.round(performance.now() - t0), renderMs, writeMs: done.writeMs, renderCpuMs: cpuMs(cpu0, cpu1), writeCpuMs: cpuMs(cpu1, cpu2) });
    } finally {
      this.running = false;
      if (work) await fs.promises.rm(work, { recursive: true, force: true });
    }
  }

  /** Render the range's events as one file per destination dataset (CSV typed, NDJSON otherwise). */
  private async render(plan: FlushPlan, work: string): Promise<TableOut[]> {
    const outs = new Map<string, TableOut>();
    const typedByTable = new Map(TYPED_PAYLOADS.map((t) => [t.table, t]));
    const out = (dataset: string): TableOut => {
      let o = outs.get(dataset);
      if (!o) {
        const typed = typedByTable.get(dataset);
        const kind = typed ? 'typed' : dataset === DEAD_LETTER_TABLE ? 'dead_letter' : 'generic';
        // Typed rows have fixed columns: CSV (smaller, and DuckDB reads it faster); the others NDJSON.
        const file = path.join(work, `${dataset}.${typed ? 'csv' : 'ndjson'}`);
        const fd = fs.openSync(file, 'w');
        const columns = new Set<string>(typed ? typed.columns.map((c) => c.name) : kind === 'dead_letter' ? DEAD_LETTER_COLUMNS : []);
        o = { dataset, file, fd, sink: new ByteSink(fd), rows: 0, columns, olist: typed?.olist ?? null, kind, maxLine: 0, batches: new Map() };
        if (typed) o.sink.ascii(typedCsvHeader(typed));
        outs.set(dataset, o);
      }
      return o;
    };
    const noteBatch = (o: TableOut, producer: string, seq: number) => {
      let ranges = o.batches.get(producer);
      if (!ranges) o.batches.set(producer, (ranges = []));
      const last = ranges[ranges.length - 1];
      if (last && last[1] === seq - 1) last[1] = seq;
      else if (!last || last[1] !== seq) ranges.push([seq, seq]);
    };
    const v = new EventView();
    let sinceYield = 0;
    try {
      for (const no of plan.segments) {
        const seg = this.o.wal.sealed().find((s) => s.no === no);
        if (!seg) throw new Error(`log segment ${no} is missing`);
        const reader = new SegmentReader(seg.file);
        try {
          for (let body = reader.next(); body; body = reader.next()) {
            const rec = decodeBatchRecord(body);
            const meta = batchMeta(rec.producerId, rec.sequence, rec.receivedAt);
            if (rec.accepted > 0) {
              const frame = parseBatchFrame(rec.events, Number.MAX_SAFE_INTEGER);
              if (!frame.ok) throw new Error(`a stored batch of ${rec.producerId}#${rec.sequence} does not parse: ${frame.message}`);
              const { eventStarts, eventEnds } = frame.frame;
              markQuoteFree(rec.events);
              let lastOut: TableOut | undefined;
              for (let i = 0; i < eventStarts.length; i++) {
                if (!decodeEvent(v, rec.events, eventStarts[i]!, eventEnds[i]!)) throw new Error(`a stored event of ${rec.producerId}#${rec.sequence} does not decode: ${v.errorMessage}`);
                const o = v.typed ? out(v.typed.table) : out(v.table());
                const before = o.sink.bytes;
                if (v.typed) renderTyped(v, o.sink, meta, ++o.rows);
                else renderGeneric(v, o.sink, meta, ++o.rows, o.columns);
                if (o.sink.bytes - before > o.maxLine) o.maxLine = o.sink.bytes - before;
                if (o !== lastOut) {
                  noteBatch(o, rec.producerId, rec.sequence);
                  lastOut = o;
                }
                if (++sinceYield >= YIELD_EVERY) {
                  sinceYield = 0;
                  // Keep acks flowing while a big flush renders.
                  await yieldToLoop();
                }
              }
            }
            const rejects = rec.rejects();
            if (rejects.length > 0) {
              const o = out(DEAD_LETTER_TABLE);
              for (const r of rejects) {
                const before = o.sink.bytes;
                renderDeadLetter(o.sink, rec.producerId, rec.sequence, rec.receivedAt, ++o.rows, r);
                if (o.sink.bytes - before > o.maxLine) o.maxLine = o.sink.bytes - before;
              }
              noteBatch(o, rec.producerId, rec.sequence);
            }
          }
          if (reader.problem) {
            // Sealed segments were checked on start; damage since then is the disk's. Keep what reads.
            this.o.log.error('a sealed log segment is damaged; flushing the records before the damage', { segment: no, problem: reader.problem });
          }
        } finally {
          reader.close();
        }
      }
    } finally {
      markQuoteFree(null);
      for (const o of outs.values()) {
        o.sink.flush();
        fs.closeSync(o.fd);
      }
    }
    return [...outs.values()].sort((a, b) => a.dataset.localeCompare(b.dataset));
  }

  private async ingestTables(ctx: LakeContext, name: string, plan: FlushPlan, outs: TableOut[], work: string): Promise<{ rows: number; skipped: number; writeMs: number }> {
    const { settings, metrics, log } = this.o;
    const engine = await this.duck(ctx, settings);
    const typedByTable = new Map(TYPED_PAYLOADS.map((t) => [t.table, t]));
    let rows = 0;
    let skipped = 0;
    let committed = 0;
    let writeMs = 0;
    let run: Awaited<ReturnType<typeof startRun>> | undefined;
    try {
      for (const o of outs) {
        const displayName = `${name}/${o.dataset}`;
        const found = await ctx.catalog.pool.query<{ id: string }>(`select id from ingests where source_kind = 'stream' and source_name = $1 limit 1`, [displayName]);
        if (found.rows[0]) {
          skipped++;
          log.info('part of an interrupted flush is already in bronze; not writing it again', { ingest: found.rows[0].id, name: displayName });
          continue;
        }
        run ??= await startRun(ctx.catalog, { job: 'stream', params: { flush: name, segments: plan.segments.length }, engine: ctx.engine.kind, locks: ['stream-flush'] });
        const batches = Object.fromEntries(o.batches);
        const t0 = performance.now();
        const outcome = await writeStreamBronze(ctx, engine, {
          file: o.file,
          format: o.kind === 'typed' ? 'csv' : 'ndjson',
          columns: o.kind === 'dead_letter' ? [...o.columns] : [...o.columns, ...STREAM_META_COLUMNS],
          fileColumns: o.kind === 'typed' ? typedCsvColumns(typedByTable.get(o.dataset)!) : [...o.columns, ...(o.kind === 'dead_letter' ? [] : STREAM_META_COLUMNS), '_source_row'],
          dataset: o.dataset,
          olist: o.olist,
          kind: o.kind === 'dead_letter' ? 'dead_letter' : 'table',
          description:
            o.kind === 'dead_letter'
              ? 'stream events the ingestor rejected, with the reason and the first 64 KiB of their bytes'
              : o.olist
                ? `Olist ${o.olist}, raw`
                : `raw rows of the stream table ${o.dataset}`,
          displayName,
          rows: o.rows,
          facets: { flush: name, batches },
          runId: run.id,
          parquet: path.join(work, `${o.dataset}.parquet`),
          maxLineBytes: o.maxLine,
        });
        writeMs += performance.now() - t0;
        const step = `ingest ${outcome.ingestId}`;
        const edges: LineageRecord[] = [...o.batches].map(([producer, ranges]) => ({
          direction: 'input',
          namespace: 'keystone-ingestor',
          name: `stream:${producer}`,
          ingestId: outcome.ingestId,
          rowCount: null,
          facets: { step, producer, batches: ranges, flush: name },
        }));
        edges.push({ direction: 'output', namespace: `keystone://${ctx.bucket('bronze')}`, name: `bronze.${o.dataset}`, datasetId: outcome.datasetId, versionId: outcome.versionId, ingestId: outcome.ingestId, rowCount: outcome.rows, facets: { step, flush: name } });
        await run.lineage(edges);
        run.info(`${displayName} → bronze.${o.dataset}: ${outcome.rows} rows from ${o.batches.size} producer(s), ingest ${outcome.ingestId}`);
        rows += outcome.rows;
        metrics.flushedRowsByTable.set(o.dataset, (metrics.flushedRowsByTable.get(o.dataset) ?? 0) + outcome.rows);
        metrics.flushedBytes += outcome.bytes;
        await fs.promises.rm(o.file, { force: true });
        committed++;
        if (settings.fault === 'crash-in-flush' && committed === 1 && outs.length > 1) {
          log.warn('fault injection: killing the ingestor in the middle of a flush', { committed: displayName });
          process.kill(process.pid, 'SIGKILL');
        }
      }
      await run?.finish('succeeded', { rowsIn: rows, rowsOut: rows });
    } catch (e) {
      await run?.finish('failed', { error: errorMessage(e) }).catch(() => undefined);
      throw e;
    }
    return { rows, skipped, writeMs: Math.round(writeMs) };
  }

  /**
   * The engine for the CSV / NDJSON → Parquet step: the lake's own when it is DuckDB (one DuckDB instance per
   * process, opened with the lake's options), else a DuckDB of our own.
   */
  private async duck(ctx: LakeContext, settings: IngestSettings): Promise<QueryEngine> {
    if (!this.converter) {
      const engine: QueryEngine = ctx.engine.kind === 'duckdb' ? ctx.engine : new DuckDBEngine({ maxConnections: 2 });
      // The ingestor must stay small (≤ 512 MB): DuckDB's default is 80% of the machine's memory. And
      // its threads would take every core from the gRPC path, whose acks then wait.
      await engine.execute(`SET memory_limit = ${quoteLiteral(settings.duckdbMemory)}`);
      await engine.execute(`SET threads = ${settings.duckdbThreads}`);
      // Bronze rows carry their own `_source_row`: the file need not keep their order, and not keeping
      // it lets DuckDB stream the copy with less memory.
      await engine.execute('SET preserve_insertion_order = false');
      this.converter = engine;
    }
    return this.converter;
  }
}

/** A flush given up because the ingestor is stopping (before it wrote anything). */
class FlushStopped extends Error {}

function readPlan(file: string): FlushPlan | undefined {
  try {
    const p = JSON.parse(fs.readFileSync(file, 'utf8')) as FlushPlan;
    return Array.isArray(p.segments) && p.segments.length > 0 ? p : undefined;
  } catch {
    return undefined;
  }
}
