/**
 * What the editor's autocomplete knows: every lake table (`bronze.x`, `silver.x`, `gold.x`) with its
 * columns and types. Built once per catalog version — the version is a digest of every table's
 * current version id — so the server rebuilds it only when a run commits, and the browser builds its
 * CodeMirror completion source only when the version changes (see components/sql/completion.ts).
 */
import crypto from 'node:crypto';
import type { LakeTable } from '../lake/views';

export interface CompletionTable {
  schema: string;
  name: string;
  columns: { name: string; type: string }[];
}

export interface CompletionSchema {
  /** Changes whenever any table's current version changes. */
  version: string;
  tables: CompletionTable[];
}

export function catalogVersion(tables: readonly Pick<LakeTable, 'layer' | 'name' | 'versionId'>[]): string {
  const parts = tables.map((t) => `${t.layer}.${t.name}@${t.versionId}`).sort();
  return crypto.createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

const KEY = Symbol.for('keystone.sql.completionCache');
type Cache = Map<string, CompletionSchema>;

export function completionSchema(tables: readonly LakeTable[]): CompletionSchema {
  const version = catalogVersion(tables);
  const g = globalThis as { [KEY]?: Cache };
  const cache = (g[KEY] ??= new Map());
  const hit = cache.get(version);
  if (hit) return hit;
  const built: CompletionSchema = {
    version,
    tables: [...tables]
      .sort((a, b) => `${a.layer}.${a.name}`.localeCompare(`${b.layer}.${b.name}`))
      .map((t) => {
        const columns = t.schema.map((c) => ({ name: c.name, type: c.type }));
        // Hive partition keys are columns of the view even when the file schema lacks them.
        for (const k of t.partitionKeys) if (!columns.some((c) => c.name === k)) columns.push({ name: k, type: 'VARCHAR' });
        return { schema: t.layer, name: t.name, columns };
      }),
  };
  cache.clear(); // only the current version is ever asked for again
  cache.set(version, built);
  return built;
}
