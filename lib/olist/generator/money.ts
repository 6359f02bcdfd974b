/** Money is integer cents everywhere in the generator; these write it the two ways the real files do. */

/** '58.90': the items file always writes two decimals. */
export function centsFixed(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const frac = abs % 100;
  return `${sign}${(abs - frac) / 100}.${frac < 10 ? '0' : ''}${frac}`;
}

/** '24.0', '18.1', '18.12': the payments file was written from floats by pandas. */
export function centsPandas(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const frac = abs % 100;
  const whole = (abs - frac) / 100;
  if (frac === 0) return `${sign}${whole}.0`;
  if (frac % 10 === 0) return `${sign}${whole}.${frac / 10}`;
  return `${sign}${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/** Inverse of both, for the generator's own well-formed values. */
export function parseCents(text: string): number {
  const negative = text.startsWith('-');
  const [whole = '0', frac = ''] = text.replace(/^-/, '').split('.');
  const cents = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  return negative ? -cents : cents;
}
