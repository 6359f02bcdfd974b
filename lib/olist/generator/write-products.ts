import { idMaker } from './ids';
import { openTable, type GenContext } from './context';
import { Rng } from './prng';
import { TRANSLATED_CATEGORIES, UNCATEGORIZED_PRODUCTS, UNTRANSLATED_CATEGORIES } from './reference/categories';
import * as D from './reference/distributions';
import { quantile, Weighted, type QuantileTable } from './sampling';
import type { WrittenTable } from './table-writer';

/** null: a product without a category, as 610 published ones are. */
const CATEGORIES = new Weighted<{ pt: string; translated: boolean } | null>([
  ...TRANSLATED_CATEGORIES.map((c) => [{ pt: c.pt, translated: true }, c.products] as const),
  ...UNTRANSLATED_CATEGORIES.map((c) => [{ pt: c.pt, translated: false }, c.products] as const),
  [null, UNCATEGORIZED_PRODUCTS],
]);

const PHOTOS = new Weighted(D.PHOTOS);

export async function writeProducts(ctx: GenContext): Promise<WrittenTable> {
  const writer = openTable(ctx, 'products');
  const rng = new Rng(ctx.seed, 'products');
  const productId = idMaker(ctx.seed, 'product');
  const int = (table: QuantileTable) => String(Math.round(quantile(table, rng.float())));
  for (let j = 0; j < ctx.plans.products.logicalRows; j++) {
    const category = CATEGORIES.draw(rng);
    const measures = [int(D.WEIGHT_G), int(D.LENGTH_CM), int(D.HEIGHT_CM), int(D.WIDTH_CM)];
    if (category === null) {
      // The published uncategorised products also lack name / description lengths and photo counts.
      writer.write([productId(j), '', '', '', '', ...measures], [{ kind: 'product_without_category', column: 'product_category_name' }]);
    } else {
      const fields = [productId(j), category.pt, int(D.NAME_LENGTH), int(D.DESCRIPTION_LENGTH), String(PHOTOS.draw(rng)), ...measures];
      writer.write(fields, category.translated ? [] : [{ kind: 'untranslated_category', column: 'product_category_name' }]);
    }
    if (writer.needsFlush) await writer.flush();
  }
  return writer.finish();
}
