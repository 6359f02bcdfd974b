/**
 * One error type for the whole core. `code` is `<kind>:<surface>` (e.g. `bad_request:storage_key`),
 * so a page, the CLI and the ingestor can decide what to show without parsing messages.
 */
export type ErrorKind =
  | 'bad_request' // the caller sent something we refuse: show the message
  | 'not_found' // the thing asked for does not exist: show the message
  | 'conflict' // someone else holds it (a lock, a running job): show the message
  | 'forbidden' // the user's role does not allow it: show the message
  | 'unavailable' // a dependency (database, storage, engine) cannot be reached: show the message
  | 'timeout' // it took longer than allowed: show the message
  | 'cancelled' // the user (or shutdown) stopped it: show the message
  | 'config' // the configuration is wrong: show the message and stop the start
  | 'internal'; // our bug: log it, show a generic message

export type ErrorCode = `${ErrorKind}:${string}`;

/** Kinds whose message is written for a person and may be shown as is. */
const USER_VISIBLE: ReadonlySet<ErrorKind> = new Set([
  'bad_request',
  'not_found',
  'conflict',
  'forbidden',
  'unavailable',
  'timeout',
  'cancelled',
  'config',
]);

/**
 * Marks our errors. `instanceof` checks this mark rather than the class: Next.js evaluates a module once
 * per route bundle, so an error thrown by an object created in one bundle (the shared engine, the
 * catalog) is an instance of another copy of this class than the one a route handler imports.
 */
const BRAND = Symbol.for('keystone.KeystoneError');

export class KeystoneError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeystoneError';
    this.code = code;
    this.details = options?.details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  get kind(): ErrorKind {
    return this.code.split(':')[0] as ErrorKind;
  }

  get visibleToUser(): boolean {
    return USER_VISIBLE.has(this.kind);
  }
}

export function isKeystoneError(e: unknown, kind?: ErrorKind): e is KeystoneError {
  return e instanceof KeystoneError && (kind === undefined || e.kind === kind);
}

/** The message a person may see for any thrown value: ours verbatim when user-visible, otherwise generic. */
export function userMessage(e: unknown): string {
  if (e instanceof KeystoneError && e.visibleToUser) return e.message;
  return 'Something went wrong on the server; the details are in its log.';
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
