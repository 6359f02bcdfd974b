/**
 * What an Athena query will cost, before it runs. Athena has no dry run, so we estimate the bytes
 * it will scan from the catalog's file statistics — honouring the partition filters of the WHERE
 * clause and, when per-column sizes are known, the columns the query mentions — and price them:
 * $5 per TB scanned, rounded up to the next MB, with a 10 MB minimum per query.
 *
 * Pure: SQL and statistics in, an estimate out. When unsure, it estimates high (it reads a table
 * whole rather than guess a filter away); the only way it can come out low is a table it has no
 * statistics for, and those are listed in `unknownTables` and in the assumptions.
 * The SQL inspection's limits are in inspect.ts and docs/athena.md.
 */
import { inspectSql, type ColumnFilter, type Literal, type TableReference } from './inspect';

/** One data file of a table, as the catalog records it. */
export interface FileStats {
  bytes: number;
  /** Hive partition values, e.g. { year: '2017', month: '11', day: '24' }; absent or {} when unpartitioned. */
  partition?: Readonly<Record<string, string>> | undefined;
  /** Bytes of each column's data in the file (Parquet column chunks), when known. */
  columnBytes?: Readonly<Record<string, number>> | undefined;
}

/** Table name as the SQL names it ('silver.orders') → its files. */
export type TableFiles = Readonly<Record<string, readonly FileStats[]>>;

export interface AthenaPricing {
  dollarsPerTB: number;
  /** Bytes in the TB of the price. AWS bills in binary units: 2^40. */
  bytesPerTB: number;
  /** Scans are rounded up to a multiple of this (1 MB = 2^20 bytes)… */
  roundUpBytes: number;
  /** …and billed at least this much per query (10 MB). */
  minimumBytes: number;
}

const MB = 2 ** 20;
export const ATHENA_PRICING: AthenaPricing = { dollarsPerTB: 5, bytesPerTB: 2 ** 40, roundUpBytes: MB, minimumBytes: 10 * MB };

export interface TableEstimate {
  /** The statistics' name for the table (the key of `TableFiles`). */
  name: string;
  alias?: string;
  /** Files read after pruning, and in all. */
  files: number;
  filesTotal: number;
  /** Bytes read after pruning (times `evaluations`), and the table's size. */
  bytes: number;
  bytesTotal: number;
  /** What cut the scan down: the WHERE conjuncts used, and the column projection. Empty: read whole. */
  prunedBy: string[];
  /** How many times the query reads this reference (1, or more inside a WITH query used several times). */
  evaluations: number;
}

export interface CostEstimate {
  /** Bytes the query is expected to scan. */
  bytes: number;
  /** Bytes Athena would bill: rounded up to the MB, at least the minimum (0 for DDL). */
  billedBytes: number;
  /** Dollars, rounded up to the millionth. */
  dollars: number;
  tables: TableEstimate[];
  /** Tables the SQL reads that have no statistics: their bytes are missing from the estimate. */
  unknownTables: string[];
  assumptions: string[];
}

