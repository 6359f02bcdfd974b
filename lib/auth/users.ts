/** Users of the console. Roles: engineers do everything; analysts read and run queries. */
import { sql } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError } from '../errors';
import { generatePassword, hashPassword } from './passwords';

export type Role = 'engineer' | 'analyst';
export const USERNAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$/;

export async function createUser(db: CatalogDb, input: { username: string; password: string; role: Role; displayName?: string }) {
  if (!USERNAME_RE.test(input.username)) {
    throw new KeystoneError('bad_request:username', `"${input.username}" is not a valid user name: 2–64 letters, digits, ".", "_" or "-"`);
  }
  if (input.password.length < 8) throw new KeystoneError('bad_request:password', 'a password has at least 8 characters');
  const passwordHash = await hashPassword(input.password);
  const rows = await db
    .insert(users)
    .values({ username: input.username, passwordHash, role: input.role, displayName: input.displayName ?? null })
    .onConflictDoNothing()
    .returning({ id: users.id });
  if (rows.length === 0) throw new KeystoneError('conflict:username', `the user "${input.username}" already exists`);
  return rows[0]!.id;
}

/**
 * At first start (no users at all) create `admin`, an engineer, with KEYSTONE_ADMIN_PASSWORD or a
 * generated password that is returned so the caller prints it once. Safe to call on every start.
 */
export async function ensureFirstAdmin(db: CatalogDb, configuredPassword: string | undefined): Promise<{ created: false } | { created: true; username: string; password: string; generated: boolean }> {
  const [{ n } = { n: 0 }] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  if (n > 0) return { created: false };
  const password = configuredPassword ?? generatePassword();
  try {
    await createUser(db, { username: 'admin', password, role: 'engineer', displayName: 'Administrator' });
  } catch (e) {
    // Another process (console, ingestor, CLI) created it first.
    if (e instanceof KeystoneError && e.code === 'conflict:username') return { created: false };
    throw e;
  }
  return { created: true, username: 'admin', password, generated: configuredPassword === undefined };
}
