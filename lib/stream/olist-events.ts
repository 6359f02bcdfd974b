/**
 * Realistic stream events from the synthetic Olist data (lib/olist/generator): each order's lifecycle as
 * the typed events of the ingest contract — placed, items added, paid, status changes, reviewed — in
 * the order they happened. The load generator replays them; tests stream them and check that what
 * reaches bronze and silver is what the files would have given.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventInput } from '../../ingestor/codec';
import { forEachCsvRecord } from '../olist/csv';
import { generateOlist } from '../olist/generator';

const FILES = {
  orders: 'olist_orders_dataset.csv',
  items: 'olist_order_items_dataset.csv',
  payments: 'olist_order_payments_dataset.csv',
  reviews: 'olist_order_reviews_dataset.csv',
} as const;

/** 'YYYY-MM-DD HH:MM:SS' (UTC) → ms, or undefined for empty / unparseable text. */
function parseTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}

function readRows(file: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  let header: string[] = [];
  forEachCsvRecord(fs.readFileSync(file, 'utf8'), (fields, i) => {
    if (i === 0) header = fields.map((h) => h.trim());
    else if (fields.length === header.length) rows.push(Object.fromEntries(header.map((h, j) => [h, fields[j]!])));
  });
  return rows;
}

const int = (s: string | undefined): number | undefined => (s !== undefined && /^\s*\d+(\.0+)?\s*$/.test(s) ? Number(s) : undefined);

export interface OlistEventSet {
  /** Every event, in event-time order. */
  events: EventInput[];
  /** Source rows that could not become a valid typed event (the files' own dirt), by table. */
  skipped: Record<string, number>;
}

/** The lifecycle events of the Olist CSVs in `dir` (as written by generateOlist). */
export function olistEventsFromFiles(dir: string): OlistEventSet {
  const skipped: Record<string, number> = { orders: 0, order_items: 0, order_payments: 0, order_reviews: 0 };
  const timed: { at: number; e: EventInput }[] = [];
  const purchaseOf = new Map<string, number>();
  for (const o of readRows(path.join(dir, FILES.orders))) {
    const purchase = parseTime(o.order_purchase_timestamp);
    const status = (o.order_status ?? '').trim().toLowerCase();
    if (purchase === undefined || !o.order_id?.trim() || !o.customer_id?.trim() || !status) {
      skipped.orders!++;
      continue;
    }
    purchaseOf.set(o.order_id, purchase);
    const estimated = parseTime(o.order_estimated_delivery_date);
    timed.push({
      at: purchase,
      e: {
        event_id: `order-placed-${o.order_id}`,
        event_time: purchase,
        order_placed: { order_id: o.order_id, customer_id: o.customer_id, order_status: 'created', purchase_timestamp: purchase, ...(estimated !== undefined ? { estimated_delivery_date: estimated } : {}) },
      },
    });
    // Each later milestone is a status change at the time it happened.
    const steps: [string, string | undefined][] = [
      ['approved', o.order_approved_at],
      ['shipped', o.order_delivered_carrier_date],
      ['delivered', o.order_delivered_customer_date],
    ];
    const approved = parseTime(o.order_approved_at);
    const carrier = parseTime(o.order_delivered_carrier_date);
    const delivered = parseTime(o.order_delivered_customer_date);
    for (const [name, text] of steps) {
      const at = parseTime(text);
      if (at === undefined) continue;
      timed.push({
        at,
        e: {
          event_id: `status-${name}-${o.order_id}`,
          event_time: at,
          status_changed: {
            order_id: o.order_id,
            order_status: name,
            ...(approved !== undefined && approved <= at ? { approved_at: approved } : {}),
            ...(carrier !== undefined && carrier <= at ? { delivered_carrier_date: carrier } : {}),
            ...(delivered !== undefined && delivered <= at ? { delivered_customer_date: delivered } : {}),
          },
        },
      });
    }
    if (status !== 'delivered' && status !== 'shipped' && status !== 'approved' && status !== 'created') {
      timed.push({ at: (approved ?? purchase) + 60_000, e: { event_id: `status-${status}-${o.order_id}`, event_time: (approved ?? purchase) + 60_000, status_changed: { order_id: o.order_id, order_status: status } } });
    }
  }
  for (const it of readRows(path.join(dir, FILES.items))) {
    const limit = parseTime(it.shipping_limit_date);
    const n = int(it.order_item_id);
    const purchase = purchaseOf.get(it.order_id ?? '');
    if (limit === undefined || n === undefined || n < 1 || !it.price?.trim() || !it.freight_value?.trim() || !it.product_id?.trim() || !it.seller_id?.trim()) {
      skipped.order_items!++;
      continue;
    }
    const at = purchase ?? limit;
    timed.push({
      at,
      e: {
        event_id: `item-${it.order_id}-${n}`,
        event_time: at,
        item_added: { order_id: it.order_id!, order_item_id: n, product_id: it.product_id!, seller_id: it.seller_id!, shipping_limit_date: limit, price: it.price!.trim(), freight_value: it.freight_value!.trim() },
      },
    });
  }
  for (const p of readRows(path.join(dir, FILES.payments))) {
    const seq = int(p.payment_sequential);
    const inst = int(p.payment_installments);
    const purchase = purchaseOf.get(p.order_id ?? '');
    if (seq === undefined || seq < 1 || inst === undefined || !p.payment_type?.trim() || !p.payment_value?.trim() || purchase === undefined) {
      skipped.order_payments!++;
      continue;
    }
    timed.push({
      at: purchase + 1000,
      e: {
        event_id: `payment-${p.order_id}-${seq}`,
        event_time: purchase + 1000,
        payment_made: { order_id: p.order_id!, payment_sequential: seq, payment_type: p.payment_type!.trim(), payment_installments: inst, payment_value: p.payment_value!.trim() },
      },
    });
  }
  for (const r of readRows(path.join(dir, FILES.reviews))) {
    const created = parseTime(r.review_creation_date);
    const score = int(r.review_score);
    const answered = parseTime(r.review_answer_timestamp);
    if (created === undefined || score === undefined || !r.review_id?.trim() || !r.order_id?.trim()) {
      skipped.order_reviews!++;
      continue;
    }
    const at = answered ?? created;
    timed.push({
      at,
      e: {
        event_id: `review-${r.review_id}-${r.order_id}`,
        event_time: at,
        review_submitted: {
          review_id: r.review_id!,
          order_id: r.order_id!,
          review_score: score,
          ...(r.review_comment_title ? { review_comment_title: r.review_comment_title } : {}),
          ...(r.review_comment_message ? { review_comment_message: r.review_comment_message } : {}),
          review_creation_date: created,
          ...(answered !== undefined ? { review_answer_timestamp: answered } : {}),
        },
      },
    });
  }
  timed.sort((a, b) => a.at - b.at);
  return { events: timed.map((t) => t.e), skipped };
}

/**
 * Generate a synthetic Olist set (no injected bad rows) and turn it into events. Cached per
 * (scale, seed) under the OS temp dir: the generator is deterministic.
 */
export async function olistEvents(opts: { scale?: number; seed?: number; cacheDir?: string } = {}): Promise<OlistEventSet> {
  const scale = opts.scale ?? 0.01;
  const seed = opts.seed ?? 42;
  const dir = path.join(opts.cacheDir ?? os.tmpdir(), `keystone-olist-stream-${scale}-${seed}`);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) {
    // Generated aside and renamed into place: concurrent callers never read a half-written set.
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    await generateOlist({ scale, seed, outDir: tmp, bad: false });
    try {
      fs.renameSync(tmp, dir);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return olistEventsFromFiles(dir);
}
