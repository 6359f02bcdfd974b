/**
 * What a SQL statement reads, as far as a tokenizer can tell: the tables after FROM / JOIN, the
 * simple conjuncts of each WHERE, the names it mentions (for column projection) and whether it
 * selects `*`. Deliberately simple; whatever it does not understand it reports in `notes`, and
 * the estimator then assumes the worse case (no pruning).
 *
 * Understood:
 * - `FROM a.b [AS] x, c.d y`, `JOIN a.b x`, quoted names, catalog-qualified names, subqueries and
 *   parenthesised joins; UNNEST(…), LATERAL (…) and TABLE(…) are skipped (they read no table).
 * - `WITH q AS (…)` queries: a name that refers to one is not a table; the tables inside count once
 *   per reference (Trino inlines WITH queries, so each reference scans again).
 * - Per query level (the top, each parenthesised subquery) and per UNION / INTERSECT / EXCEPT
 *   branch, the WHERE clause's top-level AND conjuncts of the forms `col = lit`, `lit = col`,
 *   `col IN (lit, …)`, `col BETWEEN lit AND lit`, `col <|<=|>|>= lit`, with `col` optionally
 *   qualified (`o.year`) and `lit` a string or number.
 * Not understood (so never used to prune): OR at the top of a WHERE, NOT, functions or casts
 * around the column (`CAST(year AS int) = 2017`), predicates in ON, HAVING or an outer query
 * (no pushdown into subqueries is assumed), IN (subquery), dynamic filtering from joins.
 */
import { closingParen, isPunct, isWord, tokenize, type Token } from './tokenize';

export interface TableReference {
  /** The name as written, lower-cased, split on dots: ['silver', 'orders']. */
  parts: string[];
  alias: string | undefined;
  /** Query level (the enclosing '(' token's index, -1 at the top) and set-operation branch within it. */
  scope: number;
  branch: number;
  /** How many times Athena evaluates this reference (more than 1 inside a WITH query used several times). */
  times: number;
}

export type Literal = { kind: 'string'; text: string } | { kind: 'number'; text: string };

export type FilterOp = '=' | 'in' | 'between' | '<' | '<=' | '>' | '>=';

export interface ColumnFilter {
  /** `o` in `o.year = '2017'`; undefined when unqualified. Lower-cased, dotted when longer. */
  qualifier: string | undefined;
  column: string;
  op: FilterOp;
  values: Literal[];
  /** The conjunct as written, for showing what pruned a table. */
  text: string;
  scope: number;
  branch: number;
}

export interface SqlInspection {
  /** Statements Athena does not bill (DDL, CREATE VIEW, SHOW, DESCRIBE…): nothing is scanned. */
  ddl: boolean;
  tables: TableReference[];
  filters: ColumnFilter[];
  /** Every name the SQL mentions, lower-cased: a column not in here is not read. */
  names: Set<string>;
  /**
   * Where the query selects `*`: the query levels ('scope:branch', see TableReference) with an
   * unqualified `*` — every column of the tables read at that level — and the qualifiers of `x.*`.
   */
  starLevels: Set<string>;
  starQualifiers: Set<string>;
  /** What was seen but not used, in words, for the estimate's assumptions. */
  notes: string[];
}

/** Words that end a table reference (cannot be an alias). */
const NOT_ALIAS = new Set([
  'where', 'join', 'left', 'right', 'full', 'inner', 'cross', 'outer', 'natural', 'on', 'using', 'group', 'order', 'having',
  'limit', 'union', 'intersect', 'except', 'window', 'offset', 'fetch', 'tablesample', 'for', 'as', 'select', 'values',
  'with', 'lateral', 'unnest', 'qualify', 'match_recognize', 'from', 'when', 'then', 'else', 'end', 'into', 'set', 'returning',
]);
/** Words that end a WHERE clause at its own level. */
const END_OF_WHERE = new Set(['group', 'order', 'having', 'limit', 'union', 'intersect', 'except', 'window', 'offset', 'fetch', 'qualify']);
const SET_OPERATIONS = new Set(['union', 'intersect', 'except']);
const DDL_FIRST_WORDS = new Set(['alter', 'drop', 'show', 'describe', 'desc', 'msck', 'comment', 'use']);

