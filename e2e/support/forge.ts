/**
 * Forged requests, as an attacker would send them: a server action replayed with another user's cookie
 * (the action id and body captured from a real click), and raw uploads to the route handler.
 */
import type { Page, Request } from '@playwright/test';

export interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Run `click` and capture the server-action POST it makes (the request carrying a Next-Action header). */
export async function captureServerAction(page: Page, click: () => Promise<void>): Promise<CapturedAction> {
  const seen = page.waitForRequest((r: Request) => r.method() === 'POST' && r.headers()['next-action'] !== undefined);
  await click();
  const request = await seen;
  const all = await request.allHeaders();
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (!['cookie', 'content-length', 'host', 'connection'].includes(k.toLowerCase()) && !k.startsWith(':')) headers[k] = v;
  return { url: request.url(), headers, body: request.postDataBuffer() ?? Buffer.alloc(0) };
}

/** Replay a captured action from `page`'s browser context (its cookies, so its user). Returns the response text. */
export async function replayServerAction(page: Page, action: CapturedAction): Promise<{ status: number; text: string }> {
  const res = await page.request.post(action.url, { headers: action.headers, data: action.body });
  return { status: res.status(), text: await res.text() };
}
