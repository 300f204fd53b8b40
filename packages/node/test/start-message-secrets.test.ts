import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { start, type TokenomicsHandle } from '../src/index';

let handle: TokenomicsHandle | undefined;
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  diag.disable();
});

describe('the start-up message', () => {
  it('names the OTLP endpoints without the credentials or query string they carry', async () => {
    const lines: string[] = [];
    const keep = (message: string) => void lines.push(message);
    const logger: DiagLogger = { error: keep, warn: keep, info: keep, debug: keep, verbose: keep };
    diag.setLogger(logger, { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true });
    handle = start({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector-user:s3cr3t-pass@127.0.0.1:4318?api_key=k3y-value',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_METRICS_EXPORTER: 'otlp',
      },
      flushOnExit: false,
      exitFlushTimeoutMillis: 200,
    });
    const started = lines.find((l) => l.includes('@tokenomics/node: started'));
    expect(started).toBeDefined();
    expect(started).toContain('REDACTED@127.0.0.1:4318');
    const all = lines.join('\n');
    expect(all).not.toContain('s3cr3t-pass');
    expect(all).not.toContain('collector-user');
    expect(all).not.toContain('k3y-value');
  });
});
