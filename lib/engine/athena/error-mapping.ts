/**
 * Athena failures → KeystoneError. Two sources:
 * - a query that reached the FAILED state: its `StateChangeReason` is what a person needs, so it is
 *   kept verbatim. It is classified by its text first (permissions and throttling are about our
 *   setup, not the SQL), then by Trino's error names and 'line n:m' positions, then by Athena's
 *   ErrorCategory (2 = USER) — see `classifyFailure`;
 * - an API call that threw (AWS SDK exceptions, credentials, network), see `toKeystoneError`.
 * The original error stays as `cause`; the query execution id goes in `details`.
 */
import type { QueryExecution } from '@aws-sdk/client-athena';
import { KeystoneError, errorMessage, type ErrorCode } from '../../errors';
import type { QueryGuard } from '../guard';
import { isThrottling, isTransient } from './retry';

/** Our setup, not the SQL: credentials, IAM, Lake Formation, S3 access. */
const PERMISSION = /access ?denied|not authori[sz]ed|insufficient (lake formation )?permission|permission[ _]denied|status code: 403|unrecognizedclient|security token included in the request|expiredtoken/i;
/** Athena or S3 asking us to slow down, or the query being too big for Athena's resources. */
const CAPACITY = /throttl|rate exceeded|slow ?down|too many requests|reduce your request rate|exhausted resources|concurrent query|TOO_MANY_REQUESTS/i;
/** The lake's files or table metadata are not what the table says (HIVE_BAD_DATA, HIVE_CANNOT_OPEN_SPLIT, ICEBERG_…). */
const LAKE = /^(HIVE|ICEBERG)_[A-Z_]+: /;
/** Athena's own run-time limit (ErrorType 206 and 210 are "Query timeout"). */
const ATHENA_TIMEOUT = /query timeout|timed out|exceeded the maximum query runtime/i;
const TIMEOUT_ERROR_TYPES = new Set([206, 210]);
/**
 * The SQL is wrong: Trino's user-error names ('SYNTAX_ERROR: line 1:8: …'), its parser's
 * messages, Hive DDL's 'FAILED: ParseException' / 'SemanticException', or a 'line n:m:' position.
 */
const SQL_ERROR_NAMES =
  'SYNTAX_ERROR|TABLE_NOT_FOUND|COLUMN_NOT_FOUND|SCHEMA_NOT_FOUND|CATALOG_NOT_FOUND|FUNCTION_NOT_FOUND|FUNCTION_IMPLEMENTATION_MISSING|TYPE_MISMATCH|TYPE_NOT_FOUND|INVALID_FUNCTION_ARGUMENT|INVALID_CAST_ARGUMENT|INVALID_LITERAL|INVALID_PARAMETER_USAGE|INVALID_COLUMN_REFERENCE|INVALID_ARGUMENTS|INVALID_TABLE_PROPERTY|INVALID_VIEW|AMBIGUOUS_NAME|DUPLICATE_COLUMN_NAME|MISSING_COLUMN_NAME|MISSING_GROUP_BY|EXPRESSION_NOT_AGGREGATE|NESTED_AGGREGATION|MISMATCHED_COLUMN_ALIASES|DIVISION_BY_ZERO|NUMERIC_VALUE_OUT_OF_RANGE|NOT_SUPPORTED|TABLE_ALREADY_EXISTS|ALREADY_EXISTS|COLUMN_ALREADY_EXISTS|GENERIC_USER_ERROR';
const SQL_ERROR = new RegExp(`\\b(${SQL_ERROR_NAMES})\\b|mismatched input|extraneous input|no viable alternative|ParseException|SemanticException|\\bline \\d+:\\d+\\b`);
/** A reason that starts with a Trino user-error name is about the SQL, whatever words follow. */
const LEADING_SQL_ERROR = new RegExp(`^(${SQL_ERROR_NAMES}): `);

