/**
 * Incremental gold facts. Each fact holds one row per row of an order-keyed silver table (orders, items,
 * payments, reviews: every one of their keys holds order_id), joined to the other order-keyed tables by
 * order_id and to the customer, product and seller snapshots only to see whether a reference exists.
 * So the only fact rows a silver change can alter are those of the orders whose rows changed, and of
 * the orders that name a customer, product or seller that appeared, changed or went. The new version
 * keeps the fact's files that hold none of them, rewrites the few that do without those orders, and
 * adds the model's own rows for exactly those orders — computed by the same SQL, from only the silver
 * partitions that hold them. The result is the full rebuild's rows (pipeline-suite.ts compares the two
 * row for row).
 *
 * Which orders changed comes from the silver key digests (key-digest.ts): the rows of the ingests the
 * silver runs since the fact's build merged (or, after a restore, the rows that differ between the two
 * versions), and, through the digests' customer_id / product_id / seller_id, the orders naming a
 * dimension key that changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { quoteIdent, quoteLiteral } from '../../catalog/identifiers';
import { fileRefsOfVersion, type Dataset, type FileRef } from '../../catalog/versions';
import type { LakeContext } from '../../lake/context';
import { tableScanSql } from '../../lake/views';
import { forEachLimited } from '../../concurrency';
import { digestOf, hasDigest, keyColumns, olistDigestModel } from '../silver/key-digest';
import { dayId } from '../silver/silver-table';
import type { GoldModel } from './models';

/** Scratch tables of one gold run (a schema, not TEMP tables: the engine's connections are pooled). */
export const GOLD_DELTA = 'gold_delta';

/** A fact with more files than this is written whole again instead of growing by another file. */
const MAX_FACT_FILES = 8;

/** After this many merges in a row a fact is rebuilt whole: a safety net that costs one full build now and then. */
export const MAX_MERGES = 24;

/** Part of every fingerprint: bump it when the merge logic changes, so facts merged by older code are rebuilt. */
export const MERGE_LOGIC_VERSION = 1;

/**
 * The snapshot tables a fact reads only to test that a reference exists, and where the orders naming
 * their keys are found: the digest column of an order-keyed table.
 */
const DIMENSION_LINKS: Readonly<Record<string, { key: string; via: string; column: string }>> = {
  customers: { key: 'customer_id', via: 'orders', column: 'customer_id' },
  products: { key: 'product_id', via: 'order_items', column: 'product_id' },
  sellers: { key: 'seller_id', via: 'order_items', column: 'seller_id' },
};

/** `sql:<hash of the model's SQL and the gold models it reads>;silver inputs as name@versionId`. */
export function fingerprint(sqlHash: string, inputs: Map<string, number>): string {
  return `sql:${sqlHash};${[...inputs]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, v]) => `${t}@${v}`)
    .join(',')}`;
}

export function parseFingerprint(fp: string | undefined): { sqlHash: string; inputs: Map<string, number> } | undefined {
  const m = /^sql:([0-9a-f]+);(.*)$/.exec(fp ?? '');
  if (!m) return undefined;
  const inputs = new Map<string, number>();
  for (const part of m[2]!.split(',').filter((p) => p !== '')) {
    const at = part.lastIndexOf('@');
    inputs.set(part.slice(0, at), Number(part.slice(at + 1)));
  }
  return { sqlHash: m[1]!, inputs };
}

export function sqlHash(sqls: string[]): string {
  return createHash('sha256').update([`merge logic ${MERGE_LOGIC_VERSION}`, ...sqls].join('\n;\n')).digest('hex').slice(0, 16);
}

const inList = (values: string[]) => (values.length > 0 ? values.map(quoteLiteral).join(', ') : 'NULL');

/** A silver table a fact can follow order by order: dated (so it has a key digest) and keyed by order_id. */
export function isOrderKeyed(table: string): boolean {
  const m = olistDigestModel(table);
  return m !== undefined && hasDigest(m) && keyColumns(m).includes('order_id');
}

export interface SilverTableRef {
  id: string;
  bucket: string;
  schema: Dataset['schema'];
  currentVersionId: number | null;
}

/** Per run: the order ids that changed in one silver table between two versions, computed once. */
export class OrderDiffs {
  private readonly made = new Map<string, Promise<string>>();
  private readonly tables: string[] = [];
  private readonly unions = new Map<string, Promise<{ table: string; orders: number }>>();
  private readonly sources = new Map<string, Promise<string>>();
  private readonly keys = new Map<string, Promise<string>>();
  constructor(
    private readonly ctx: LakeContext,
    private readonly silver: Map<string, SilverTableRef>,
  ) {}

