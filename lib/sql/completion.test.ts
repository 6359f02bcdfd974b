import { describe, expect, it } from 'vitest';
import type { LakeTable } from '../lake/views';
import { catalogVersion, completionSchema } from './completion';

function lake(n: number, version = 1): LakeTable[] {
  return Array.from({ length: n }, (_, i) => ({
    layer: (['bronze', 'silver', 'gold'] as const)[i % 3]!,
    name: `table_${i}`,
    versionId: version * 1000 + i,
    partitionKeys: i % 3 === 1 ? ['year', 'month', 'day'] : [],
    schema: Array.from({ length: 25 }, (_, c) => ({ name: `column_${c}`, type: c % 2 ? 'BIGINT' : 'VARCHAR', nullable: true })),
    paths: [],
  }));
}

describe('autocomplete schema', () => {
  it('lists every table with its columns and partition keys, sorted', () => {
    const s = completionSchema(lake(3));
    expect(s.tables.map((t) => `${t.schema}.${t.name}`)).toEqual(['bronze.table_0', 'gold.table_2', 'silver.table_1']);
    const silver = s.tables.find((t) => t.schema === 'silver')!;
    expect(silver.columns.slice(-3).map((c) => c.name)).toEqual(['year', 'month', 'day']);
    expect(silver.columns[1]).toEqual({ name: 'column_1', type: 'BIGINT' });
  });

  it('is built once per catalog version, fast with hundreds of tables', () => {
    const tables = lake(600);
    const t0 = performance.now();
    const first = completionSchema(tables);
    const built = performance.now() - t0;
    expect(built).toBeLessThan(500);
    expect(first.tables.length).toBe(600);
    // Same versions: the very same object, no rebuild.
    expect(completionSchema([...tables].reverse())).toBe(first);
    // A table committed a new version: a new schema and version.
    const moved = tables.map((t, i) => (i === 7 ? { ...t, versionId: t.versionId + 1 } : t));
    const second = completionSchema(moved);
    expect(second).not.toBe(first);
    expect(second.version).not.toBe(first.version);
    expect(catalogVersion(moved)).toBe(second.version);
  });
});
