import { describe, expect, it } from 'vitest';
import { GOLD_MODELS } from '../gold/models';
import { CONTRACTS } from '../../olist/contracts';
import { days, fixtureState } from './fixture';
import { GOLD_OVERRIDES, applyOverride } from './overrides';
import { MAX_PARTITIONS_PER_STATEMENT, athenaDdl, athenaGoldSql, formatStatements, goldVersions, planAthenaRun, splitPartitions } from './statements';

const ddlState = {
  database: 'keystone',
  buckets: { bronze: 'olist-data-lake-bronze', silver: 'olist-data-lake-silver', gold: 'olist-data-lake-gold' },
  gold: goldVersions(),
};

describe('the 100-partition split', () => {
  it('250 partitions → 3 statements covering each partition exactly once, in order', () => {
    const parts = days('2017-01-01', 250);
    const chunks = splitPartitions([...parts].reverse());
    expect(chunks.map((c) => c.partitions.length)).toEqual([100, 100, 50]);
    const seen = chunks.flatMap((c) => c.partitions.map((p) => `${p.year}${p.month}${p.day}`));
    expect(new Set(seen).size).toBe(250);
    expect(seen).toEqual(parts.map((p) => `${p.year}${p.month}${p.day}`));
    // The BETWEEN ranges are disjoint and each holds exactly its chunk.
    for (const p of seen) expect(chunks.filter((c) => c.from <= p && p <= c.to)).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ from: '20170101', to: '20170410' });
  });

  it('edge sizes: none, exactly 100, 101; duplicates collapse', () => {
    expect(splitPartitions([])).toEqual([]);
    expect(splitPartitions(days('2018-01-01', 100))).toHaveLength(1);
    expect(splitPartitions(days('2018-01-01', 101)).map((c) => c.partitions.length)).toEqual([100, 1]);
    expect(splitPartitions([...days('2018-01-01', 3), ...days('2018-01-01', 3)])[0]!.partitions).toHaveLength(3);
    expect(() => splitPartitions(days('2018-01-01', 3), 0)).toThrow();
  });

  it('a run writes the 250-day backfill of orders as one CTAS and two INSERT INTO', () => {
    const plan = planAthenaRun('silver', fixtureState());
    const writes = plan.filter((s) => s.step.startsWith('silver.orders: write partitions'));
    expect(writes.map((w) => w.sql.split('\n')[0]!.split(' ').slice(0, 2).join(' '))).toEqual(['CREATE TABLE', 'INSERT INTO', 'INSERT INTO']);
    expect(writes.map((w) => w.step)).toEqual([
      'silver.orders: write partitions 1–100 of 250 (20170101..20170410)',
      'silver.orders: write partitions 101–200 of 250 (20170411..20170719)',
      'silver.orders: write partitions 201–250 of 250 (20170720..20170907)',
    ]);
    expect(MAX_PARTITIONS_PER_STATEMENT).toBe(100);
  });
});

