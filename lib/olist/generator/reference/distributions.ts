/**
 * The shapes of the published data, as tables the samplers read. Counts are the published figures (or
 * close readings of them); quantile tables are [cumulative share, value] points between which values are
 * interpolated linearly.
 */
import type { OrderStatus, PaymentType } from '../../domains';
import type { QuantileTable } from '../sampling';

/** Orders per purchase month in the published data: a slow start in late 2016, growth, a cliff after August 2018. */
export const ORDERS_PER_MONTH: readonly (readonly [string, number])[] = [
  ['2016-09', 4], ['2016-10', 324], ['2016-11', 0], ['2016-12', 1],
  ['2017-01', 800], ['2017-02', 1780], ['2017-03', 2682], ['2017-04', 2404], ['2017-05', 3700], ['2017-06', 3245],
  ['2017-07', 4026], ['2017-08', 4331], ['2017-09', 4285], ['2017-10', 4631], ['2017-11', 7544], ['2017-12', 5673],
  ['2018-01', 7269], ['2018-02', 6728], ['2018-03', 7211], ['2018-04', 6939], ['2018-05', 6873], ['2018-06', 6167],
  ['2018-07', 6292], ['2018-08', 6512], ['2018-09', 16], ['2018-10', 4],
];

export const FIRST_PURCHASE_DAY = '2016-09-04';
export const LAST_PURCHASE_DAY = '2018-10-17';

/** Days whose orders are counted out of their month and placed on the day itself. */
export const PEAK_DAYS: readonly (readonly [string, number])[] = [
  ['2017-11-24', 1176], // Black Friday: about five ordinary days' worth
  ['2017-11-25', 499],
  ['2017-11-26', 391],
  ['2017-11-27', 403],
];

/** Late 2016 orders were bunched, not spread over the month. */
export const MONTH_WINDOWS: Readonly<Record<string, readonly [number, number]>> = {
  '2016-09': [4, 15],
  '2016-10': [3, 10],
  '2016-12': [23, 23],
  '2018-10': [1, 17],
};

/** Orders per hour of the day (share), quiet at night, busy 10h–22h. */
export const HOUR_WEIGHTS: readonly number[] = [
  24, 11, 5, 3, 2, 2, 5, 12, 32, 50, 62, 66, 60, 64, 67, 64, 63, 60, 57, 58, 62, 68, 63, 40,
];

export const STATUS_WEIGHTS: readonly (readonly [OrderStatus, number])[] = [
  ['delivered', 96478],
  ['shipped', 1107],
  ['canceled', 625],
  ['unavailable', 609],
  ['invoiced', 314],
  ['processing', 301],
  ['created', 5],
  ['approved', 2],
];

/** Orders by number of items (published: 1 item 90%, a tail to 21). */
export const ITEMS_PER_ORDER: readonly (readonly [number, number])[] = [
  [1, 88863], [2, 7516], [3, 1322], [4, 505], [5, 204], [6, 198], [7, 22], [8, 8], [9, 3], [10, 8],
  [11, 4], [12, 5], [13, 1], [14, 2], [15, 2], [20, 2], [21, 1],
];
export const MAX_ITEMS_PER_ORDER = 21;

/** Payment type of an order paid with one instrument (vouchers mostly come in multi-payment orders). */
export const SINGLE_PAYMENT_TYPES: readonly (readonly [PaymentType, number])[] = [
  ['credit_card', 0.77],
  ['boleto', 0.198],
  ['debit_card', 0.0155],
  ['voucher', 0.008],
];

/** Share of orders paid with several instruments, and how many extra rows they add. */
export const MULTI_PAYMENT_SHARE = 0.022;
export const EXTRA_PAYMENT_ROWS: readonly (readonly [number, number])[] = [
  [1, 60], [2, 20], [3, 8], [4, 4], [5, 2], [6, 2], [8, 1.2], [10, 0.9], [12, 0.6], [15, 0.5], [20, 0.3], [28, 0.2],
];

export const INSTALLMENTS: readonly (readonly [number, number])[] = [
  [1, 48], [2, 12], [3, 10], [4, 7], [5, 5], [6, 4], [7, 1.6], [8, 4.3], [9, 0.7], [10, 5.8],
  [11, 0.03], [12, 0.2], [13, 0.02], [14, 0.02], [15, 0.1], [16, 0.01], [17, 0.01], [18, 0.03], [20, 0.02], [21, 0.005],
  [22, 0.002], [23, 0.002], [24, 0.02],
];

