/**
 * A pipeline run with Athena as the engine, against a scripted engine (no real Athena is reachable
 * from CI): the lake is in S3 (s3rver over HTTP), bronze is converted locally and uploaded, and the
 * scripted Athena answers the run's questions (partitions to write, counts, "$path") and "writes" the
 * objects its CTAS / INSERT INTO statements would. Checked: the statements and their order (the
 * 100-partitions-per-statement split among them), the catalog versions, files and row counts, ingest
 * consumption (a re-run has nothing to do), checks, lineage, and a failure that leaves the catalog as
 * it was for the failing table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLake, type TestLake } from '../../../test/support/lake';
import { startS3rver, type S3rverHandle } from '../../../test/support/s3rver';
import { checksOfRun, getRun } from '../../catalog/runs';
import { currentFiles, getDataset, listVersions } from '../../catalog/versions';
import type { Column, QueryEngine, QueryResult, QueryStats, QueryStream } from '../../engine/engine';
import type { LakeContext } from '../../lake/context';
import { generateOlist, type Manifest } from '../../olist/generator';
import { TABLE_NAMES } from '../../olist/contracts';
import { GOLD_MODELS } from '../gold/models';
import { compactPartition } from '../../console/compact';
import { restoreDatasetVersion } from '../../console/restore';
import { runJob } from '../jobs';
import { readAthenaPlanState } from './plan-state';

const ROWS_PER_PARTITION = 10;
const QUARANTINED = 2;
const DUPLICATES = 1;
const GOLD_ROWS = 7;

/** Partitions the scripted Athena reports for a table: 150 for orders (two statements), 2 for the rest. */
function partitionsOf(table: string) {
  const n = table === 'orders' ? 150 : 2;
  const start = Date.UTC(2017, 0, 1);
  return Array.from({ length: n }, (_, i) => {
    const d = new Date(start + i * 86_400_000);
    return { year: String(d.getUTCFullYear()), month: String(d.getUTCMonth() + 1).padStart(2, '0'), day: String(d.getUTCDate()).padStart(2, '0') };
  });
}

class ScriptedAthena implements QueryEngine {
  readonly kind = 'athena' as const;
  readonly sent: string[] = [];
  /** Objects "written" per Glue table: its S3 URIs and rows. */
  private readonly written = new Map<string, { uri: string; rows: number }[]>();
  failOn: RegExp | undefined;

  constructor(private readonly ctx: LakeContext) {}

  private async write(table: string, bucket: string, key: string, rows: number) {
    await this.ctx.storage.put(bucket, key, Buffer.from('PAR1 scripted PAR1'));
    const list = this.written.get(table) ?? [];
    list.push({ uri: `s3://${bucket}/${key}`, rows });
    this.written.set(table, list);
  }

  async execute(sql: string): Promise<QueryStats> {
    this.sent.push(sql);
    if (this.failOn?.test(sql)) throw new Error('Athena query failed: HIVE_BAD_DATA: Error parsing field value (scripted)');
    const silver = /^(?:CREATE TABLE|INSERT INTO) "keystone"\."silver_([a-z_]+)__v(\d{6})"[\s\S]*BETWEEN '(\d{8})' AND '(\d{8})'/.exec(sql);
    if (silver) {
      const [, t, v, from, to] = silver as unknown as [string, string, string, string, string];
      for (const p of partitionsOf(t)) {
        const k = `${p.year}${p.month}${p.day}`;
        if (k >= from && k <= to) await this.write(`silver_${t}__v${v}`, 'olist-data-lake-silver', `${t}/_v/${v}/year=${p.year}/month=${p.month}/day=${p.day}/20261126_000000_scripted`, ROWS_PER_PARTITION);
      }
    }
    const quarantine = /^INSERT INTO "keystone"\."silver_quarantine"[\s\S]*'(\d{6})' AS _version/.exec(sql);
    if (quarantine) await this.write(`quarantine@${quarantine[1]}`, 'olist-data-lake-silver', `quarantine/_v/${quarantine[1]}/${this.sent.length}_scripted`, QUARANTINED);
    const gold = /^CREATE TABLE "keystone"\."gold_([a-z_]+)__v(\d{6})"/.exec(sql);
    if (gold) await this.write(`gold_${gold[1]}__v${gold[2]}`, 'olist-data-lake-gold', `${gold[1]}/_v/${gold[2]}/20261126_000000_scripted`, GOLD_ROWS);
    return { rows: 0, elapsedMs: 1, bytesScanned: 1024, queueMs: 0, engineMs: 1 };
  }

