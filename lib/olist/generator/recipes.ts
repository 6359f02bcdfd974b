/**
 * How each table gets its planned rows: which kinds, on which column, how often, and how the row is made
 * from the row it derives from. Injected kinds follow the bad-row rate; realistic ones are always there.
 *
 * Every injected bad row breaks exactly one required column (so its quarantine reason is known) and is a
 * corrupted copy of a good row written earlier. The good row survives, so the expected silver content and
 * gold sums do not depend on the bad rows — provided quarantine runs before dedup, as the rules say.
 */
import { columnIndex } from '../contracts';
import type { TableContract, TableName } from '../contract-types';
import type { QuarantineReason } from '../silver-rules';
import { DAY, formatMidnight, parseTimestamp } from './calendar';
import type { DirtEffect, DirtOrigin, PlannedKind } from './dirt';
import { centsFixed, centsPandas, parseCents } from './money';
import type { Rng } from './prng';

export interface Recipe {
  kind: PlannedKind;
  origin: DirtOrigin;
  column: string | null;
  /** Share of the table's rows, or 'bad' for the bad-row rate of the options. */
  rate: number | 'bad';
  effect: DirtEffect;
  reason?: QuarantineReason;
  /** The new row from the row it derives from (a copy). Absent for exact duplicates: the line is reused. */
  make?: (fields: readonly string[], rng: Rng) => string[];
}

export const UNPARSEABLE_NUMBERS = ['abc', '12,5', '1.299,90', 'R$ 59.90', 'n/a'];
export const UNPARSEABLE_DATES = ['2018-13-45 10:00:00', 'not a date', '2017-02-30 08:15:00', '18/05/2018 14:02', '2018-06-31'];

function setColumn(contract: TableContract, column: string, value: (old: string, rng: Rng) => string) {
  const i = columnIndex(contract, column);
  return (fields: readonly string[], rng: Rng) => {
    const copy = [...fields];
    copy[i] = value(fields[i] ?? '', rng);
    return copy;
  };
}

const exactDuplicate = (origin: DirtOrigin = 'injected', rate: number | 'bad' = 'bad'): Recipe => ({
  kind: 'exact_duplicate',
  origin,
  column: null,
  rate,
  effect: 'supersedes_earlier',
});

const duplicateKey = (contract: TableContract, column: string, value: (old: string, rng: Rng) => string): Recipe => ({
  kind: 'duplicate_key',
  origin: 'injected',
  column,
  rate: 'bad',
  effect: 'supersedes_earlier',
  make: setColumn(contract, column, value),
});

const broken = (
  contract: TableContract,
  kind: 'unparseable_number' | 'unparseable_date' | 'missing_required' | 'out_of_domain',
  column: string,
  value: (old: string, rng: Rng) => string,
): Recipe => ({
  kind,
  origin: 'injected',
  column,
  rate: 'bad',
  effect: 'quarantined',
  reason: kind === 'missing_required' ? 'missing_required' : kind === 'out_of_domain' ? 'out_of_domain' : 'uncastable',
  make: setColumn(contract, column, value),
});

const empty = () => '';
const oneOf = (values: readonly string[]) => (_old: string, rng: Rng) => rng.pick(values);

/** Another value of the same money column, never equal to the old one and never negative. */
const otherCents = (format: (c: number) => string) => (old: string, rng: Rng) => {
  const cents = parseCents(old);
  const step = rng.int(1, Math.max(1, Math.floor(cents / 5)));
  return format(cents - step >= 1 && rng.chance(0.5) ? cents - step : cents + step);
};

const otherZip = (old: string, rng: Rng) => {
  const zip = Number(old);
  const moved = zip + (zip > 0 && rng.chance(0.5) ? -1 : 1);
  return String(moved > 99999 ? zip - 1 : moved).padStart(5, '0');
};

/** A different spelling the city rule folds back into the same name. */
const respellCity = (old: string, rng: Rng) => {
  const variants = [old.toUpperCase() + ' ', ' ' + old, old.replace(' ', '  '), old.replace(/(^|\s)\S/g, (s) => s.toUpperCase())];
  const start = rng.int(0, variants.length - 1);
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(start + k) % variants.length]!;
    if (v !== old) return v;
  }
  return old + ' ';
};