export function inspectSql(sql: string): SqlInspection {
  const tokens = tokenize(sql);
  const notes: string[] = [];

  // Set-operation branch of every token, per query level.
  const branchAt: number[] = [];
  const branchOfScope = new Map<number, number>();
  for (const t of tokens) {
    if (isWord(t) && SET_OPERATIONS.has(t.value)) branchOfScope.set(t.scope, (branchOfScope.get(t.scope) ?? 0) + 1);
    branchAt.push(branchOfScope.get(t.scope) ?? 0);
  }
  const level = (i: number) => `${tokens[i]!.scope}:${branchAt[i]}`;

  const first = tokens[0];
  const createsView = isWord(tokens[1], 'view') || (isWord(tokens[1], 'or') && isWord(tokens[2], 'replace') && isWord(tokens[3], 'view'));
  const ddl =
    first !== undefined &&
    ((isWord(first) && DDL_FIRST_WORDS.has(first.value)) || (isWord(first, 'create') && (createsView || !tokens.some((t) => isWord(t, 'select')))));

  const ctes = withQueries(tokens);
  const tables: (TableReference & { at: number })[] = [];
  const selects = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isWord(t, 'select', 'delete')) selects.add(level(i));
    // FROM is a table's only in a query (not EXTRACT(year FROM …), SHOW TABLES FROM …).
    if ((isWord(t, 'from') && selects.has(level(i))) || isWord(t, 'join')) {
      tableReferences(tokens, i + 1, isWord(t, 'from'), (ref, at) => tables.push({ ...ref, scope: t.scope, branch: branchAt[i]!, times: 1, at }));
    }
  }

  // References to WITH queries are not tables; the tables inside a WITH query count once per reference.
  const cteNames = new Map(ctes.map((c) => [c.name, c]));
  const isCteRef = (r: { parts: string[] }) => r.parts.length === 1 && cteNames.has(r.parts[0]!);
  const timesOfCte = new Map<string, number>();
  const timesAt = (index: number, seen: Set<string>): number => {
    const inside = ctes.filter((c) => index > c.open && index < c.close).sort((a, b) => b.open - a.open)[0];
    if (!inside) return 1;
    if (seen.has(inside.name)) return 1; // WITH RECURSIVE referring to itself
    const known = timesOfCte.get(inside.name);
    if (known !== undefined) return known;
    const refs = tables.filter((r) => isCteRef(r) && r.parts[0] === inside.name);
    const times = Math.max(1, refs.reduce((n, r) => n + timesAt(r.at, new Set([...seen, inside.name])), 0));
    timesOfCte.set(inside.name, times);
    return times;
  };
  const realTables: TableReference[] = [];
  for (const r of tables) {
    if (isCteRef(r)) continue;
    const { at, ...ref } = r;
    ref.times = timesAt(at, new Set());
    realTables.push(ref);
  }
  for (const [name, times] of timesOfCte) {
    if (times > 1) notes.push(`WITH query ${name} is referenced ${times} times; Athena evaluates it each time, so its tables count ${times} times.`);
  }

  const filters: ColumnFilter[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (isWord(tokens[i], 'where')) filters.push(...whereFilters(sql, tokens, i, branchAt[i]!, notes));
  }

  const names = new Set<string>();
  const starLevels = new Set<string>();
  const starQualifiers = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.kind === 'word' || t.kind === 'ident') names.add(t.value);
    if (isPunct(t, '*')) {
      const before = tokens[i - 1];
      if (isWord(before, 'select', 'distinct', 'all') || isPunct(before, ',')) starLevels.add(level(i));
      else if (isPunct(before, '.') && (tokens[i - 2]?.kind === 'word' || tokens[i - 2]?.kind === 'ident')) starQualifiers.add(tokens[i - 2]!.value);
    }
  });

  return { ddl, tables: realTables, filters, names, starLevels, starQualifiers, notes };
}

