/**
 * The gold models the rewrite table cannot translate mechanically, in one place. Each override
 * replaces one named fragment of the model's DuckDB SQL (the rest of the model stays written once and
 * still goes through the mechanical rewrites). If a model changes so its fragment is no longer there,
 * the override throws and the test that translates every model fails — it never drifts silently.
 *
 *   model                        fragment                         why
 *   dim_date                     days CTE (generate_series)       Trino: sequence(lo, hi, INTERVAL '1' DAY) + UNNEST
 *   dim_geolocation              the whole SELECT (mode)          Trino has no mode(): max_by(value, n) over per-value counts
 *   mart_review_scores           count(*) / sum(count(*)) OVER () bigint / bigint is integer division in Trino (0 everywhere)
 *   mart_payment_mix             sum(v) / sum(sum(v)) OVER ()     decimal / decimal keeps scale 2 in Trino: the share would lose digits
 */
import { KeystoneError } from '../../errors';
import { sk } from '../gold/models';

interface Override {
  model: string;
  why: string;
  from: string;
  to: string;
}

export const GOLD_OVERRIDES: readonly Override[] = [
  {
    model: 'dim_date',
    why: 'generate_series has no Trino equivalent as a table function; sequence() + UNNEST makes the same days',
    from: `days AS (
  SELECT CAST(generate_series AS DATE) AS d
  FROM bounds, generate_series(CAST(date_trunc('year', lo) AS TIMESTAMP), CAST(date_trunc('year', hi) + INTERVAL 1 YEAR - INTERVAL 1 DAY AS TIMESTAMP), INTERVAL 1 DAY)
)`,
    to: `days AS (
  SELECT d
  FROM bounds CROSS JOIN UNNEST(sequence(CAST(date_trunc('year', lo) AS DATE), CAST(date_trunc('year', hi) + INTERVAL 1 YEAR - INTERVAL 1 DAY AS DATE), INTERVAL 1 DAY)) AS t(d)
)`,
  },
  {
    model: 'dim_geolocation',
    why: 'mode() does not exist in Trino; the most common city / state per zip is max_by over counts (ties: any one of them, as in DuckDB)',
    from: `SELECT ${sk('geolocation_zip_code_prefix')} AS geolocation_sk, geolocation_zip_code_prefix AS zip_code_prefix,
       median(geolocation_lat) AS lat, median(geolocation_lng) AS lng,
       mode(geolocation_city) AS city, mode(geolocation_state) AS state, count(*) AS points
FROM silver.geolocation GROUP BY geolocation_zip_code_prefix`,
    to: `WITH g AS (
  SELECT geolocation_zip_code_prefix AS zip, median(geolocation_lat) AS lat, median(geolocation_lng) AS lng, count(*) AS points
  FROM silver.geolocation GROUP BY 1),
city AS (
  SELECT zip, max_by(city, n) AS city FROM (
    SELECT geolocation_zip_code_prefix AS zip, geolocation_city AS city, count(*) AS n FROM silver.geolocation WHERE geolocation_city IS NOT NULL GROUP BY 1, 2)
  GROUP BY 1),
state AS (
  SELECT zip, max_by(state, n) AS state FROM (
    SELECT geolocation_zip_code_prefix AS zip, geolocation_state AS state, count(*) AS n FROM silver.geolocation WHERE geolocation_state IS NOT NULL GROUP BY 1, 2)
  GROUP BY 1)
SELECT ${sk('g.zip')} AS geolocation_sk, g.zip AS zip_code_prefix, g.lat, g.lng, city.city, state.state, g.points
FROM g LEFT JOIN city ON city.zip = g.zip LEFT JOIN state ON state.zip = g.zip`,
  },
  {
    model: 'mart_review_scores',
    why: 'bigint / bigint is integer division in Trino',
    from: 'round(count(*) / sum(count(*)) OVER (), 4)',
    to: 'round(CAST(count(*) AS double) / sum(count(*)) OVER (), 4)',
  },
  {
    model: 'mart_payment_mix',
    why: 'decimal / decimal keeps the larger scale (2) in Trino; DuckDB divides as double',
    from: 'round(sum(payment_value) / sum(sum(payment_value)) OVER (), 4)',
    to: 'round(CAST(sum(payment_value) AS double) / sum(sum(payment_value)) OVER (), 4)',
  },
];

/** The model's SQL with its Athena override applied (unchanged when it has none). Still DuckDB-spelled elsewhere. */
export function applyOverride(model: string, sql: string): string {
  const o = GOLD_OVERRIDES.find((x) => x.model === model);
  if (!o) return sql;
  if (!sql.includes(o.from)) {
    throw new KeystoneError('internal:athena_override', `the Athena override of gold.${model} no longer matches the model SQL: update lib/pipeline/athena/overrides.ts`);
  }
  return sql.replace(o.from, o.to);
}
