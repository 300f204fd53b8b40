import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, expect } from 'vitest';
import { otlpExportEnv } from './examples';
import { startOtlpReceiver, type OtlpMetricPoint, type OtlpReceiver, type OtlpSpan } from './otlp-receiver';
import { runApp } from './run-app';

/** What the e2e tests read of an app run by {@link runCountingContexts} that makes model calls. */
export interface CountedCalls {
  stdout: string;
  /** OpenTelemetry contexts entered while the app ran. */
  entered: number;
  costPoints: OtlpMetricPoint[];
  /** Calls counted by the duration histogram. */
  calls: number;
  spans: OtlpSpan[];
}

/** What an app run by {@link runCountingContexts} did. */
export interface ContextCountRun {
  /** The receiver the app exported to, still open while `read` runs. */
  receiver: OtlpReceiver;
  stdout: string;
  /** OpenTelemetry contexts the app entered while it ran (fixtures/context-count/count-entries.cjs). */
  entered: number;
}

/**
 * Runs `app` through the hook, metrics over OTLP to a receiver of its own and spans too only with
 * `spans`, checks that it ended cleanly and printed `contexts entered: N`, and gives `read` what it
 * did. The receiver is closed once `read` is done.
 */
export async function runCountingContexts<T>(
  options: { app: string; env: Record<string, string>; spans: boolean },
  read: (run: ContextCountRun) => T | Promise<T>,
): Promise<T> {
  const receiver = await startOtlpReceiver();
  try {
    const env = { ...options.env, ...otlpExportEnv(receiver.url, 'http/protobuf') };
    if (!options.spans) env.OTEL_TRACES_EXPORTER = 'none';
    const result = await runApp({ app: options.app, env, timeoutMs: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const entered = /^contexts entered: (\d+)$/m.exec(result.stdout);
    expect(entered).not.toBeNull();
    return await read({ receiver, stdout: result.stdout, entered: Number(entered![1]) });
  } finally {
    await receiver.close();
  }
}

/**
 * Before the tests of the calling `describe`, starts an emulator and runs `run` with it twice: with
 * metrics only, then with spans exported. The emulator is closed after the tests. The runs are
 * read from the returned object once the tests run.
 */
export function runWithAndWithoutSpans<R>(
  run: (emulator: Emulator, spans: boolean) => Promise<R>,
  timeoutMs: number,
): { metricsOnly: R; withSpans: R } {
  const runs = {} as { metricsOnly: R; withSpans: R };
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    runs.metricsOnly = await run(emulator, false);
    runs.withSpans = await run(emulator, true);
  }, timeoutMs);
  afterAll(async () => {
    await emulator?.close();
  });
  return runs;
}
