/**
 * `keystone stream` — the load generator: replay synthetic Olist lifecycle events into a running
 * ingestor at a target rate and print the achieved rate and ack latency percentiles.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../lib/config';
import { KeystoneError } from '../../lib/errors';
import { createLogger } from '../../lib/logger';
import { runLoad } from '../../ingestor/loadgen';
import { textTable } from '../format-table';
import { action, EXIT } from '../run-command';

function positive(name: string, raw: string, allowZero = false): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new KeystoneError('bad_request:stream', `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${raw}`);
  return n;
}

export function registerStream(program: Command) {
  program
    .command('stream')
    .description('Load generator: replay synthetic Olist order events into the ingestor and report the achieved rate and ack latencies.')
    .option('--rate <events/s>', 'target events per second, all producers together (0: as fast as acks allow)', '10000')
    .option('--duration <seconds>', 'how long to send', '10')
    .option('--producers <n>', 'concurrent producers (one stream each)', '4')
    .option('--batch <n>', 'events per batch', '1000')
    .option('--in-flight <n>', 'unacked batches per producer', '8')
    .option('--address <host:port>', 'ingestor address (default: localhost and KEYSTONE_INGEST_PORT)')
    .option('--prefix <name>', 'producer id prefix (producers are <prefix>-0, <prefix>-1, …)', 'loadgen')
    .option('--id-width <n>', 'characters per event id (wider ids, bigger events; 100 gives ~200-byte events)', '24')
    .option('--scale <s>', 'size of the synthetic Olist set the events come from', '0.01')
    .option('--json', 'print the report as JSON')
    .action(
      action(async (opts: { rate: string; duration: string; producers: string; batch: string; inFlight: string; address?: string; prefix: string; idWidth: string; scale: string; json?: boolean }) => {
        const config = loadConfig();
        const address = opts.address ?? `localhost:${config.ingestPort}`;
        const rate = positive('--rate', opts.rate, true);
        const durationS = positive('--duration', opts.duration);
        const producers = Math.round(positive('--producers', opts.producers));
        const batch = Math.round(positive('--batch', opts.batch));
        const log = createLogger({ component: 'stream' });
        if (!opts.json) process.stderr.write(`streaming to ${address}: ${rate > 0 ? `${rate.toLocaleString('en-US')} events/s` : 'as fast as acked'} for ${durationS} s, ${producers} producer(s), batches of ${batch}\n`);
        const report = await runLoad({
          address,
          rate,
          durationS,
          producers,
          batch,
          maxInFlight: Math.round(positive('--in-flight', opts.inFlight)),
          producerPrefix: opts.prefix,
          scale: positive('--scale', opts.scale),
          idWidth: Math.round(positive('--id-width', opts.idWidth)),
          log,
          onTick: opts.json ? undefined : (t) => process.stderr.write(`  ${t.elapsedS.toFixed(0).padStart(4)} s  ${t.events.toLocaleString('en-US').padStart(12)} events acked  ${Math.round(t.eventsPerSecond).toLocaleString('en-US').padStart(9)} /s\n`),
        });
        if (opts.json) {
          process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        } else {
          const f = (n: number) => Math.round(n).toLocaleString('en-US');
          process.stdout.write(
            textTable(
              ['measure', 'value'],
              [
                ['events acked', f(report.events)],
                ['batches acked', f(report.batches)],
                ['elapsed', `${report.elapsedS.toFixed(1)} s`],
                ['achieved rate', `${f(report.eventsPerSecond)} events/s (target ${rate > 0 ? f(rate) : 'max'})`],
                ['throughput', `${(report.bytes / report.elapsedS / 1048576).toFixed(1)} MiB/s (${report.avgEventBytes.toFixed(0)} bytes/event encoded)`],
                ['ack latency p50', `${report.latencyMs.p50.toFixed(1)} ms`],
                ['ack latency p95', `${report.latencyMs.p95.toFixed(1)} ms`],
                ['ack latency p99', `${report.latencyMs.p99.toFixed(1)} ms`],
                ['ack latency max', `${report.latencyMs.max.toFixed(1)} ms`],
                ['rejected events', f(report.rejected)],
                ['duplicate acks', f(report.duplicates)],
                ['reconnects', f(report.reconnects)],
              ],
            ) + '\n',
          );
          for (const e of report.errors) process.stderr.write(`error: ${e}\n`);
        }
        return report.errors.length > 0 ? EXIT.failure : EXIT.ok;
      }),
    );
}
