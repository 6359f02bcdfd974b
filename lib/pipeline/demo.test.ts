import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLake, type TestLake } from '../../test/support/lake';
import { lakeIsEmpty, loadDemo } from './demo';

let lake: TestLake;
beforeAll(async () => {
  lake = await createTestLake();
});
afterAll(async () => {
  await lake?.close();
});

describe('the first-start demo', { timeout: 300_000 }, () => {
  it('fills an empty lake through every layer and says what it does', async () => {
    expect(await lakeIsEmpty(lake.ctx)).toBe(true);
    const said: string[] = [];
    const r = await loadDemo(lake.ctx, { scale: 0.005, say: (l) => said.push(l) });
    expect(r.status).toBe('succeeded');
    expect(said[0]).toMatch(/empty lake: generating a demo Olist set \(scale 0\.005\)/);
    expect(said.at(-1)).toMatch(/demo data loaded in [\d.]+ s/);
    expect(said.some((l) => l.startsWith('silver.orders:'))).toBe(true);
    expect(await lakeIsEmpty(lake.ctx)).toBe(false);
    const [[orders, daily]] = (await lake.sql(`SELECT (SELECT count(*) FROM gold.fact_orders), (SELECT count(*) FROM gold.mart_daily_sales)`)) as [[unknown, unknown]];
    expect(Number(orders)).toBeGreaterThan(400);
    expect(Number(daily)).toBeGreaterThan(100);
  });
});
