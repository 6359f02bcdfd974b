/**
 * Console sessions: a random token in an HttpOnly cookie; the catalog keeps only its sha256, so a
 * leaked catalog does not leak sessions. Sessions expire after SESSION_DAYS.
 */
import crypto from 'node:crypto';
import { and, eq, gt, sql } from 'drizzle-orm';
import { sessions, users } from '../../db/schema';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError } from '../errors';
import { verifyPassword } from './passwords';
import type { Role } from './users';

export const SESSION_DAYS = 7;

export interface SessionUser {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
}

/** What the catalog stores of a session token. */
export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export async function createSession(db: CatalogDb, userId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
  await db.insert(sessions).values({ tokenHash: hashToken(token), userId, expiresAt });
  return { token, expiresAt };
}

export async function userForSession(db: CatalogDb, token: string | undefined): Promise<SessionUser | undefined> {
  if (!token || token.length > 200) return undefined;
  const rows = await db
    .select({ id: users.id, username: users.username, displayName: users.displayName, role: users.role, disabled: users.disabled })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, sql`now()`)));
  const u = rows[0];
  if (!u || u.disabled) return undefined;
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role };
}

export async function endSession(db: CatalogDb, token: string | undefined): Promise<void> {
  if (token) await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
}

/** Check a user name and password; the same error for an unknown user and a wrong password. */
export async function signIn(db: CatalogDb, username: string, password: string): Promise<{ token: string; expiresAt: Date; user: SessionUser }> {
  const rows = await db.select().from(users).where(sql`lower(${users.username}) = lower(${username})`);
  const u = rows[0];
  // Hash even when the user does not exist, so timing does not tell which user names exist.
  const ok = await verifyPassword(password, u?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  if (!u || !ok || u.disabled) throw new KeystoneError('bad_request:credentials', 'Wrong user name or password.');
  await db.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, u.id));
  const s = await createSession(db, u.id);
  return { ...s, user: { id: u.id, username: u.username, displayName: u.displayName, role: u.role } };
}

export function canDo(user: SessionUser, needed: Role): boolean {
  return needed === 'analyst' || user.role === 'engineer';
}
