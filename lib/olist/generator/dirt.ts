/**
 * The vocabulary of what the generator puts in the files on purpose, and the log that records each
 * occurrence by data-row position so a pipeline's output can be checked row by row.
 */
import type { QuarantineReason } from '../silver-rules';

/** Rows added after the row they derive from (so "later wins" has a later row to pick). */
export type ExtraKind =
  | 'exact_duplicate'
  | 'duplicate_key'
  | 'spelling_variant_duplicate'
  | 'unparseable_number'
  | 'unparseable_date'
  | 'missing_required'
  | 'out_of_domain';

/** Changes made to a row in place: the row stays, one value becomes NULL in silver. */
export type InPlaceKind = 'uncastable_optional';

export type PlannedKind = ExtraKind | InPlaceKind;

/** Features of the real files that a pipeline must carry through unharmed. */
export type RealisticKind =
  | 'empty_timestamp'
  | 'orphan_customer'
  | 'orphan_product'
  | 'orphan_seller'
  | 'order_without_items'
  | 'shared_review_id'
  | 'multiline_text'
  | 'embedded_quote'
  | 'product_without_category'
  | 'untranslated_category'
  | 'city_spelling'
  | 'state_lower_case'
  | 'zip_missing_leading_zero';

export type DirtKind = PlannedKind | RealisticKind;

/** `realistic`: like the real files, on whatever the bad-row option says; `injected`: a controlled bad row. */
export type DirtOrigin = 'realistic' | 'injected';

/**
 * What a correct pipeline does with the rows listed:
 *   kept               the row reaches silver (its oddity is cleansed or is real structure)
 *   value_nulled       the row reaches silver with `column` NULL (an optional value that does not cast)
 *   quarantined        the row is quarantined with `reason`
 *   supersedes_earlier the row reaches silver and replaces the row at the same index of `sourceRows`,
 *                      which dedup removes (latest wins)
 */
export type DirtEffect = 'kept' | 'value_nulled' | 'quarantined' | 'supersedes_earlier';

export interface DirtRecord {
  kind: DirtKind;
  origin: DirtOrigin;
  column: string | null;
  effect: DirtEffect;
  reason?: QuarantineReason;
  count: number;
  /** 1-based data-row positions, ascending. */
  rows: number[];
  /** For rows derived from an earlier row (duplicates, bad copies): that row's position, parallel to `rows`. */
  sourceRows?: number[];
}

/** File-format features too common to list row by row: a count and the first positions as a sample. */
export type FormatKind = 'quoted_row' | 'leading_zero_zip' | 'utf8_bom';

export interface FormatRecord {
  kind: FormatKind;
  column: string | null;
  count: number;
  sampleRows: number[];
}

const FORMAT_SAMPLE = 10;

export class DirtLog {
  private readonly records = new Map<string, DirtRecord>();
  private readonly formats = new Map<FormatKind, Map<string | null, FormatRecord>>();

  add(
    entry: { kind: DirtKind; origin: DirtOrigin; column: string | null; effect: DirtEffect; reason?: QuarantineReason },
    row: number,
    sourceRow?: number,
  ): void {
    const id = `${entry.origin}|${entry.kind}|${entry.column ?? ''}|${entry.effect}`;
    let record = this.records.get(id);
    if (record === undefined) {
      record = { kind: entry.kind, origin: entry.origin, column: entry.column, effect: entry.effect, count: 0, rows: [] };
      if (entry.reason !== undefined) record.reason = entry.reason;
      if (sourceRow !== undefined) record.sourceRows = [];
      this.records.set(id, record);
    }
    record.count++;
    record.rows.push(row);
    if (sourceRow !== undefined) record.sourceRows?.push(sourceRow);
  }

  format(kind: FormatKind, column: string | null, row: number): void {
    // Called for most rows: look up by kind, then column, without building a key string.
    let byColumn = this.formats.get(kind);
    if (byColumn === undefined) {
      byColumn = new Map();
      this.formats.set(kind, byColumn);
    }
    let record = byColumn.get(column);
    if (record === undefined) {
      record = { kind, column, count: 0, sampleRows: [] };
      byColumn.set(column, record);
    }
    record.count++;
    if (record.sampleRows.length < FORMAT_SAMPLE) record.sampleRows.push(row);
  }

  /** Rows ascending within each record; extras are emitted out of source order, so sort both lists together. */
  dirt(): DirtRecord[] {
    return [...this.records.values()].map((r) => {
      if (r.sourceRows === undefined) return r;
      const order = r.rows.map((_, i) => i).sort((a, b) => r.rows[a]! - r.rows[b]!);
      return { ...r, rows: order.map((i) => r.rows[i]!), sourceRows: order.map((i) => r.sourceRows![i]!) };
    });
  }

  formatNotes(): FormatRecord[] {
    return [...this.formats.values()].flatMap((byColumn) => [...byColumn.values()]);
  }
}
