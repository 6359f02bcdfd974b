/**
 * Facts about entities that other tables need, computed from the entity's index instead of stored: a
 * product's price and seller, a customer's address. The files can then be written one at a time, in any
 * order, with memory independent of scale.
 */
import type { TablePlan } from './plan';
import { hashUnit, type SeedKey } from './prng';
import { STATES, type CityRef, type StateRef } from './reference/states';
import { PRICE } from './reference/distributions';
import { quantile, Weighted } from './sampling';

const NS = { price: 1, priceEnding: 2, seller: 3, addressState: 4, addressCity: 5, addressZip: 6 } as const;

export interface Address {
  state: StateRef;
  city: CityRef;
  zip: number;
}

/** A fixed shuffle of 0..n−1 (rank → index), so popular products are not all at the top of the file. */
function shuffleOf(n: number): (rank: number) => number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let step = Math.max(1, Math.floor(n * 0.6180339887));
  while (n > 1 && gcd(step, n) !== 1) step++;
  const offset = Math.floor(n / 3);
  return (rank) => (rank * step + offset) % n;
}

export const customerStates = new Weighted(STATES.map((s) => [s, s.customerWeight] as const));
export const sellerStates = new Weighted(STATES.filter((s) => s.sellerWeight > 0).map((s) => [s, s.sellerWeight] as const));
const citiesOf = new Map(STATES.map((s) => [s.uf, new Weighted(s.cities.map((c) => [c, c.weight] as const))]));

export function cityIn(state: StateRef, u: number): CityRef {
  return citiesOf.get(state.uf)!.at(u);
}

export class Catalog {
  private readonly productOfRank: (rank: number) => number;
  private readonly sellerOfRank: (rank: number) => number;

  constructor(
    private readonly seed: SeedKey,
    private readonly products: number,
    private readonly sellers: number,
  ) {
    this.productOfRank = shuffleOf(products);
    this.sellerOfRank = shuffleOf(sellers);
  }

  static from(seed: SeedKey, plans: { products: TablePlan; sellers: TablePlan }): Catalog {
    return new Catalog(seed, plans.products.logicalRows, plans.sellers.logicalRows);
  }

  /**
   * A product for a sale, popular ones more often: rank ∝ u², so the best seller takes ≈ 1/√n of sales,
   * as the published top product's ≈ 500 of 112,650 items does.
   */
  pickProduct(u: number): number {
    return this.productOfRank(Math.floor(this.products * u * u));
  }

  priceCents(product: number): number {
    const cents = Math.round(quantile(PRICE, hashUnit(this.seed, NS.price, product)) * 100);
    const ending = hashUnit(this.seed, NS.priceEnding, product);
    const whole = cents - (cents % 100);
    // Shop prices end in .90, .99 or .00 more often than not.
    const snapped = ending < 0.35 ? whole + 90 : ending < 0.55 ? whole + 99 : ending < 0.7 ? whole : cents;
    return snapped >= 85 ? snapped : cents;
  }

  /** Each product has one seller; the biggest seller carries ≈ 1/√n of the catalogue (rank ∝ u²). */
  sellerOf(product: number): number {
    const h = hashUnit(this.seed, NS.seller, product);
    return this.sellerOfRank(Math.floor(this.sellers * h * h));
  }

  /** The address of a person (customer_unique_id index): the same person keeps it across orders. */
  address(person: number): Address {
    const state = customerStates.at(hashUnit(this.seed, NS.addressState, person));
    const city = cityIn(state, hashUnit(this.seed, NS.addressCity, person));
    const zip = city.zipLo + Math.floor(hashUnit(this.seed, NS.addressZip, person) * (city.zipHi - city.zipLo + 1));
    return { state, city, zip };
  }
}

export const zipText = (zip: number) => String(zip).padStart(5, '0');