  /** Name of a table of the order ids whose rows in `table` differ between the two versions. */
  diff(table: string, from: number, to: number): Promise<string> {
    const id = `${table}@${from}->${to}`;
    let p = this.made.get(id);
    if (!p) {
      p = this.make(table, from, to);
      this.made.set(id, p);
    }
    return p;
  }

  /**
   * The bronze ingests silver runs merged into the table after version `from` up to `to`, or undefined
   * when anything else (a restore, a compaction) made a version in between.
   */
  private async ingestsBetween(datasetId: string, from: number, to: number): Promise<string[] | undefined> {
    const r = await this.ctx.catalog.pool.query<{ operation: string; ingests: unknown }>(
      `select operation, facets->'silver'->'ingests' as ingests from dataset_versions where dataset_id = $1 and id > $2 and id <= $3 and status = 'committed'`,
      [datasetId, from, to],
    );
    if (r.rows.some((v) => v.operation !== 'overwrite_partitions' || !Array.isArray(v.ingests))) return undefined;
    return r.rows.flatMap((v) => (v.ingests as unknown[]).map(String));
  }

  private async make(table: string, from: number, to: number): Promise<string> {
    const ds = this.silver.get(table)!;
    const name = `${GOLD_DELTA}.${quoteIdent(`diff_${table}_${from}_${to}`)}`;
    const ingests = await this.ingestsBetween(ds.id, from, to);
    const link = DIMENSION_LINKS[table];
    if (link) {
      // A snapshot table: the keys its runs merged (a replaced row shares its key), then the orders naming them.
      if (!ingests || to !== ds.currentVersionId) throw new Error(`silver.${table} changed other than by merging ingests`);
      const files = await fileRefsOfVersion(this.ctx.catalog.db, to);
      const scan = tableScanSql({ paths: await this.ctx.readable(ds.bucket, files.map((f) => f.key)), partitionKeys: ['year', 'month', 'day'], schema: ds.schema });
      const viaTable = this.silver.get(link.via)!;
      const via = await digestOf(this.ctx, viaTable, olistDigestModel(link.via)!, viaTable.currentVersionId!);
      if (!via) throw new Error(`no key digest of silver.${link.via}`);
      await this.ctx.engine.execute(
        `CREATE OR REPLACE TABLE ${name} AS SELECT DISTINCT v.order_id FROM ${via} v
         WHERE v.${quoteIdent(link.column)} IN (SELECT ${quoteIdent(link.key)} FROM (${scan}) WHERE _ingest_id IN (${inList(ingests)}));`,
      );
      this.tables.push(name);
      return name;
    }
    const model = olistDigestModel(table)!;
    if (ingests && to === ds.currentVersionId) {
      // Silver runs only merge: every row they changed (and every row they replaced, which shares its
      // key and so its order) belongs to a row of one of their ingests.
      const after = await this.currentKeys(table);
      await this.ctx.engine.execute(
        `CREATE OR REPLACE TABLE ${name} AS SELECT DISTINCT order_id FROM ${after}
         WHERE _ingest_id IN (${inList(ingests)});`,
      );
      this.tables.push(name);
      return name;
    }
    const [before, after] = await Promise.all([digestOf(this.ctx, ds, model, from), digestOf(this.ctx, ds, model, to)]);
    if (!before || !after) throw new Error(`no key digest of silver.${table}`);
    // A row is the same when its key and its bronze origin are; a row on one side only changed its order.
    // (A NULL in a key matches nothing, so its order counts as changed: recomputing an order is always safe.)
    const same = [...keyColumns(model), '_ingest_id', '_source_row'].map((c) => `a.${quoteIdent(c)} = b.${quoteIdent(c)}`).join(' AND ');
    await this.ctx.engine.execute(
      `CREATE OR REPLACE TABLE ${name} AS SELECT DISTINCT coalesce(a.order_id, b.order_id) AS order_id
       FROM ${before} a FULL OUTER JOIN ${after} b ON ${same}
       WHERE a._ingest_id IS NULL OR b._ingest_id IS NULL;`,
    );
    this.tables.push(name);
    return name;
  }

