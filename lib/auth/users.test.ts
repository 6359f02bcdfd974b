/**
 * Managing users: roles, disable / enable (sessions end), password reset and change, and the rule that
 * the last enabled engineer cannot be demoted or disabled; the sign-in throttle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/databases';
import { openCatalog, type Catalog } from '../catalog/database';
import { loadConfig } from '../config';
import { createLogger } from '../logger';
import { hashToken, signIn, userForSession } from './sessions';
import { SignInThrottle } from './throttle';
import { changeOwnPassword, createUser, resetPassword, setUserDisabled, setUserRole } from './users';

let tdb: TestDatabase;
let catalog: Catalog;
let admin: string;
let ana: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  catalog = await openCatalog(loadConfig({ DATABASE_URL: tdb.url }), { log: createLogger({}, () => undefined) });
  admin = await createUser(catalog.db, { username: 'boss', password: 'boss-password', role: 'engineer' });
  ana = await createUser(catalog.db, { username: 'ana', password: 'ana-password', role: 'analyst' });
});
afterAll(async () => {
  await catalog.close();
  await tdb.drop();
});

describe('managing users', () => {
  it('keeps one enabled engineer: the last cannot be demoted or disabled, nor disable themselves', async () => {
    await expect(setUserRole(catalog.db, ana, admin, 'analyst')).rejects.toThrow(/last enabled engineer/);
    await expect(setUserDisabled(catalog.db, admin, admin, true)).rejects.toThrow(/your own account/);
    await expect(setUserDisabled(catalog.db, ana, admin, true)).rejects.toThrow(/last enabled engineer/);
    // With a second engineer, the first may be made an analyst (by the other).
    await setUserRole(catalog.db, admin, ana, 'engineer');
    await setUserRole(catalog.db, ana, admin, 'analyst');
    await setUserRole(catalog.db, ana, admin, 'engineer');
    await setUserRole(catalog.db, admin, ana, 'analyst');
  });

  it('disabling ends the sessions and refuses sign-in; enabling lets them back', async () => {
    const s = await signIn(catalog.db, 'ana', 'ana-password');
    expect((await userForSession(catalog.db, s.token))?.username).toBe('ana');
    await setUserDisabled(catalog.db, admin, ana, true);
    expect(await userForSession(catalog.db, s.token)).toBeUndefined();
    await expect(signIn(catalog.db, 'ana', 'ana-password')).rejects.toThrow('Wrong user name or password.');
    await setUserDisabled(catalog.db, admin, ana, false);
    expect((await signIn(catalog.db, 'ana', 'ana-password')).user.username).toBe('ana');
  });

  it('a reset password works once handed over, the old one and old sessions do not', async () => {
    const s = await signIn(catalog.db, 'ana', 'ana-password');
    const r = await resetPassword(catalog.db, ana);
    expect(r.username).toBe('ana');
    expect(r.password.length).toBeGreaterThanOrEqual(16);
    expect(await userForSession(catalog.db, s.token)).toBeUndefined();
    await expect(signIn(catalog.db, 'ana', 'ana-password')).rejects.toThrow();
    const again = await signIn(catalog.db, 'ana', r.password);
    // Changing one's own password needs the current one; the session it is done from stays.
    await expect(changeOwnPassword(catalog.db, ana, 'not-it', 'new-password-1', hashToken(again.token))).rejects.toThrow('The current password is wrong.');
    const other = await signIn(catalog.db, 'ana', r.password);
    await changeOwnPassword(catalog.db, ana, r.password, 'new-password-1', hashToken(again.token));
    expect((await userForSession(catalog.db, again.token))?.username).toBe('ana');
    expect(await userForSession(catalog.db, other.token)).toBeUndefined();
    expect((await signIn(catalog.db, 'ana', 'new-password-1')).user.username).toBe('ana');
  });
});

describe('the sign-in throttle', () => {
  it('locks a user name after 5 failures, longer each time, and a success clears it', () => {
    let t = 0;
    const th = new SignInThrottle(() => t);
    for (let i = 0; i < 5; i++) {
      th.check('Ana', '10.0.0.1');
      th.failed('Ana', '10.0.0.1');
    }
    // The 5th failure is still free; the 6th locks for 30 s.
    th.check('ana', '10.0.0.2');
    th.failed('ana', '10.0.0.2');
    expect(() => th.check('ANA', '10.0.0.3')).toThrow('Too many failed sign-ins. Try again in 30 s.');
    t += 30_001;
    th.check('ana', '10.0.0.3');
    th.failed('ana', '10.0.0.3');
    expect(() => th.check('ana', undefined)).toThrow('Try again in 60 s.');
    // Another user name from another address is not affected.
    th.check('bob', '10.0.0.9');
    t += 60_001;
    th.succeeded('ana');
    th.check('ana', '10.0.0.3');
  });

  it('locks an address that tries many user names', () => {
    const th = new SignInThrottle(() => 0);
    for (let i = 0; i < 21; i++) th.failed(`user${i}`, '192.0.2.7');
    expect(() => th.check('someone-new', '192.0.2.7')).toThrow(/Too many failed sign-ins/);
    th.check('someone-new', '192.0.2.8');
  });
});
