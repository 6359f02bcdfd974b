/**
 * DuckDB failures → KeystoneError. DuckDB's messages start with their kind ('Parser Error: …',
 * 'Binder Error: …') and carry a 'LINE n:' caret excerpt; both are kept, as they are what a person
 * fixing the SQL needs. The original error stays as `cause`.
 */
import { KeystoneError } from '../../errors';
import type { QueryGuard } from '../guard';

/** @duckdb/node-api prefixes errors from its statement-splitting step; the prefix says nothing to a user. */
const WRAPPER_PREFIXES = [/^Failed to extract statements: /, /^Failed to prepare: /, /^Failed to bind value: /];

/** DuckDB's own bugs and broken databases: hidden from users, logged by the caller. */
const INTERNAL = /^(INTERNAL|FATAL) Error:/i;
const INTERRUPT = /^INTERRUPT Error:/i;
/** Every error DuckDB itself raises: 'Parser Error:', 'Binder Error:', 'IO Error:', 'Out of Memory Error:'… */
const DUCKDB_KIND = /^[A-Za-z][A-Za-z ]* Error: /;

export function toKeystoneError(e: unknown, guard?: QueryGuard): KeystoneError {
  if (e instanceof KeystoneError) return e;
  // An interrupt we asked for surfaces as 'INTERRUPT Error'; our reason says whether it was a cancel or a timeout.
  if (guard?.reason) return guard.reason;
  const message = duckdbMessage(e);
  if (INTERRUPT.test(message)) return new KeystoneError('cancelled:query', 'The query was interrupted.', { cause: e });
  if (INTERNAL.test(message)) return new KeystoneError('internal:duckdb', message, { cause: e });
  if (DUCKDB_KIND.test(message)) return new KeystoneError('bad_request:sql', message, { cause: e });
  // Blank SQL makes the native statement splitter throw without a message.
  if (message === 'Error in native callback') return new KeystoneError('bad_request:sql', 'There is no SQL statement to run.', { cause: e });
  if (/instance closed|database has been closed/i.test(message)) {
    return new KeystoneError('unavailable:duckdb', 'DuckDB has been closed.', { cause: e });
  }
  // Not DuckDB speaking (no 'Xxx Error:' prefix): our bug or the binding's, not the user's SQL.
  return new KeystoneError('internal:duckdb', message, { cause: e });
}

export function duckdbMessage(e: unknown): string {
  let message = e instanceof Error ? e.message : String(e);
  for (const prefix of WRAPPER_PREFIXES) message = message.replace(prefix, '');
  return message;
}
