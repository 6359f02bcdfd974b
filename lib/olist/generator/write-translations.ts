import type { GenContext } from './context';
import { openTable } from './context';
import { TRANSLATED_CATEGORIES } from './reference/categories';
import type { WrittenTable } from './table-writer';

/** The fixed 71-row vocabulary, with the BOM the published file starts with. */
export async function writeTranslations(ctx: GenContext): Promise<WrittenTable> {
  const writer = openTable(ctx, 'category_translation', { bom: true });
  for (const c of TRANSLATED_CATEGORIES) writer.write([c.pt, c.en]);
  return writer.finish();
}
