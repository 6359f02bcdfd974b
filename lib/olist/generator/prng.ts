/**
 * Seeded randomness that gives the same numbers on every platform and Node version: only 32-bit integer
 * operations (sfc32, seeded through splitmix32). Nothing in the generator uses Math.random, and no
 * distribution uses Math.log/exp/sin, whose last bits the language does not pin down.
 */
import { KeystoneError } from '../../errors';

/** 32-bit FNV-1a, to turn a stream name into seed material. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: a bijection on 32-bit integers with good avalanche. */
export function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seed split into two 32-bit words, so any safe integer seed is used in full. */
export interface SeedKey {
  lo: number;
  hi: number;
}

export function seedKey(seed: number): SeedKey {
  return { lo: seed >>> 0, hi: Math.floor(seed / 4294967296) >>> 0 };
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * Each stream (one per table or concern) has its own sequence, so drawing one more number in the
   * products writer does not shift every order that follows.
   */
  constructor(seed: SeedKey, stream: string) {
    let s = (fmix32(seed.lo) ^ fmix32(seed.hi + 0x632be5ab) ^ fnv1a(stream)) >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      return fmix32(s);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new KeystoneError('internal:olist_generator', 'pick from an empty list');
    return item;
  }
}

/**
 * A value fixed by (seed, namespace, index) alone, in [0, 1): used where the value of an entity must be
 * known from its index without generating it in order (a product's price when an order item needs it).
 */
export function hashUnit(seed: SeedKey, namespace: number, index: number, salt = 0): number {
  const h = fmix32(fmix32(fmix32(index ^ seed.lo) + namespace) ^ fmix32(seed.hi + salt * 0x27d4eb2f + 1));
  return h / 4294967296;
}
