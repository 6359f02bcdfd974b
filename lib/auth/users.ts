/** Users of the console. Roles: engineers do everything; analysts read and run queries. */
import { and, eq, ne, sql } from 'drizzle-orm';
import { sessions, users } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError } from '../errors';
import { generatePassword, hashPassword, verifyPassword } from './passwords';

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

async function enabledEngineers(db: CatalogDb): Promise<string[]> {
  const rows = await db.select({ id: users.id }).from(users).where(and(eq(users.role, 'engineer'), eq(users.disabled, false)));
  return rows.map((r) => r.id);
}

async function requireUserRow(db: CatalogDb, userId: string) {
  const [u] = await db.select().from(users).where(eq(users.id, userId));
  if (!u) throw new KeystoneError('not_found:user', 'There is no such user.');
  return u;
}

/** Someone must always be able to manage users: the last enabled engineer cannot be demoted or disabled. */
async function assertNotLastEngineer(db: CatalogDb, userId: string, what: string) {
  const engineers = await enabledEngineers(db);
  if (engineers.length === 1 && engineers[0] === userId) throw new KeystoneError('conflict:last_engineer', `${what}: this is the last enabled engineer, and someone must be able to manage users.`);
}

export async function setUserRole(db: CatalogDb, actorId: string, userId: string, role: Role): Promise<void> {
  const u = await requireUserRow(db, userId);
  if (u.role === role) return;
  if (role !== 'engineer') await assertNotLastEngineer(db, userId, `Cannot make ${u.username} an analyst`);
  if (actorId === userId && role !== 'engineer') throw new KeystoneError('bad_request:own_role', 'You cannot take the engineer role from yourself; ask another engineer.');
  await db.update(users).set({ role }).where(eq(users.id, userId));
}

/** Disabling signs the user out everywhere (their sessions are deleted). */
export async function setUserDisabled(db: CatalogDb, actorId: string, userId: string, disabled: boolean): Promise<void> {
  const u = await requireUserRow(db, userId);
  if (disabled && actorId === userId) throw new KeystoneError('bad_request:own_account', 'You cannot disable your own account.');
  if (disabled && u.role === 'engineer' && !u.disabled) await assertNotLastEngineer(db, userId, `Cannot disable ${u.username}`);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ disabled }).where(eq(users.id, userId));
    if (disabled) await tx.delete(sessions).where(eq(sessions.userId, userId));
  });
}

/** A new generated password, returned once to be handed over; the user's sessions end. */
export async function resetPassword(db: CatalogDb, userId: string): Promise<{ username: string; password: string }> {
  const u = await requireUserRow(db, userId);
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await tx.delete(sessions).where(eq(sessions.userId, userId));
  });
  return { username: u.username, password };
}

/** A user changes their own password; other sessions of theirs end, this one stays. */
export async function changeOwnPassword(db: CatalogDb, userId: string, current: string, next: string, keepSessionTokenHash?: string): Promise<void> {
  const u = await requireUserRow(db, userId);
  if (!(await verifyPassword(current, u.passwordHash))) throw new KeystoneError('bad_request:credentials', 'The current password is wrong.');
  if (next.length < 8) throw new KeystoneError('bad_request:password', 'a password has at least 8 characters');
  const passwordHash = await hashPassword(next);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await tx.delete(sessions).where(keepSessionTokenHash ? and(eq(sessions.userId, userId), ne(sessions.tokenHash, keepSessionTokenHash)) : eq(sessions.userId, userId));
  });
}
