/**
 * `keystone run <job> --dry-run`: the statements the run would send to Athena, in order, sent nowhere.
 * The plan is always Athena's (the engine whose statements are worth reviewing before they cost money);
 * with the DuckDB engine a header says so, because the embedded run builds its SQL as it goes (scratch
 * paths, partitions found in the data) and is not planned ahead.
 */
import type { LakeContext } from '../../lake/context';
import { readAthenaPlanState } from './plan-state';
import { formatStatements, planAthenaRun, type AthenaJob } from './statements';

export async function dryRunText(ctx: Pick<LakeContext, 'catalog' | 'config'>, job: AthenaJob): Promise<string> {
  const state = await readAthenaPlanState(ctx.catalog, ctx.config);
  const header = [
    `-- keystone run ${job} --dry-run: nothing was sent.`,
    ctx.config.engine.kind === 'athena'
      ? `-- Engine athena (workgroup ${ctx.config.engine.workgroup}, database ${state.database}): these statements, in this order.`
      : '-- Engine duckdb: the embedded run is not planned ahead; shown is the Athena plan the same run would send with KEYSTONE_ENGINE=athena.',
    ...(job === 'bronze' || job === 'all' ? ['-- Bronze files are written by the ingester (object storage, not Athena); versions of files not yet ingested are not shown.'] : []),
    '-- Silver partition splits use the partitions the catalog knows; a real run splits on what its "partitions to write" query returns.',
    '',
  ].join('\n');
  return `${header}\n${formatStatements(planAthenaRun(job, state))}`;
}
