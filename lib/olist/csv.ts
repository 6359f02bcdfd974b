/**
 * RFC 4180 reading and writing, enough for the Olist files: quoted fields with embedded commas, doubled
 * quotes and line breaks (CRLF or LF), records ended by CRLF or LF, a leading UTF-8 BOM ignored.
 */
import { KeystoneError } from '../errors';

const NEEDS_QUOTES = /[",\r\n]/;

export function formatCsvField(value: string, forceQuotes = false): string {
  if (!forceQuotes && !NEEDS_QUOTES.test(value)) return value;
  return '"' + value.replaceAll('"', '""') + '"';
}

/** One record without its terminator; `quoteAll` quotes every field, as some real exports do. */
export function formatCsvRecord(fields: readonly string[], quoteAll = false): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ',';
    line += formatCsvField(fields[i]!, quoteAll);
  }
  return line;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Calls `onRecord` for every record, header included, with its 0-based index. Returns the record count.
 * A final line break does not start an empty record.
 */
export function forEachCsvRecord(text: string, onRecord: (fields: string[], index: number) => void): number {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let index = 0;
  let fields: string[] = [];
  while (i < n) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw new KeystoneError('bad_request:csv', `record ${index} has an unterminated quoted field`);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      fields.push(value);
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      fields.push(text.slice(i, j));
      i = j;
    }
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === COMMA) {
      i++;
      if (i === n) fields.push('');
      continue;
    }
    if (c === CR && text.charCodeAt(i + 1) === LF) i += 2;
    else if (c === LF || c === CR) i += 1;
    else throw new KeystoneError('bad_request:csv', `record ${index}: unexpected character after a closing quote`);
    onRecord(fields, index++);
    fields = [];
  }
  if (fields.length > 0) onRecord(fields, index++);
  return index;
}

export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  forEachCsvRecord(text, (fields) => records.push(fields));
  return records;
}
