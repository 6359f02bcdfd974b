/** Open the lake for one CLI command and always close it (the embedded Postgres too, if we started it). */
import { loadConfig } from '../lib/config';
import { closeDuckDB } from '../lib/engine/duckdb/engine';
import { openLake, type LakeContext } from '../lib/lake/context';
import { createLogger } from '../lib/logger';

export async function withLake<T>(fn: (ctx: LakeContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const log = createLogger({}, (line) => process.stderr.write(line + '\n'));
  const ctx = await openLake(config, { log: process.env.KEYSTONE_LOG_LEVEL === 'debug' ? log : createLogger({}, () => undefined) });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
    await closeDuckDB();
  }
}
