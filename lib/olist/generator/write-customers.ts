import { zipText } from './catalog';
import { plainCity } from './city-spelling';
import { openTable, type GenContext } from './context';
import { idMaker } from './ids';
import { Rng } from './prng';
import { RowPicker } from './sampling';
import type { RowTag, WrittenTable } from './table-writer';

/** Copies that went through a spreadsheet lose a zip's leading zero; the zip rule pads it back. */
const LOST_ZERO_SHARE = 0.02;

/**
 * One row per order (customer i belongs to order i). A person (customer_unique_id) who ordered again
 * appears on several rows; exactly `uniqueCustomers` persons appear, chosen by selection sampling so the
 * repeat rows are spread over the file rather than bunched at its end.
 */
export async function writeCustomers(ctx: GenContext): Promise<WrittenTable> {
  const writer = openTable(ctx, 'customers');
  const rng = new Rng(ctx.seed, 'customers');
  const customerId = idMaker(ctx.seed, 'customer');
  const personId = idMaker(ctx.seed, 'person');
  const rows = ctx.plans.customers.logicalRows;
  const persons = Math.min(ctx.uniqueCustomers, rows);
  // The first row is always a new person: a repeat needs someone to repeat.
  const repeats = new RowPicker(rows - 1, [[true, rows - persons]]);
  let nextPerson = 0;
  for (let i = 0; i < rows; i++) {
    const repeat = i > 0 && repeats.next(rng) === true;
    const person = repeat ? rng.int(0, nextPerson - 1) : nextPerson++;
    const { state, city, zip } = ctx.catalog.address(person);
    const tags: RowTag[] = [];
    let zipField = zipText(zip);
    if (zipField.startsWith('0') && rng.chance(LOST_ZERO_SHARE)) {
      zipField = String(zip);
      tags.push({ kind: 'zip_missing_leading_zero', column: 'customer_zip_code_prefix' });
    }
    writer.write([customerId(i), personId(person), zipField, plainCity(city), state.uf], tags);
    if (writer.needsFlush) await writer.flush();
  }
  return writer.finish();
}