  async query(sql: string): Promise<QueryResult> {
    this.sent.push(sql);
    if (this.failOn?.test(sql)) throw new Error('Athena query failed (scripted)');
    const col = (name: string, type: Column['type'] = 'string'): Column => ({ name, type, engineType: type === 'integer' ? 'bigint' : 'varchar' });
    const result = (columns: Column[], rows: unknown[][]): QueryResult => ({ columns, rows: rows as QueryResult['rows'], truncated: false, stats: { rows: rows.length, elapsedMs: 1, bytesScanned: 2048 } });
    let m = /^SELECT DISTINCT year, month, day FROM "keystone"\."silver_([a-z_]+)__merged_v\d{6}"/.exec(sql);
    if (m) return result([col('year'), col('month'), col('day')], partitionsOf(m[1]!).map((p) => [p.year, p.month, p.day]));
    m = /FROM "keystone"\."silver_([a-z_]+)__judged_v\d{6}"/.exec(sql);
    if (m && sql.includes('_reason IS NULL')) {
      const total = partitionsOf(m[1]!).length * ROWS_PER_PARTITION;
      // rows in = written + quarantined + duplicates; everything written comes from this run's ingests.
      return result([], [[total + QUARANTINED + DUPLICATES, total + DUPLICATES, total, total, total]]);
    }
    m = /^SELECT "\$path", count\(\*\) FROM "keystone"\."([a-z_0-9]+)"(?: WHERE _version = '(\d{6})')?/.exec(sql);
    if (m) {
      const files = this.written.get(m[2] ? `quarantine@${m[2]}` : m[1]!) ?? [];
      return result([col('$path'), col('_col1', 'integer')], files.map((f) => [f.uri, f.rows]));
    }
    if (/CAST\(\(SELECT count\(\*\) FROM "keystone"\."silver_order_items"\) AS VARCHAR\)/.test(sql)) return result([], [Array.from({ length: 14 }, () => '42')]);
    if (/ LIMIT 0$/.test(sql)) return result([col('id', 'integer'), col('name')], []);
    throw new Error(`the scripted Athena has no answer for: ${sql.slice(0, 200)}`);
  }

  stream(): Promise<QueryStream> {
    throw new Error('not used by the pipeline');
  }
  async check() {
    return { ok: true as const };
  }
  async close() {}
}

let s3: S3rverHandle;
let lake: TestLake;
let ctx: LakeContext;
let athena: ScriptedAthena;
let manifest: Manifest;
const sourceDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-athena-run-'));

beforeAll(async () => {
  manifest = await generateOlist({ scale: 0.002, seed: 11, outDir: sourceDir });
  s3 = await startS3rver();
  lake = await createTestLake({ KEYSTONE_STORAGE: 's3', KEYSTONE_S3_ENDPOINT: s3.endpoint, AWS_REGION: s3.region });
  ctx = { ...lake.ctx };
  athena = new ScriptedAthena(ctx);
  ctx.engine = athena;
}, 120_000);

afterAll(async () => {
  await lake?.close();
  await s3?.stop();
  fs.rmSync(sourceDir, { recursive: true, force: true });
});

const stepOf = (sql: string) => sql.split('\n')[0]!;

