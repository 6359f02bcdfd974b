import { KeystoneError } from '../../errors';
import { DEFAULT_BAD_RATE, MAX_BAD_RATE } from './plan';

export interface BadRowOptions {
  /**
   * Rows of each injected kind per table row (default 0.0005: one in 2,000; every table of 20 rows or
   * more gets at least one row of each kind its recipes list).
   */
  rate?: number;
}

export interface GenerateOptions {
  /** 1.0 writes the published volumes; each count scales and rounds, never below one row. */
  scale: number;
  /** Any non-negative safe integer; the same (scale, seed, bad) writes byte-identical files. */
  seed: number;
  /** Created if missing; the nine CSVs and manifest.json are written into it. */
  outDir: string;
  /** Controlled bad rows: on by default; `false` turns them off (the real files' own dirt stays). */
  bad?: boolean | BadRowOptions;
}

export const MAX_SCALE = 100;

/** Validated options with the bad-row rate resolved (null: no bad rows). */
export function resolveOptions(options: GenerateOptions): { scale: number; seed: number; outDir: string; badRate: number | null } {
  const { scale, seed, outDir } = options;
  const refuse = (message: string) => new KeystoneError('bad_request:olist_generator', message);
  if (!Number.isFinite(scale) || scale <= 0 || scale > MAX_SCALE) throw refuse(`scale must be a number in (0, ${MAX_SCALE}], got ${scale}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw refuse(`seed must be a non-negative integer, got ${seed}`);
  if (typeof outDir !== 'string' || outDir.trim() === '') throw refuse('outDir is required');
  const bad = options.bad ?? true;
  if (bad === false) return { scale, seed, outDir, badRate: null };
  const rate = bad === true ? DEFAULT_BAD_RATE : (bad.rate ?? DEFAULT_BAD_RATE);
  if (!Number.isFinite(rate) || rate < 0 || rate > MAX_BAD_RATE) throw refuse(`bad.rate must be in [0, ${MAX_BAD_RATE}], got ${rate}`);
  return { scale, seed, outDir, badRate: rate === 0 ? null : rate };
}
