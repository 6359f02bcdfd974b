/**
 * The vocabulary of a source-table contract. Every rule is data, never code, so the same contract drives
 * the TypeScript reference cleanser (cleanse.ts) and, later, generated DuckDB / Athena SQL.
 *
 * How a raw text cell becomes a silver value (the order matters and is the same for every engine):
 *   1. `cleanse` steps run in order on the raw text.
 *   2. An empty string after the steps is NULL, for every column and type.
 *   3. The text is cast to `type`: it must fully match CAST_PATTERNS[type] (and, for dates and timestamps,
 *      name a real calendar instant). No match → "uncastable".
 *   4. Domain checks on the cast value: `accepted` (strings), `pattern` (strings), `range` (numbers).
 *      A failure → "out_of_domain".
 *   5. A required column that is NULL, uncastable or out of domain quarantines the whole row; an optional
 *      one becomes NULL and the row is kept (counted as a nulled value).
 */
import type { QuarantineReason } from './silver-rules';

export type { QuarantineReason };

export type TableName =
  | 'customers'
  | 'geolocation'
  | 'order_items'
  | 'order_payments'
  | 'order_reviews'
  | 'orders'
  | 'products'
  | 'sellers'
  | 'category_translation';

/**
 * Types after cleansing. Money is `decimal(12,2)`: exact, rounded half away from zero to 2 decimals —
 * never a binary double, so gold sums reconcile to the cent. `date` accepts a midnight time part
 * ('2017-10-18 00:00:00', as the real files write dates) and drops it.
 */
export type ColumnType = 'string' | 'integer' | 'double' | 'decimal(12,2)' | 'timestamp' | 'date';

/**
 * Text steps, each with one SQL meaning. Whitespace means [ \t\r\n] (not Unicode spaces: DuckDB's and
 * Trino's trim disagree on those, so we name the set ourselves).
 *   trim             regexp_replace(x, '^[ \t\r\n]+|[ \t\r\n]+$', '', 'g')
 *   collapse_spaces  regexp_replace(x, '[ \t\r\n]+', ' ', 'g')
 *   lower / upper    lower(x) / upper(x) (Unicode-aware in both engines)
 *   strip_accents    DuckDB strip_accents(x); Trino regexp_replace(normalize(x, NFD), '\p{Mn}', '')
 *   pad_left         CASE WHEN length(x) BETWEEN 1 AND width - 1 THEN lpad(x, width, fill) ELSE x END — never
 *                    lpad alone: it truncates longer values (a bad zip would look plausible) and pads an
 *                    empty one into '00000' (a missing zip would look present).
 */
export type CleanseStep =
  | { op: 'trim' }
  | { op: 'collapse_spaces' }
  | { op: 'lower' }
  | { op: 'upper' }
  | { op: 'strip_accents' }
  | { op: 'pad_left'; width: number; fill: string };

export interface ValueRange {
  min?: number;
  max?: number;
  /** True: the bound itself is outside the range (a price of 0.00 is not a sale). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

export interface ColumnContract {
  /** Exactly as published, typos included (`product_name_lenght`). */
  name: string;
  type: ColumnType;
  /** A row whose required column is NULL, uncastable or out of domain is quarantined. */
  required: boolean;
  cleanse: readonly CleanseStep[];
  /** Strings only: the complete set of valid values after cleansing. */
  accepted?: readonly string[];
  /** Strings only: a full-match regular expression (RE2/Java compatible) after cleansing. */
  pattern?: string;
  /** Numbers only (integer, double, decimal). */
  range?: ValueRange;
  note?: string;
}

/**
 * What identifies a row. Deduplication keeps one row per key: the latest (see DEDUP_RULE). `full_row`
 * means the whole cleansed row is the key: exact duplicates collapse, nothing else does.
 */
export type NaturalKey =
  | { kind: 'columns'; columns: readonly string[]; note: string }
  | { kind: 'full_row'; note: string };

/** Where a silver row's year=/month=/day= partition comes from. */
export type PartitionRule =
  | { kind: 'event_column'; column: string; note: string }
  | {
      kind: 'lookup';
      /** The silver table that holds the date, joined on `on`. */
      table: TableName;
      on: readonly { local: string; remote: string }[];
      column: string;
      /** Used when the lookup finds no row (an orphan). */
      fallback: 'ingest_date';
      note: string;
    }
  | { kind: 'ingest_date'; note: string };

export interface TableContract {
  table: TableName;
  /** The published file name; files are recognised by header, never by this name. */
  file: string;
  description: string;
  /** Data rows (header excluded) of the published dataset. */
  publishedRows: number;
  columns: readonly ColumnContract[];
  key: NaturalKey;
  partition: PartitionRule;
  /** What real copies of this file look like: a reader must take all of it in its stride. */
  quirks: readonly string[];
}

/**
 * Full-match patterns per type, applied after cleansing. They are deliberately narrower than what some
 * engines' casts accept (DuckDB would read '1e3' as a decimal, some readers read '12,5' as 12.5): the
 * pattern, not an engine's leniency, decides what is castable, so every engine quarantines the same rows.
 */
export const CAST_PATTERNS: Record<ColumnType, string | null> = {
  string: null,
  // '40.0' is accepted: pandas writes integer columns that held a NULL as floats.
  integer: '^[+-]?[0-9]{1,15}(\\.0+)?$',
  double: '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?$',
  'decimal(12,2)': '^[+-]?([0-9]{1,10}(\\.[0-9]*)?|\\.[0-9]+)$',
  timestamp: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?$',
  date: '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?$',
};
