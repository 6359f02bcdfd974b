/**
 * A small, forgiving SQL tokenizer for Athena's (Trino's) dialect: enough to find table references,
 * WHERE conjuncts and `?` placeholders without being fooled by strings, quoted identifiers or
 * comments. It never throws: an unterminated string or comment runs to the end of the text.
 *
 * Not a parser. It knows nothing of precedence beyond parentheses; callers look at token shapes.
 */

export type TokenKind =
  | 'word' // bare identifier or keyword; `value` is lower-cased
  | 'ident' // "quoted" or `backticked` identifier; `value` is the name, lower-cased (Athena folds case)
  | 'string' // '…' literal; `value` is the unescaped text
  | 'number' // 123, 1.5, 1e3, .5
  | 'param' // ?
  | 'punct'; // ( ) , . ; = < > <= >= <> != || * + - / % :: -> etc.

export interface Token {
  kind: TokenKind;
  /** Normalised text: see TokenKind. */
  value: string;
  /** Offsets of the token's first character and of the character after its last, in the SQL. */
  start: number;
  end: number;
  /** Parenthesis depth the token sits at; an opening '(' has the depth of its outside. */
  depth: number;
  /** Index of the '(' token that encloses this one, or -1 at the top level. */
  scope: number;
}

const TWO_CHAR = new Set(['<=', '>=', '<>', '!=', '||', '::', '->', '=>']);

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const opens: number[] = []; // token indexes of the unclosed '('
  let i = 0;
  const push = (kind: TokenKind, value: string, start: number) => {
    const scope = opens.length > 0 ? opens[opens.length - 1]! : -1;
    tokens.push({ kind, value, start, end: i, depth: opens.length, scope });
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      const [text, end] = quoted(sql, i, c);
      i = end;
      push(c === "'" ? 'string' : 'ident', c === "'" ? text : text.toLowerCase(), start);
      continue;
    }
    if (/\d/.test(c) || (c === '.' && next !== undefined && /\d/.test(next))) {
      const m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(sql.slice(i))!;
      i += m[0].length;
      push('number', m[0], start);
      continue;
    }
    if (/[\p{L}_]/u.test(c)) {
      const m = /^[\p{L}\p{N}_$@]+/u.exec(sql.slice(i))!;
      i += m[0].length;
      push('word', m[0].toLowerCase(), start);
      continue;
    }
    if (c === '?') {
      i++;
      push('param', '?', start);
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      i += 2;
      push('punct', two, start);
      continue;
    }
    i++;
    if (c === ')') {
      const open = opens.pop();
      // A ')' sits at the depth (and in the scope) of its '(' — the outside of the group.
      tokens.push({ kind: 'punct', value: ')', start, end: i, depth: opens.length, scope: open === undefined ? -1 : tokens[open]!.scope });
      continue;
    }
    push('punct', c, start);
    if (c === '(') opens.push(tokens.length - 1);
  }
  return tokens;
}

/** Text of a quoted token (doubled quote = one quote) and the offset after it. */
function quoted(sql: string, from: number, quote: string): [string, number] {
  let text = '';
  let i = from + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === quote) {
      if (sql[i + 1] === quote) {
        text += quote;
        i += 2;
        continue;
      }
      return [text, i + 1];
    }
    text += c;
    i++;
  }
  return [text, i];
}

/** Index of the ')' that closes the '(' at `open`, or tokens.length when it is never closed. */
export function closingParen(tokens: readonly Token[], open: number): number {
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.value === ')' && t.depth === tokens[open]!.depth) return i;
  }
  return tokens.length;
}

export function isWord(t: Token | undefined, ...words: string[]): boolean {
  return t !== undefined && t.kind === 'word' && (words.length === 0 || words.includes(t.value));
}

export function isPunct(t: Token | undefined, ...values: string[]): boolean {
  return t !== undefined && t.kind === 'punct' && values.includes(t.value);
}

/** How many `?` placeholders the SQL holds outside strings, quoted identifiers and comments. */
export function countPlaceholders(sql: string): number {
  return tokenize(sql).filter((t) => t.kind === 'param').length;
}
