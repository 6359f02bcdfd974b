/**
 * The baseline the card named: parquetjs-lite writing the same rows (every column as UTF8 text, as
 * bronze keeps them). Rows are read first, so only the write is timed — a generous baseline.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { quoteLiteral } from '../lib/catalog/identifiers';
import type { LakeContext } from '../lib/lake/context';

const require = createRequire(import.meta.url);

export async function parquetjsBaseline(ctx: LakeContext, csvPath: string, outPath: string) {
  const parquet = require('parquetjs-lite') as {
    ParquetSchema: new (s: Record<string, { type: string; optional?: boolean }>) => unknown;
    ParquetWriter: { openFile(schema: unknown, path: string): Promise<{ appendRow(r: Record<string, string | null>): Promise<void>; close(): Promise<void> }> };
  };
  const r = await ctx.engine.query(`SELECT * FROM read_csv(${quoteLiteral(csvPath)}, header = true, all_varchar = true)`);
  const cols = r.columns.map((c) => c.name);
  const schema = new parquet.ParquetSchema(Object.fromEntries(cols.map((c) => [c, { type: 'UTF8', optional: true }])));
  fs.rmSync(outPath, { force: true });
  const t0 = performance.now();
  const writer = await parquet.ParquetWriter.openFile(schema, outPath);
  for (const row of r.rows) {
    const rec: Record<string, string | null> = {};
    for (let i = 0; i < cols.length; i++) rec[cols[i]!] = row[i] === null ? null : String(row[i]);
    await writer.appendRow(rec);
  }
  await writer.close();
  const ms = performance.now() - t0;
  const bronzeBytes = Number((await ctx.catalog.pool.query(`select bytes from files f join datasets d on d.id = f.dataset_id where d.layer = 'bronze' and d.name = 'orders' order by f.id limit 1`)).rows[0]?.bytes ?? 0);
  return { rowsPerSec: r.rows.length / (ms / 1000), bytes: fs.statSync(outPath).size, ourBytes: bronzeBytes };
}
