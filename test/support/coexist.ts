/**
 * Set-up shared by the coexistence tests (test/coexist-*.test.ts): the hook next to an app that
 * starts its own OpenTelemetry SDK, calling OpenAI's gpt-4o-mini on the emulator.
 */
import { startEmulator, type Emulator } from '@tokenomics/emulator';
import { afterAll, beforeAll, expect } from 'vitest';
import { freePort } from './free-port';
import { OTLP_SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from './otlp-receiver';

/** Instrumentation scope of the hook's OpenAI spans. */
export const OUR_SCOPE = '@tokenomics/instrumentation-openai';
/** Instrumentation scope of the app's own HTTP spans (its auto-instrumentations). */
export const HTTP_SCOPE = '@opentelemetry/instrumentation-http';

// OpenAI list prices of gpt-4o-mini, USD per million tokens: $0.15 input, $0.60 output.
export const gpt4oMiniUsd = (input: number, output: number) => (input * 0.15 + output * 0.6) / 1e6;

/** The token counts the app printed (what the OpenAI client returned to it). */
export function printedUsage(stdout: string): { input: number; output: number } {
  const m = stdout.match(/chat gpt-4o-mini: (\d+) in \/ (\d+) out/);
  expect(m, `app output: ${stdout}`).not.toBeNull();
  return { input: Number(m![1]), output: Number(m![2]) };
}

/** The emulator and the OTLP receiver of a `describe` block. */
export interface Backends {
  emulator: Emulator;
  receiver: OtlpReceiver;
}

/** Starts an emulator and an OTLP receiver before the enclosing `describe` block's tests and closes them after. */
export function backendsForSuite(): Backends {
  const backends = {} as Partial<Backends>;
  beforeAll(async () => {
    backends.emulator = await startEmulator({ port: 0 });
    backends.receiver = await startOtlpReceiver();
  });
  afterAll(async () => {
    await backends.receiver?.close();
    await backends.emulator?.close();
  });
  return backends as Backends;
}

/** Environment of an app that starts its own NodeSDK, exporting to the receiver. */
export async function ownSdkAppEnv({ emulator, receiver }: Backends): Promise<Record<string, string>> {
  return {
    OPENAI_BASE_URL: emulator.openaiBaseURL,
    OPENAI_API_KEY: 'sk-coexist-000',
    // The app's SDK exports here, configured in its code.
    APP_OTLP_URL: receiver.url,
    // Shared by both SDKs: logs are not exported, and errors (a refused registration among
    // them) are printed to stderr.
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_LOG_LEVEL: 'error',
    // Our default Prometheus endpoint, on a port of its own.
    OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()),
  };
}

/** Waits for the hook's GenAI span, the app's HTTP server span and the cost metric; returns the two spans. */
export function ourAndServerSpans(receiver: OtlpReceiver): Promise<readonly [ours: OtlpSpan, server: OtlpSpan]> {
  return receiver.waitFor((r) => {
    const genai = r.spans().find((s) => s.scope.name === OUR_SCOPE);
    const http = r.spans().find((s) => s.scope.name === HTTP_SCOPE && s.kind === OTLP_SPAN_KIND.SERVER);
    return genai && http && r.metricPoints('tokenomics.cost').length > 0 ? ([genai, http] as const) : undefined;
  }, 20_000);
}
