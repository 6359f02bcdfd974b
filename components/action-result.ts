import 'server-only';
/**
 * One result shape for every server action, so `useActionState` can show an error in place:
 * `{ ok: true, … }` or `{ ok: false, error }`. Errors written for people (KeystoneError kinds such as
 * forbidden, conflict, bad_request) are shown as they are; anything else is logged and shown generically.
 */
import { isKeystoneError, userMessage } from '@/lib/errors';
import { log } from '@/lib/logger';

export type ActionFailure = { ok: false; error: string; code?: string };

export function actionFailure(e: unknown, action: string): ActionFailure {
  if (!isKeystoneError(e) || !e.visibleToUser) log.error(`server action ${action} failed`, { error: e });
  return { ok: false, error: userMessage(e), ...(isKeystoneError(e) ? { code: e.code } : {}) };
}
