/** A saved query as the browser sees it (dates as text). */
import type { QueryParameter } from '@/db/schema';
import type { SavedQuery } from '@/lib/sql/saved-queries';

export interface SavedQueryView {
  id: string;
  name: string;
  description: string | null;
  sql: string;
  parameters: QueryParameter[];
  userId: string | null;
  updatedAt: string;
}

export function toView(q: SavedQuery): SavedQueryView {
  return { id: q.id, name: q.name, description: q.description, sql: q.sql, parameters: q.parameters, userId: q.userId, updatedAt: q.updatedAt.toISOString() };
}
