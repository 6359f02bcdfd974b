import 'server-only';
/**
 * Route handlers answer JSON, and errors as `{ error, code }` with the HTTP status their kind implies.
 * Every handler runs through `withUser`, so the role check is on the server, for forged requests too.
 */
import type { Role } from '@/lib/auth/users';
import type { SessionUser } from '@/lib/auth/sessions';
import { isKeystoneError, userMessage } from '@/lib/errors';
import { log } from '@/lib/logger';
import { requireUserForAction } from '@/components/auth/session';

const STATUS: Record<string, number> = {
  bad_request: 400,
  not_found: 404,
  conflict: 409,
  forbidden: 403,
  unavailable: 503,
  timeout: 504,
  cancelled: 409,
  config: 500,
  internal: 500,
};

export function errorResponse(e: unknown, where: string): Response {
  if (!isKeystoneError(e) || !e.visibleToUser) log.error(`${where} failed`, { error: e });
  const status = isKeystoneError(e) ? (e.code === 'forbidden:signed_out' ? 401 : (STATUS[e.kind] ?? 500)) : 500;
  return Response.json({ error: userMessage(e), code: isKeystoneError(e) ? e.code : 'internal:unexpected' }, { status, headers: { 'cache-control': 'no-store' } });
}

export async function withUser(role: Role, where: string, fn: (user: SessionUser) => Promise<Response>): Promise<Response> {
  try {
    const user = await requireUserForAction(role);
    return await fn(user);
  } catch (e) {
    return errorResponse(e, where);
  }
}

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