/** How a FAILED query is reported: permissions, capacity and broken lake files → unavailable, SQL → bad_request. */
export function classifyFailure(reason: string, errorCategory?: number, errorType?: number): ErrorCode {
  if (LEADING_SQL_ERROR.test(reason)) return 'bad_request:sql';
  if (PERMISSION.test(reason)) return 'unavailable:athena';
  if (CAPACITY.test(reason)) return 'unavailable:athena';
  if (LAKE.test(reason)) return 'unavailable:athena';
  if ((errorType !== undefined && TIMEOUT_ERROR_TYPES.has(errorType)) || ATHENA_TIMEOUT.test(reason)) return 'timeout:query';
  if (SQL_ERROR.test(reason)) return 'bad_request:sql';
  if (errorCategory === 2) return 'bad_request:sql'; // USER
  return 'unavailable:athena'; // SYSTEM, OTHER, or no category
}

export function failedQueryError(execution: QueryExecution | undefined, id: string): KeystoneError {
  const status = execution?.Status;
  const athenaError = status?.AthenaError;
  const reason = status?.StateChangeReason ?? athenaError?.ErrorMessage ?? 'Athena did not say why.';
  const code = classifyFailure(reason, athenaError?.ErrorCategory, athenaError?.ErrorType);
  // A SQL error reads best as Athena wrote it; anything else says who failed.
  const message = code === 'bad_request:sql' ? reason : `Athena failed the query: ${reason}`;
  return new KeystoneError(code, message, {
    details: {
      queryExecutionId: id,
      ...(athenaError?.ErrorCategory !== undefined ? { errorCategory: athenaError.ErrorCategory } : {}),
      ...(athenaError?.ErrorType !== undefined ? { errorType: athenaError.ErrorType } : {}),
      ...(athenaError?.Retryable !== undefined ? { retryable: athenaError.Retryable } : {}),
    },
  });
}

/** CANCELLED without our asking: someone stopped it in the console, or the workgroup's scan limit did. */
export function cancelledByAthena(execution: QueryExecution | undefined, id: string): KeystoneError {
  const reason = execution?.Status?.StateChangeReason;
  return new KeystoneError('cancelled:query', `Athena cancelled the query${reason ? `: ${reason}` : '.'}`, { details: { queryExecutionId: id } });
}

const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'AccessDeniedException',
  'AccessDenied',
]);

/** Any thrown value from an Athena call (or our own code) → KeystoneError. */
export function toKeystoneError(e: unknown, guard?: QueryGuard): KeystoneError {
  if (e instanceof KeystoneError) return e;
  // Stopping races the call in flight; whatever that call did afterwards, the stop is the story.
  if (guard?.reason) return guard.reason;
  const name = e instanceof Error ? e.name : undefined;
  const message = errorMessage(e);
  const aws = typeof e === 'object' && e !== null && ('$metadata' in e || '$fault' in e);
  if (name !== undefined && CREDENTIALS.has(name)) {
    return new KeystoneError('unavailable:athena', `Athena refused our credentials or permissions (${name}): ${message}`, { cause: e });
  }
  if (isThrottling(e)) return new KeystoneError('unavailable:athena', `Athena is throttling requests (${name}): ${message}`, { cause: e });
  if (name === 'ResourceNotFoundException') {
    return new KeystoneError('unavailable:athena', `Athena could not find it: ${message} (check ATHENA_WORKGROUP and ATHENA_DATABASE).`, { cause: e });
  }
  if (name === 'InvalidRequestException') {
    const code = SQL_ERROR.test(message) ? 'bad_request:sql' : 'bad_request:athena';
    return new KeystoneError(code, code === 'bad_request:sql' ? message : `Athena refused the request: ${message}`, {
      cause: e,
      details: { athenaErrorCode: (e as { AthenaErrorCode?: string }).AthenaErrorCode },
    });
  }
  if (isTransient(e) || name === 'MetadataException') return new KeystoneError('unavailable:athena', `Athena is unavailable (${name}): ${message}`, { cause: e });
  if (aws) {
    const fault = (e as { $fault?: string }).$fault;
    return new KeystoneError(fault === 'client' ? 'bad_request:athena' : 'unavailable:athena', `Athena: ${message}`, { cause: e });
  }
  // Not Athena speaking: our bug or the SDK's.
  return new KeystoneError('internal:athena', message, { cause: e });
}
