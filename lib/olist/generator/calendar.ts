/**
 * Civil dates from epoch seconds with integer arithmetic (Howard Hinnant's days_from_civil / civil_from_days):
 * faster than Date objects in the hot loops and free of time-zone surprises. All times are naive, as in
 * the real files (Brazilian local time without a zone).
 */
export const DAY = 86_400;

export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export const secondsOf = (y: number, m: number, d: number) => daysFromCivil(y, m, d) * DAY;

const p2 = (n: number) => (n < 10 ? '0' + n : String(n));

export function formatDay(seconds: number): string {
  const [y, m, d] = civilFromDays(Math.floor(seconds / DAY));
  return `${y}-${p2(m)}-${p2(d)}`;
}

/** 'YYYY-MM-DD HH:MM:SS', as the real files write instants. */
export function formatTimestamp(seconds: number): string {
  const s = Math.floor(seconds);
  const t = s - Math.floor(s / DAY) * DAY;
  return `${formatDay(s)} ${p2(Math.floor(t / 3600))}:${p2(Math.floor(t / 60) % 60)}:${p2(t % 60)}`;
}

/** Dates are written with a midnight time part, as the real files do. */
export const formatMidnight = (seconds: number) => `${formatDay(seconds)} 00:00:00`;

export const startOfDay = (seconds: number) => Math.floor(seconds / DAY) * DAY;

/** Inverse of formatTimestamp for the generator's own well-formed values. */
export function parseTimestamp(text: string): number {
  const y = Number(text.slice(0, 4));
  const mo = Number(text.slice(5, 7));
  const d = Number(text.slice(8, 10));
  const h = Number(text.slice(11, 13) || '0');
  const mi = Number(text.slice(14, 16) || '0');
  const s = Number(text.slice(17, 19) || '0');
  return secondsOf(y, mo, d) + h * 3600 + mi * 60 + s;
}
