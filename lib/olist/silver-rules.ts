/**
 * What "survives to silver" means, stated once so the pipeline, the generator's manifest and the tests
 * cannot drift apart. The order of the steps is part of the rule.
 */

/**
 * Why a row is held back from silver. When several required columns fail, the first one in contract
 * column order names the reason, so counts by reason are reproducible.
 */
export type QuarantineReason =
  /** The record has a different number of fields than the header. */
  | 'malformed'
  /** A required column is empty (NULL) after cleansing. */
  | 'missing_required'
  /** A required column does not match its type's cast pattern or names no real calendar instant. */
  | 'uncastable'
  /** A required column casts but is outside its accepted values, pattern or range. */
  | 'out_of_domain';

export const QUARANTINE_REASONS: readonly QuarantineReason[] = ['malformed', 'missing_required', 'uncastable', 'out_of_domain'];

export const SILVER_RULES = {
  positions:
    'Row positions are 1-based data-record numbers in file order: the header is record 0, and a record ' +
    'may span several physical lines (a quoted review message with line breaks is one record).',
  quarantine:
    'A row is quarantined when its field count differs from the header (malformed), or when a required ' +
    'column is NULL after cleansing (missing_required), does not cast (uncastable) or casts outside its ' +
    'accepted values / pattern / range (out_of_domain). An optional column that fails the same checks ' +
    'becomes NULL and its row is kept. Quarantine happens before deduplication: a broken later copy of a ' +
    'row never displaces the good earlier one.',
  dedup:
    'Among the rows that pass quarantine, one row per natural key survives: the latest. Within one file ' +
    'the later row in file order wins; across loads the later load wins (order by batch sequence, then ' +
    'row position, descending). Tables without a key (geolocation) deduplicate on the whole cleansed row, ' +
    'so rows that differ only in spelling the cleansing removes ("SAO PAULO " vs "são paulo") collapse.',
  gold:
    'Gold totals are sums over each table\'s silver rows on their own, with no join filtering: an order ' +
    'item whose product or seller is missing still counts. Money is summed as integer cents.',
} as const;
