/**
 * The one place Athena calls are retried, and the two waits of the engine:
 * - `withRetries`: throttling (TooManyRequestsException, ThrottlingException, HTTP 429), server
 *   faults (5xx) and dropped connections are retried with exponential backoff and jitter; anything
 *   else fails at once. The SDK's own retries are turned off for clients we create (maxAttempts 1),
 *   so attempts do not multiply. Every wait stops early when the query must stop.
 * - `pollDelay`: how long to wait between GetQueryExecution polls (100 ms doubling to 2 s).
 */
import { KeystoneError, errorMessage } from '../../errors';
import type { QueryGuard } from '../guard';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Backoff before retry n (0-based) is drawn from [cap/2, cap] with cap = min(maxMs, baseMs·2^n). */
  baseMs: number;
  maxMs: number;
}

export interface PollPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseMs: 200, maxMs: 10_000 };
export const DEFAULT_POLL: PollPolicy = { initialMs: 100, maxMs: 2_000 };

/** Wait before poll n+1 (n counts the polls that found the query QUEUED or RUNNING, from 0). */
export function pollDelay(n: number, policy: PollPolicy = DEFAULT_POLL): number {
  return Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(n, 30));
}

/** "Equal jitter": half the cap for sure, half at random, so retries spread out but never bunch at 0. */
export function retryDelay(retry: number, policy: RetryPolicy = DEFAULT_RETRY, random: () => number = Math.random): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(retry, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}

const THROTTLING_NAMES = new Set([
  'TooManyRequestsException', // Athena's own, e.g. Reason CONCURRENT_QUERY_LIMIT_EXCEEDED
  'ThrottlingException',
  'ThrottledException',
  'Throttling',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

interface AwsErrorShape {
  name?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

function shape(e: unknown): AwsErrorShape {
  return typeof e === 'object' && e !== null ? (e as AwsErrorShape) : {};
}

export function isThrottling(e: unknown): boolean {
  const s = shape(e);
  return (s.name !== undefined && THROTTLING_NAMES.has(s.name)) || s.$retryable?.throttling === true || s.$metadata?.httpStatusCode === 429;
}

/** Worth another attempt: throttling, a server fault, or the connection dropping. */
export function isTransient(e: unknown): boolean {
  if (e instanceof KeystoneError) return false;
  const s = shape(e);
  if (isThrottling(e)) return true;
  if (s.$fault === 'server' || (s.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  return (s.code !== undefined && NETWORK_CODES.has(s.code)) || s.name === 'TimeoutError' || s.name === 'RequestTimeout';
}

export interface RetryContext {
  policy: RetryPolicy;
  random: () => number;
  /** The API operation, for messages: 'StartQueryExecution'. */
  operation: string;
  /** Stops waiting (and racing the attempt in flight) when the query must stop. */
  guard?: QueryGuard | undefined;
  onRetry?: ((info: { operation: string; attempt: number; delayMs: number; error: unknown }) => void) | undefined;
}

export async function withRetries<T>(call: () => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    ctx.guard?.throwIfStopped();
    try {
      return await (ctx.guard ? race(call(), ctx.guard) : call());
    } catch (e) {
      if (ctx.guard?.reason) throw ctx.guard.reason;
      if (!isTransient(e)) throw e;
      if (attempt >= ctx.policy.attempts) throw gaveUp(e, attempt, ctx.operation);
      const delayMs = retryDelay(attempt - 1, ctx.policy, ctx.random);
      ctx.onRetry?.({ operation: ctx.operation, attempt, delayMs, error: e });
      await sleep(delayMs, ctx.guard);
    }
  }
}

function gaveUp(e: unknown, attempts: number, operation: string): KeystoneError {
  const name = shape(e).name ?? 'Error';
  const why = isThrottling(e) ? 'Athena kept throttling' : 'Athena kept failing';
  return new KeystoneError('unavailable:athena', `${why} ${operation} (${name}: ${errorMessage(e)}); gave up after ${attempts} attempts.`, {
    cause: e,
    details: { operation, attempts, error: name },
  });
}

/** `p`, unless the query must stop first: then the guard's reason. */
export function race<T>(p: Promise<T>, guard: QueryGuard): Promise<T> {
  return Promise.race([p, guard.stopped]);
}

/** Waits `ms`; rejects with the guard's reason as soon as the query must stop. */
export function sleep(ms: number, guard?: QueryGuard): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (guard?.reason) {
      reject(guard.reason);
      return;
    }
    let off: (() => void) | undefined;
    const timer = setTimeout(() => {
      off?.();
      resolve();
    }, ms);
    off = guard?.onStop(() => {
      clearTimeout(timer);
      reject(guard.reason);
    });
  });
}
