import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDeadBackend, type DeadBackendKind } from './support/dead-backends';
import { startApp, stopAllApps } from './support/run-app';

const BUSY_APP = fileURLToPath(new URL('./fixtures/busy-app.cjs', import.meta.url));
const CALLS = 2_000;
const MB = 2 ** 20;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(() => stopAllApps());

/** Diagnostics lines the hook wrote (OTEL_LOG_LEVEL=warn) that start with `text`. */
const linesWith = (stderr: string, text: string) => stderr.split('\n').filter((line) => line.includes(text));

describe.each(['http/protobuf', 'http/json'] as const)('a dead telemetry backend (OTLP %s)', (protocol) => {
  it.each(['closed-port', 'no-answer', '503', '503-retry-after'] as DeadBackendKind[])(
    '%s: after 2,000 calls the app exits with its own code through the bounded flush, heap bounded, drops reported once',
    async (kind) => {
      const backend = await startDeadBackend(kind);
      try {
        const app = startApp({
          app: BUSY_APP,
          hook: 'require',
          nodeArgs: ['--expose-gc'],
          timeoutMs: 120_000,
          env: {
            EMULATOR_URL: emulator.openaiBaseURL,
            APP_CALLS: String(CALLS),
            FIXTURE_EXIT_CODE: '7',
            OTEL_EXPORTER_OTLP_ENDPOINT: backend.url,
            OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_METRICS_EXPORTER: 'otlp',
            OTEL_METRIC_EXPORT_INTERVAL: '1000',
            OTEL_LOG_LEVEL: 'warn',
          },
        });
        await app.waitForOutput('app done\n', 110_000);
        const done = Date.now();
        const result = await app.result;
        const exitMillis = Date.now() - done;

        expect(result.timedOut).toBe(false);
        expect([result.code, result.signal]).toEqual([7, null]);
        expect(result.stdout.endsWith('app done\n')).toBe(true);
        // The process ended through the bounded flush at exit: the bound fired, once.
        expect(linesWith(result.stderr, 'telemetry flush did not finish within 2000 ms')).toHaveLength(1);
        // What was dropped is reported once, not once per failure.
        expect(linesWith(result.stderr, 'telemetry is being dropped')).toHaveLength(1);
        // A loose bound for a loaded machine (the defect was 26 to 48 s).
        expect(exitMillis).toBeLessThan(10_000);

        const heap = /heapAt500=(\d+) heapAtEnd=(\d+)/.exec(result.stdout);
        expect(heap).not.toBeNull();
        const growthMb = (Number(heap![2]) - Number(heap![1])) / MB;
        console.log(
          `${protocol} ${kind}: exit ${exitMillis} ms after the app was done; heap after GC grew ${growthMb.toFixed(2)} MB from call 500 to ${CALLS}`,
        );
        // What a dead backend makes the hook hold is bounded by the span queue (2048 spans) and the
        // exports in flight (6 batches of 512 spans, 3 metric exports): about 12 MB at most, whatever
        // the number of calls. `pnpm bench` (dead-backend) reports the figure for longer runs.
        expect(growthMb).toBeLessThan(16);
      } finally {
        await backend.close();
      }
    },
    150_000,
  );
});
