/**
 * Configuration errors at start-up: a bad price or override file fails the hook with one line
 * naming variable, file, line, field and value (never a stack trace), warnings go to `diag`, and no
 * message ever echoes a secret (URL credentials, query strings, header values).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/free-port';
import { runApp, stopAllApps } from '../../../test/support/run-app';
import { ConfigError, readConfig } from '../src/index';

const CJS_APP = fileURLToPath(new URL('./fixtures/telemetry-app.cjs', import.meta.url));
const ACCEPT_URL = 'an absolute http:// or https:// URL, e.g. http://localhost:4318';

const dir = mkdtempSync(join(tmpdir(), 'tokenomics-config-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => stopAllApps());

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problems(env: Record<string, string>): readonly string[] {
  try {
    readConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration errors never echo a secret', () => {
  it('redacts the password of a malformed endpoint URL', () => {
    const lines = problems({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:secret@host:bad' });
    expect(lines).toEqual([`OTEL_EXPORTER_OTLP_ENDPOINT=http://REDACTED@host:bad: not an http(s) URL; accepted: ${ACCEPT_URL}`]);
    expect(lines.join('\n')).not.toContain('secret');
    expect(lines.join('\n')).not.toContain('user');
  });

  it('redacts a password holding spaces, commas and @ in a per-signal endpoint', () => {
    const lines = problems({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://svc:p@ss w,rd@collector:43x8/v1/traces' });
    expect(lines).toEqual([
      `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=https://REDACTED@collector:43x8/v1/traces: not an http(s) URL; accepted: ${ACCEPT_URL}`,
    ]);
  });

  it('redacts query strings and fragments that may carry keys or tokens', () => {
    expect(problems({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'collector:4318/v1/metrics?api_key=k3y#token=t0k' })).toEqual([
      `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=collector:4318/v1/metrics?REDACTED: not an http(s) URL; accepted: ${ACCEPT_URL}`,
    ]);
  });

  it("redacts URL credentials inside another variable's value and its reason", () => {
    const lines = problems({ OTEL_RESOURCE_ATTRIBUTES: 'db.url=postgres://admin:hunter2@db:5432/app,broken' });
    expect(lines).toEqual([
      'OTEL_RESOURCE_ATTRIBUTES=db.url=postgres://REDACTED@db:5432/app,broken: "broken" is not key=value; accepted: comma-separated key=value pairs with percent-encoded values, e.g. key1=value1,key2=value%202',
    ]);
  });

  it('never shows header values, even next to a bad endpoint', () => {
    const lines = problems({
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t,x-api-key',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318?token=s3cr3t',
    });
    expect(lines.join('\n')).not.toContain('s3cr3t');
    expect(lines).toContain(
      'OTEL_EXPORTER_OTLP_HEADERS (value not shown): entry 2 of 2 is not key=value; accepted: comma-separated key=value pairs with percent-encoded values, e.g. key1=value1,key2=value%202',
    );
  });
});

describe('the register hook with a bad price file exits with one line and no stack trace', () => {
  const RATE_ACCEPTED = 'a number from 0 to 10000 (USD per million tokens) or { base: number, tiers: [{ start: tokens, price: number }] }';

  it('rejects a rate of 1e308 in TOKENOMICS_PRICE_OVERRIDES', async () => {
    const path = file(
      'huge-rate.yaml',
      'models:\n  - provider: self-hosted\n    model: m1\n    prices:\n      input: 1e308\n      output: 1\n',
    );
    const result = await runApp({ app: CJS_APP, env: { TOKENOMICS_PRICE_OVERRIDES: path } });
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: `@tokenomics/node: TOKENOMICS_PRICE_OVERRIDES: ${path}:5: models[0].prices.input: 1e+308 is not accepted; accepted: ${RATE_ACCEPTED}\n`,
      timedOut: false,
    });
  });

  it('rejects a YAML alias bomb in TOKENOMICS_PRICES_FILE', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const path = file('bomb.yaml', `${lines.join('\n')}\n`);
    const result = await runApp({ app: CJS_APP, env: { TOKENOMICS_PRICES_FILE: path } });
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: `@tokenomics/node: TOKENOMICS_PRICES_FILE: ${path}:2: (document): expands too many YAML aliases; accepted: a YAML document using each anchor (&name) through aliases (*name) at most 100 times, aliases nested in it counted\n`,
      timedOut: false,
    });
  });

  it('rejects an empty override file and a typo in a discount provider', async () => {
    const empty = file('empty.yaml', '\n');
    const typo = file('typo.yaml', 'discounts:\n  - provider: antropic\n    multiplier: 0.8\n');
    const first = await runApp({ app: CJS_APP, env: { TOKENOMICS_PRICE_OVERRIDES: empty } });
    expect(first).toMatchObject({
      code: 1,
      stderr: `@tokenomics/node: TOKENOMICS_PRICE_OVERRIDES: ${empty}: (document): is empty; accepted: a YAML (at most 512 KiB) or JSON (at most 4 MiB) price or override file\n`,
    });
    const second = await runApp({ app: CJS_APP, env: { TOKENOMICS_PRICE_OVERRIDES: typo } });
    expect(second).toMatchObject({
      code: 1,
      stderr: `@tokenomics/node: TOKENOMICS_PRICE_OVERRIDES: ${typo}:2: discounts[0].provider: "antropic" is not a known provider (did you mean "anthropic"?); accepted: a provider in the price book (see \`tokenomics prices list\`) or defined under models\n`,
    });
  });

  it('does not echo the password of a malformed endpoint', async () => {
    const result = await runApp({ app: CJS_APP, env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:secret@host:bad' } });
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `@tokenomics/node: OTEL_EXPORTER_OTLP_ENDPOINT=http://REDACTED@host:bad: not an http(s) URL; accepted: ${ACCEPT_URL}\n`,
    });
  });
});

describe('the register hook with a price-file warning', () => {
  it('starts the app and reports the warning through diag', async () => {
    const path = file('warned.yaml', 'models:\n  - provider: openai\n    model: gpt-4.2\n    prices: { input: 1, output: 4 }\n');
    const port = await freePort();
    const result = await runApp({
      app: CJS_APP,
      env: {
        TOKENOMICS_PRICE_OVERRIDES: path,
        OTEL_LOG_LEVEL: 'warn',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        FIXTURE_EXIT_CODE: '5',
      },
    });
    expect(result).toMatchObject({ code: 5, stdout: '' });
    expect(result.stderr.split('\n')).toContain(
      `@tokenomics/node: TOKENOMICS_PRICE_OVERRIDES: warning: ${path}:3: models[0].model: "gpt-4.2" is not in the price book and adds a new model next to "gpt-4.1" of provider "openai"; accepted: the id of a listed model to change it, or new: true for a new model`,
    );
  });
});
