/**
 * Saved-query parameters: `{{start_date}}` in the SQL becomes a bound engine parameter, never text.
 *
 * `compileTemplate` replaces each `{{name}}` (outside comments and string literals; a literal that is
 * nothing but the placeholder, `'{{name}}'`, counts as the placeholder too, since people write dates
 * that way) with a positional placeholder wrapped in a CAST to the parameter's declared type, and
 * returns the names in placeholder order. `bindValues` turns the form's text into typed values in
 * that order. The engine binds them; a value is never spliced into the SQL.
 */
import type { QueryParameter } from '../../db/schema';
import type { Value } from '../engine/engine';
import { KeystoneError } from '../errors';
import { lex } from './lexer';

export type ParameterType = QueryParameter['type'];
export const PARAMETER_TYPES: readonly ParameterType[] = ['string', 'integer', 'number', 'date', 'timestamp', 'boolean'];
export const PARAMETER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** What the engine sees for each type: strings bind as they are, other types are cast from their bound value. */
const CAST: Record<ParameterType, string | undefined> = {
  string: undefined,
  integer: 'BIGINT',
  number: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

/** Placeholder spelling: DuckDB numbers them ($1 reused for every use of a name); Athena takes `?` in order. */
export type PlaceholderStyle = 'dollar' | 'qmark';

interface Occurrence {
  name: string;
  start: number;
  end: number;
}

const WHOLE_LITERAL = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

function occurrences(sql: string): { found: Occurrence[]; ownParams: boolean } {
  const found: Occurrence[] = [];
  let ownParams = false;
  for (const t of lex(sql)) {
    if (t.kind === 'template') found.push({ name: t.value, start: t.start, end: t.end });
    else if (t.kind === 'string' && sql[t.start] === "'") {
      const m = WHOLE_LITERAL.exec(t.value);
      if (m) found.push({ name: m[1]!, start: t.start, end: t.end });
    } else if (t.kind === 'param') ownParams = true;
  }
  return { found, ownParams };
}

/** The distinct `{{names}}` of a SQL text, in order of first use. */
export function templateNames(sql: string): string[] {
  return [...new Set(occurrences(sql).found.map((o) => o.name))];
}

/** Declared parameters for a SQL text: the given ones, in SQL order, plus a `string` one for each undeclared name. */
export function parametersFor(sql: string, declared: readonly QueryParameter[] = []): QueryParameter[] {
  const byName = new Map(declared.map((p) => [p.name, p]));
  return templateNames(sql).map((name) => byName.get(name) ?? { name, type: 'string' });
}

export interface CompiledSql {
  /** The SQL the engine runs: placeholders instead of `{{names}}`. */
  sql: string;
  /** Parameter name for each engine placeholder, in order ($1, $2… or each `?`). */
  order: string[];
}

export function compileTemplate(sql: string, parameters: readonly QueryParameter[] = [], style: PlaceholderStyle = 'dollar'): CompiledSql {
  const { found, ownParams } = occurrences(sql);
  if (found.length === 0) return { sql, order: [] };
  if (ownParams) {
    throw new KeystoneError('bad_request:sql', 'Use {{name}} placeholders or ?/$n parameters, not both in one query.');
  }
  const types = new Map(parametersFor(sql, parameters).map((p) => [p.name, p.type]));
  const distinct: string[] = [];
  const order: string[] = [];
  let out = '';
  let at = 0;
  for (const o of found) {
    let placeholder: string;
    if (style === 'dollar') {
      let index = distinct.indexOf(o.name);
      if (index < 0) index = distinct.push(o.name) - 1;
      placeholder = `$${index + 1}`;
    } else {
      order.push(o.name);
      placeholder = '?';
    }
    const cast = CAST[types.get(o.name) ?? 'string'];
    out += sql.slice(at, o.start) + (cast ? `CAST(${placeholder} AS ${cast})` : placeholder);
    at = o.end;
  }
  out += sql.slice(at);
  return { sql: out, order: style === 'dollar' ? distinct : order };
}

/** What a form or a URL sends for one parameter. */
export type RawValue = string | number | boolean | null | undefined;

/**
 * The typed value of each placeholder, in `order`. A missing value takes the parameter's default;
 * still missing is an error naming the parameter. Values are checked against their type here, so a
 * person gets "start_date must be a date (YYYY-MM-DD)" rather than an engine cast error.
 */
export function bindValues(order: readonly string[], parameters: readonly QueryParameter[], raw: Readonly<Record<string, RawValue>>): Value[] {
  const byName = new Map(parameters.map((p) => [p.name, p]));
  const cache = new Map<string, Value>();
  return order.map((name) => {
    if (cache.has(name)) return cache.get(name)!;
    const p = byName.get(name) ?? { name, type: 'string' as const };
    const given = raw[name];
    const value = given === undefined || given === null || given === '' ? p.default : given;
    if (value === undefined || value === null || (value === '' && p.type !== 'string')) {
      throw new KeystoneError('bad_request:parameter', `The parameter ${name} needs a value.`, { details: { parameter: name } });
    }
    const v = coerce(p, value);
    cache.set(name, v);
    return v;
  });
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

function validDay(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

function coerce(p: QueryParameter, value: string | number | boolean): Value {
  const bad = (what: string) =>
    new KeystoneError('bad_request:parameter', `The parameter ${p.name} must be ${what} (got ${JSON.stringify(value)}).`, { details: { parameter: p.name } });
  const text = String(value).trim();
  switch (p.type) {
    case 'string':
      // Verbatim: quotes, semicolons and comment markers are data, bound as such.
      return String(value);
    case 'integer': {
      if (!/^[+-]?\d+$/.test(text)) throw bad('a whole number');
      const n = Number(text);
      // Beyond 2^53 a JS number is not exact: bind the digits and let the engine's CAST read them.
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'number': {
      const n = typeof value === 'number' ? value : Number(text);
      if (text === '' || !Number.isFinite(n)) throw bad('a number');
      return n;
    }
    case 'date': {
      const m = DATE_RE.exec(text);
      if (!m || !validDay(m[1]!, m[2]!, m[3]!)) throw bad('a date (YYYY-MM-DD)');
      return text;
    }
    case 'timestamp': {
      const m = TIMESTAMP_RE.exec(text);
      if (!m || !validDay(m[1]!, m[2]!, m[3]!)) throw bad('a timestamp (YYYY-MM-DD HH:MM[:SS])');
      return text.replace('T', ' ');
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (/^(true|t|yes|1)$/i.test(text)) return true;
      if (/^(false|f|no|0)$/i.test(text)) return false;
      throw bad('true or false');
    }
  }
}

/** Validates a declared parameter list against a SQL text (for saving a query). */
export function validateParameters(sql: string, parameters: readonly QueryParameter[]): QueryParameter[] {
  const seen = new Set<string>();
  for (const p of parameters) {
    if (!PARAMETER_NAME_RE.test(p.name)) {
      throw new KeystoneError('bad_request:parameter', `${JSON.stringify(p.name)} is not a parameter name: letters, digits and _, starting with a letter.`);
    }
    if (!PARAMETER_TYPES.includes(p.type)) {
      throw new KeystoneError('bad_request:parameter', `The parameter ${p.name} has an unknown type ${JSON.stringify(p.type)}; use ${PARAMETER_TYPES.join(', ')}.`);
    }
    if (seen.has(p.name)) throw new KeystoneError('bad_request:parameter', `The parameter ${p.name} is declared twice.`);
    seen.add(p.name);
    if (p.default !== undefined && p.default !== '') bindValues([p.name], [p], {});
  }
  const used = new Set(templateNames(sql));
  const unused = parameters.filter((p) => !used.has(p.name)).map((p) => p.name);
  if (unused.length > 0) {
    throw new KeystoneError('bad_request:parameter', `The SQL does not use ${unused.map((n) => `{{${n}}}`).join(', ')}; remove ${unused.length === 1 ? 'that parameter' : 'those parameters'} or use them.`);
  }
  return parametersFor(sql, parameters).map((p) => ({
    name: p.name,
    type: p.type,
    ...(p.default !== undefined && p.default !== '' ? { default: p.default } : {}),
    ...(p.label ? { label: p.label } : {}),
  }));
}
