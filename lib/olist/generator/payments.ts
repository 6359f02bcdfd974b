/**
 * How an order was paid: usually one instrument; sometimes several vouchers, alone or with a card. The
 * values always sum to the amount, to the cent: the split is done in integer cents.
 */
import type { PaymentType } from '../domains';
import type { Rng } from './prng';
import * as D from './reference/distributions';
import { Weighted } from './sampling';

export interface PaymentRow {
  type: PaymentType;
  installments: number;
  cents: number;
}

const SINGLE = new Weighted(D.SINGLE_PAYMENT_TYPES);
const INSTALLMENTS = new Weighted(D.INSTALLMENTS);

const card = (rng: Rng, cents: number): PaymentRow => ({ type: 'credit_card', installments: INSTALLMENTS.draw(rng), cents });
const voucher = (cents: number): PaymentRow => ({ type: 'voucher', installments: 1, cents });

export function splitPayments(amountCents: number, rows: number, canceled: boolean, rng: Rng): PaymentRow[] {
  if (rows === 0) return [];
  if (rows === 1) {
    // The published 'not_defined' payments (3 of 103,886) belong to cancelled orders.
    const type: PaymentType = canceled && rng.chance(0.005) ? 'not_defined' : SINGLE.draw(rng);
    return [type === 'credit_card' ? card(rng, amountCents) : { type, installments: 1, cents: amountCents }];
  }
  const withCard = rng.chance(0.75);
  const vouchers = withCard ? rows - 1 : rows;
  const out: PaymentRow[] = [];
  let left = amountCents;
  // Vouchers take shrinking random shares; the card (or the last voucher) pays the rest.
  for (let k = 0; k < vouchers - (withCard ? 0 : 1); k++) {
    const share = Math.floor(left * rng.float() * 0.6);
    out.push(voucher(share));
    left -= share;
  }
  out.push(withCard ? card(rng, left) : voucher(left));
  return out;
}
