/**
 * Per-order facts decided before any row is written, because the totals must come out exact: the item,
 * payment and review rows of all orders must sum to the planned row counts of their files. Counts are drawn
 * from the published shapes, then nudged one row at a time until the sums are exact. Eight bytes per order.
 */
import { KeystoneError } from '../../errors';
import { ORDER_STATUSES, type OrderStatus } from '../domains';
import { secondsOf } from './calendar';
import type { Rng } from './prng';
import { drawPurchase } from './purchase-dates';
import * as D from './reference/distributions';
import { Weighted } from './sampling';

export interface OrderPlan {
  count: number;
  purchase: Uint32Array;
  /** Index into ORDER_STATUSES. */
  status: Uint8Array;
  items: Uint8Array;
  payments: Uint8Array;
  reviews: Uint8Array;
}

const STATUS = new Weighted(D.STATUS_WEIGHTS);
const ITEMS = new Weighted(D.ITEMS_PER_ORDER);
const EXTRA_PAYMENTS = new Weighted(D.EXTRA_PAYMENT_ROWS);
const MAX_PAYMENTS = 29;
const MAX_REVIEWS = 3;
/** Orders placed after this were all cancelled when the published snapshot was taken. */
const CANCELLED_AFTER = secondsOf(2018, 9, 1);
const statusIndex = (s: OrderStatus) => ORDER_STATUSES.indexOf(s);
const UNAVAILABLE = statusIndex('unavailable');

function drawReviews(rng: Rng): number {
  const u = rng.float();
  if (u < 0.0077) return 0; // published: 768 orders without a review
  if (u < 0.0077 + 0.0054) return 2;
  if (u < 0.0077 + 0.0054 + 0.0002) return 3;
  return 1;
}

/**
 * Moves `counts` to sum to `target`, one unit at a time on random orders: growth goes to orders that
 * `mayGrow` (and already have one), shrinking takes from orders with two or more first. A linear scan
 * backs up the random probes so the loop always ends.
 */
export function adjustToTotal(counts: Uint8Array, target: number, max: number, rng: Rng, mayGrow: (i: number) => boolean): void {
  const n = counts.length;
  if (target > n * max) throw new KeystoneError('bad_request:olist_generator', `cannot place ${target} rows on ${n} orders`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += counts[i]!;
  const find = (ok: (c: number, i: number) => boolean): number => {
    for (let t = 0; t < 64; t++) {
      const i = rng.int(0, n - 1);
      if (ok(counts[i]!, i)) return i;
    }
    const start = rng.int(0, n - 1);
    for (let k = 0; k < n; k++) {
      const i = (start + k) % n;
      if (ok(counts[i]!, i)) return i;
    }
    return -1;
  };
  while (sum < target) {
    let i = find((c, j) => c >= 1 && c < max && mayGrow(j));
    if (i < 0) i = find((c) => c < max);
    counts[i]!++;
    sum++;
  }
  while (sum > target) {
    let i = find((c) => c >= 2);
    if (i < 0) i = find((c) => c >= 1);
    counts[i]!--;
    sum--;
  }
}

export function planOrders(rng: Rng, count: number, totals: { items: number; payments: number; reviews: number }): OrderPlan {
  const plan: OrderPlan = {
    count,
    purchase: new Uint32Array(count),
    status: new Uint8Array(count),
    items: new Uint8Array(count),
    payments: new Uint8Array(count),
    reviews: new Uint8Array(count),
  };
  for (let i = 0; i < count; i++) {
    const purchase = drawPurchase(rng);
    const status = purchase >= CANCELLED_AFTER ? 'canceled' : STATUS.draw(rng);
    plan.purchase[i] = purchase;
    plan.status[i] = statusIndex(status);
    // Unavailable orders never got items: the published ones have no item rows.
    plan.items[i] = status === 'unavailable' ? 0 : ITEMS.draw(rng);
    plan.payments[i] = 1 + (rng.chance(D.MULTI_PAYMENT_SHARE) ? EXTRA_PAYMENTS.draw(rng) : 0);
    plan.reviews[i] = drawReviews(rng);
  }
  adjustToTotal(plan.items, totals.items, D.MAX_ITEMS_PER_ORDER, rng, (i) => plan.status[i] !== UNAVAILABLE);
  adjustToTotal(plan.payments, totals.payments, MAX_PAYMENTS, rng, () => true);
  adjustToTotal(plan.reviews, totals.reviews, MAX_REVIEWS, rng, () => true);
  return plan;
}
