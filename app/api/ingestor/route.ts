/** The ingestor's status and throughput for the Overview (polled); "not running" is an answer, not an error. */
import { appConfig } from '@/components/server-context';
import { json, withUser } from '@/components/api/respond';
import { readIngestorStatus } from '@/lib/console/ingestor-status';

export const dynamic = 'force-dynamic';

export async function GET() {
  return withUser('analyst', 'ingestor status', async () => json({ status: await readIngestorStatus(appConfig()) }));
}