  /** A table of the union of some diffs' order ids (facts with the same changed inputs share it). */
  changedOrders(diffs: string[]): Promise<{ table: string; orders: number }> {
    const id = [...diffs].sort().join('|');
    let p = this.unions.get(id);
    if (!p) {
      p = (async () => {
        const table = `${GOLD_DELTA}.${quoteIdent(`changed_${this.unions.size}`)}`;
        await this.ctx.engine.execute(`CREATE OR REPLACE TABLE ${table} AS ${diffs.map((d) => `SELECT order_id FROM ${d}`).join(' UNION ')};`);
        this.tables.push(table);
        const counted = await this.ctx.engine.query(`SELECT count(*) FROM ${table}`);
        return { table, orders: Number(counted.rows[0]?.[0] ?? 0) };
      })();
      this.unions.set(id, p);
    }
    return p;
  }

  /** The current version's order ids, origins and partitions of an order-keyed table, read from its digest once per run. */
  private currentKeys(table: string): Promise<string> {
    let p = this.keys.get(table);
    if (!p) {
      p = (async () => {
        const ds = this.silver.get(table)!;
        const digest = await digestOf(this.ctx, ds, olistDigestModel(table)!, ds.currentVersionId!);
        if (!digest) throw new Error(`no key digest of silver.${table}`);
        const name = `${GOLD_DELTA}.${quoteIdent(`keys_${table}`)}`;
        await this.ctx.engine.execute(`CREATE OR REPLACE TABLE ${name} AS SELECT order_id, _ingest_id, year, month, day FROM ${digest};`);
        this.tables.push(name);
        return name;
      })();
      this.keys.set(table, p);
    }
    return p;
  }

  /** The rows of `table` (current version) of the orders in `changed`, reading only the partitions holding them. */
  source(table: string, changed: string): Promise<string> {
    const id = `${table}|${changed}`;
    let p = this.sources.get(id);
    if (!p) {
      p = (async () => {
        const ds = this.silver.get(table)!;
        const keys = await this.currentKeys(table);
        const where = await this.ctx.engine.query(`SELECT DISTINCT year, month, day FROM ${keys} WHERE order_id IN (SELECT order_id FROM ${changed})`);
        const wanted = new Set(where.rows.map((r) => dayId({ year: r[0], month: r[1], day: r[2] })));
        // The version this run started from, even if a silver run commits meanwhile.
        const files = (await fileRefsOfVersion(this.ctx.catalog.db, ds.currentVersionId!)).filter((f) => wanted.has(dayId(f.partition)));
        const scan = tableScanSql({ paths: await this.ctx.readable(ds.bucket, files.map((f) => f.key)), partitionKeys: ['year', 'month', 'day'], schema: ds.schema });
        return `(SELECT * FROM (${scan}) WHERE order_id IN (SELECT order_id FROM ${changed}))`;
      })();
      this.sources.set(id, p);
    }
    return p;
  }

