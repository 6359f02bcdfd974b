import { cityIn, sellerStates, zipText } from './catalog';
import { spellCity } from './city-spelling';
import { openTable, type GenContext } from './context';
import { idMaker } from './ids';
import { Rng } from './prng';
import type { WrittenTable } from './table-writer';

/** Sellers are where the published ones are: 60% in SP, then PR, MG, SC, RJ, RS. */
export async function writeSellers(ctx: GenContext): Promise<WrittenTable> {
  const writer = openTable(ctx, 'sellers');
  const rng = new Rng(ctx.seed, 'sellers');
  const sellerId = idMaker(ctx.seed, 'seller');
  for (let s = 0; s < ctx.plans.sellers.logicalRows; s++) {
    const state = sellerStates.draw(rng);
    const city = cityIn(state, rng.float());
    const zip = city.zipLo + rng.int(0, city.zipHi - city.zipLo);
    const spelling = spellCity(city, rng.float());
    writer.write(
      [sellerId(s), zipText(zip), spelling.text, state.uf],
      spelling.variant ? [{ kind: 'city_spelling', column: 'seller_city' }] : [],
    );
    if (writer.needsFlush) await writer.flush();
  }
  return writer.finish();
}
