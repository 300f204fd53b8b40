/**
 * A worker thread of the stage's {@link EnrichPool}: the CPU work of one request (traces priced,
 * token-usage histograms converted, logs framing checked) on its own price book and enrichers, built
 * from the same files and options as the main thread's. Requests come as transferred bytes; the
 * enriched bytes go back transferred, with the counts and the {@link CostTally} the main thread
 * needs for its counters.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_DEDUPE_CAPACITY, DEFAULT_MAX_METRIC_STREAMS, SpanCostEnricher, TokenUsageCost } from '@tokenomics/exporter';
import { tallyOf } from './cost-tally';
import { MetricsEnricher } from './metrics-enrichment';
import { TOKENOMICS_SCOPE_PREFIX } from './names';
import { PriceBookHolder } from './price-book-holder';
import { enrichTraces } from './trace-enrichment';
import { fieldsOf, readerOf } from './wire';
import { ownedBytes, type WorkerData, type WorkerReply, type WorkerRequest } from './worker-protocol';

const port = parentPort;
if (port === null) throw new Error('@tokenomics/collector: enrich-worker runs as a worker thread');
const data = workerData as WorkerData;
const priceBook = new PriceBookHolder(data.priceBook);
const spans = new SpanCostEnricher({ priceBook, dedupeCapacity: DEFAULT_DEDUPE_CAPACITY });
const services = new Map(Object.entries(data.costMetricsFromServices ?? {}));
const histogramsOf = (service: string | undefined) =>
  ((service !== undefined ? services.get(service) : undefined) ?? data.costMetricsFrom ?? 'spans') === 'histograms';
const cost = new TokenUsageCost(
  () => priceBook,
  (scope) => !scope.name.startsWith(TOKENOMICS_SCOPE_PREFIX),
  DEFAULT_MAX_METRIC_STREAMS,
);
const metrics = new MetricsEnricher(cost, histogramsOf);

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

port.on('message', (message: WorkerRequest) => {
  if (message.kind === 'reload') {
    const error = priceBook.reload();
    reply({ kind: 'reloaded', version: priceBook.version, ...(error === undefined ? {} : { error: error.message }) });
    return;
  }
  const { id, signal } = message;
  const body = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
  try {
    if (signal === 'traces') {
      const result = enrichTraces(body, spans);
      const bytes = ownedBytes(result.bytes);
      const tally = tallyOf(result);
      reply(
        {
          kind: 'done',
          id,
          bytes,
          spans: result.spans,
          enriched: result.enriched,
          unpriced: result.unpriced,
          duplicates: result.duplicates,
          points: 0,
          tally,
        },
        [bytes.buffer as ArrayBuffer, tally.values.buffer as ArrayBuffer],
      );
      return;
    }
    if (signal === 'metrics') {
      const result = metrics.enrich(body);
      const bytes = ownedBytes(result.bytes);
      reply({ kind: 'done', id, bytes, spans: 0, enriched: 0, unpriced: 0, duplicates: 0, points: result.points }, [
        bytes.buffer as ArrayBuffer,
      ]);
      return;
    }
    fieldsOf(readerOf(body), 0, body.length);
    const bytes = ownedBytes(body);
    reply({ kind: 'done', id, bytes, spans: 0, enriched: 0, unpriced: 0, duplicates: 0, points: 0 }, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    reply({ kind: 'malformed', id, reason: err instanceof Error ? err.message : String(err) });
  }
});

reply({ kind: 'ready', version: priceBook.version });
