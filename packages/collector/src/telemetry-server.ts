/**
 * The stage's health endpoint (`GET /health`) and its own metrics in the Prometheus text format
 * (`GET /metrics`): received, enriched, unpriced, duplicates, refused, invalid, forwarded, dropped,
 * retries, queue bytes.
 */
import { createServer, type Server } from 'node:http';
import type { ListenAddress, TokenomicsCollector } from './collector';
import { closeHttpServer, listenHttp } from './http-listen';
import * as N from './names';

/** Status and JSON body of the health endpoint: 200 while serving, 503 while shutting down. */
export function healthBody(collector: TokenomicsCollector): { status: number; body: string } {
  const stopping = collector.isStopping;
  return {
    status: stopping ? 503 : 200,
    body: JSON.stringify({
      status: stopping ? 'stopping' : 'ok',
      priceBookVersion: collector.priceBookVersion,
      queueBytes: collector.queueBytes,
    }),
  };
}

/** Prometheus name of an OpenTelemetry metric name (dots to underscores, `_total` for counters). */
function promName(name: string, counter: boolean): string {
  const base = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return counter ? `${base}_total` : base;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** The stage's own metrics in the Prometheus text exposition format. */
export function prometheusText(collector: TokenomicsCollector): string {
  const s = collector.stats;
  const lines: string[] = [];
  const signalLabel = promName(N.ATTR_TOKENOMICS_COLLECTOR_SIGNAL, false);
  const reasonLabel = promName(N.ATTR_TOKENOMICS_COLLECTOR_REASON, false);
  const destLabel = promName(N.ATTR_TOKENOMICS_COLLECTOR_DESTINATION, false);
  const counter = (name: string, help: string, samples: [string, number][]) => {
    const n = promName(name, true);
    lines.push(`# HELP ${n} ${help}`, `# TYPE ${n} counter`);
    for (const [labels, value] of samples) lines.push(`${n}${labels} ${value}`);
  };
  counter(
    N.METRIC_COLLECTOR_RECEIVED,
    'Export requests accepted, by signal',
    (['traces', 'metrics', 'logs'] as const).map((sig) => [`{${signalLabel}="${sig}"}`, s.requests[sig]]),
  );
  counter(N.METRIC_COLLECTOR_ENRICHED, 'GenAI spans priced', [['', s.enriched]]);
  counter(N.METRIC_COLLECTOR_UNPRICED, 'GenAI spans marked unpriced', [['', s.unpriced]]);
  counter(N.METRIC_COLLECTOR_DUPLICATES, 'GenAI spans marked as a second span of a call priced once', [['', s.duplicates]]);
  counter(N.METRIC_COLLECTOR_REFUSED, 'Export requests refused because the queue was full (backpressure)', [['', s.refused]]);
  counter(N.METRIC_COLLECTOR_INVALID, 'Export requests refused as malformed, oversized or of an unknown type', [['', s.invalid]]);
  counter(N.METRIC_COLLECTOR_FAILED, 'Export requests answered 503 because the worker enriching them failed (retried by the sender)', [
    ['', s.failed],
  ]);
  counter(N.METRIC_COLLECTOR_WORKER_RESTARTS, 'Enrichment worker threads replaced after they died', [['', collector.workerRestarts]]);
  counter(
    N.METRIC_COLLECTOR_FORWARDED,
    'Export requests delivered, by destination',
    [...s.forwarded].map(([dest, n]) => [`{${destLabel}="${label(dest)}"}`, n]),
  );
  counter(
    N.METRIC_COLLECTOR_DROPPED,
    'Export requests dropped after they were accepted, by destination and reason',
    [...s.dropped].map(([key, n]) => {
      const [dest, reason] = key.split('\u0000');
      return [`{${destLabel}="${label(dest)}",${reasonLabel}="${label(reason)}"}`, n];
    }),
  );
  counter(
    N.METRIC_COLLECTOR_RETRIES,
    'Delivery attempts retried, by destination',
    [...s.retries].map(([dest, n]) => [`{${destLabel}="${label(dest)}"}`, n]),
  );
  const gauge = promName(N.METRIC_COLLECTOR_QUEUE_BYTES, false);
  lines.push(`# HELP ${gauge} Bytes held by the fullest forward queue`, `# TYPE ${gauge} gauge`, `${gauge} ${collector.queueBytes}`);
  return `${lines.join('\n')}\n`;
}

/** Health and Prometheus endpoint on its own address. */
export class TelemetryServer {
  private server: Server | undefined;
  address: string | undefined;

  constructor(
    private readonly collector: TokenomicsCollector,
    private readonly listen: ListenAddress,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      req.resume();
      if (req.method === 'GET' && path === '/health') {
        const { status, body } = healthBody(this.collector);
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      } else if (req.method === 'GET' && path === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(prometheusText(this.collector));
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('use /health or /metrics\n');
      }
    });
    this.address = await listenHttp(server, this.listen);
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) await closeHttpServer(server, 'all');
  }
}
