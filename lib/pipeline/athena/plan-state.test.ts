/**
 * The dry-run reads the real catalog: after an ingest and a silver run, a second ingest is the only
 * pending bronze version, the new silver version is current + 1, and the partitions are the catalog's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLake, type TestLake } from '../../../test/support/lake';
import { runJob } from '../jobs';
import { dryRunText } from './dry-run';
import { readAthenaPlanState } from './plan-state';
import { planAthenaRun } from './statements';

let lake: TestLake;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ks-athena-plan-'));
const HEADER = 'order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date';
const row = (i: number, day: number) => `o${String(i).padStart(31, '0')},c${String(i).padStart(31, '0')},delivered,2018-01-${String(day).padStart(2, '0')} 10:00:00,,,,2018-02-01 00:00:00`;

async function ingest(name: string, lines: string[]) {
  const p = path.join(dir, name);
  fs.writeFileSync(p, [HEADER, ...lines].join('\n') + '\n');
  const r = await runJob(lake.ctx, 'bronze', { files: [{ path: p, displayName: name }] });
  expect(r.status).toBe('succeeded');
}

beforeAll(async () => {
  lake = await createTestLake();
  await ingest('orders-1.csv', [row(1, 1), row(2, 2), row(3, 3)]);
  expect((await runJob(lake.ctx, 'silver')).status).toBe('succeeded');
  await ingest('orders-2.csv', [row(4, 4)]);
}, 180_000);

afterAll(async () => {
  await lake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('readAthenaPlanState', () => {
  it('reads versions, pending ingests and partitions from the catalog', async () => {
    const state = await readAthenaPlanState(lake.ctx.catalog, lake.ctx.config);
    expect(state.bronze.orders).toEqual({ versions: ['000001', '000002'], pending: ['000002'] });
    expect(state.silver.orders).toMatchObject({ version: '000002', current: '000001' });
    expect(state.silver.orders!.partitions.map((p) => `${p.year}${p.month}${p.day}`).sort()).toEqual(['20180101', '20180102', '20180103']);
    expect(state.bronze.customers).toBeUndefined();
    expect(state.gold.dim_date).toBe('000001');
    const steps = planAthenaRun('silver', state).map((s) => s.step);
    expect(steps).toContain('silver.orders: judge 1 bronze version');
    expect(steps).toContain('silver.orders: publish version 000002');
  });

  it('dry-run text says which engine and that nothing was sent', async () => {
    const text = await dryRunText(lake.ctx, 'all');
    expect(text).toMatch(/^-- keystone run all --dry-run: nothing was sent\./);
    expect(text).toContain(lake.ctx.config.engine.kind === 'athena' ? 'Engine athena' : 'Engine duckdb: the embedded run is not planned ahead');
    expect(text).toContain('CREATE DATABASE IF NOT EXISTS');
  });
});
