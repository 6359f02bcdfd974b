/**
 * An order's timestamps, consistent with its status: nothing is dated before it happened, and what has
 * not happened yet is empty (approval for 'created', the carrier before shipping, the customer's door
 * unless delivered). The promised date is about three weeks out; most orders beat it.
 */
import type { OrderStatus } from '../domains';
import { DAY, startOfDay } from './calendar';
import type { Rng } from './prng';
import * as D from './reference/distributions';
import { quantile } from './sampling';

export interface Timeline {
  purchase: number;
  approved: number | null;
  carrier: number | null;
  delivered: number | null;
  /** Midnight of the promised day. */
  estimated: number;
}

export function timelineFor(status: OrderStatus, purchase: number, rng: Rng): Timeline {
  const approvedNow = status !== 'created' && !(status === 'canceled' && rng.chance(0.1));
  const approved = approvedNow ? purchase + Math.round(quantile(D.APPROVAL_SECONDS, rng.float())) : null;
  const shipped = status === 'shipped' || status === 'delivered' || (status === 'canceled' && approved !== null && rng.chance(0.12));
  const carrier = shipped ? (approved ?? purchase) + Math.round(quantile(D.CARRIER_SECONDS, rng.float())) : null;
  const promisedDays = Math.round(quantile(D.ESTIMATE_DAYS, rng.float()));
  const estimated = startOfDay(purchase) + promisedDays * DAY;
  let delivered: number | null = null;
  if (status === 'delivered') {
    const door = purchase + Math.round(quantile(D.DELIVERY_SHARE_OF_ESTIMATE, rng.float()) * promisedDays * DAY);
    delivered = Math.max(door, (carrier ?? purchase) + 7200 + rng.int(0, 86_400));
  }
  return { purchase, approved, carrier, delivered, estimated };
}

/** Late (arrived after the promised day) or never arrived: what review scores react to. */
export function disappointed(t: Timeline): boolean {
  return t.delivered === null || t.delivered >= t.estimated + DAY;
}