export function estimateAthenaCost(sql: string, tables: TableFiles, pricing: AthenaPricing = ATHENA_PRICING): CostEstimate {
  const inspection = inspectSql(sql);
  const assumptions = [
    `Athena bills $${pricing.dollarsPerTB} per TB (${pricing.bytesPerTB} bytes) scanned, rounded up to ${pricing.roundUpBytes} bytes, at least ${pricing.minimumBytes} bytes per query.`,
  ];
  if (inspection.ddl) {
    assumptions.push('DDL, SHOW and DESCRIBE statements scan no data and are not billed.');
    return { bytes: 0, billedBytes: 0, dollars: 0, tables: [], unknownTables: [], assumptions };
  }
  assumptions.push(...inspection.notes);

  const resolved = inspection.tables.map((ref) => ({ ref, key: resolve(ref, tables, assumptions) }));
  const unknownTables = [...new Set(resolved.filter((r) => r.key === undefined).map((r) => r.ref.parts.join('.')))];
  for (const name of unknownTables) {
    assumptions.push(`No statistics for ${name}: its bytes are not in the estimate, so the estimate is low by that much.`);
  }

  const estimates: TableEstimate[] = [];
  const noColumnSizes = new Set<string>();
  for (const { ref, key } of resolved) {
    if (key === undefined) continue;
    const files = tables[key]!;
    const partitionColumns = new Set(files.flatMap((f) => Object.keys(f.partition ?? {}).map((k) => k.toLowerCase())));
    // Filters that name this reference's partition columns, in its own query level and branch.
    const peers = resolved.filter((r) => r.ref.scope === ref.scope && r.ref.branch === ref.branch && r.key !== undefined);
    const applicable = inspection.filters.filter(
      (f) =>
        f.scope === ref.scope &&
        f.branch === ref.branch &&
        partitionColumns.has(f.column) &&
        (f.qualifier !== undefined
          ? namesReference(f.qualifier, ref, key)
          : // Unqualified: it can only be this table's column if no other table here has a partition column of that name.
            peers.filter((p) => partitionColumnsOf(tables[p.key!]!).has(f.column)).length === 1),
    );
    const read = files.filter((file) => applicable.every((f) => keeps(file, f)));

    const star =
      inspection.starLevels.has(`${ref.scope}:${ref.branch}`) ||
      inspection.starQualifiers.has(ref.alias ?? ref.parts[ref.parts.length - 1]!);
    const known = new Set(files.flatMap((f) => Object.keys(f.columnBytes ?? {}).map((c) => c.toLowerCase())));
    const columns = star || known.size === 0 ? undefined : [...known].filter((c) => inspection.names.has(c)).sort();
    if (!star && files.some((f) => f.columnBytes === undefined)) noColumnSizes.add(key);

    const once = read.reduce((sum, f) => sum + bytesRead(f, columns), 0);
    const prunedBy = [...new Set(applicable.map((f) => f.text))];
    if (columns !== undefined) prunedBy.push(columns.length > 0 ? `columns ${columns.join(', ')} of ${known.size}` : `no columns of ${known.size} (file metadata only)`);
    estimates.push({
      name: key,
      ...(ref.alias !== undefined ? { alias: ref.alias } : {}),
      files: read.length,
      filesTotal: files.length,
      bytes: once * ref.times,
      bytesTotal: files.reduce((sum, f) => sum + f.bytes, 0),
      prunedBy,
      evaluations: ref.times,
    });
  }
  for (const key of noColumnSizes) assumptions.push(`Some files of ${key} have no per-column sizes: those files count whole.`);

  const bytes = estimates.reduce((sum, t) => sum + t.bytes, 0);
  const { billedBytes, dollars } = athenaPrice(bytes, pricing);
  return { bytes, billedBytes, dollars, tables: estimates, unknownTables, assumptions };
}

/** The bill for a scan of `bytes` (also for the real figure after a query ran). */
export function athenaPrice(bytes: number, pricing: AthenaPricing = ATHENA_PRICING): { billedBytes: number; dollars: number } {
  const billedBytes = Math.max(pricing.minimumBytes, Math.ceil(bytes / pricing.roundUpBytes) * pricing.roundUpBytes);
  const dollars = (billedBytes / pricing.bytesPerTB) * pricing.dollarsPerTB;
  // Rounded up to the millionth; the epsilon keeps 0.0000480000000001 (float noise) from becoming 0.000049.
  return { billedBytes, dollars: Math.ceil(dollars * 1e6 - 1e-6) / 1e6 };
}

/**
 * The statistics key a reference names: the same dotted name, or one ending in it / it ending in
 * the key (`awsdatacatalog.silver.orders` ↔ `silver.orders`, `orders` ↔ `silver.orders`). When
 * several keys fit, the largest table is taken (never under-estimate) and that is said.
 */
