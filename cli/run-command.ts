/** Shared plumbing for CLI commands: one way to report errors and set the exit code. */
import { KeystoneError, errorMessage } from '../lib/errors';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Wrap a command's action: a KeystoneError prints its message; anything else prints a stack. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      if (e instanceof KeystoneError) {
        process.stderr.write(`keystone: ${e.message}\n`);
        process.exitCode = e.kind === 'config' || e.kind === 'bad_request' ? EXIT.usage : EXIT.failure;
      } else {
        process.stderr.write(`keystone: unexpected error: ${errorMessage(e)}\n${e instanceof Error ? e.stack : ''}\n`);
        process.exitCode = EXIT.failure;
      }
    }
  };
}