interface WithQuery {
  name: string;
  /** Token indexes of the '(' and ')' around its body. */
  open: number;
  close: number;
}

/** `WITH [RECURSIVE] name [(cols)] AS (body) [, …]`. A CTAS `WITH (format = …)` is not one. */
function withQueries(tokens: readonly Token[]): WithQuery[] {
  const out: WithQuery[] = [];
  tokens.forEach((t, i) => {
    if (!isWord(t, 'with')) return;
    let j = i + 1;
    if (isWord(tokens[j], 'recursive')) j++;
    for (;;) {
      const name = tokens[j];
      if (!name || (name.kind !== 'word' && name.kind !== 'ident')) return;
      j++;
      if (isPunct(tokens[j], '(')) j = closingParen(tokens, j) + 1;
      if (!isWord(tokens[j], 'as') || !isPunct(tokens[j + 1], '(')) return;
      const open = j + 1;
      const close = closingParen(tokens, open);
      out.push({ name: name.value, open, close });
      j = close + 1;
      if (!isPunct(tokens[j], ',')) return;
      j++;
    }
  });
  return out;
}

function isName(t: Token | undefined): boolean {
  return t !== undefined && (t.kind === 'ident' || (t.kind === 'word' && !NOT_ALIAS.has(t.value) && t.value !== 'table'));
}

/** The references after FROM (a comma list) or JOIN (one), starting at token `j`. */
function tableReferences(tokens: readonly Token[], j: number, list: boolean, found: (ref: { parts: string[]; alias: string | undefined }, at: number) => void): void {
  for (;;) {
    const t = tokens[j];
    if (isPunct(t, '(')) {
      const close = closingParen(tokens, j);
      // `FROM (a JOIN b ON …)`: a parenthesised join, not a subquery.
      if (isName(tokens[j + 1]) && !isWord(tokens[j + 1], 'select', 'with', 'values')) tableReferences(tokens, j + 1, true, found);
      j = skipAlias(tokens, close + 1).next;
    } else if (isWord(t, 'unnest', 'lateral', 'table') && isPunct(tokens[j + 1], '(')) {
      j = skipAlias(tokens, closingParen(tokens, j + 1) + 1).next;
    } else if (isName(t)) {
      const parts = [t!.value];
      const at = j;
      j++;
      while (isPunct(tokens[j], '.') && (tokens[j + 1]?.kind === 'word' || tokens[j + 1]?.kind === 'ident')) {
        parts.push(tokens[j + 1]!.value);
        j += 2;
      }
      if (isWord(tokens[j], 'tablesample') && isPunct(tokens[j + 2], '(')) j = closingParen(tokens, j + 2) + 1;
      const alias = skipAlias(tokens, j);
      found({ parts, alias: alias.alias }, at);
      j = alias.next;
    } else {
      return;
    }
    if (!list || !isPunct(tokens[j], ',')) return;
    j++;
  }
}

function skipAlias(tokens: readonly Token[], j: number): { alias: string | undefined; next: number } {
  let k = j;
  if (isWord(tokens[k], 'as')) k++;
  const t = tokens[k];
  if (!isName(t)) return { alias: undefined, next: j };
  k++;
  if (isPunct(tokens[k], '(')) k = closingParen(tokens, k) + 1; // t(a, b): column aliases
  return { alias: t!.value, next: k };
}