function resolve(ref: TableReference, tables: TableFiles, assumptions: string[]): string | undefined {
  const name = ref.parts.join('.');
  const keys = Object.keys(tables);
  const exact = keys.find((k) => k.toLowerCase() === name);
  if (exact !== undefined) return exact;
  const fits = keys.filter((k) => {
    const kp = k.toLowerCase().split('.');
    const [shorter, longer] = kp.length <= ref.parts.length ? [kp, ref.parts] : [ref.parts, kp];
    return shorter.every((p, i) => p === longer[longer.length - shorter.length + i]);
  });
  if (fits.length <= 1) return fits[0];
  const size = (k: string) => tables[k]!.reduce((s, f) => s + f.bytes, 0);
  const largest = fits.reduce((a, b) => (size(b) > size(a) ? b : a));
  assumptions.push(`${name} could be ${fits.join(' or ')}; the estimate takes the largest, ${largest}.`);
  return largest;
}

function namesReference(qualifier: string, ref: TableReference, key: string): boolean {
  if (ref.alias !== undefined) return qualifier === ref.alias; // with an alias, only the alias names it
  const name = ref.parts.join('.');
  return qualifier === name || name.endsWith(`.${qualifier}`) || key.toLowerCase() === qualifier || key.toLowerCase().endsWith(`.${qualifier}`);
}

function partitionColumnsOf(files: readonly FileStats[]): Set<string> {
  return new Set(files.flatMap((f) => Object.keys(f.partition ?? {}).map((k) => k.toLowerCase())));
}

/** Does a file survive the filter? A file without a value for the column is kept. */
function keeps(file: FileStats, filter: ColumnFilter): boolean {
  const entry = Object.entries(file.partition ?? {}).find(([k]) => k.toLowerCase() === filter.column);
  if (entry === undefined) return true;
  const value = entry[1];
  const v = filter.values;
  switch (filter.op) {
    case '=':
      return equal(value, v[0]!);
    case 'in':
      return v.some((lit) => equal(value, lit));
    case 'between':
      return inOrder(v[0]!, value, v[1]!);
    case '<':
      return compare(value, v[0]!, (c) => c < 0);
    case '<=':
      return compare(value, v[0]!, (c) => c <= 0);
    case '>':
      return compare(value, v[0]!, (c) => c > 0);
    case '>=':
      return compare(value, v[0]!, (c) => c >= 0);
  }
}

/**
 * Partition values are text in the catalog, but the table may declare the column a string
 * ('01' ≠ '1') or an integer (01 = 1). Not knowing which, a file is kept when either reading keeps it.
 */
function equal(value: string, lit: Literal): boolean {
  return value === lit.text || (numeric(value) && numeric(lit.text) && Number(value) === Number(lit.text));
}

function compare(value: string, lit: Literal, ok: (c: number) => boolean): boolean {
  const asText = value < lit.text ? -1 : value > lit.text ? 1 : 0;
  if (ok(asText)) return true;
  return numeric(value) && numeric(lit.text) && ok(Math.sign(Number(value) - Number(lit.text)));
}

function inOrder(lo: Literal, value: string, hi: Literal): boolean {
  if (lo.text <= value && value <= hi.text) return true;
  return numeric(value) && numeric(lo.text) && numeric(hi.text) && Number(lo.text) <= Number(value) && Number(value) <= Number(hi.text);
}

function numeric(s: string): boolean {
  return /^-?\d+(\.\d+)?$/.test(s.trim());
}

/** A file's bytes, or — with per-column sizes and a known column list — its overhead plus those columns'. */
function bytesRead(file: FileStats, columns: string[] | undefined): number {
  if (columns === undefined || file.columnBytes === undefined) return file.bytes;
  const sizes = new Map(Object.entries(file.columnBytes).map(([k, v]) => [k.toLowerCase(), v]));
  const all = [...sizes.values()].reduce((a, b) => a + b, 0);
  const overhead = Math.max(0, file.bytes - all); // footer, page indexes: read whatever the columns
  return overhead + columns.reduce((sum, c) => sum + (sizes.get(c) ?? 0), 0);
}
