import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '../../../test/support/otlp-receiver';
import { runApp, startApp, type HookMode, type RunAppOptions, stopAllApps } from '../../../test/support/run-app';

const CJS_APP = fileURLToPath(new URL('./fixtures/telemetry-app.cjs', import.meta.url));
const ESM_APP = fileURLToPath(new URL('./fixtures/telemetry-app.mjs', import.meta.url));
const LISTENER_PROBE = fileURLToPath(new URL('./fixtures/listener-probe.cjs', import.meta.url));
const FLUSH_MIDWAY = fileURLToPath(new URL('./fixtures/flush-midway.cjs', import.meta.url));

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  stopAllApps();
  await receiver.close();
});

/** A collector that accepts connections and never answers. */
async function unresponsiveCollector(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Starts the app, waits for "ready", sends `signal`, and returns how it ended and how long that took. */
async function signalApp(options: RunAppOptions, signal: NodeJS.Signals) {
  const app = startApp({ ...options, args: ['--wait', ...(options.args ?? [])] });
  await app.waitForOutput('ready\n');
  const sent = Date.now();
  app.kill(signal);
  const result = await app.result;
  return { ...result, millis: Date.now() - sent };
}

const otlpEnv = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });

describe('flush at normal exit', () => {
  it.each([
    ['require', CJS_APP],
    ['import', ESM_APP],
  ] as const)('exports on beforeExit and keeps the exit code the app set (--%s)', async (hook, app) => {
    const env = { ...otlpEnv(), FIXTURE_EXIT_CODE: '3' };
    const without = await runApp({ app, hook: 'none', env });
    const withHook = await runApp({ app, hook, env });
    expect([without.code, without.signal]).toEqual([3, null]);
    expect([withHook.code, withHook.signal]).toEqual([3, null]);
    expect(withHook.stderr).toBe('');
    await receiver.waitFor((r) => r.spanByName('fixture work'));
    await receiver.waitFor((r) => r.metricPoints('fixture.requests').length > 0);
  });

  it('exits with the app code after the 2 s bound when the collector does not answer', async () => {
    const collector = await unresponsiveCollector();
    try {
      const started = Date.now();
      const result = await runApp({ app: CJS_APP, env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, FIXTURE_EXIT_CODE: '4' } });
      const millis = Date.now() - started;
      expect([result.code, result.signal, result.stderr]).toEqual([4, null, '']);
      expect(millis).toBeGreaterThanOrEqual(2_000);
      expect(millis).toBeLessThan(6_000);
    } finally {
      await collector.close();
    }
  });
});

describe("the app's own flush while it runs", () => {
  it.each([
    ['metrics only', { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'otlp' }],
    ['spans and metrics', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_METRICS_EXPORTER: 'otlp' }],
  ] as const)(
    '%s: resumes the app after each flush of the global providers, with nothing else keeping the process alive',
    async (_, exporters) => {
      const without = await runApp({ app: FLUSH_MIDWAY, hook: 'none', env: otlpEnv() });
      const withHook = await runApp({ app: FLUSH_MIDWAY, env: { ...otlpEnv(), ...exporters } });
      expect(without.stdout).toBe('flushed 1\nflushed 2\n');
      expect(withHook.stderr).toBe('');
      expect([withHook.code, withHook.signal]).toEqual([0, null]);
      expect(withHook.stdout).toBe('flushed 1\nflushed 2\n');
      await receiver.waitFor((r) => r.metricPoints('fixture.flushes').some((p) => p.value === 2));
      if (exporters.OTEL_TRACES_EXPORTER === 'otlp') await receiver.waitFor((r) => r.spanByName('fixture round 2'));
    },
  );

  /** Runs the app against a collector that never answers, metrics only: how it ended and how long that took. */
  async function againstUnresponsiveCollector(env: Record<string, string>) {
    const collector = await unresponsiveCollector();
    try {
      const started = Date.now();
      const result = await runApp({
        app: FLUSH_MIDWAY,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'otlp', ...env },
      });
      return { ...result, millis: Date.now() - started };
    } finally {
      await collector.close();
    }
  }

  it("a collector that does not answer: the handle's bounded flush holds the process no longer than its bound", async () => {
    const result = await againstUnresponsiveCollector({ FIXTURE_FLUSH: 'handle' });
    expect([result.code, result.signal]).toEqual([0, null]);
    expect(result.stdout).toBe('flushed 1\nflushed 2\n');
    // Two flushes of 2 s each and the flush at exit (2 s). Held until the exports' own timeout
    // (10 s) instead, the process would end after 12 s.
    expect(result.millis).toBeGreaterThanOrEqual(6_000);
    expect(result.millis).toBeLessThan(11_000);
  });

  it('a collector that does not answer: the app resumes when the export times out', async () => {
    const result = await againstUnresponsiveCollector({ OTEL_EXPORTER_OTLP_TIMEOUT: '500' });
    expect([result.code, result.signal]).toEqual([0, null]);
    expect(result.stdout).toBe('flushed 1\nflushed 2\n');
  });
});

