/**
 * The ways the geolocation file spells a city. Most rows use the plain ASCII lower-case form the customers
 * file uses; the rest carry accents, capitals or stray spaces — all of which the city rule folds back.
 */
import { Weighted } from './sampling';
import { asciiName, type CityRef } from './reference/states';

type Spelling = (accented: string, ascii: string) => string;

const title = (s: string) => s.replace(/(^|\s)\S/g, (x) => x.toUpperCase());

const SPELLINGS = new Weighted<Spelling>([
  [(_a, ascii) => ascii, 93.5],
  [(accented) => accented, 2.5],
  [(_a, ascii) => ascii.toUpperCase(), 1],
  [(accented) => accented.toUpperCase(), 0.5],
  [(accented) => title(accented), 0.5],
  [(_a, ascii) => ascii.toUpperCase() + ' ', 0.6],
  [(_a, ascii) => ascii + ' ', 0.7],
  [(_a, ascii) => ' ' + ascii.replace(' ', '  '), 0.7],
]);

export interface CitySpelling {
  text: string;
  /** True when the text is not already in normalised form. */
  variant: boolean;
}

const cache = new Map<CityRef, string>();

export function plainCity(city: CityRef): string {
  let ascii = cache.get(city);
  if (ascii === undefined) {
    ascii = asciiName(city.name);
    cache.set(city, ascii);
  }
  return ascii;
}

export function spellCity(city: CityRef, u: number): CitySpelling {
  const ascii = plainCity(city);
  const text = SPELLINGS.at(u)(city.name, ascii);
  return { text, variant: text !== ascii };
}
