/**
 * The reference implementation of a contract's rules on one row: what the SQL the pipeline generates must
 * agree with. Semantics are documented in contract-types.ts (steps, casts) and silver-rules.ts (survival).
 *
 * Cast values follow the engine seam's conventions (lib/engine/engine.ts): decimals as exact strings
 * ('12.50'), timestamps as ISO-8601 UTC strings (naive source times read as UTC), dates as 'YYYY-MM-DD'.
 */
import { CAST_PATTERNS, type CleanseStep, type ColumnContract, type ColumnType, type TableContract } from './contract-types';
import type { QuarantineReason } from './silver-rules';

export type CellValue = string | number | null;

export type CellProblem = 'missing' | 'uncastable' | 'out_of_domain';

export interface CellResult {
  value: CellValue;
  /** Set when the raw text was empty or failed a check; `value` is then NULL. */
  problem: CellProblem | null;
}

const EDGE_SPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;
const INNER_SPACE = /[ \t\r\n]+/g;
const COMBINING_MARKS = /[\u0300-\u036f]/g;

export function applySteps(raw: string, steps: readonly CleanseStep[]): string {
  let s = raw;
  for (const step of steps) {
    switch (step.op) {
      case 'trim':
        s = s.replace(EDGE_SPACE, '');
        break;
      case 'collapse_spaces':
        s = s.replace(INNER_SPACE, ' ');
        break;
      case 'lower':
        s = s.toLowerCase();
        break;
      case 'upper':
        s = s.toUpperCase();
        break;
      case 'strip_accents':
        s = s.normalize('NFD').replace(COMBINING_MARKS, '').normalize('NFC');
        break;
      case 'pad_left':
        if (s.length > 0 && s.length < step.width) s = step.fill.repeat(step.width - s.length) + s;
        break;
    }
  }
  return s;
}

const PATTERNS = new Map<ColumnType, RegExp>(
  (Object.entries(CAST_PATTERNS) as [ColumnType, string | null][])
    .filter((e): e is [ColumnType, string] => e[1] !== null)
    .map(([type, p]) => [type, new RegExp(p)]),
);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** 'YYYY-MM-DD[ HH:MM[:SS[.ffffff]]]' (pattern already matched) → ISO string, or null for a non-existent instant. */
function calendarInstant(s: string, type: 'timestamp' | 'date'): string | null {
  const y = Number(s.slice(0, 4));
  const mo = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  if (mo < 1 || mo > 12 || d < 1) return null;
  const dim = mo === 2 && isLeap(y) ? 29 : (DAYS_IN_MONTH[mo - 1] ?? 0);
  if (d > dim) return null;
  const time = s.length > 10 ? s.slice(11) : '00:00:00';
  const h = Number(time.slice(0, 2));
  const mi = Number(time.slice(3, 5));
  const sec = time.length >= 8 ? Number(time.slice(6, 8)) : 0;
  if (h > 23 || mi > 59 || sec > 59) return null;
  const date = s.slice(0, 10);
  if (type === 'date') return date;
  const frac = time.length > 9 ? time.slice(9, 12).padEnd(3, '0') : '000';
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${date}T${p2(h)}:${p2(mi)}:${p2(sec)}.${frac}Z`;
}

/** Decimal text (pattern already matched) → exact string with 2 decimals, rounded half away from zero. */
function toMoney(s: string): string {
  const negative = s.startsWith('-');
  const body = s.replace(/^[+-]/, '');
  const [intPart = '', fracPart = ''] = body.split('.');
  let cents = BigInt((intPart === '' ? '0' : intPart) + (fracPart + '00').slice(0, 2));
  if ((fracPart[2] ?? '0') >= '5') cents += 1n;
  if (negative && cents !== 0n) cents = -cents;
  const abs = cents < 0n ? -cents : cents;
  const whole = (abs / 100n).toString();
  const frac = (abs % 100n).toString().padStart(2, '0');
  return `${cents < 0n ? '-' : ''}${whole}.${frac}`;
}

/** '12.50' / '-0.05' (as produced by the money cast) → integer cents. */
export function moneyToCents(value: string): number {
  const negative = value.startsWith('-');
  const [whole = '0', frac = '00'] = value.replace(/^-/, '').split('.');
  const cents = Number(whole) * 100 + Number(frac.padEnd(2, '0').slice(0, 2));
  return negative ? -cents : cents;
}

function cast(type: ColumnType, s: string): CellValue | undefined {
  if (type === 'string') return s;
  if (!(PATTERNS.get(type)?.test(s) ?? false)) return undefined;
  switch (type) {
    case 'integer':
      return Number(s.split('.')[0]);
    case 'double':
      return Number(s);
    case 'decimal(12,2)':
      return toMoney(s);
    case 'timestamp':
    case 'date':
      return calendarInstant(s, type) ?? undefined;
  }
}

const compiled = new Map<string, RegExp>();
function domainPattern(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re === undefined) {
    re = new RegExp(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

function inDomain(column: ColumnContract, value: CellValue): boolean {
  if (typeof value === 'string' && column.type === 'string') {
    if (column.accepted !== undefined && !column.accepted.includes(value)) return false;
    if (column.pattern !== undefined && !domainPattern(column.pattern).test(value)) return false;
    return true;
  }
  const r = column.range;
  if (r === undefined) return true;
  const n = typeof value === 'string' ? Number(value) : (value as number);
  if (r.min !== undefined && (r.minExclusive === true ? n <= r.min : n < r.min)) return false;
  if (r.max !== undefined && (r.maxExclusive === true ? n >= r.max : n > r.max)) return false;
  return true;
}

export function castCell(column: ColumnContract, raw: string): CellResult {
  const s = applySteps(raw, column.cleanse);
  if (s === '') return { value: null, problem: 'missing' };
  const value = cast(column.type, s);
  if (value === undefined || value === null) return { value: null, problem: 'uncastable' };
  if (!inDomain(column, value)) return { value: null, problem: 'out_of_domain' };
  return { value, problem: null };
}

export type RowOutcome =
  | { ok: true; values: CellValue[]; /** Optional columns whose non-empty text failed and became NULL. */ nulled: string[] }
  | { ok: false; reason: QuarantineReason; column: string | null };

/** One record, fields in contract column order (reorder by `recognizeTable(...).positions` first). */
export function cleanseRow(contract: TableContract, fields: readonly string[]): RowOutcome {
  if (fields.length !== contract.columns.length) return { ok: false, reason: 'malformed', column: null };
  const values: CellValue[] = [];
  const nulled: string[] = [];
  for (let i = 0; i < contract.columns.length; i++) {
    const column = contract.columns[i]!;
    const { value, problem } = castCell(column, fields[i]!);
    if (problem !== null && column.required) {
      return { ok: false, reason: problem === 'missing' ? 'missing_required' : problem, column: column.name };
    }
    if (problem !== null && problem !== 'missing') nulled.push(column.name);
    values.push(value);
  }
  return { ok: true, values, nulled };
}

/** The dedup key of a surviving row: its natural-key values, or the whole row when the table has none. */
const keyIndices = new WeakMap<TableContract, number[]>();

export function naturalKeyOf(contract: TableContract, values: readonly CellValue[]): string {
  const { key } = contract;
  if (key.kind === 'full_row') return JSON.stringify(values);
  let indices = keyIndices.get(contract);
  if (indices === undefined) {
    indices = key.columns.map((name) => contract.columns.findIndex((c) => c.name === name));
    keyIndices.set(contract, indices);
  }
  return JSON.stringify(indices.map((i) => values[i]));
}
