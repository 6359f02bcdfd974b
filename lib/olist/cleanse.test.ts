import { describe, expect, it } from 'vitest';
import { applySteps, castCell, cleanseRow, moneyToCents, naturalKeyOf } from './cleanse';
import { CAST_PATTERNS, contractFor, type TableName } from './contracts';

const column = (t: TableName, name: string) => contractFor(t).columns.find((c) => c.name === name)!;
const cell = (t: TableName, name: string, raw: string) => castCell(column(t, name), raw);

describe('cleansing rules', () => {
  it('keep zip prefixes as 5-character text, padding lost zeros back and refusing the rest', () => {
    expect(cell('customers', 'customer_zip_code_prefix', '09790')).toEqual({ value: '09790', problem: null });
    expect(cell('customers', 'customer_zip_code_prefix', '9790')).toEqual({ value: '09790', problem: null });
    expect(cell('customers', 'customer_zip_code_prefix', ' 1310 ')).toEqual({ value: '01310', problem: null });
    expect(cell('customers', 'customer_zip_code_prefix', '123456').problem).toBe('out_of_domain');
    expect(cell('customers', 'customer_zip_code_prefix', 'abcde').problem).toBe('out_of_domain');
    expect(cell('customers', 'customer_zip_code_prefix', '   ').problem).toBe('missing');
  });

  it('fold city spellings to lower-case ASCII with single spaces', () => {
    for (const raw of ['são paulo', 'sao paulo', 'SAO PAULO ', 'SÃO  PAULO', ' São Paulo', 'sao\tpaulo']) {
      expect(cell('geolocation', 'geolocation_city', raw).value, raw).toBe('sao paulo');
    }
    expect(applySteps('  Ji-Paraná ', column('sellers', 'seller_city').cleanse)).toBe('ji-parana');
  });

  it('upper-case state codes and accept only the 27 UFs', () => {
    expect(cell('geolocation', 'geolocation_state', ' sp')).toEqual({ value: 'SP', problem: null });
    expect(cell('geolocation', 'geolocation_state', 'XX').problem).toBe('out_of_domain');
  });

  it('cast money exactly to 2 decimals and refuse what is not a plain decimal', () => {
    expect(cell('order_items', 'price', '58.9').value).toBe('58.90');
    expect(cell('order_items', 'price', '199').value).toBe('199.00');
    expect(cell('order_items', 'price', '12.345').value).toBe('12.35');
    expect(cell('order_payments', 'payment_value', '0.0').value).toBe('0.00');
    for (const bad of ['abc', '12,5', '1.299,90', 'R$ 59.90', '1e3']) expect(cell('order_items', 'price', bad).problem, bad).toBe('uncastable');
    expect(cell('order_items', 'price', '-12.50').problem).toBe('out_of_domain');
    expect(cell('order_items', 'price', '0.00').problem).toBe('out_of_domain');
    expect(cell('order_items', 'freight_value', '0.00').problem).toBeNull();
    expect(moneyToCents('58.90')).toBe(5890);
    expect(moneyToCents('-0.05')).toBe(-5);
  });

  it('turn empty timestamps into NULL and refuse impossible instants', () => {
    expect(cell('orders', 'order_delivered_customer_date', '')).toEqual({ value: null, problem: 'missing' });
    expect(cell('orders', 'order_purchase_timestamp', '2017-10-02 10:56:33').value).toBe('2017-10-02T10:56:33.000Z');
    expect(cell('orders', 'order_purchase_timestamp', '2016-02-29 00:00:00').problem).toBeNull();
    for (const bad of ['2018-13-45 10:00:00', 'not a date', '2017-02-30 08:15:00', '18/05/2018 14:02', '2018-06-31', '2018-01-01 24:00:00']) {
      expect(cell('orders', 'order_purchase_timestamp', bad).problem, bad).toBe('uncastable');
    }
    expect(cell('orders', 'order_estimated_delivery_date', '2017-10-18 00:00:00').value).toBe('2017-10-18');
  });

  it('read integers written as floats, but not fractions', () => {
    expect(cell('products', 'product_weight_g', '40.0').value).toBe(40);
    expect(cell('order_reviews', 'review_score', '4.5').problem).toBe('uncastable');
    expect(cell('order_reviews', 'review_score', '6').problem).toBe('out_of_domain');
  });

  it('quarantine on the first failing required column, null failing optional ones', () => {
    const items = contractFor('order_items');
    const good = ['o1', '1', 'p1', 's1', '2017-09-19 09:45:35', '58.90', '13.29'];
    expect(cleanseRow(items, good)).toMatchObject({ ok: true, nulled: [] });
    expect(cleanseRow(items, ['o1', '1', 'p1', '', 'not a date', '58.90', '13.29'])).toEqual({ ok: false, reason: 'missing_required', column: 'seller_id' });
    expect(cleanseRow(items, good.slice(1))).toEqual({ ok: false, reason: 'malformed', column: null });
    const products = contractFor('products');
    const outcome = cleanseRow(products, ['p1', 'perfumaria', '40', '287', '1', '12,5', '16', '10', '14']);
    expect(outcome).toMatchObject({ ok: true, nulled: ['product_weight_g'] });
    expect(outcome.ok && outcome.values[5]).toBeNull();
  });

  it('key rows by natural key, or by the whole cleansed row for geolocation', () => {
    const reviews = contractFor('order_reviews');
    const a = cleanseRow(reviews, ['r1', 'o1', '5', '', '', '2018-01-18 00:00:00', '2018-01-18 21:46:59']);
    const b = cleanseRow(reviews, ['r1', 'o2', '5', '', '', '2018-01-18 00:00:00', '2018-01-18 21:46:59']);
    if (!a.ok || !b.ok) throw new Error('rows should pass');
    expect(naturalKeyOf(reviews, a.values)).not.toBe(naturalKeyOf(reviews, b.values));
    const geo = contractFor('geolocation');
    const g1 = cleanseRow(geo, ['01037', '-23.5456', '-46.6392', 'são paulo', 'SP']);
    const g2 = cleanseRow(geo, ['1037', '-23.54560', '-46.6392', 'SAO PAULO ', 'sp']);
    if (!g1.ok || !g2.ok) throw new Error('rows should pass');
    expect(naturalKeyOf(geo, g1.values)).toBe(naturalKeyOf(geo, g2.values));
  });

  it('write cast patterns an engine can run (no look-around or back-references)', () => {
    for (const p of Object.values(CAST_PATTERNS)) {
      if (p === null) continue;
      expect(p.startsWith('^') && p.endsWith('$')).toBe(true);
      expect(p).not.toMatch(/\(\?|\\[1-9]/);
    }
  });
});