export function recipesFor(contract: TableContract): Recipe[] {
  const t: TableName = contract.table;
  switch (t) {
    case 'orders':
      return [
        exactDuplicate(),
        duplicateKey(contract, 'order_estimated_delivery_date', (old, rng) => formatMidnight(parseTimestamp(old) + rng.int(1, 7) * DAY)),
        broken(contract, 'unparseable_date', 'order_purchase_timestamp', oneOf(UNPARSEABLE_DATES)),
        broken(contract, 'missing_required', 'customer_id', empty),
        broken(contract, 'out_of_domain', 'order_status', oneOf(['lost', 'em_transito', 'returned'])),
      ];
    case 'order_items':
      return [
        exactDuplicate(),
        duplicateKey(contract, 'price', otherCents(centsFixed)),
        broken(contract, 'unparseable_number', 'price', oneOf(UNPARSEABLE_NUMBERS)),
        broken(contract, 'unparseable_date', 'shipping_limit_date', oneOf(UNPARSEABLE_DATES)),
        broken(contract, 'missing_required', 'seller_id', empty),
        broken(contract, 'out_of_domain', 'price', (old) => '-' + old),
      ];
    case 'order_payments':
      return [
        exactDuplicate(),
        duplicateKey(contract, 'payment_value', otherCents(centsPandas)),
        broken(contract, 'unparseable_number', 'payment_value', oneOf(UNPARSEABLE_NUMBERS)),
        broken(contract, 'missing_required', 'payment_type', empty),
        broken(contract, 'out_of_domain', 'payment_type', oneOf(['pix', 'cash', 'crypto'])),
      ];
    case 'order_reviews':
      return [
        exactDuplicate(),
        duplicateKey(contract, 'review_score', (old, rng) => String(((Number(old) + rng.int(0, 3)) % 5) + 1)),
        broken(contract, 'unparseable_number', 'review_score', oneOf(['cinco', '4.5', '***'])),
        broken(contract, 'unparseable_date', 'review_creation_date', oneOf(UNPARSEABLE_DATES)),
        broken(contract, 'missing_required', 'order_id', empty),
        broken(contract, 'out_of_domain', 'review_score', oneOf(['0', '6', '7', '10'])),
      ];
    case 'customers':
      return [
        exactDuplicate(),
        duplicateKey(contract, 'customer_zip_code_prefix', otherZip),
        broken(contract, 'missing_required', 'customer_unique_id', empty),
        broken(contract, 'out_of_domain', 'customer_zip_code_prefix', oneOf(['123456', 'abcde', '1234-5'])),
      ];
    case 'sellers':
      return [
        exactDuplicate(),
        duplicateKey(contract, 'seller_zip_code_prefix', otherZip),
        broken(contract, 'missing_required', 'seller_zip_code_prefix', empty),
      ];
    case 'products':
      return [
        exactDuplicate(),
        duplicateKey(contract, 'product_weight_g', (old, rng) => String(Number(old) + rng.int(1, 500))),
        broken(contract, 'missing_required', 'product_id', empty),
        {
          kind: 'uncastable_optional',
          origin: 'injected',
          column: 'product_weight_g',
          rate: 'bad',
          effect: 'value_nulled',
          make: setColumn(contract, 'product_weight_g', oneOf(['abc', '12,5', '1.5kg', '?'])),
        },
      ];
    case 'geolocation':
      return [
        // The real file repeats points and spellings of points by the hundred thousand; a light version.
        exactDuplicate('realistic', 0.015),
        {
          kind: 'spelling_variant_duplicate',
          origin: 'realistic',
          column: 'geolocation_city',
          rate: 0.005,
          effect: 'supersedes_earlier',
          make: setColumn(contract, 'geolocation_city', respellCity),
        },
        broken(contract, 'unparseable_number', 'geolocation_lng', oneOf(['abc', '-46,63', '\u221246.6'])),
        broken(contract, 'out_of_domain', 'geolocation_lat', oneOf(['48.8566', '38.7223', '40.7128', '-45.0'])),
        broken(contract, 'missing_required', 'geolocation_zip_code_prefix', empty),
      ];
    case 'category_translation':
      return [];
  }
}
