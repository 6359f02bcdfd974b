/**
 * The same pipeline suite with the lake in S3: s3rver over real HTTP, the embedded engine reading
 * staged copies of the objects (DuckDB cannot read s3:// here: its httpfs extension cannot be fetched).
 */
import { startS3rver } from '../../test/support/s3rver';
import { pipelineSuite } from './pipeline-suite';

pipelineSuite('s3', async () => {
  const s3 = await startS3rver();
  return { env: { KEYSTONE_STORAGE: 's3', KEYSTONE_S3_ENDPOINT: s3.endpoint, AWS_REGION: s3.region }, stop: () => s3.stop() };
});
