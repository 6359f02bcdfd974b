'use server';
/**
 * Saved-query actions for the SQL editor. Every action checks the user on the server (a forged call
 * gets the same refusal as a button press) and calls lib/sql/saved-queries.
 */
import { revalidatePath } from 'next/cache';
import { requireUserForAction } from '@/components/auth/session';
import { appCatalog } from '@/components/server-context';
import { actionFailure, type ActionFailure } from '@/components/action-result';
import type { QueryParameter } from '@/db/schema';
import { createSavedQuery, deleteSavedQuery, updateSavedQuery } from '@/lib/sql/saved-queries';
import { toView, type SavedQueryView } from '@/components/sql/saved-view';

export interface SaveInput {
  id?: string;
  name: string;
  description?: string;
  sql: string;
  parameters: QueryParameter[];
}

export async function saveQueryAction(input: SaveInput): Promise<{ ok: true; query: SavedQueryView } | ActionFailure> {
  try {
    const user = await requireUserForAction('analyst');
    const { db } = await appCatalog();
    const body = { name: input.name, description: input.description ?? null, sql: input.sql, parameters: input.parameters };
    const q = input.id ? await updateSavedQuery(db, user, input.id, body) : await createSavedQuery(db, user, body);
    revalidatePath('/sql');
    return { ok: true, query: toView(q) };
  } catch (e) {
    return actionFailure(e, 'saveQuery');
  }
}

export async function deleteQueryAction(id: string): Promise<{ ok: true } | ActionFailure> {
  try {
    const user = await requireUserForAction('analyst');
    const { db } = await appCatalog();
    await deleteSavedQuery(db, user, id);
    revalidatePath('/sql');
    return { ok: true };
  } catch (e) {
    return actionFailure(e, 'deleteQuery');
  }
}
