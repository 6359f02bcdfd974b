/**
 * Validation of what the browser sends to the SQL routes (zod at the edge), and the resolution of a
 * saved query: when the request names one, its SQL and parameter types come from the catalog, so an
 * analyst running a saved query runs exactly what was saved.
 */
import { z } from 'zod';
import type { QueryParameter } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError } from '../errors';
import { PARAMETER_TYPES, type RawValue } from './parameters';
import { QUERY_ID_RE } from './running';
import { getSavedQuery } from './saved-queries';

const parameter = z.object({
  name: z.string().max(63),
  type: z.enum(PARAMETER_TYPES as [QueryParameter['type'], ...QueryParameter['type'][]]),
  default: z.string().max(1000).optional(),
  label: z.string().max(200).optional(),
});

const base = z.object({
  sql: z.string().max(200_000).optional(),
  savedQueryId: z.uuid().nullish(),
  parameters: z.array(parameter).max(50).optional(),
  values: z.record(z.string().max(63), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()])).optional(),
});

export const runBody = base.extend({
  queryId: z.string().regex(QUERY_ID_RE, 'A query id is 8–64 letters, digits, "-" or "_".'),
  timeoutSeconds: z.number().positive().max(3600).optional(),
});

export const exportBody = base.extend({ name: z.string().max(200).optional() });

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new KeystoneError('bad_request:sql_request', first ? `${first.path.join('.') || 'request'}: ${first.message}` : 'Invalid request.');
  }
  return r.data;
}

export interface ResolvedSql {
  sql: string;
  parameters: QueryParameter[];
  values: Record<string, RawValue>;
  savedQueryId: string | null;
  name?: string;
}

/** The SQL to run: the request's own, or the saved query's (its id is kept only when the SQL is unchanged). */
export async function resolveSql(db: CatalogDb, body: z.infer<typeof base>): Promise<ResolvedSql> {
  const values = body.values ?? {};
  if (body.savedQueryId) {
    const saved = await getSavedQuery(db, body.savedQueryId);
    const sql = body.sql ?? saved.sql;
    const unchanged = sql === saved.sql;
    return { sql, parameters: unchanged ? saved.parameters : (body.parameters ?? saved.parameters), values, savedQueryId: unchanged ? saved.id : null, name: saved.name };
  }
  if (body.sql === undefined || body.sql.trim() === '') throw new KeystoneError('bad_request:sql', 'There is no SQL statement to run.');
  return { sql: body.sql, parameters: body.parameters ?? [], values, savedQueryId: null };
}