describe('a pipeline run on Athena', { timeout: 240_000 }, () => {
  it('ingests locally, sends the planned statements in order and records versions, checks and lineage', async () => {
    const sources = TABLE_NAMES.map((t) => ({ path: path.join(sourceDir, manifest.tables[t].file), displayName: manifest.tables[t].file }));
    const r = await runJob(ctx, 'all', { files: sources });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('succeeded');
    expect(r.ingested.map((i) => i.status)).toEqual(TABLE_NAMES.map(() => 'ingested'));

    // Order: database, bronze tables and their versions, then silver per table, then gold.
    const sent = athena.sent;
    expect(stepOf(sent[0]!)).toBe('CREATE DATABASE IF NOT EXISTS `keystone`');
    const idx = (re: RegExp) => sent.findIndex((s) => re.test(s));
    expect(idx(/^ALTER TABLE `keystone`\.`bronze_orders` ADD IF NOT EXISTS/)).toBeGreaterThan(0);
    expect(idx(/silver_orders__judged_v000001/)).toBeGreaterThan(idx(/^ALTER TABLE `keystone`\.`bronze_orders` ADD/));
    // 150 partitions: a CTAS for the first 100, an INSERT INTO for the other 50, then the publish.
    const ctas = idx(/^CREATE TABLE "keystone"\."silver_orders__v000001"/);
    const insert = idx(/^INSERT INTO "keystone"\."silver_orders__v000001"/);
    expect(sent[ctas]).toContain("BETWEEN '20170101' AND '20170410'");
    expect(sent[insert]).toContain("BETWEEN '20170411' AND '20170530'");
    const publish = idx(/^ALTER TABLE `keystone`\.`silver_orders` SET TBLPROPERTIES/);
    expect(ctas).toBeLessThan(insert);
    expect(insert).toBeLessThan(publish);
    expect(sent[publish]).toContain("'projection.year.range' = '2017,2017'");
    expect(sent[publish]).toContain('s3://olist-data-lake-silver/orders/_v/000001/year=${year}');
    // The work tables go after the catalog learnt the files.
    expect(idx(/^SELECT "\$path", count\(\*\) FROM "keystone"\."silver_orders__v000001"/)).toBeGreaterThan(publish);
    expect(idx(/^DROP TABLE IF EXISTS `keystone`\.`silver_orders__judged_v000001`/)).toBeGreaterThan(publish);
    // Gold: every model built before the first view switches, and reconciled in between.
    const lastBuild = Math.max(...GOLD_MODELS.map((m) => idx(new RegExp(`^CREATE TABLE "keystone"\\."gold_${m.name}__v000001"`))));
    const firstView = idx(/^CREATE OR REPLACE VIEW "keystone"\."gold_/);
    expect(lastBuild).toBeGreaterThan(0);
    expect(idx(/CAST\(\(SELECT count\(\*\) FROM "keystone"\."silver_order_items"\) AS VARCHAR\)/)).toBeGreaterThan(lastBuild);
    expect(firstView).toBeGreaterThan(lastBuild);

    // The catalog: silver.orders version 1 holds the 150 files Athena wrote, with their rows and partitions.
    const orders = (await getDataset(ctx.catalog.db, 'silver', 'orders'))!;
    const files = await currentFiles(ctx.catalog.db, orders.id);
    expect(files.length).toBe(150);
    expect(files.reduce((a, f) => a + f.rowCount, 0)).toBe(150 * ROWS_PER_PARTITION);
    expect(files[0]!.key).toMatch(/^orders\/_v\/000001\/year=2017\/month=01\/day=01\//);
    expect(files[0]!.partition).toEqual({ year: '2017', month: '01', day: '01' });
    expect(files.every((f) => f.bytes > 0)).toBe(true);
    const silverOrders = r.silver.find((s) => s.table === 'orders')!;
    expect(silverOrders).toMatchObject({ rowsIn: 1503, quarantined: QUARANTINED, duplicates: DUPLICATES, rowsOut: 1500, totalRows: 1500, partitionsRewritten: 150 });
    expect(r.silver.map((s) => s.table).sort()).toEqual([...TABLE_NAMES].sort());
    const quarantine = (await getDataset(ctx.catalog.db, 'silver', 'quarantine'))!;
    expect((await currentFiles(ctx.catalog.db, quarantine.id)).reduce((a, f) => a + f.rowCount, 0)).toBe(TABLE_NAMES.length * QUARANTINED);

    // Gold: every model committed with its file and the scripted schema.
    for (const m of GOLD_MODELS) {
      const ds = (await getDataset(ctx.catalog.db, 'gold', m.name))!;
      const [v] = await listVersions(ctx.catalog.db, ds.id);
      expect({ m: m.name, status: v!.status, rows: v!.rowCount, files: v!.fileCount }).toEqual({ m: m.name, status: 'committed', rows: GOLD_ROWS, files: 1 });
    }

    const run = (await getRun(ctx.catalog.db, r.runId))!;
    expect(run.engine).toBe('athena');
    const checks = await checksOfRun(ctx.catalog.db, r.runId);
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(checks.filter((c) => c.name.startsWith('silver.')).length).toBe(TABLE_NAMES.length);
    expect(checks.filter((c) => c.name.startsWith('reconcile(')).length).toBe(7);
    const edges = await ctx.catalog.pool.query<{ direction: string; name: string }>('select direction, name from lineage_edges where run_id = $1', [r.runId]);
    expect(edges.rows).toContainEqual({ direction: 'input', name: 'bronze.orders' });
    expect(edges.rows).toContainEqual({ direction: 'output', name: 'silver.orders' });
    expect(edges.rows).toContainEqual({ direction: 'output', name: 'gold.fact_orders' });
  });

  it('a second silver run has nothing pending: no silver version, no model statement', async () => {
    const state = await readAthenaPlanState(ctx.catalog, ctx.config);
    expect(Object.values(state.bronze).every((b) => b!.pending.length === 0)).toBe(true);
    const before = athena.sent.length;
    const r = await runJob(ctx, 'silver');
    expect(r.status).toBe('succeeded');
    expect(r.silver).toEqual([]);
    expect(athena.sent.slice(before).some((s) => /__judged_v|__merged_v|^CREATE TABLE/.test(s))).toBe(false);
  });

  it('refuses compaction and restore, which would leave Glue reading another prefix than the catalog', async () => {
    const orders = (await getDataset(ctx.catalog.db, 'silver', 'orders'))!;
    await expect(compactPartition(ctx, orders, { year: '2017', month: '01', day: '01' })).rejects.toThrow(/not supported with the Athena engine/);
    await expect(restoreDatasetVersion(ctx, orders, 1)).rejects.toThrow(/not supported with the Athena engine/);
  });

  it('a failing statement fails the run with the step and the reason, and leaves that table as it was', async () => {
    // New bronze for order_items (a changed copy of its file), then Athena fails while merging it.
    const src = path.join(sourceDir, manifest.tables.order_items.file);
    const changed = path.join(sourceDir, 'order_items_again.csv');
    fs.writeFileSync(changed, fs.readFileSync(src, 'utf8').replace(/\n$/, '') + '\n');
    fs.appendFileSync(changed, fs.readFileSync(src, 'utf8').split('\n')[1]! + '\n');
    const items = (await getDataset(ctx.catalog.db, 'silver', 'order_items'))!;
    athena.failOn = /^CREATE TABLE "keystone"\."silver_order_items__merged_v/;
    const before = athena.sent.length;
    const r = await runJob(ctx, 'all', { files: [{ path: changed, displayName: 'order_items_again.csv' }] });
    athena.failOn = undefined;
    expect(r.status).toBe('failed');
    expect(r.error).toContain('silver.order_items: latest row per key');
    expect(r.error).toContain('HIVE_BAD_DATA');
    // The catalog still points at version 1; version 2 was aborted, not left staging.
    const after = (await getDataset(ctx.catalog.db, 'silver', 'order_items'))!;
    expect(after.currentVersionId).toBe(items.currentVersionId);
    expect((await listVersions(ctx.catalog.db, items.id)).map((v) => v.status)).toEqual(['aborted', 'committed']);
    // Its work tables were dropped; nothing of gold was switched.
    const tail = athena.sent.slice(before);
    expect(tail.some((s) => s === 'DROP TABLE IF EXISTS `keystone`.`silver_order_items__judged_v000002`')).toBe(true);
    expect(tail.some((s) => /^CREATE OR REPLACE VIEW/.test(s))).toBe(false);
    // The ingest is still pending: the next run picks it up.
    const state = await readAthenaPlanState(ctx.catalog, ctx.config);
    expect(state.bronze.order_items!.pending.length).toBe(1);
  });
});
