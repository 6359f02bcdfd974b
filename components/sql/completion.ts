/**
 * The editor's SQL language with autocomplete of schemas (bronze, silver, gold), tables and columns.
 * Built once per catalog version and kept for the tab's life: with hundreds of tables, building the
 * completion tree is the expensive part, and typing must never rebuild it.
 */
import { PostgreSQL, sql, type SQLNamespace } from '@codemirror/lang-sql';
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import type { Extension } from '@codemirror/state';
import type { CompletionSchema } from '@/lib/sql/completion';

const built = new Map<string, Extension>();

function columnCompletions(schema: CompletionSchema): Completion[] {
  // One entry per column name, telling where it occurs: `order_id · integer · gold.fact_orders, silver.orders +3`.
  const byName = new Map<string, { types: Set<string>; tables: string[] }>();
  for (const t of schema.tables) {
    for (const c of t.columns) {
      const e = byName.get(c.name) ?? { types: new Set<string>(), tables: [] };
      e.types.add(c.type.toLowerCase());
      e.tables.push(`${t.schema}.${t.name}`);
      byName.set(c.name, e);
    }
  }
  return [...byName.entries()].map(([name, e]) => ({
    label: name,
    type: 'property',
    detail: [...e.types].slice(0, 2).join('|'),
    info: e.tables.length > 3 ? `${e.tables.slice(0, 3).join(', ')} +${e.tables.length - 3}` : e.tables.join(', '),
    boost: -1,
  }));
}

/** Top-level column names (lang-sql completes columns only after `table.`). */
function columnSource(options: Completion[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*$/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    // After a dot, lang-sql's schema source knows better.
    if (context.state.sliceDoc(word.from - 1, word.from) === '.') return null;
    return { from: word.from, options, validFor: /^[A-Za-z0-9_]*$/ };
  };
}

export function sqlExtension(schema: CompletionSchema): Extension {
  const hit = built.get(schema.version);
  if (hit) return hit;
  const namespace: Record<string, Record<string, Completion[]>> = {};
  for (const t of schema.tables) {
    namespace[t.schema] ??= {};
    namespace[t.schema]![t.name] = t.columns.map((c) => ({ label: c.name, type: 'property', detail: c.type.toLowerCase() }));
  }
  const ext: Extension = [
    sql({ dialect: PostgreSQL, schema: namespace as SQLNamespace, upperCaseKeywords: true }),
    PostgreSQL.language.data.of({ autocomplete: columnSource(columnCompletions(schema)) }),
  ];
  built.clear();
  built.set(schema.version, ext);
  return ext;
}
