/**
 * Asserts that a manifest tells the truth about the files next to it, by recomputing everything from the
 * files (recompute.ts) and comparing: counts, reasons, positions, gold totals, orphans.
 */
import { expect } from 'vitest';
import { CONTRACTS } from '../contracts';
import type { Manifest } from '../generator';
import { recomputeFromFiles, type Recomputed } from './recompute';

export async function expectManifestMatchesFiles(manifest: Manifest, dir: string): Promise<Recomputed> {
  const recomputed = await recomputeFromFiles(dir);
  for (const contract of CONTRACTS) {
    const t = contract.table;
    const m = manifest.tables[t];
    const r = recomputed.tables[t];
    expect(r.file, t).toBe(m.file);
    expect(r.rows, t).toBe(m.rows);
    expect(r.silverRows, `${t} silver rows`).toBe(m.expected.silverRows);
    expect(r.quarantinedByReason, `${t} quarantine`).toEqual(m.expected.quarantined.byReason);
    expect(r.duplicatesRemoved, `${t} duplicates`).toBe(m.expected.duplicatesRemoved);
    expect(r.nulledValues, `${t} nulled`).toEqual(m.expected.nulledValues);
    expect(m.expected.silverRows + m.expected.quarantined.total + m.expected.duplicatesRemoved, t).toBe(m.rows);
    // Row by row: the quarantined rows are exactly those the manifest lists, and so are the replaced ones.
    const listed = (effect: string, pick: 'rows' | 'sourceRows') =>
      m.dirt.filter((d) => d.effect === effect).flatMap((d) => d[pick] ?? []).sort((a, b) => a - b);
    expect(r.quarantinedRows, `${t} quarantined rows`).toEqual(listed('quarantined', 'rows'));
    expect(r.removedRows, `${t} replaced rows`).toEqual(listed('supersedes_earlier', 'sourceRows'));
  }
  const { gold } = manifest;
  expect(recomputed.gold).toEqual({
    orders: gold.orders,
    orderItems: gold.orderItems,
    payments: gold.payments,
    reviews: gold.reviews,
    customers: gold.customers,
    uniqueCustomers: gold.uniqueCustomers,
    priceCents: gold.priceCents,
    freightCents: gold.freightCents,
    paymentCents: gold.paymentCents,
  });
  expect(recomputed.orphans).toEqual(manifest.orphans);
  return recomputed;
}
