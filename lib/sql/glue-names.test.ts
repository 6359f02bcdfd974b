import { describe, expect, it } from 'vitest';
import { toGlueNames } from './glue-names';

describe('lake names on Athena', () => {
  it('rewrites layer.name references to the Glue tables', () => {
    expect(toGlueNames('SELECT o.order_id FROM silver.orders o JOIN gold.fact_orders f ON f.order_id = o.order_id', 'keystone')).toBe(
      'SELECT o.order_id FROM "keystone"."silver_orders" o JOIN "keystone"."gold_fact_orders" f ON f.order_id = o.order_id',
    );
    expect(toGlueNames('select * from "silver"."orders", Bronze.Customers', 'lake')).toBe('select * from "lake"."silver_orders", "lake"."bronze_customers"');
  });

  it('leaves strings, comments, columns and other catalogs alone', () => {
    const sql = "SELECT 'silver.orders' AS s, silver.orders.order_id -- gold.x\nFROM awsdatacatalog.silver.orders /* bronze.y */ WHERE note = 'gold.z'";
    expect(toGlueNames(sql, 'keystone')).toBe(sql);
    expect(toGlueNames('SELECT 1', 'keystone')).toBe('SELECT 1');
    expect(toGlueNames('SELECT * FROM silver . orders', 'keystone')).toBe('SELECT * FROM silver . orders');
  });
});
