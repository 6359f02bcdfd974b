/**
 * The stop conditions of one query: the caller's AbortSignal and the time limit. Engine-neutral so
 * Athena can stop its queries the same way (it would call StopQueryExecution where DuckDB interrupts).
 */
import { KeystoneError } from '../errors';

export const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** setTimeout fires at once for delays above 2^31-1 ms, so longer limits are clamped to it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface GuardOptions {
  signal?: AbortSignal | undefined;
  /** Infinity disables the limit. */
  timeoutMs?: number | undefined;
}

export class QueryGuard {
  /** Why the query must stop; set once, by whichever came first. */
  reason: KeystoneError | undefined;
  /** Rejects with `reason` when the query must stop; never rejects unobserved. */
  readonly stopped: Promise<never>;
  private readonly started = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => this.stop(new KeystoneError('cancelled:query', 'The query was cancelled.', { cause: this.signal?.reason }));
  private rejectStopped!: (e: KeystoneError) => void;
  private listeners: (() => void)[] = [];

  constructor(options: GuardOptions, defaultTimeoutMs = DEFAULT_TIMEOUT_MS) {
    this.stopped = new Promise<never>((_, reject) => (this.rejectStopped = reject));
    this.stopped.catch(() => undefined);
    const limit = options.timeoutMs ?? defaultTimeoutMs;
    if (Number.isNaN(limit) || limit < 0) {
      throw new KeystoneError('bad_request:query', `timeoutMs must be a positive number of milliseconds (got ${limit}).`);
    }
    this.signal = options.signal;
    if (this.signal?.aborted) {
      this.onAbort();
      return;
    }
    this.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (Number.isFinite(limit)) {
      this.timer = setTimeout(
        () => this.stop(new KeystoneError('timeout:query', `The query ran longer than its ${describeMs(limit)} limit and was stopped.`, { details: { timeoutMs: limit } })),
        Math.min(limit, MAX_TIMER_MS),
      );
      // A pending limit must not keep a finished CLI process alive.
      this.timer.unref?.();
    }
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  /** Runs `fn` when the query must stop (at once if it already must). Returns an unsubscribe. */
  onStop(fn: () => void): () => void {
    if (this.reason) {
      fn();
      return () => undefined;
    }
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  throwIfStopped(): void {
    if (this.reason) throw this.reason;
  }

  /** Stops the query for a reason of our own (engine closing). First reason wins. */
  stop(reason: KeystoneError): void {
    if (this.reason) return;
    this.reason = reason;
    this.rejectStopped(reason);
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l();
    this.dispose();
  }

  /** Call when the query is over: drops the timer and the signal listener. */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

export function describeMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`;
  return `${+(ms / 3_600_000).toFixed(1)} h`;
}
