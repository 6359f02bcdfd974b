/**
 * Cost before and after an Athena query: `estimateAthenaCost` from the catalog's file statistics
 * before it runs, `athenaPrice` of the real DataScannedInBytes after.
 */
export { ATHENA_PRICING, athenaPrice, estimateAthenaCost, type AthenaPricing, type CostEstimate, type FileStats, type TableEstimate, type TableFiles } from './estimate';
export { inspectSql, type ColumnFilter, type SqlInspection, type TableReference } from './inspect';
