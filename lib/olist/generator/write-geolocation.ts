import { zipText } from './catalog';
import { spellCity } from './city-spelling';
import { openTable, type GenContext } from './context';
import { Rng } from './prng';
import { STATES, type CityRef, type StateRef } from './reference/states';
import { apportion } from './sampling';
import type { RowTag, WrittenTable } from './table-writer';

/** ± degrees around a city's centre: about 9 km, enough to spread a city's zips without leaving it. */
const JITTER = 0.08;
const LOWER_STATE_SHARE = 0.005;

interface ZipPoint {
  zip: string;
  state: StateRef;
  city: CityRef;
}

/**
 * Every zip prefix of every reference city, in zip order (the published file is sorted by prefix), with
 * a weight that follows where customers live, roughened so prefixes do not all get the same row count.
 */
function zipCatalog(rng: Rng): { points: ZipPoint[]; weights: Float64Array } {
  const points: ZipPoint[] = [];
  const raw: number[] = [];
  for (const state of STATES) {
    const cityWeights = state.cities.reduce((sum, c) => sum + c.weight, 0);
    for (const city of state.cities) {
      const zips = city.zipHi - city.zipLo + 1;
      const perZip = (state.customerWeight * city.weight) / cityWeights / zips;
      for (let z = city.zipLo; z <= city.zipHi; z++) {
        points.push({ zip: zipText(z), state, city });
        raw.push(perZip * (0.3 + 1.4 * rng.float()));
      }
    }
  }
  const order = points.map((_, i) => i).sort((a, b) => (points[a]!.zip < points[b]!.zip ? -1 : 1));
  return { points: order.map((i) => points[i]!), weights: Float64Array.from(order, (i) => raw[i]!) };
}

export async function writeGeolocation(ctx: GenContext): Promise<WrittenTable> {
  const writer = openTable(ctx, 'geolocation');
  const rng = new Rng(ctx.seed, 'geolocation');
  const { points, weights } = zipCatalog(new Rng(ctx.seed, 'geolocation/zips'));
  const perZip = apportion(ctx.plans.geolocation.logicalRows, weights);
  for (let k = 0; k < points.length; k++) {
    const { zip, state, city } = points[k]!;
    for (let r = perZip[k]!; r > 0; r--) {
      const digits = rng.int(11, 15);
      const lat = (city.lat + (rng.float() * 2 - 1) * JITTER).toFixed(digits);
      const lng = (city.lng + (rng.float() * 2 - 1) * JITTER).toFixed(digits);
      const spelling = spellCity(city, rng.float());
      const lowerState = rng.chance(LOWER_STATE_SHARE);
      const tags: RowTag[] = [];
      if (spelling.variant) tags.push({ kind: 'city_spelling', column: 'geolocation_city' });
      if (lowerState) tags.push({ kind: 'state_lower_case', column: 'geolocation_state' });
      writer.write([zip, lat, lng, spelling.text, lowerState ? state.uf.toLowerCase() : state.uf], tags);
      if (writer.needsFlush) await writer.flush();
    }
  }
  return writer.finish();
}
