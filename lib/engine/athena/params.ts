/**
 * Bound parameters on Athena. StartQueryExecution takes `ExecutionParameters`: a list of strings
 * that Athena applies, in order, to the `?` placeholders of a DML statement (SELECT, INSERT INTO,
 * CTAS, UNLOAD). Each string is read as a SQL *expression* — that is why Athena's guide says a
 * string value must be sent with its single quotes, and why `CAST('2014-07-05' AS DATE)` works as a
 * value. A value is therefore rendered here as exactly one SQL literal, never as raw text:
 *
 * | our value            | sent as                         | notes                                         |
 * |----------------------|---------------------------------|-----------------------------------------------|
 * | null                 | NULL                            |                                               |
 * | true / false         | TRUE / FALSE                    |                                               |
 * | safe integer         | 42, -7                          | Trino types it INTEGER or BIGINT by size       |
 * | other finite number  | 2.5E0, 1E+21                    | a DOUBLE literal (as DuckDB binds a JS number) |
 * | string               | 'O''Brien'                      | wrapped in ', every ' doubled: Trino strings   |
 * |                      |                                 | have no other escape, so nothing leaves it     |
 * | array                | ARRAY[1, 'a', NULL]             | items rendered by the same rules               |
 * | object               | refused                         | pass JSON text and json_parse(?) it in SQL     |
 * | NaN, ±Infinity       | refused                         | not JSON values; use nan() / infinity() in SQL |
 *
 * Named parameters (`{ name: value }`) are refused: Athena has positional `?` only. The number of
 * placeholders (outside strings, quoted identifiers and comments) must equal the number of values,
 * so a mistake is reported before anything is sent, with a hint when the SQL uses `$1` or `:name`.
 */
import { KeystoneError } from '../../errors';
import { tokenize } from '../cost/tokenize';
import type { Params, Value } from '../engine';

/** The API accepts 1 to 1024 characters per execution parameter. */
export const MAX_PARAMETER_LENGTH = 1024;

/** The `ExecutionParameters` for a statement, or undefined when it has none. */
export function executionParameters(sql: string, params: Params | undefined): string[] | undefined {
  const tokens = tokenize(sql);
  const placeholders = tokens.filter((t) => t.kind === 'param').length;
  if (params !== undefined && !Array.isArray(params)) {
    throw new KeystoneError(
      'bad_request:sql',
      'Athena binds positional ? parameters only; named parameters ($name) are not supported. Write ? in the SQL and pass the values as a list, in order.',
    );
  }
  const values = (params ?? []) as readonly Value[];
  if (placeholders !== values.length) {
    const dollar = tokens.some((t, i) => t.kind === 'punct' && (t.value === '$' || t.value === ':') && tokens[i + 1]?.start === t.start + 1 && tokens[i + 1]?.kind !== 'punct');
    throw new KeystoneError(
      'bad_request:sql',
      `The SQL has ${placeholders} ? placeholder${placeholders === 1 ? '' : 's'} but ${values.length} parameter value${values.length === 1 ? ' was' : 's were'} given.` +
        (dollar ? ' Athena uses ? for parameters, not $1 or :name.' : ''),
      { details: { placeholders, values: values.length } },
    );
  }
  if (values.length === 0) return undefined;
  return values.map((v, i) => {
    const literal = sqlLiteral(v, `parameter ${i + 1}`);
    if (literal.length > MAX_PARAMETER_LENGTH) {
      throw new KeystoneError(
        'bad_request:sql',
        `Parameter ${i + 1} is ${literal.length} characters as a SQL literal; Athena accepts at most ${MAX_PARAMETER_LENGTH} per parameter.`,
      );
    }
    return literal;
  });
}

/** One value as one Trino SQL literal. */
export function sqlLiteral(value: Value, label = 'parameter'): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'string':
      return `'${value.replaceAll("'", "''")}'`;
    case 'number':
      return numberLiteral(value, label);
  }
  if (Array.isArray(value)) return `ARRAY[${value.map((v, i) => sqlLiteral(v, `${label}[${i}]`)).join(', ')}]`;
  throw new KeystoneError(
    'bad_request:sql',
    `Athena cannot bind an object as ${label}; pass it as JSON text and use json_parse(?) in the SQL.`,
  );
}

function numberLiteral(n: number, label: string): string {
  if (!Number.isFinite(n)) {
    throw new KeystoneError('bad_request:sql', `${label} is ${n}, which has no SQL literal; write nan() or infinity() in the SQL instead.`);
  }
  if (Number.isSafeInteger(n)) return String(n);
  const text = String(n).toUpperCase(); // '2.5', '1E+21', '1.5E-7'
  return text.includes('E') ? text : `${text}E0`;
}