describe.each(['SIGTERM', 'SIGINT'] as const)('%s', (signal) => {
  it.each(['require', 'import'] as const)(
    'with no app handler: flushes, then dies by the signal exactly as without the hook (--%s)',
    async (hook: HookMode) => {
      const app = hook === 'require' ? CJS_APP : ESM_APP;
      const without = await signalApp({ app, hook: 'none', env: otlpEnv() }, signal);
      const withHook = await signalApp({ app, hook, env: otlpEnv() }, signal);
      expect([without.code, without.signal]).toEqual([null, signal]);
      expect([withHook.code, withHook.signal]).toEqual([null, signal]);
      expect([withHook.stdout, withHook.stderr]).toEqual(['ready\n', '']);
      expect(receiver.spanByName('fixture work')).toBeDefined();
      expect(receiver.metricPoints('fixture.requests')).toHaveLength(1);
    },
  );

  it('with the app handling it: leaves the outcome to the app, and an app that awaits forceFlush() before exiting loses nothing', async () => {
    // An app that calls process.exit() from its own handler ends the process then; whatever the
    // flush had not written by that moment is lost (a race under load). The deterministic way is
    // the documented one: await the handle's forceFlush() first.
    const options = { app: CJS_APP, env: otlpEnv(), args: ['--own-signal-handlers', '--flush-before-exit'] };
    const without = await signalApp({ ...options, hook: 'none' }, signal);
    const withHook = await signalApp({ ...options, hook: 'require' }, signal);
    expect([without.code, without.signal, without.stdout]).toEqual([7, null, `ready\napp handled ${signal}\n`]);
    expect([withHook.code, withHook.signal, withHook.stdout]).toEqual([7, null, `ready\napp handled ${signal}\n`]);
    expect(receiver.spanByName('fixture work')).toBeDefined();
    expect(receiver.metricPoints('fixture.requests')).toHaveLength(1);
  });

  it("with the app handling it: our listener runs before the app's, even one the app added first", async () => {
    const result = await signalApp(
      { app: CJS_APP, env: otlpEnv(), args: ['--own-signal-handlers'], nodeArgs: ['--require', LISTENER_PROBE] },
      signal,
    );
    expect([result.code, result.signal]).toEqual([7, null]);
    // The probe, loaded before the hook, reports whether its listener was still the first one.
    expect(result.stdout).toContain(`probe: first listener of ${signal} is not the probe's\n`);
  });

  it('with a collector that does not answer: dies by the signal after the 2 s bound', async () => {
    const collector = await unresponsiveCollector();
    try {
      const result = await signalApp({ app: CJS_APP, env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } }, signal);
      expect([result.code, result.signal, result.stderr]).toEqual([null, signal, '']);
      expect(result.millis).toBeGreaterThanOrEqual(1_900);
      expect(result.millis).toBeLessThan(5_000);
    } finally {
      await collector.close();
    }
  });
});

it('a second signal during the flush ends the process at once', async () => {
  const collector = await unresponsiveCollector();
  try {
    const app = startApp({ app: CJS_APP, args: ['--wait'], env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } });
    await app.waitForOutput('ready\n');
    const sent = Date.now();
    app.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    app.kill('SIGINT');
    const result = await app.result;
    expect([result.code, result.signal]).toEqual([null, 'SIGINT']);
    expect(Date.now() - sent).toBeLessThan(1_500);
  } finally {
    await collector.close();
  }
});
