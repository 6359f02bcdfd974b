/**
 * The one place S3 calls are retried: exponential backoff with full jitter on throttling, 5xx,
 * request timeouts and dropped connections. The S3 client itself is built with `maxAttempts: 1`,
 * so nothing is retried twice over. Only idempotent requests with in-memory bodies come through
 * here (every upload is buffered part by part), so sending one again is always safe.
 */
import { KeystoneError, errorMessage } from '../errors';

export interface RetryPolicy {
  /** Total tries, the first included. */
  attempts: number;
  /** The backoff ceiling before the first retry; doubled for every further one. */
  baseDelayMs: number;
  /** No single wait is longer than this. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 100, maxDelayMs: 8_000 };

/** Error names (S3 `Code`s and SDK error names) that mean "try again later". */
const RETRYABLE_NAMES: ReadonlySet<string> = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalError',
  'ServiceUnavailable',
  'TimeoutError',
]);

const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Connection-level failures: the request may not have reached S3, or its answer was lost. */
const RETRYABLE_NETWORK: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
  cause?: unknown;
}

export function isRetryableName(name: string | undefined): boolean {
  return name !== undefined && RETRYABLE_NAMES.has(name);
}

export function httpStatusOf(e: unknown): number | undefined {
  return (e as ErrorLike | null)?.$metadata?.httpStatusCode;
}

/** Why `e` is worth another try (e.g. `503 SlowDown`, `ECONNRESET`), or undefined when it is not. */
export function retryReason(e: unknown): string | undefined {
  if (e === null || typeof e !== 'object' || e instanceof KeystoneError) return undefined;
  const err = e as ErrorLike;
  const name = typeof err.name === 'string' ? err.name : undefined;
  if (name === 'AbortError') return undefined; // we (or our caller) cancelled it
  const status = httpStatusOf(e);
  if (isRetryableName(name) || (status !== undefined && RETRYABLE_STATUS.has(status)) || err.$retryable !== undefined) {
    return [status, name].filter((x) => x !== undefined).join(' ') || 'a transient error';
  }
  for (let c: unknown = e, depth = 0; c !== null && typeof c === 'object' && depth < 4; c = (c as ErrorLike).cause, depth++) {
    const code = (c as ErrorLike).code;
    if (typeof code === 'string' && RETRYABLE_NETWORK.has(code)) return code;
  }
  return undefined;
}

/** Full jitter (AWS's recommendation): a uniform wait in [0, min(max, base·2^(retry−1))). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** What is being attempted, for the error message: `GetObject olist-data-lake-bronze/orders/x.csv`. */
  describe: string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Called before each wait: (retry number from 1, the delay, why). */
  onRetry?: (retry: number, delayMs: number, reason: string) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails with an error that is not transient (rethrown as is), or
 * has failed `policy.attempts` times with transient errors (then `unavailable:s3`, naming the last).
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, describe } = options;
  const sleep = options.sleep ?? realSleep;
  const attempts = Math.max(1, Math.floor(policy.attempts));
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      const reason = retryReason(e);
      if (reason === undefined) throw e;
      if (n >= attempts) {
        throw new KeystoneError(
          'unavailable:s3',
          `S3 ${describe} failed ${attempts} time${attempts === 1 ? '' : 's'} in a row (last: ${reason}: ${errorMessage(e)}); the store is throttling or unavailable, try again later.`,
          { cause: e, details: { attempts, reason } },
        );
      }
      const delay = backoffDelay(n, policy, options.random);
      options.onRetry?.(n, delay, reason);
      await sleep(delay);
    }
  }
}