describe('the plan', () => {
  it('is deterministic', () => {
    expect(formatStatements(planAthenaRun('all', fixtureState()))).toBe(formatStatements(planAthenaRun('all', fixtureState())));
  });

  it('starts with the database; bronze registers every version, silver only the pending ones', () => {
    const all = planAthenaRun('all', fixtureState());
    expect(all[0]!.sql).toBe('CREATE DATABASE IF NOT EXISTS `keystone`');
    const silver = planAthenaRun('silver', fixtureState());
    const reg = silver.find((s) => s.step.startsWith('bronze.orders: register'))!;
    expect(reg.sql).toContain("'000002'");
    expect(reg.sql).not.toContain("'000001'");
    expect(planAthenaRun('bronze', fixtureState()).some((s) => s.step.startsWith('silver'))).toBe(false);
  });

  it('writes silver with the lookup table last and quarantines before dedup', () => {
    const steps = planAthenaRun('silver', fixtureState()).map((s) => s.step);
    const firstOf = (t: string) => steps.findIndex((s) => s.startsWith(`silver.${t}:`));
    expect(firstOf('order_payments')).toBeGreaterThan(firstOf('orders'));
    expect(steps.indexOf('silver.orders: quarantine')).toBeLessThan(steps.indexOf('silver.orders: latest row per key'));
  });

  it('builds gold in dependency order: a model reads only earlier models of the run', () => {
    const built: string[] = [];
    for (const m of GOLD_MODELS) {
      for (const ref of m.sql.matchAll(/gold_next\.([a-z_]+)/g)) expect(built, `${m.name} reads ${ref[1]}`).toContain(ref[1]);
      built.push(m.name);
    }
    const steps = planAthenaRun('gold', fixtureState()).map((s) => s.step);
    expect(steps.findIndex((s) => s.endsWith(': publish'))).toBeGreaterThan(steps.findIndex((s) => s === 'gold.mart_payment_mix: build version 000001'));
  });

  it('gold alone registers silver at its current version; nothing pending writes no silver', () => {
    const state = fixtureState();
    state.bronze.customers = { versions: ['000001'], pending: [] };
    state.silver.customers = { version: '000004', current: '000003', quarantineVersion: '000009', partitions: days('2026-01-05', 1) };
    const gold = planAthenaRun('gold', state);
    expect(gold.find((s) => s.step === 'silver.customers: table')!.sql).toContain('/customers/_v/000003/year=${year}');
    const all = planAthenaRun('all', state);
    expect(all.some((s) => s.step.startsWith('silver.customers: judge'))).toBe(false);
    expect(all.filter((s) => s.step === 'silver.orders: table')).toHaveLength(1);
  });

  it('a first load, with no partition known yet, shows the write with run-time bounds', () => {
    const state = fixtureState();
    state.silver.sellers = { version: '000001', current: null, quarantineVersion: '000001', partitions: [] };
    const plan = planAthenaRun('silver', state).filter((s) => s.step.startsWith('silver.sellers'));
    const writes = plan.filter((s) => s.step.startsWith('silver.sellers: write partitions'));
    expect(writes).toHaveLength(1);
    expect(writes[0]!.sql).toContain('BETWEEN :from AND :to');
    expect(plan.find((s) => s.step === 'silver.sellers: latest row per key')!.sql).not.toContain('UNION ALL');
  });

  it('translates every gold model; the four overrides still match their models', () => {
    for (const m of GOLD_MODELS) expect(() => athenaGoldSql(m, ddlState), m.name).not.toThrow();
    for (const o of GOLD_OVERRIDES) expect(applyOverride(o.model, GOLD_MODELS.find((m) => m.name === o.model)!.sql)).not.toBe(GOLD_MODELS.find((m) => m.name === o.model)!.sql);
    expect(() => applyOverride('dim_date', 'SELECT 1')).toThrow(/no longer matches/);
  });

  it('sends nothing DuckDB-only', () => {
    const text = formatStatements(planAthenaRun('all', fixtureState())).replace(/'(?:[^']|'')*'/g, "''");
    expect(text).not.toMatch(/read_parquet|EXCLUDE|QUALIFY|generate_series|strftime|regexp_full_match|strip_accents|\bmode\(|::|COPY \(/);
  });
});

describe('snapshots', () => {
  it('keystone athena ddl', async () => {
    expect(athenaDdl(ddlState)).toHaveLength(1 + CONTRACTS.length * 2 + 1 + GOLD_MODELS.length * 2);
    await expect(formatStatements(athenaDdl(ddlState))).toMatchFileSnapshot('./__snapshots__/athena-ddl.sql');
  });

  it('keystone run all --dry-run (Athena)', async () => {
    await expect(formatStatements(planAthenaRun('all', fixtureState()))).toMatchFileSnapshot('./__snapshots__/dry-run-all.sql');
  });
});
