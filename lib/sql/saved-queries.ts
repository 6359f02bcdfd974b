/**
 * Saved queries: a name (unique, case-insensitive), a description, SQL with `{{parameters}}`, and the
 * parameters' types, defaults and labels. Shared by the whole team: anyone signed in may run one
 * (analysts through the read-only guard, like any SQL they run); its author or an engineer may change
 * or delete it.
 */
import { asc, eq, sql as dsql } from 'drizzle-orm';
import { z } from 'zod';
import { savedQueries, type QueryParameter } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError } from '../errors';
import { PARAMETER_TYPES, validateParameters } from './parameters';

export type SavedQuery = typeof savedQueries.$inferSelect;

export interface Actor {
  id: string;
  role: 'engineer' | 'analyst';
}

const parameterSchema = z.object({
  name: z.string().trim(),
  type: z.enum(PARAMETER_TYPES as [QueryParameter['type'], ...QueryParameter['type'][]]),
  default: z.string().max(1000).optional(),
  label: z.string().trim().max(200).optional(),
});

export const savedQueryInput = z.object({
  name: z.string().trim().min(1, 'A saved query needs a name.').max(120, 'A name has at most 120 characters.'),
  description: z.string().trim().max(2000).optional().nullable(),
  sql: z.string().min(1, 'A saved query needs SQL.').max(200_000),
  parameters: z.array(parameterSchema).max(50).default([]),
});
export type SavedQueryInput = z.input<typeof savedQueryInput>;

function parseInput(input: unknown) {
  const r = savedQueryInput.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new KeystoneError('bad_request:saved_query', first ? `${first.path.length ? first.path.join('.') + ': ' : ''}${first.message}` : 'Invalid saved query.');
  }
  if (r.data.sql.trim() === '') throw new KeystoneError('bad_request:saved_query', 'A saved query needs SQL.');
  return { ...r.data, parameters: validateParameters(r.data.sql, r.data.parameters as QueryParameter[]) };
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string; cause?: { code?: string } })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  return code === '23505';
}

function nameTaken(name: string): KeystoneError {
  return new KeystoneError('conflict:saved_query', `A saved query named "${name}" already exists (names ignore case); pick another name.`);
}

export async function listSavedQueries(db: CatalogDb): Promise<SavedQuery[]> {
  return db.select().from(savedQueries).orderBy(asc(dsql`lower(${savedQueries.name})`));
}

export async function getSavedQuery(db: CatalogDb, id: string): Promise<SavedQuery> {
  if (!z.uuid().safeParse(id).success) throw new KeystoneError('not_found:saved_query', `There is no saved query ${JSON.stringify(id)}.`);
  const rows = await db.select().from(savedQueries).where(eq(savedQueries.id, id));
  const q = rows[0];
  if (!q) throw new KeystoneError('not_found:saved_query', `There is no saved query ${id}; it may have been deleted.`);
  return q;
}

export async function createSavedQuery(db: CatalogDb, actor: Actor, input: unknown): Promise<SavedQuery> {
  const v = parseInput(input);
  try {
    const rows = await db
      .insert(savedQueries)
      .values({ name: v.name, description: v.description || null, sql: v.sql, parameters: v.parameters, userId: actor.id })
      .returning();
    return rows[0]!;
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(v.name);
    throw e;
  }
}

function assertMayChange(q: SavedQuery, actor: Actor): void {
  if (actor.role !== 'engineer' && q.userId !== actor.id) {
    throw new KeystoneError('forbidden:saved_query', `Only its author or an engineer may change the saved query "${q.name}".`);
  }
}

export async function updateSavedQuery(db: CatalogDb, actor: Actor, id: string, input: unknown): Promise<SavedQuery> {
  const existing = await getSavedQuery(db, id);
  assertMayChange(existing, actor);
  const v = parseInput(input);
  try {
    const rows = await db
      .update(savedQueries)
      .set({ name: v.name, description: v.description || null, sql: v.sql, parameters: v.parameters, updatedAt: dsql`now()` })
      .where(eq(savedQueries.id, id))
      .returning();
    return rows[0]!;
  } catch (e) {
    if (isUniqueViolation(e)) throw nameTaken(v.name);
    throw e;
  }
}

export async function deleteSavedQuery(db: CatalogDb, actor: Actor, id: string): Promise<void> {
  const existing = await getSavedQuery(db, id);
  assertMayChange(existing, actor);
  await db.delete(savedQueries).where(eq(savedQueries.id, id));
}
