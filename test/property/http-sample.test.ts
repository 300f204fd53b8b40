import { mkdtempSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApp } from '../support/run-app';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver';
import { otlpExportEnv } from '../support/examples';
import { startCaseServer, type AnswerFor, type CaseServer } from './support/case-server';
import { outside, SEED } from '../../packages/instrumentation/test/property/support/harness';
import { wireOf } from '../../packages/instrumentation/test/property/support/app';
import { frame } from '../../packages/instrumentation/test/property/support/wire';
import { bodyBytes } from '../../packages/instrumentation/test/property/support/bedrock-wire';
import { acceptableAttribute } from '../../packages/instrumentation/test/property/support/exported-values';
import * as openai from '../../packages/instrumentation/test/property/support/openai-cases';
import * as anthropic from '../../packages/instrumentation/test/property/support/anthropic-cases';
import * as gemini from '../../packages/instrumentation/test/property/support/google-genai-cases';
import * as bedrock from '../../packages/instrumentation/test/property/support/bedrock-cases';

/** Generated cases per client over real HTTP: `TOKENOMICS_PROPERTY_HTTP_CASES`, default 40. */
const HTTP_CASES = Number(process.env.TOKENOMICS_PROPERTY_HTTP_CASES) > 0 ? Number(process.env.TOKENOMICS_PROPERTY_HTTP_CASES) : 40;

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(HERE, '..', '..', 'examples');

/** Each client the apps import by its own name, taken from the example service that uses it. */
const CLIENT_MODULES: Array<[name: string, from: string]> = [
  ['openai', 'openai-cjs/node_modules/openai'],
  ['@anthropic-ai/sdk', 'anthropic-cjs/node_modules/@anthropic-ai/sdk'],
  ['@google/genai', 'gemini-cjs/node_modules/@google/genai'],
  ['@aws-sdk/client-bedrock-runtime', 'bedrock-cjs/node_modules/@aws-sdk/client-bedrock-runtime'],
];

interface Sample {
  client: string;
  app: string;
  /** What the app is told to do, case by case (the answers stay with the server). */
  requests: unknown[];
  answers: AnswerFor[];
}

/**
 * Draws the cases of one client. An abort after chunk n is left to the in-process suite: over a
 * socket, which chunks are already buffered when the app aborts depends on how the bytes arrived.
 */
function sample<C extends { answer: unknown }>(
  cases: fc.Arbitrary<C>,
  answerFor: (c: C) => AnswerFor,
): { requests: unknown[]; answers: AnswerFor[] } {
  const overHttp = cases.filter((c) => (c as { reading?: { kind?: unknown } }).reading?.kind !== 'abort');
  const drawn = fc.sample(overHttp, { seed: SEED, numRuns: HTTP_CASES });
  return { requests: drawn.map(({ answer: _answer, ...request }) => request), answers: drawn.map(answerFor) };
}

const fetchAnswer =
  (c: { answer: Parameters<typeof wireOf>[0] }): AnswerFor =>
  (request) =>
    wireOf(c.answer, request);

const SAMPLES: Sample[] = [
  { client: 'openai', app: 'openai.cjs', ...sample(outside(openai.cases, openai.KNOWN_DEFECTS), fetchAnswer) },
  { client: '@anthropic-ai/sdk', app: 'anthropic.cjs', ...sample(outside(anthropic.cases, anthropic.KNOWN_DEFECTS), fetchAnswer) },
  { client: '@google/genai', app: 'google-genai.cjs', ...sample(outside(gemini.cases, gemini.KNOWN_DEFECTS), fetchAnswer) },
  {
    client: '@aws-sdk/client-bedrock-runtime',
    app: 'bedrock.cjs',
    ...sample(outside(bedrock.cases, bedrock.KNOWN_DEFECTS), (c) => () => ({
      status: c.answer.status,
      headers: c.answer.headers,
      pieces: frame(bodyBytes(c.answer), c.answer.framing),
    })),
  },
];

describe(`generated hostile answers over real HTTP, with and without the hook (${HTTP_CASES} cases per client)`, () => {
  let dir: string;
  let server: CaseServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tokenomics-property-'));
    for (const file of readdirSync(join(HERE, 'apps'))) copyFileSync(join(HERE, 'apps', file), join(dir, file));
    for (const [name, from] of CLIENT_MODULES) {
      mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
      symlinkSync(realpathSync(join(EXAMPLES, from)), join(dir, 'node_modules', name), 'dir');
    }
    server = await startCaseServer();
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const s of SAMPLES) {
    describe(s.client, () => {
      let receiver: OtlpReceiver;
      afterAll(async () => {
        await receiver?.close();
      });

      it('an app prints the same and exits the same with the hook, and the hook exports only finite non-negative numbers', async () => {
        const casesFile = join(dir, `${s.app}.cases.json`);
        writeFileSync(casesFile, JSON.stringify(s.requests));
        const env = { CASE_SERVER: server.url };

        server.play(s.answers);
        const without = await runApp({ app: join(dir, s.app), hook: 'none', args: [casesFile], env, timeoutMs: 120_000 });
        expect(server.requests(), 'requests reached the case server').toBeGreaterThan(0);

        receiver = await startOtlpReceiver();
        server.play(s.answers);
        const withHook = await runApp({
          app: join(dir, s.app),
          hook: 'require',
          args: [casesFile],
          env: { ...env, ...otlpExportEnv(receiver.url, 'http/json') },
          timeoutMs: 120_000,
        });

        expect(without.timedOut || withHook.timedOut).toBe(false);
        expect(without.stdout.split('\n').filter(Boolean)).toHaveLength(HTTP_CASES);
        expect({ code: withHook.code, signal: withHook.signal, stdout: withHook.stdout }).toEqual({
          code: without.code,
          signal: without.signal,
          stdout: without.stdout,
        });

        const spans = await receiver.waitFor((r) => (r.spans().length > 0 ? r.spans() : undefined), 30_000);
        const bad: string[] = [];
        for (const span of spans) {
          for (const [key, value] of Object.entries(span.attributes)) {
            if (typeof value === 'number' && !acceptableAttribute(key, value)) bad.push(`span ${span.name} ${key}=${value}`);
          }
        }
        for (const name of receiver.metricNames()) {
          for (const p of receiver.metricPoints(name)) {
            for (const [what, v] of [
              ['value', p.value],
              ['count', p.count],
              ['sum', p.sum],
              ['min', p.min],
              ['max', p.max],
            ] as const) {
              if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0))
                bad.push(`metric ${name} ${what}=${String(v)}`);
            }
            for (const c of p.bucketCounts ?? []) if (!(Number.isFinite(c) && c >= 0)) bad.push(`metric ${name} bucket=${c}`);
          }
        }
        expect(bad).toEqual([]);
      }, 300_000);
    });
  }
});
