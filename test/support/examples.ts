import { join } from 'node:path';
import { E2E_DIR } from './run-app';

/** The repository's `examples/` folder. */
export const EXAMPLES = join(E2E_DIR, '..', 'examples');

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** One way of running an example: its entry file and the OTLP encoding it exports in. */
export interface ExampleFlavour {
  kind: string;
  app: string;
  protocol: OtlpProtocol;
}

/**
 * The CommonJS flavour of `examples/<name>-cjs` (hook through `--require`, OTLP protobuf) and the
 * ESM flavour of `examples/<name>-esm` (hook through `--import`, OTLP JSON).
 */
export function exampleFlavours(name: string): ExampleFlavour[] {
  return [
    { kind: 'CommonJS (--require), OTLP http/protobuf', app: join(EXAMPLES, `${name}-cjs`, 'app.js'), protocol: 'http/protobuf' },
    { kind: 'ESM (--import), OTLP http/json', app: join(EXAMPLES, `${name}-esm`, 'app.mjs'), protocol: 'http/json' },
  ];
}

/**
 * Environment that makes the hook export traces and metrics over OTLP to `endpoint`, metrics only
 * on the flush at exit (so each metric arrives once).
 */
export function otlpExportEnv(endpoint: string, protocol: OtlpProtocol): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_METRIC_EXPORT_INTERVAL: '60000',
  };
}
