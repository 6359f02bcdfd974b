/**
 * Sortable ids (time-ordered, like ULID): 12 hex digits of milliseconds + 8 of a per-process counter
 * and randomness. Sorting by id sorts by creation, which is what "latest ingest wins" relies on.
 */
import crypto from 'node:crypto';

let lastMs = 0;
let counter = 0;
const processTag = crypto.randomBytes(2).toString('hex');

export function sortableId(prefix = ''): string {
  const now = Date.now();
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  return `${prefix}${now.toString(16).padStart(12, '0')}${counter.toString(16).padStart(4, '0')}${processTag}`;
}
