/**
 * Orders, their items, payments and reviews, written together order by order: an order's payments must
 * sum to its items, and its reviews react to its delivery, so they are generated side by side and streamed
 * to four files at once.
 */
import { ORDER_STATUSES } from '../domains';
import { DAY, formatMidnight, formatTimestamp } from './calendar';
import { openTable, type GenContext } from './context';
import { idMaker, ORPHAN_INDEX_BASE } from './ids';
import { centsFixed, centsPandas, parseCents } from './money';
import { planOrders } from './order-plan';
import { disappointed, timelineFor } from './order-timeline';
import { splitPayments } from './payments';
import { Rng } from './prng';
import * as D from './reference/distributions';
import { composeReview, type ReviewContent } from './reviews';
import { quantile } from './sampling';
import type { RowTag, TableWriter, WrittenTable } from './table-writer';

/** Orders / items pointing at a customer / product / seller that no file holds (samples drawn apart). */
const ORPHAN_CUSTOMER_SHARE = 0.002;
const ORPHAN_PRODUCT_SHARE = 0.002;
const ORPHAN_SELLER_SHARE = 0.001;
/** Published: 98,410 review ids over 99,224 rows; a survey answered once for several orders. */
const SHARED_REVIEW_SHARE = 0.0082;

export interface OrderSideTotals {
  priceCents: number;
  freightCents: number;
  paymentCents: number;
  ordersWithoutCustomer: number;
  itemsWithoutProduct: number;
  itemsWithoutSeller: number;
}

export interface OrderSide {
  orders: WrittenTable;
  order_items: WrittenTable;
  order_payments: WrittenTable;
  order_reviews: WrittenTable;
  totals: OrderSideTotals;
}

const ts = (seconds: number | null) => (seconds === null ? '' : formatTimestamp(seconds));

