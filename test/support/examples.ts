import { join } from 'node:path';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { expect } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './otlp-receiver';
import { E2E_DIR, runApp } from './run-app';

/**
 * The example services the end-to-end tests run: the repository's `examples/` folder, or the copy
 * named by `E2E_EXAMPLES_DIR` (the Node.js matrix runs the hook tests on a copy whose apps load the
 * newest major of each client).
 */
export const EXAMPLES = process.env.E2E_EXAMPLES_DIR || join(E2E_DIR, '..', 'examples');

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

/** An example service that ran through the hook, with what it printed and exported. */
export interface HookedExampleRun {
  emulator: Emulator;
  receiver: OtlpReceiver;
  stdout: string;
  /** The spans of the instrumentation scope asked for. */
  spans: OtlpSpan[];
}

export interface HookedExampleOptions {
  app: string;
  protocol: OtlpProtocol;
  /** The app's own environment (endpoints, keys, service name), given the running emulator. */
  env: (emulator: Emulator) => Record<string, string>;
  /** Instrumentation scope of the spans to wait for, and how many the app makes. */
  scope: string;
  spans: number;
  timeoutMs?: number;
}

/**
 * Starts the provider emulator and an OTLP receiver, runs `app` through the hook exporting to the
 * receiver, checks that it exits 0 with nothing on stderr, and waits until the receiver has the
 * app's spans of `scope` and its cost metric. What it started is closed again if any of that fails.
 */
export async function runHookedExample(options: HookedExampleOptions): Promise<HookedExampleRun> {
  const emulator = await startEmulator({ port: 0 });
  let receiver: OtlpReceiver | undefined;
  try {
    receiver = await startOtlpReceiver();
    const result = await runApp({
      app: options.app,
      env: { ...options.env(emulator), ...otlpExportEnv(receiver.url, options.protocol) },
      timeoutMs: options.timeoutMs ?? 30_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const spans = await receiver.waitFor((r) => {
      const s = r.spans().filter((x) => x.scope.name === options.scope);
      return s.length === options.spans && r.metricPoints('tokenomics.cost').length > 0 ? s : undefined;
    }, 10_000);
    return { emulator, receiver, stdout: result.stdout, spans };
  } catch (err) {
    await receiver?.close();
    await emulator.close();
    throw err;
  }
}
