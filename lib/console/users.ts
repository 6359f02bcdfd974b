/** The people who use the console, for the admin's Users page and `keystone users list`. */
import { asc } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { Role } from '../auth/users';
import type { CatalogDb } from '../catalog/database';
import { KeystoneError } from '../errors';

export interface UserView {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export async function listUsers(db: CatalogDb): Promise<UserView[]> {
  const rows = await db.select().from(users).orderBy(asc(users.username));
  return rows.map((u) => ({
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
  }));
}

export function parseRole(value: unknown): Role {
  if (value === 'engineer' || value === 'analyst') return value;
  throw new KeystoneError('bad_request:role', `${JSON.stringify(value)} is not a role: use engineer or analyst.`);
}
