/**
 * How many rows each file gets, and how many of them are planned dirt.
 *
 * Published volumes are exact INCLUDING dirt: at scale 1.0 every file has exactly its published row count.
 * Extra rows (duplicates, bad copies) take slots out of that count, so the rows that survive to silver —
 * the "logical" rows — are the file's rows minus its extra rows. With dirt turned off they are equal.
 */
import { KeystoneError } from '../../errors';
import { CONTRACTS } from '../contracts';
import type { TableContract, TableName } from '../contract-types';
import { recipesFor, type Recipe } from './recipes';

export const PUBLISHED_UNIQUE_CUSTOMERS = 96_096;

/** A scaled count: rounded, never below one; the 71 translations are a fixed vocabulary and do not scale. */
export function scaledRows(contract: TableContract, scale: number): number {
  if (contract.table === 'category_translation') return contract.publishedRows;
  return Math.max(1, Math.round(contract.publishedRows * scale));
}

export const DEFAULT_BAD_RATE = 0.0005;
export const MAX_BAD_RATE = 0.02;
/** Tables smaller than this get no bad rows: one broken row in a handful is noise, not a test. */
export const MIN_ROWS_FOR_BAD = 20;

export interface TablePlan {
  table: TableName;
  contract: TableContract;
  rows: number;
  /** Rows that survive to silver (rows − extra rows). */
  logicalRows: number;
  picks: readonly (readonly [Recipe, number])[];
}

function plannedCount(recipe: Recipe, rows: number, badRate: number | null): number {
  if (recipe.rate === 'bad') {
    if (badRate === null || rows < MIN_ROWS_FOR_BAD) return 0;
    return Math.max(1, Math.round(rows * badRate));
  }
  return Math.round(rows * recipe.rate);
}

export function planTable(contract: TableContract, scale: number, badRate: number | null): TablePlan {
  const rows = scaledRows(contract, scale);
  const picks = recipesFor(contract)
    .map((r) => [r, plannedCount(r, rows, badRate)] as const)
    .filter(([, n]) => n > 0);
  const extras = picks.filter(([r]) => r.effect !== 'value_nulled').reduce((sum, [, n]) => sum + n, 0);
  const logicalRows = rows - extras;
  const picked = picks.reduce((sum, [, n]) => sum + n, 0);
  // Each picked row derives from its own good row, so there must be a good row for every pick.
  if (picked > logicalRows) {
    throw new KeystoneError('bad_request:olist_generator', `too many bad rows for ${contract.table} at this scale: lower the bad-row rate`);
  }
  return { table: contract.table, contract, rows, logicalRows, picks };
}

export function planAll(scale: number, badRate: number | null): Record<TableName, TablePlan> {
  return Object.fromEntries(CONTRACTS.map((c) => [c.table, planTable(c, scale, badRate)])) as Record<TableName, TablePlan>;
}
