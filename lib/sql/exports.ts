/**
 * CSV export tickets. The browser first POSTs what to export (SQL, parameters); the server checks it
 * (binding, the analyst guard) and answers with a one-time ticket; the browser then follows a plain
 * link to download `/api/sql/export/<ticket>`, which streams the CSV. A link (not a fetch) lets the
 * browser's own download manager receive a file of any size, and the ticket keeps the SQL out of the
 * URL. Tickets are single-use, expire after ten minutes, and only their owner can redeem them.
 */
import crypto from 'node:crypto';
import type { QueryParameter } from '../../db/schema';
import { KeystoneError } from '../errors';
import type { RawValue } from './parameters';

export interface ExportRequest {
  sql: string;
  parameters?: QueryParameter[];
  values?: Record<string, RawValue>;
  savedQueryId?: string | null;
  /** File name without extension, for the download. */
  name?: string;
}

interface Ticket {
  userId: string;
  request: ExportRequest;
  expires: number;
}

const TTL_MS = 10 * 60_000;
const MAX_TICKETS = 1000;

export class ExportTickets {
  private readonly tickets = new Map<string, Ticket>();

  issue(userId: string, request: ExportRequest, now = Date.now()): string {
    this.sweep(now);
    if (this.tickets.size >= MAX_TICKETS) throw new KeystoneError('conflict:export', 'Too many exports are waiting to be downloaded; try again in a few minutes.');
    const token = crypto.randomBytes(18).toString('base64url');
    this.tickets.set(token, { userId, request, expires: now + TTL_MS });
    return token;
  }

  /** The request behind a ticket, once. */
  redeem(token: string, userId: string, now = Date.now()): ExportRequest {
    const t = this.tickets.get(token);
    if (!t || t.expires < now) {
      this.tickets.delete(token);
      throw new KeystoneError('not_found:export', 'This export link has expired or was already used; export again from the SQL editor.');
    }
    if (t.userId !== userId) throw new KeystoneError('forbidden:export', 'This export belongs to someone else.');
    this.tickets.delete(token);
    return t.request;
  }

  private sweep(now: number): void {
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k);
  }
}

const KEY = Symbol.for('keystone.sql.exportTickets');

export function exportTickets(): ExportTickets {
  const g = globalThis as { [KEY]?: ExportTickets };
  return (g[KEY] ??= new ExportTickets());
}

/** A safe download file name: letters, digits, '-', '_', at most 80 characters. */
export function exportFileName(name: string | undefined, now = new Date()): string {
  const base = (name ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, '-');
  return `${base || 'query'}-${stamp}.csv`;
}
