/**
 * Names that end up in SQL or in storage keys are validated here, once, and nowhere built from raw
 * user text. A dataset name is a lower-case identifier; a display name can be anything.
 */
import { KeystoneError } from '../errors';
import { LAYERS, type Layer } from '../config';

export const DATASET_NAME_RE = /^[a-z][a-z0-9_]{0,62}$/;

export function validateDatasetName(name: string): string {
  if (!DATASET_NAME_RE.test(name)) {
    throw new KeystoneError(
      'bad_request:dataset_name',
      `${JSON.stringify(name)} is not a valid dataset name: use 1–63 lower-case letters, digits and "_", starting with a letter`,
    );
  }
  return name;
}

export function validateLayer(layer: string): Layer {
  if (!(LAYERS as readonly string[]).includes(layer)) {
    throw new KeystoneError('bad_request:layer', `${JSON.stringify(layer)} is not a layer: use bronze, silver or gold`);
  }
  return layer as Layer;
}

/**
 * Turn free text (a file name, a stream source) into a dataset name, or refuse. Used to suggest a
 * name for a generic upload: "Sales 2024 (final).csv" → "sales_2024_final".
 */
export function datasetNameFrom(text: string): string {
  const base = text
    .replace(/\.(csv|tsv|txt|json|ndjson|jsonl|parquet)(\.gz)?$/i, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  const name = /^[a-z]/.test(base) ? base : `t_${base}`;
  if (!DATASET_NAME_RE.test(name) || name === 't_') {
    throw new KeystoneError('bad_request:dataset_name', `cannot derive a dataset name from ${JSON.stringify(text)}; name the dataset explicitly`);
  }
  return name;
}

/** Quote an identifier we already validated (defence in depth: still escape quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal for text we control (paths we built, validated names). */
export function quoteLiteral(text: string): string {
  if (text.includes('\0')) throw new KeystoneError('bad_request:sql_literal', 'NUL in a SQL literal');
  return `'${text.replace(/'/g, "''")}'`;
}
