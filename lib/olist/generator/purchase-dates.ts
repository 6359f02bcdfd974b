/**
 * Purchase instants shaped like the published ones: the monthly counts of the real data spread over each
 * month's days (or the few days late-2016 orders were bunched on), Black Friday 2017 and the days after it
 * placed on their own days, and hours of the day weighted toward the afternoon and evening.
 */
import { DAY, daysFromCivil } from './calendar';
import type { Rng } from './prng';
import * as D from './reference/distributions';
import { Weighted } from './sampling';

const dayOf = (iso: string) => daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));

function dailyWeights(): [number, number][] {
  const first = dayOf(D.FIRST_PURCHASE_DAY);
  const last = dayOf(D.LAST_PURCHASE_DAY);
  const peaks = new Map(D.PEAK_DAYS.map(([iso, n]) => [dayOf(iso), n]));
  const out: [number, number][] = [];
  for (const [month, count] of D.ORDERS_PER_MONTH) {
    const y = Number(month.slice(0, 4));
    const m = Number(month.slice(5, 7));
    const monthStart = daysFromCivil(y, m, 1);
    const monthEnd = daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - 1;
    const window = D.MONTH_WINDOWS[month];
    const from = Math.max(first, window === undefined ? monthStart : monthStart + window[0] - 1);
    const to = Math.min(last, window === undefined ? monthEnd : monthStart + window[1] - 1);
    let ordinary = count;
    let ordinaryDays = 0;
    for (let d = from; d <= to; d++) {
      const peak = peaks.get(d);
      if (peak === undefined) ordinaryDays++;
      else ordinary -= peak;
    }
    for (let d = from; d <= to; d++) {
      const peak = peaks.get(d);
      const weight = peak ?? (ordinaryDays > 0 ? ordinary / ordinaryDays : 0);
      if (weight > 0) out.push([d, weight]);
    }
  }
  return out;
}

const DAYS = new Weighted(dailyWeights());
const HOURS = new Weighted(D.HOUR_WEIGHTS.map((w, h) => [h, w] as const));

/** Epoch seconds of a purchase. */
export function drawPurchase(rng: Rng): number {
  return DAYS.draw(rng) * DAY + HOURS.draw(rng) * 3600 + rng.int(0, 3599);
}