export async function writeOrderTables(ctx: GenContext): Promise<OrderSide> {
  const { plans, catalog, seed } = ctx;
  const totals: OrderSideTotals = { priceCents: 0, freightCents: 0, paymentCents: 0, ordersWithoutCustomer: 0, itemsWithoutProduct: 0, itemsWithoutSeller: 0 };
  // Gold sums follow the rows that survive, including a later duplicate that replaces an earlier row.
  const orders = openTable(ctx, 'orders');
  const items = openTable(ctx, 'order_items', {
    onSurvivor: (f, sign) => {
      totals.priceCents += sign * parseCents(f[5]!);
      totals.freightCents += sign * parseCents(f[6]!);
    },
  });
  const payments = openTable(ctx, 'order_payments', { onSurvivor: (f, sign) => (totals.paymentCents += sign * parseCents(f[4]!)) });
  const reviews = openTable(ctx, 'order_reviews');
  const writers: TableWriter[] = [orders, items, payments, reviews];

  const plan = planOrders(new Rng(seed, 'orders/plan'), plans.orders.logicalRows, {
    items: plans.order_items.logicalRows,
    payments: plans.order_payments.logicalRows,
    reviews: plans.order_reviews.logicalRows,
  });
  const rng = new Rng(seed, 'orders');
  const ids = {
    order: idMaker(seed, 'order'),
    customer: idMaker(seed, 'customer'),
    product: idMaker(seed, 'product'),
    seller: idMaker(seed, 'seller'),
    review: idMaker(seed, 'review'),
  };
  const customersInFile = plans.customers.logicalRows;
  let itemSerial = 0;
  let reviewSerial = 0;
  let lastReview: { id: string; order: number; content: ReviewContent } | undefined;

  for (let i = 0; i < plan.count; i++) {
    const orderId = ids.order(i);
    const status = ORDER_STATUSES[plan.status[i]!]!;
    const t = timelineFor(status, plan.purchase[i]!, rng);

    // --- the order
    const orphanCustomer = i >= customersInFile || rng.chance(ORPHAN_CUSTOMER_SHARE);
    const orderTags: RowTag[] = [];
    if (orphanCustomer) {
      totals.ordersWithoutCustomer++;
      orderTags.push({ kind: 'orphan_customer', column: 'customer_id' });
    }
    if (t.approved === null) orderTags.push({ kind: 'empty_timestamp', column: 'order_approved_at' });
    if (t.carrier === null) orderTags.push({ kind: 'empty_timestamp', column: 'order_delivered_carrier_date' });
    if (t.delivered === null) orderTags.push({ kind: 'empty_timestamp', column: 'order_delivered_customer_date' });
    const itemCount = plan.items[i]!;
    if (itemCount === 0) orderTags.push({ kind: 'order_without_items', column: null });
    orders.write(
      [
        orderId,
        ids.customer(i < customersInFile && orphanCustomer ? ORPHAN_INDEX_BASE + i : i),
        status,
        formatTimestamp(t.purchase),
        ts(t.approved),
        ts(t.carrier),
        ts(t.delivered),
        formatMidnight(t.estimated),
      ],
      orderTags,
    );

    // --- its items: usually one product; multi-item orders often repeat one product
    let amount = 0;
    const distinct = itemCount <= 1 ? itemCount : rng.chance(0.7) ? 1 : Math.min(itemCount, rng.int(2, 3));
    const chosen: { product: number; orphanProduct: boolean; orphanSeller: boolean }[] = [];
    for (let k = 0; k < distinct; k++) {
      chosen.push({ product: catalog.pickProduct(rng.float()), orphanProduct: rng.chance(ORPHAN_PRODUCT_SHARE), orphanSeller: rng.chance(ORPHAN_SELLER_SHARE) });
    }
    const shippingLimit = (t.approved ?? t.purchase) + Math.round(quantile(D.SHIPPING_LIMIT_DAYS, rng.float()) * DAY);
    for (let k = 0; k < itemCount; k++) {
      const c = chosen[k % distinct]!;
      const serial = itemSerial++;
      const price = catalog.priceCents(c.product);
      const freight = Math.round(quantile(D.FREIGHT, rng.float()) * 100);
      amount += price + freight;
      const itemTags: RowTag[] = [];
      if (c.orphanProduct) {
        totals.itemsWithoutProduct++;
        itemTags.push({ kind: 'orphan_product', column: 'product_id' });
      }
      if (c.orphanSeller) {
        totals.itemsWithoutSeller++;
        itemTags.push({ kind: 'orphan_seller', column: 'seller_id' });
      }
      items.write(
        [
          orderId,
          String(k + 1),
          ids.product(c.orphanProduct ? ORPHAN_INDEX_BASE + serial : c.product),
          ids.seller(c.orphanSeller ? ORPHAN_INDEX_BASE + serial : catalog.sellerOf(c.product)),
          formatTimestamp(shippingLimit),
          centsFixed(price),
          centsFixed(freight),
        ],
        itemTags,
      );
    }

    // --- its payments: they sum to items + freight; an order without items was still paid for
    if (itemCount === 0) amount = catalog.priceCents(catalog.pickProduct(rng.float())) + Math.round(quantile(D.FREIGHT, rng.float()) * 100);
    const paid = splitPayments(amount, plan.payments[i]!, status === 'canceled', rng);
    paid.forEach((p, k) => payments.write([orderId, String(k + 1), p.type, String(p.installments), centsPandas(p.cents)]));

    // --- its reviews: one survey can be shared with an earlier order
    const late = disappointed(t);
    for (let r = plan.reviews[i]!; r > 0; r--) {
      if (lastReview !== undefined && lastReview.order !== i && rng.chance(SHARED_REVIEW_SHARE)) {
        const c = lastReview.content;
        reviews.write([lastReview.id, orderId, String(c.score), c.title, c.message, c.creation, c.answer], [{ kind: 'shared_review_id', column: 'review_id' }]);
        // Never the same id twice on one order: that would be a key duplicate, not a shared review.
        lastReview.order = i;
        continue;
      }
      const content = composeReview(late, t.delivered ?? t.estimated, rng);
      const id = ids.review(reviewSerial++);
      const tags: RowTag[] = [];
      if (/[\r\n]/.test(content.message)) tags.push({ kind: 'multiline_text', column: 'review_comment_message' });
      if (content.message.includes('"')) tags.push({ kind: 'embedded_quote', column: 'review_comment_message' });
      reviews.write([id, orderId, String(content.score), content.title, content.message, content.creation, content.answer], tags);
      lastReview = { id, order: i, content };
    }

    if (writers.some((w) => w.needsFlush)) await Promise.all(writers.map((w) => w.flush()));
  }

  return {
    orders: await orders.finish(),
    order_items: await items.finish(),
    order_payments: await payments.finish(),
    order_reviews: await reviews.finish(),
    totals,
  };
}
