/**
 * Slows password guessing at the sign-in form: failures are counted per user name and per client
 * address; past a free allowance each further failure locks that key for longer (30 s doubling, at
 * most 15 minutes), and a success clears the user name's count. Kept in the console process's memory:
 * one console per lake (a restart forgives, which is acceptable for a brake, not a ban).
 */
import { KeystoneError } from '../errors';

export interface ThrottlePolicy {
  /** Failures allowed before the first lock. */
  free: number;
  firstLockMs: number;
  maxLockMs: number;
  /** A key with no failure for this long starts over. */
  forgetAfterMs: number;
}

export const USER_POLICY: ThrottlePolicy = { free: 5, firstLockMs: 30_000, maxLockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };
/** An address may try several user names (a shared office NAT): a larger allowance. */
export const ADDRESS_POLICY: ThrottlePolicy = { free: 20, firstLockMs: 30_000, maxLockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 };

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

const MAX_KEYS = 100_000;

export class SignInThrottle {
  private readonly users = new Map<string, Entry>();
  private readonly addresses = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly userPolicy = USER_POLICY,
    private readonly addressPolicy = ADDRESS_POLICY,
  ) {}

  /** Throws `bad_request:too_many_sign_ins` while the user name or the address is locked. */
  check(username: string, address: string | undefined): void {
    const t = this.now();
    const wait = Math.max(this.lockLeft(this.users, username.toLowerCase(), t), address ? this.lockLeft(this.addresses, address, t) : 0);
    if (wait > 0) {
      throw new KeystoneError('bad_request:too_many_sign_ins', `Too many failed sign-ins. Try again in ${Math.ceil(wait / 1000)} s.`, { details: { retryAfterMs: wait } });
    }
  }

  failed(username: string, address: string | undefined): void {
    const t = this.now();
    this.bump(this.users, username.toLowerCase(), this.userPolicy, t);
    if (address) this.bump(this.addresses, address, this.addressPolicy, t);
  }

  succeeded(username: string): void {
    this.users.delete(username.toLowerCase());
  }

  private lockLeft(map: Map<string, Entry>, key: string, t: number): number {
    const e = map.get(key);
    return e ? Math.max(0, e.lockedUntil - t) : 0;
  }

  private bump(map: Map<string, Entry>, key: string, policy: ThrottlePolicy, t: number): void {
    let e = map.get(key);
    if (!e || t - e.lastFailure > policy.forgetAfterMs) e = { failures: 0, lockedUntil: 0, lastFailure: t };
    e.failures++;
    e.lastFailure = t;
    const over = e.failures - policy.free;
    if (over > 0) e.lockedUntil = t + Math.min(policy.maxLockMs, policy.firstLockMs * 2 ** Math.min(over - 1, 20));
    map.delete(key);
    map.set(key, e);
    // A flood of made-up user names must not grow memory without bound: drop the oldest entries.
    if (map.size > MAX_KEYS) map.delete(map.keys().next().value!);
  }
}

/** One per process (the console's sign-in action). */
export function signInThrottle(): SignInThrottle {
  const g = globalThis as { __keystoneSignInThrottle?: SignInThrottle };
  return (g.__keystoneSignInThrottle ??= new SignInThrottle());
}