/** Review scores when the order arrived on time, and when it was late or never came. Together ≈ 57/19/8/3/11%. */
export const SCORES_ON_TIME: readonly (readonly [number, number])[] = [[5, 62], [4, 20.5], [3, 8], [2, 2.5], [1, 7]];
export const SCORES_LATE: readonly (readonly [number, number])[] = [[5, 20], [4, 12], [3, 12], [2, 10], [1, 46]];

/** Chance a review has a message, by score (unhappy customers write). Titles: ≈ 12% of reviews. */
export const MESSAGE_SHARE_BY_SCORE: readonly number[] = [0, 0.8, 0.72, 0.55, 0.33, 0.33];
export const TITLE_SHARE = 0.117;

/** Item price in BRL (published: min 0.85, median ≈ 75, mean ≈ 120, max 6,735). */
export const PRICE: QuantileTable = [
  [0, 0.85], [0.05, 9.9], [0.1, 14.99], [0.25, 39.9], [0.5, 74.99], [0.75, 134.9], [0.9, 199], [0.95, 299],
  [0.99, 750], [0.999, 2400], [1, 6735],
];

/** Freight per item in BRL (published: median ≈ 16.3, mean ≈ 20, a few free, max ≈ 410). */
export const FREIGHT: QuantileTable = [
  [0, 0], [0.003, 0], [0.0031, 3.5], [0.1, 8.7], [0.25, 13.08], [0.5, 16.26], [0.75, 21.15], [0.9, 29], [0.99, 60], [1, 409.68],
];

/** Days from purchase to the promised date (published median ≈ 23). */
export const ESTIMATE_DAYS: QuantileTable = [[0, 7], [0.1, 15], [0.5, 23], [0.9, 33], [1, 60]];
/**
 * Time to the customer's door as a share of the promised time: sellers promise with a margin, so the median
 * order arrives in under half the promised time (≈ 10 days) and about 8% arrive late (share > 1).
 */
export const DELIVERY_SHARE_OF_ESTIMATE: QuantileTable = [[0, 0.08], [0.25, 0.3], [0.5, 0.45], [0.75, 0.65], [0.92, 0.98], [0.97, 1.3], [1, 3]];
/** Seconds from purchase to approval (median ≈ 20 minutes; boleto waits for the bank). */
export const APPROVAL_SECONDS: QuantileTable = [[0, 0], [0.3, 600], [0.5, 1200], [0.75, 36000], [0.9, 86400], [0.99, 432000], [1, 2592000]];
/** Seconds from approval to the carrier. */
export const CARRIER_SECONDS: QuantileTable = [[0, 18000], [0.5, 216000], [0.9, 604800], [1, 5184000]];
/** Days from approval to the seller's shipping deadline. */
export const SHIPPING_LIMIT_DAYS: QuantileTable = [[0, 2], [0.5, 6], [0.95, 10], [1, 30]];
/** Seconds from the review's creation to the answer. */
export const ANSWER_SECONDS: QuantileTable = [[0, 25000], [0.5, 130000], [0.9, 430000], [1, 2600000]];

/** Product measures (published percentiles). */
export const NAME_LENGTH: QuantileTable = [[0, 5], [0.25, 42], [0.5, 51], [0.75, 57], [1, 76]];
export const DESCRIPTION_LENGTH: QuantileTable = [[0, 4], [0.25, 339], [0.5, 595], [0.75, 972], [0.95, 2100], [1, 3992]];
export const PHOTOS: readonly (readonly [number, number])[] = [[1, 50], [2, 19.6], [3, 11.5], [4, 7.6], [5, 4.7], [6, 3.7], [7, 1.1], [8, 0.7], [9, 0.3], [10, 0.5], [12, 0.1], [15, 0.05], [20, 0.02]];
export const WEIGHT_G: QuantileTable = [[0, 0], [0.01, 100], [0.25, 300], [0.5, 700], [0.75, 1900], [0.9, 6000], [0.99, 22000], [1, 40425]];
export const LENGTH_CM: QuantileTable = [[0, 7], [0.25, 18], [0.5, 25], [0.75, 38], [1, 105]];
export const HEIGHT_CM: QuantileTable = [[0, 2], [0.25, 8], [0.5, 13], [0.75, 21], [1, 105]];
export const WIDTH_CM: QuantileTable = [[0, 6], [0.25, 15], [0.5, 20], [0.75, 30], [1, 118]];
