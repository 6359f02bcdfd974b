/**
 * Entity ids as 32 lower-case hex characters, like the real data's, computed from (seed, namespace, index)
 * so no id table is kept in memory: an order item names its product by computing the product's id.
 *
 * The first word is a bijection of the index (xor with a key, then fmix32), so ids within a namespace never
 * collide; every later word mixes in a namespace-specific key, so ids of different namespaces differ even
 * when their first words coincide.
 */
import { fmix32, fnv1a, type SeedKey } from './prng';

export type IdMaker = (index: number) => string;

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
// Table lookups instead of toString(16): ids are the generator's hottest path.
const hex8 = (w: number) => HEX2[w >>> 24]! + HEX2[(w >>> 16) & 255]! + HEX2[(w >>> 8) & 255]! + HEX2[w & 255]!;

export function idMaker(seed: SeedKey, namespace: string): IdMaker {
  const ns = fnv1a(namespace);
  const k0 = fmix32(ns ^ seed.lo);
  const k1 = fmix32(ns + seed.hi + 0x165667b1);
  const k2 = fmix32(k1 ^ 0x9e3779b9);
  const k3 = fmix32(k0 + k2);
  return (index: number) => {
    const w0 = fmix32(index ^ k0);
    const w1 = fmix32(w0 ^ k1);
    const w2 = fmix32(w1 + k2);
    const w3 = fmix32(w2 ^ k3);
    return hex8(w0) + hex8(w1) + hex8(w2) + hex8(w3);
  };
}

/**
 * Indices from here up name entities that exist in no file: the ids orphan rows point at. They stay below
 * 2^32, where the first word is still a bijection, so an orphan id never equals a real one.
 */
export const ORPHAN_INDEX_BASE = 0x8000_0000;
