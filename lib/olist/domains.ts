/**
 * Closed value sets of the Olist data. The contracts check against these; the generator draws from them,
 * so a value the generator writes on purpose outside them is, by construction, a domain violation.
 */

/** The 26 states and the Federal District, as the two-letter codes (UF) the files carry. */
export const BRAZIL_STATES = [
  'AC', 'AL', 'AM', 'AP', 'BA', 'CE', 'DF', 'ES', 'GO', 'MA', 'MG', 'MS', 'MT', 'PA',
  'PB', 'PE', 'PI', 'PR', 'RJ', 'RN', 'RO', 'RR', 'RS', 'SC', 'SE', 'SP', 'TO',
] as const;
export type BrazilState = (typeof BRAZIL_STATES)[number];

export const ORDER_STATUSES = [
  'created', 'approved', 'invoiced', 'processing', 'shipped', 'delivered', 'unavailable', 'canceled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const PAYMENT_TYPES = ['credit_card', 'boleto', 'voucher', 'debit_card', 'not_defined'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];

/**
 * Brazil's bounding box, islands included (Trindade lies near -29.3 longitude). Real copies of the
 * geolocation file hold a few points in Europe and North America; this box is what rejects them.
 */
export const BRAZIL_BOUNDS = { minLat: -34, maxLat: 5.5, minLng: -74.1, maxLng: -28.8 } as const;
