/**
 * A small lexer for the SQL a person types into the editor (DuckDB's dialect, which is Postgres's
 * plus a few extras). It knows exactly the things that decide what a word *is*: comments (`--`,
 * nested block comments), string literals ('…' with '' escapes, E'…' with backslash escapes,
 * $tag$…$tag$ dollar quotes), quoted identifiers ("…" with "" escapes) and `{{name}}` templates.
 *
 * Used twice: by the read-only guard (keywords and function names outside strings and comments) and
 * by the parameter binder (`{{name}}` outside strings and comments). It never throws: text after an
 * unterminated string or comment belongs to that string or comment, which errs on the safe side for
 * both users (the guard sees no keyword there, but DuckDB's own parser then refuses the text).
 */

export type TokenKind =
  | 'word' // bare identifier or keyword; `value` is lower-cased
  | 'ident' // "quoted identifier"; `value` is the name as written
  | 'string' // any string literal; `value` is its text (escapes undone for '…')
  | 'number'
  | 'param' // ?, $1, $name
  | 'template' // {{name}}; `value` is the name
  | 'punct' // one operator or punctuation character (or a two-character operator)
  | 'comment'; // -- … or /* … */ (kept so callers can splice around them)

export interface Token {
  kind: TokenKind;
  value: string;
  /** Offset of the first character in the SQL. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

const TWO_CHAR = new Set(['<=', '>=', '<>', '!=', '||', '::', '->', '=>', '**', '//', '<<', '>>', '^@']);
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

export function lex(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  const push = (kind: TokenKind, value: string, start: number, end: number) => tokens.push({ kind, value, start, end });

  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    const start = i;
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol;
      push('comment', sql.slice(start, i), start, i);
      continue;
    }
    if (c === '/' && next === '*') {
      // Block comments nest in DuckDB (as in Postgres).
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      push('comment', sql.slice(start, i), start, i);
      continue;
    }
    if (c === '{' && next === '{') {
      const m = /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/.exec(sql.slice(i, i + 80));
      if (m) {
        i += m[0].length;
        push('template', m[1]!, start, i);
        continue;
      }
    }
    if ((c === 'E' || c === 'e') && next === "'") {
      const [text, end] = backslashString(sql, i + 1);
      i = end;
      push('string', text, start, i);
      continue;
    }
    if (c === "'") {
      const [text, end] = doubledQuote(sql, i, "'");
      i = end;
      push('string', text, start, i);
      continue;
    }
    if (c === '"') {
      const [text, end] = doubledQuote(sql, i, '"');
      i = end;
      push('ident', text, start, i);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        const end = close < 0 ? n : close + tag[0].length;
        push('string', sql.slice(i + tag[0].length, close < 0 ? n : close), start, end);
        i = end;
        continue;
      }
      const param = /^\$([0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i, i + 66));
      if (param) {
        i += param[0].length;
        push('param', param[0], start, i);
        continue;
      }
    }
    if (c === '?') {
      i++;
      push('param', '?', start, i);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      const m = /^(0x[0-9a-fA-F_]+|0b[01_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?[0-9]+)?)/.exec(sql.slice(i));
      i += m ? Math.max(1, m[0].length) : 1;
      push('number', sql.slice(start, i), start, i);
      continue;
    }
    if (WORD_START.test(c)) {
      i++;
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      push('word', sql.slice(start, i).toLowerCase(), start, i);
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      i += 2;
      push('punct', two, start, i);
      continue;
    }
    i++;
    push('punct', c, start, i);
  }
  return tokens;
}

/** '…' or "…" with the quote doubled inside. Returns the text and the offset after the closing quote. */
function doubledQuote(sql: string, open: number, q: string): [string, number] {
  let i = open + 1;
  let text = '';
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === q) {
      if (sql[i + 1] === q) {
        text += q;
        i += 2;
        continue;
      }
      return [text, i + 1];
    }
    text += ch;
    i++;
  }
  return [text, sql.length];
}

/** E'…': backslash escapes, and '' still works. */
function backslashString(sql: string, open: number): [string, number] {
  let i = open + 1;
  let text = '';
  while (i < sql.length) {
    const ch = sql[i]!;
    if (ch === '\\' && i + 1 < sql.length) {
      text += sql[i + 1];
      i += 2;
      continue;
    }
    if (ch === "'") {
      if (sql[i + 1] === "'") {
        text += "'";
        i += 2;
        continue;
      }
      return [text, i + 1];
    }
    text += ch;
    i++;
  }
  return [text, sql.length];
}

/** Tokens a parser would see: comments dropped. */
export function significant(tokens: readonly Token[]): Token[] {
  return tokens.filter((t) => t.kind !== 'comment');
}
