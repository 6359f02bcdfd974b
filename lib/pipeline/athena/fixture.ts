/**
 * A fixed catalog state for the Athena plan's tests and snapshots: every Olist table ingested twice
 * (one version pending), orders and order items backfilled over 250 days (three statements each),
 * the others small. Versions are given, never made, so the plan is the same on every run.
 */
import { CONTRACTS } from '../../olist/contracts';
import type { TableName } from '../../olist/contract-types';
import { goldVersions, type AthenaPlanState, type Partition } from './statements';

/** `count` consecutive days from `start` (UTC), as year/month/day partitions. */
export function days(start: string, count: number): Partition[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(t0 + i * 86_400_000).toISOString();
    return { year: d.slice(0, 4), month: d.slice(5, 7), day: d.slice(8, 10) };
  });
}

const BIG: readonly TableName[] = ['orders', 'order_items'];

export function fixtureState(): AthenaPlanState {
  const bronze: AthenaPlanState['bronze'] = {};
  const silver: AthenaPlanState['silver'] = {};
  CONTRACTS.forEach((c, i) => {
    bronze[c.table] = { versions: ['000001', '000002'], pending: ['000002'] };
    silver[c.table] = {
      version: '000002',
      current: '000001',
      quarantineVersion: String(i + 2).padStart(6, '0'),
      partitions: BIG.includes(c.table) ? days('2017-01-01', 250) : days('2026-11-20', 2),
    };
  });
  return {
    database: 'keystone',
    buckets: { bronze: 'olist-data-lake-bronze', silver: 'olist-data-lake-silver', gold: 'olist-data-lake-gold' },
    runId: 'run-fixture-0001',
    bronze,
    silver,
    gold: goldVersions({}),
  };
}