  async drop() {
    if (this.tables.length > 0) await this.ctx.engine.execute(this.tables.map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n'));
  }
}

export interface FactIncrement {
  /** Table of the order ids whose fact rows are replaced. */
  changed: string;
  /** Each order-keyed silver table the model reads, as only its rows of those orders. */
  sources: Map<string, string>;
  /** The fact's current files. */
  files: FileRef[];
  /** Number of orders replaced (for the log). */
  orders: number;
  /** Merges in a row this version makes (recorded in its facets). */
  merges: number;
}

/** What a fact's current version was made from (its own facets, not the dataset's: a restore changes the files). */
export interface FactBase {
  versionId: number;
  operation: string;
  inputs: string | undefined;
  merges: number;
}

/** What a fact needs to be brought up to date by orders: the silver changes to follow, the order-keyed tables it reads. */
export interface FactPlan {
  model: GoldModel;
  base: FactBase;
  diffs: { table: string; from: number; to: number }[];
  orderTables: string[];
}

/**
 * Whether a fact can be brought up to date by orders, or must be rebuilt whole: its current version
 * was not built by this job (a restore, a compaction, another engine), its SQL changed, it was merged
 * many times in a row, or a table it reads changed in a way orders cannot follow.
 */
export function planFact(model: GoldModel, base: FactBase | undefined, current: string, reads: Set<string>, silver: Map<string, SilverTableRef>): FactPlan | undefined {
  if (model.kind !== 'fact' || !base || !['overwrite', 'merge'].includes(base.operation) || base.merges >= MAX_MERGES) return undefined;
  const before = parseFingerprint(base.inputs);
  const now = parseFingerprint(current);
  if (!before || !now || before.sqlHash !== now.sqlHash) return undefined;
  const changedTables = [...now.inputs].filter(([t, v]) => before.inputs.get(t) !== v).map(([t]) => t);
  if (changedTables.length === 0 || changedTables.some((t) => !(isOrderKeyed(t) || DIMENSION_LINKS[t]) || !before.inputs.get(t))) return undefined;
  const orderTables = [...reads].filter(isOrderKeyed);
  if (orderTables.some((t) => !silver.get(t)?.currentVersionId)) return undefined;
  if (changedTables.some((t) => DIMENSION_LINKS[t] && !silver.get(DIMENSION_LINKS[t]!.via)?.currentVersionId)) return undefined;
  return { model, base, diffs: changedTables.map((t) => ({ table: t, from: before.inputs.get(t)!, to: now.inputs.get(t)! })), orderTables };
}

/**
 * The increments of several facts, sharing one set of changed orders — the union of every fact's
 * changes (recomputing an order that did not change for one fact yields its same rows) — and one slice
 * per silver table. Facts whose plan fails are left out (rebuilt whole), with a warning.
 */
export async function factIncrements(ctx: LakeContext, plans: FactPlan[], diffs: OrderDiffs): Promise<Map<string, FactIncrement>> {
  const out = new Map<string, FactIncrement>();
  if (plans.length === 0) return out;
  try {
    const specs = new Map(plans.flatMap((p) => p.diffs).map((d) => [`${d.table}@${d.from}->${d.to}`, d]));
    const parts = await Promise.all([...specs.values()].map((d) => diffs.diff(d.table, d.from, d.to)));
    const changed = await diffs.changedOrders(parts);
    const tables = [...new Set(plans.flatMap((p) => p.orderTables))];
    const sources = new Map<string, string>();
    await forEachLimited(tables, 2, async (t) => {
      sources.set(t, await diffs.source(t, changed.table));
    });
    for (const p of plans) {
      out.set(p.model.name, {
        changed: changed.table,
        sources: new Map(p.orderTables.map((t) => [t, sources.get(t)!])),
        files: await fileRefsOfVersion(ctx.catalog.db, p.base.versionId),
        orders: changed.orders,
        merges: p.base.merges + 1,
      });
    }
  } catch (e) {
    ctx.log.warn(`gold: facts rebuilt whole, the incremental plan failed`, { error: e instanceof Error ? e.message : String(e) });
    out.clear();
  }
  return out;
}

/**
 * Write the fact's new files into `dir` — the model's rows for the changed orders (`deltaSql`: the model
 * bound to the increment's sources), and the old files that held some of those orders, without them —
 * and return the files kept as they are, and every file the new version reads (for the `gold_next` view).
 */
export async function writeFactIncrement(
  ctx: LakeContext,
  inc: FactIncrement,
  deltaSql: string,
  dir: string,
  bucket: string,
): Promise<{ keptFileIds: number[]; readPaths: string[] }> {
  fs.mkdirSync(dir, { recursive: true });
  const oldPaths = await ctx.readable(bucket, inc.files.map((f) => f.key));
  const byPath = new Map(oldPaths.map((p, i) => [p, inc.files[i]!]));
  let touched: string[];
  if (inc.files.length + 2 > MAX_FACT_FILES) {
    touched = oldPaths;
  } else {
    const hit = await ctx.engine.query(
      `SELECT DISTINCT filename FROM read_parquet([${oldPaths.map(quoteLiteral).join(', ')}], filename = true) WHERE order_id IN (SELECT order_id FROM ${inc.changed})`,
    );
    touched = hit.rows.map((r) => String(r[0]));
  }
  const touchedSet = new Set(touched);
  if (touched.length > 0) {
    await ctx.engine.execute(
      `COPY (SELECT * FROM read_parquet([${touched.map(quoteLiteral).join(', ')}]) ANTI JOIN ${inc.changed} USING (order_id)) TO ${quoteLiteral(path.join(dir, 'part-kept.parquet'))} (FORMAT parquet, COMPRESSION zstd)`,
      { timeoutMs: 60 * 60_000 },
    );
  }
  // No order changed (say, a new customer nobody ordered yet): the version keeps the fact's files as they are.
  if (inc.orders > 0) {
    await ctx.engine.execute(`COPY (${deltaSql}) TO ${quoteLiteral(path.join(dir, 'part-delta.parquet'))} (FORMAT parquet, COMPRESSION zstd)`, { timeoutMs: 60 * 60_000 });
  }
  const kept = oldPaths.filter((p) => !touchedSet.has(p));
  const written = fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).map((f) => path.join(dir, f));
  return { keptFileIds: kept.map((p) => byPath.get(p)!.id), readPaths: [...kept, ...written] };
}
