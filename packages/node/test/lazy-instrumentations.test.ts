import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port';
import { runApp, stopAllApps } from '../../../test/support/run-app';

const APP = fileURLToPath(new URL('./fixtures/lazy-instrumentations.cjs', import.meta.url));
const LOADED_PACKAGES_APP = fileURLToPath(new URL('./fixtures/loaded-packages.cjs', import.meta.url));

afterEach(() => stopAllApps());

describe('instrumentations loaded per client library', () => {
  it("loads a client library's instrumentation when the app first loads that library, no other library's, and patches a library loaded after the first", async () => {
    const result = await runApp({ app: APP, env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(await freePort()) } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout.trim())).toEqual({
      before: [],
      afterOpenAI: ['openai'],
      afterAnthropic: ['anthropic', 'openai'],
      openaiPatched: true,
      anthropicPatched: true,
    });
  });

  it('the default set-up (no trace exporter) loads no trace SDK; with spans exported it does', async () => {
    const port = String(await freePort());
    const loaded = async (env: Record<string, string>) => {
      const result = await runApp({ app: LOADED_PACKAGES_APP, env: { OTEL_EXPORTER_PROMETHEUS_PORT: port, ...env } });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return (JSON.parse(result.stdout.trim()) as string[]).filter((name) => name.startsWith('@opentelemetry/sdk-trace'));
    };
    expect(await loaded({})).toEqual([]);
    expect(await loaded({ OTEL_TRACES_EXPORTER: 'otlp' })).toEqual(['@opentelemetry/sdk-trace', '@opentelemetry/sdk-trace-base']);
  });
});
