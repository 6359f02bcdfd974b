/**
 * The ingestor's status for the Overview: it serves its metrics as JSON on the port after its gRPC
 * port. Absent, slow or garbled metrics are "not running" with a reason — never an error on the page.
 */
import type { KeystoneConfig } from '../config';
import { errorMessage } from '../errors';

export type IngestorStatus =
  | { running: true; url: string; metrics: Record<string, number | string>; at: string }
  | { running: false; url: string; reason: string; at: string };

export function ingestorMetricsUrl(config: KeystoneConfig): string {
  const host = config.host === '0.0.0.0' || config.host === '::' || config.host === 'localhost' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.ingestPort + 1}/metrics.json`;
}

/** Flattens nested objects one level deep (`wal.lagBytes`) and keeps numbers and short strings. */
export function flattenMetrics(value: unknown, prefix = '', out: Record<string, number | string> = {}, depth = 0): Record<string, number | string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (typeof v === 'string' && v.length <= 120) out[key] = v;
    else if (typeof v === 'boolean') out[key] = String(v);
    else if (v && typeof v === 'object' && !Array.isArray(v) && depth < 2) flattenMetrics(v, key, out, depth + 1);
  }
  return out;
}

export async function readIngestorStatus(config: KeystoneConfig, timeoutMs = 800): Promise<IngestorStatus> {
  const url = ingestorMetricsUrl(config);
  const at = new Date().toISOString();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), cache: 'no-store' });
    if (!res.ok) return { running: false, url, reason: `the metrics endpoint answered HTTP ${res.status}`, at };
    const body: unknown = await res.json();
    return { running: true, url, metrics: flattenMetrics(body), at };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    const reason =
      cause === 'ECONNREFUSED'
        ? 'not running (nothing listens on its metrics port)'
        : (e as { name?: string }).name === 'TimeoutError'
          ? `not answering (no reply within ${timeoutMs} ms)`
          : `not reachable: ${errorMessage(e)}`;
    return { running: false, url, reason, at };
  }
}

/**
 * The figures a person looks for first. The ingestor names them `eventsPerSecond`, `bytesPerSecond`,
 * `eventsAccepted`, `eventsRejected`, `batches`, `flushes`, `wal.lagBytes`, `latencyMs.ackP99`; looser
 * spellings are accepted so an older or newer ingestor still shows something.
 */
export function headlineMetrics(metrics: Record<string, number | string>): { label: string; value: number | string; unit?: 'B/s' | 'B' | 'ms' }[] {
  const find = (...patterns: (string | RegExp)[]) => {
    for (const p of patterns) {
      const key = typeof p === 'string' ? (p in metrics ? p : undefined) : Object.keys(metrics).find((k) => p.test(k));
      if (key !== undefined) return metrics[key];
    }
    return undefined;
  };
  const out: { label: string; value: number | string; unit?: 'B/s' | 'B' | 'ms' }[] = [];
  const push = (label: string, value: number | string | undefined, unit?: 'B/s' | 'B' | 'ms') => {
    if (value !== undefined) out.push(unit ? { label, value, unit } : { label, value });
  };
  push('Events/s', find('eventsPerSecond', /events.?per.?s(ec(ond)?)?$/i));
  push('Bytes/s', find('bytesPerSecond', /bytes.?per.?s(ec(ond)?)?$/i), 'B/s');
  push('Events accepted', find('eventsAccepted', /^events(_?total|_?accepted)?$/i));
  push('Rejected', find('eventsRejected', /^(events)?_?reject(ed|s)(_?total)?$/i));
  push('Batches', find('batches', /^batches(_?total)?$/i));
  push('Flushes', find('flushes', /^flushes(_?total)?$/i));
  push('Log lag', find('wal.lagBytes', /lag/i), 'B');
  push('Ack p99', find('latencyMs.ackP99', /ack.?p99/i), 'ms');
  return out;
}
