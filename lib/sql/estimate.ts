/**
 * The scan estimate shown before a query runs, and the bill beside the real figure after: the same
 * for the console and `keystone query`. Athena has no dry run, so the estimate comes from the
 * catalog's file statistics (lib/engine/cost); DuckDB reports no bytes scanned, so there the estimate
 * says what the same query would scan and cost on Athena.
 */
import { readScanStats } from '../catalog/scan-stats';
import type { Catalog } from '../catalog/database';
import type { KeystoneConfig } from '../config';
import { athenaPrice, estimateAthenaCost } from '../engine/cost';

export interface ScanEstimate {
  bytes: number;
  billedBytes: number;
  dollars: number;
  /** Tables without statistics: the estimate is low by their size. */
  unknownTables: string[];
  /** How the estimate was made (partition pruning used, columns read, names resolved). */
  notes: string[];
}

export interface ScanBill {
  bytesScanned: number;
  billedBytes: number;
  dollars: number;
}

export async function estimateScan(catalog: Catalog, config: Pick<KeystoneConfig, 'engine'> | undefined, sql: string): Promise<ScanEstimate> {
  const database = config?.engine.kind === 'athena' ? config.engine.database : undefined;
  const e = estimateAthenaCost(sql, await readScanStats(catalog, database));
  const notes = [...e.assumptions.slice(1), ...e.tables.map((t) => `${t.name}: ${t.files} of ${t.filesTotal} files${t.prunedBy.length ? ` (pruned by ${t.prunedBy.join(', ')})` : ''}`)];
  return { bytes: e.bytes, billedBytes: e.billedBytes, dollars: e.dollars, unknownTables: e.unknownTables, notes };
}

export function billFor(bytesScanned: number): ScanBill {
  return { bytesScanned, ...athenaPrice(bytesScanned) };
}

/** `12.4 MB scanned, billed 13 MB: $0.000062` — one line for a terminal or a tooltip. */
export function describeScan(bytes: number, billedBytes: number, dollars: number): string {
  return `${formatBytes(bytes)} (billed ${formatBytes(billedBytes)}, $${dollars.toFixed(6)})`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
