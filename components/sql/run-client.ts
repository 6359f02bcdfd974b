/**
 * The browser side of `/api/sql/run`: posts the query, reads the NDJSON answer line by line and hands
 * each message on as it arrives. Cancel is a separate request naming the query id (chosen here, before
 * sending), so it reaches the engine even while the answer has not started.
 */
import type { RunMessage, RunRequestBody } from '@/lib/sql/protocol';

export class RunError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function newQueryId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return 'q' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Runs a query; resolves when the answer is complete. `onMessage` sees every message in order. */
export async function runQuery(body: RunRequestBody, onMessage: (m: RunMessage) => void, signal?: AbortSignal): Promise<void> {
  const res = await fetch('/api/sql/run', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok || !res.body) {
    const err = (await res.json().catch(() => ({}))) as { error?: string; code?: string };
    throw new RunError(err.error ?? `The server answered ${res.status}.`, err.code ?? 'internal:http', res.status);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  let lastYield = performance.now();
  let painted = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let nl: number;
    let from = 0;
    while ((nl = buffered.indexOf('\n', from)) >= 0) {
      const line = buffered.slice(from, nl);
      from = nl + 1;
      if (!line.trim()) continue;
      const message = JSON.parse(line) as RunMessage;
      if (message.type === 'start') performance.mark('keystone:sql:answered');
      else if (message.type === 'rows' && !painted) performance.mark('keystone:sql:first-rows-received');
      onMessage(message);
      if (message.type === 'rows' && !painted) {
        // Let the browser paint the first rows before parsing the rest (two frames: React renders, then paints).
        painted = true;
        await nextFrame();
        await nextFrame();
        lastYield = performance.now();
      } else if (performance.now() - lastYield > 40) {
        // Buffered reads resolve without ever giving the browser a turn: yield now and then, so the
        // tab stays responsive while a large result is parsed.
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
    }
    buffered = buffered.slice(from);
  }
  buffered += decoder.decode();
  if (buffered.trim()) onMessage(JSON.parse(buffered) as RunMessage);
}

/** After the next frame; a hidden tab gets no frames, so never wait more than 100 ms. */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });
}

export async function cancelQuery(queryId: string): Promise<boolean> {
  const res = await fetch('/api/sql/cancel', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ queryId }) });
  const body = (await res.json().catch(() => ({}))) as { cancelled?: boolean };
  return body.cancelled === true;
}

/** Asks the server for a one-time CSV link, then follows it: the browser downloads the file itself. */
export async function exportCsv(body: Omit<RunRequestBody, 'queryId' | 'timeoutSeconds'> & { name?: string }): Promise<void> {
  const res = await fetch('/api/sql/export', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await res.json().catch(() => ({}))) as { url?: string; error?: string; code?: string };
  if (!res.ok || !answer.url) throw new RunError(answer.error ?? `The server answered ${res.status}.`, answer.code ?? 'internal:http', res.status);
  const a = document.createElement('a');
  a.href = answer.url;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
}
