import 'server-only';
/**
 * The console's handle on the core: one configuration and one catalog per server process.
 * Pages and server actions call lib/ through here and nothing else.
 */
import { getConfig } from '@/lib/config';
import { sharedCatalog } from '@/lib/catalog/database';

export function appConfig() {
  return getConfig();
}

export async function appCatalog() {
  return sharedCatalog(getConfig(), { applicationName: 'keystone-console' });
}
