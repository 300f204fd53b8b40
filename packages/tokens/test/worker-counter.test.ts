import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  countEstimateJob,
  countInWorker,
  countTokens,
  estimateRequestTokens,
  loadedEncodings,
  resolveModelEncoding,
  stopTokenWorker,
  toPlainData,
  type EstimateJob,
} from '../src/index';

// Long enough for a cold worker on a busy machine: these tests check values, not speed.
const PATIENT = { timeoutMillis: 120_000 };

const CHAT = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are a helpful assistant.' },
    { role: 'user', content: 'What is the capital of France?', name: 'alice' },
  ],
  tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
};

describe('model names that are built-in object properties', () => {
  it('resolves constructor, __proto__, hasOwnProperty and toString to the default encoding, inexact', () => {
    for (const model of ['constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf']) {
      expect(resolveModelEncoding(model)).toEqual({ encoding: 'o200k_base', exact: false });
    }
  });
});

describe('countInWorker', () => {
  afterAll(() => stopTokenWorker());

  it('counts on the worker thread: the calling thread loads no encoding', async () => {
    const result = await countInWorker({ model: 'gpt-4', text: 'Hello, world!' }, PATIENT);
    expect(result).toEqual({ ok: true, counts: { textTokens: 4 } });
    expect(loadedEncodings()).toEqual([]);
  });

  it('gives exactly the counts of countTokens and estimateRequestTokens for the same inputs', async () => {
    const jobs: EstimateJob[] = [
      { model: 'gpt-4o-mini', request: CHAT, text: 'Paris is the capital of France.' },
      { model: 'gpt-3.5-turbo', request: { input: ['Hello, world!', 'The cat sat.'] } },
      {
        model: 'claude-sonnet-4',
        request: { system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there' }] }] },
        text: 'Hello!',
      },
      {
        model: 'gemini-2.5-flash',
        request: { contents: [{ role: 'user', parts: [{ text: 'Why is the sky blue?' }] }] },
        text: 'Rayleigh scattering.',
      },
      { model: 'constructor', request: { messages: [{ role: 'user', content: 'Hi' }] }, text: 'Hello' },
      { model: '__proto__', request: { prompt: 'Once upon a time' }, text: 'there was' },
      { model: 'gpt-4o', request: { unknown: 'shape' }, text: '' },
    ];
    for (const job of jobs) {
      const result = await countInWorker(job, PATIENT);
      expect(result).toEqual({ ok: true, counts: countEstimateJob(job) });
      if (!result.ok) continue;
      if (job.text) expect(result.counts.textTokens).toBe(countTokens(job.text, job.model).tokens);
      if (result.counts.requestTokens !== undefined) {
        expect(result.counts.requestTokens).toBe(estimateRequestTokens(job.request, job.model).tokens);
      }
    }
    // 3 framing + 'user' 1 + 'Hi' 1 + 3 reply priming, in o200k_base.
    expect(countEstimateJob({ model: 'constructor', request: { messages: [{ role: 'user', content: 'Hi' }] } }).requestTokens).toBe(8);
  });

  it('hands over only plain data: functions, binary data, throwing getters and cycles never escape as errors', async () => {
    const messages: Array<Record<string, unknown>> = [
      { role: 'user', content: 'What is 2 + 2?', signal: new AbortController().signal, onDone: () => 1 },
    ];
    const body: Record<string, unknown> = { messages, image: new Uint8Array([1, 2, 3]) };
    Object.defineProperty(body, 'secret', {
      enumerable: true,
      get: () => {
        throw new Error('do not read me');
      },
    });
    const result = await countInWorker({ model: 'gpt-4o', request: body }, PATIENT);
    expect(result).toEqual({
      ok: true,
      counts: {
        requestTokens: estimateRequestTokens({ messages: [{ role: 'user', content: 'What is 2 + 2?' }] }, 'gpt-4o').tokens,
        textTokens: 0,
      },
    });

    const cyclic: Record<string, unknown> = { messages: [{ role: 'user', content: 'loop' }] };
    cyclic.self = cyclic;
    expect(await countInWorker({ model: 'gpt-4o', request: cyclic }, PATIENT)).toEqual({ ok: false, reason: 'too_large' });
  });

  it('counts a request whose keys are __proto__ and constructor as plain keys', async () => {
    const request = JSON.parse('{"__proto__": {"polluted": true}, "constructor": "x", "messages": [{"role": "user", "content": "Hello"}]}');
    const result = await countInWorker({ model: 'hasOwnProperty', request }, PATIENT);
    expect(result).toEqual({ ok: true, counts: countEstimateJob({ model: 'hasOwnProperty', request }) });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('starts a new worker after the worker stopped', async () => {
    await stopTokenWorker();
    expect(await countInWorker({ text: 'again' }, PATIENT)).toEqual({ ok: true, counts: { textTokens: 1 } });
  });

  it('never holds the process open: a process that only asked for a count exits by itself', () => {
    const index = join(__dirname, '..', 'dist', 'index.js');
    const script = `require(${JSON.stringify(index)}).countInWorker({ text: 'Hello' }); console.log('done');`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('done\n');
  });
});

describe('toPlainData', () => {
  it('copies text-bearing data exactly and leaves out what JSON leaves out', () => {
    const source = { a: 'x', n: 1, list: [1, 'two', null, undefined, () => 3], nested: { b: true, f: () => 1, s: Symbol('s') } };
    expect(JSON.stringify(toPlainData(source))).toBe(JSON.stringify(source));
  });

  it('gives undefined for data deeper than the limit', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(toPlainData(deep)).toBeUndefined();
  });
});