/** The usable conjuncts of the WHERE at token `w`. */
function whereFilters(sql: string, tokens: readonly Token[], w: number, branch: number, notes: string[]): ColumnFilter[] {
  const depth = tokens[w]!.depth;
  const scope = tokens[w]!.scope;
  const conjuncts: Token[][] = [[]];
  let betweenOpen = false;
  for (let j = w + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.depth < depth || (t.depth === depth && (isPunct(t, ';') || (isWord(t) && END_OF_WHERE.has(t.value))))) break;
    if (t.depth === depth && isWord(t, 'or')) {
      notes.push('A WHERE clause has OR at its top level: it prunes no partitions in this estimate.');
      return [];
    }
    if (t.depth === depth && isWord(t, 'between')) betweenOpen = true;
    if (t.depth === depth && isWord(t, 'and')) {
      if (betweenOpen) betweenOpen = false;
      else {
        conjuncts.push([]);
        continue;
      }
    }
    conjuncts[conjuncts.length - 1]!.push(t);
  }
  const out: ColumnFilter[] = [];
  for (const c of conjuncts) {
    const parsed = conjunct(c);
    if (parsed) out.push({ ...parsed, text: sql.slice(c[0]!.start, c[c.length - 1]!.end), scope, branch });
  }
  return out;
}

type Parsed = Omit<ColumnFilter, 'text' | 'scope' | 'branch'>;

const FLIP: Record<string, FilterOp> = { '=': '=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

function conjunct(ts: readonly Token[]): Parsed | undefined {
  const col = column(ts, 0);
  if (col) {
    const op = ts[col.next];
    if (op?.kind === 'punct' && FLIP[op.value] !== undefined) {
      const lit = literal(ts, col.next + 1);
      if (lit && lit.next === ts.length) return { ...col.name, op: op.value as FilterOp, values: [lit.value] };
    }
    if (isWord(op, 'in') && isPunct(ts[col.next + 1], '(')) {
      const values: Literal[] = [];
      let j = col.next + 2;
      for (;;) {
        const lit = literal(ts, j);
        if (!lit) return undefined;
        values.push(lit.value);
        j = lit.next;
        if (isPunct(ts[j], ',')) j++;
        else if (isPunct(ts[j], ')') && j === ts.length - 1) return { ...col.name, op: 'in', values };
        else return undefined;
      }
    }
    if (isWord(op, 'between')) {
      const lo = literal(ts, col.next + 1);
      const hi = lo && isWord(ts[lo.next], 'and') ? literal(ts, lo.next + 1) : undefined;
      if (lo && hi && hi.next === ts.length) return { ...col.name, op: 'between', values: [lo.value, hi.value] };
    }
    return undefined;
  }
  const lit = literal(ts, 0);
  const op = lit ? ts[lit.next] : undefined;
  if (lit && op?.kind === 'punct' && FLIP[op.value] !== undefined) {
    const right = column(ts, lit.next + 1);
    if (right && right.next === ts.length) return { ...right.name, op: FLIP[op.value]!, values: [lit.value] };
  }
  return undefined;
}

function column(ts: readonly Token[], j: number): { name: { qualifier: string | undefined; column: string }; next: number } | undefined {
  const parts: string[] = [];
  let k = j;
  for (;;) {
    const t = ts[k];
    if (!t || (t.kind !== 'ident' && t.kind !== 'word')) return undefined;
    parts.push(t.value);
    k++;
    if (!isPunct(ts[k], '.')) break;
    k++;
  }
  if (isPunct(ts[k], '(')) return undefined; // a function call
  const name = parts.pop()!;
  return { name: { qualifier: parts.length > 0 ? parts.join('.') : undefined, column: name }, next: k };
}

function literal(ts: readonly Token[], j: number): { value: Literal; next: number } | undefined {
  const t = ts[j];
  if (t?.kind === 'string') return { value: { kind: 'string', text: t.value }, next: j + 1 };
  if (t?.kind === 'number') return { value: { kind: 'number', text: t.value }, next: j + 1 };
  if (isPunct(t, '-') && ts[j + 1]?.kind === 'number') return { value: { kind: 'number', text: `-${ts[j + 1]!.value}` }, next: j + 2 };
  return undefined;
}
