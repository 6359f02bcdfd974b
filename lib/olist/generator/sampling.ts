/**
 * Drawing from distributions with arithmetic only (see prng.ts for why): weighted choices by cumulative
 * tables, continuous values by piecewise-linear quantile tables taken from the real data's percentiles.
 */
import { KeystoneError } from '../../errors';
import type { Rng } from './prng';

export class Weighted<T> {
  private readonly items: T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    this.items = entries.map((e) => e[0]);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, w], i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new KeystoneError('internal:olist_generator', 'a weighted table needs a positive total');
    this.total = sum;
  }

  /** The item whose cumulative band holds u ∈ [0, 1). */
  at(u: number): T {
    const target = u * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }

  draw(rng: Rng): T {
    return this.at(rng.float());
  }
}

/** [probability, value] points, probabilities rising from 0 to 1. */
export type QuantileTable = readonly (readonly [number, number])[];

export function quantile(table: QuantileTable, u: number): number {
  for (let i = 1; i < table.length; i++) {
    const [p1, v1] = table[i]!;
    if (u <= p1) {
      const [p0, v0] = table[i - 1]!;
      return p1 === p0 ? v1 : v0 + ((u - p0) / (p1 - p0)) * (v1 - v0);
    }
  }
  return table[table.length - 1]![1];
}

/**
 * Picks exactly `counts[k]` rows for each kind k out of `total` rows seen one at a time, each row at most
 * once, uniformly (selection sampling, Knuth's Algorithm S generalised to several kinds). Exact counts
 * without a shuffled index array: memory stays flat however many rows there are.
 */
export class RowPicker<K> {
  private readonly kinds: K[];
  private readonly remaining: number[];
  private left: number;
  private pickedLeft: number;

  constructor(total: number, counts: readonly (readonly [K, number])[]) {
    this.kinds = counts.map((c) => c[0]);
    this.remaining = counts.map((c) => c[1]);
    this.left = total;
    this.pickedLeft = this.remaining.reduce((a, b) => a + b, 0);
    if (this.pickedLeft > total) throw new KeystoneError('internal:olist_generator', `cannot pick ${this.pickedLeft} of ${total} rows`);
  }

  /** Call once per row, in order: the kind picked for this row, or undefined. */
  next(rng: Rng): K | undefined {
    const left = this.left--;
    if (this.pickedLeft === 0) return undefined;
    let target = rng.float() * left;
    if (target >= this.pickedLeft) return undefined;
    for (let k = 0; k < this.remaining.length; k++) {
      const r = this.remaining[k]!;
      if (target < r) {
        this.remaining[k] = r - 1;
        this.pickedLeft--;
        return this.kinds[k];
      }
      target -= r;
    }
    return undefined;
  }
}

/**
 * Splits `total` into integer parts proportional to `weights` so that the parts sum to `total` exactly:
 * part k is round(total·W_k/W) − round(total·W_{k−1}/W) over the running sums W_k.
 */
export function apportion(total: number, weights: Float64Array): Uint32Array {
  const parts = new Uint32Array(weights.length);
  let sum = 0;
  for (let k = 0; k < weights.length; k++) sum += weights[k]!;
  let running = 0;
  let assigned = 0;
  for (let k = 0; k < weights.length; k++) {
    running += weights[k]!;
    const upTo = k === weights.length - 1 ? total : Math.round((total * running) / sum);
    parts[k] = upTo - assigned;
    assigned = upTo;
  }
  return parts;
}
