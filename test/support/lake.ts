/** A fresh lake for one test file: its own data dir and its own catalog database. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { openLake, type LakeContext } from '../../lib/lake/context';
import { createLogger } from '../../lib/logger';
import { syncLakeViews } from '../../lib/lake/views';
import { createTestDatabase, type TestDatabase } from './databases';

export interface TestLake {
  ctx: LakeContext;
  dataDir: string;
  db: TestDatabase;
  /** Run SQL over the lake's current versions and return plain rows. */
  sql(query: string): Promise<unknown[][]>;
  close(): Promise<void>;
}

export async function createTestLake(env: Record<string, string> = {}): Promise<TestLake> {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-lake-'));
  const ctx = await openLake(loadConfig({ DATABASE_URL: db.url, KEYSTONE_DATA_DIR: dataDir, ...env }), { log: createLogger({}, () => undefined) });
  return {
    ctx,
    dataDir,
    db,
    async sql(query) {
      await syncLakeViews(ctx.catalog, ctx.storage, ctx.engine, ctx.readable);
      return (await ctx.engine.query(query, { timeoutMs: 120_000 })).rows;
    },
    async close() {
      await ctx.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
