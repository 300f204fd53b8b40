import { countTokens } from '@tokenomics/tokens';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli-args';
import { composeReply } from '../src/reply';
import { parseDirectives, startEmulator } from '../src/index';

const chat = (url: string, content: string): Promise<Response> =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
  });

describe('startEmulator', () => {
  it('listens on 127.0.0.1 with a random port and exposes each SDK base URL', async () => {
    const emulator = await startEmulator();
    try {
      expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
      expect(emulator.port).toBeGreaterThan(0);
      expect(emulator.openaiBaseURL).toBe(`${emulator.url}/v1`);
      expect(emulator.anthropicBaseURL).toBe(emulator.url);
      expect(emulator.geminiBaseURL).toBe(emulator.url);
      expect(emulator.bedrockEndpoint).toBe(emulator.url);
    } finally {
      await emulator.close();
    }
  });

  it('keeps only the newest maxRecordedRequests requests', async () => {
    const emulator = await startEmulator({ maxRecordedRequests: 2 });
    try {
      for (const text of ['one', 'two', 'three']) await (await chat(emulator.url, text)).text();
      expect(emulator.requests.map((request) => request.seq)).toEqual([2, 3]);
      expect(emulator.requests.map((request) => (request.body as { messages: Array<{ content: string }> }).messages[0].content)).toEqual([
        'two',
        'three',
      ]);
    } finally {
      await emulator.close();
    }
  });

  it('delays every response by latencyMs, and a latency_ms directive overrides it', async () => {
    const emulator = await startEmulator({ latencyMs: 200 });
    try {
      let started = Date.now();
      await (await chat(emulator.url, 'Hi')).text();
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      started = Date.now();
      await (await chat(emulator.url, 'Hi [emulate latency_ms=0]')).text();
      expect(Date.now() - started).toBeLessThan(150);
    } finally {
      await emulator.close();
    }
  });

  it('spaces stream chunks by chunkIntervalMs', async () => {
    const emulator = await startEmulator({ chunkIntervalMs: 40 });
    try {
      const started = Date.now();
      const response = await fetch(`${emulator.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi [emulate output_tokens=4]' }] }),
      });
      await response.text();
      // role + 4 content + finish + [DONE] = 7 chunks, 6 intervals after the first
      expect(Date.now() - started).toBeGreaterThanOrEqual(6 * 40 - 10);
    } finally {
      await emulator.close();
    }
  });

  it('closes while a stream is stalled', async () => {
    const emulator = await startEmulator();
    const response = await fetch(`${emulator.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'Hi [emulate stall_after=1]' }] }),
    });
    const reading = response.text().catch((error: unknown) => error);
    await emulator.close();
    expect(await reading).toBeInstanceOf(Error);
  });

  it('rejects invalid options naming the option and what is accepted', async () => {
    await expect(startEmulator({ port: -1 })).rejects.toThrow('EmulatorOptions.port must be an integer from 0 to 65535, got -1');
    await expect(startEmulator({ latencyMs: 1.5 })).rejects.toThrow(
      'EmulatorOptions.latencyMs must be an integer from 0 to 3600000, got 1.5',
    );
    await expect(startEmulator({ maxRecordedRequests: 0 })).rejects.toThrow(
      'EmulatorOptions.maxRecordedRequests must be an integer from 1 to 1000000',
    );
  });

  it('answers a body that is not JSON with a 400', async () => {
    const emulator = await startEmulator();
    try {
      const response = await fetch(`${emulator.openaiBaseURL}/chat/completions`, { method: 'POST', body: '{nope' });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe('invalid_request_error');
      expect(body.error.message).toContain('We could not parse the JSON body of your request');
    } finally {
      await emulator.close();
    }
  });
});

describe('parseDirectives', () => {
  it('parses every numeric key and the error status', () => {
    expect(
      parseDirectives([
        'error=429',
        'retry_after=1.5',
        'output_tokens=10',
        'cached=5',
        'reasoning=3',
        'stall_after=2',
        'stream_error_after=4',
        'latency_ms=7',
        'ttfc_ms=8',
      ]),
    ).toEqual({
      error: 429,
      retryAfter: 1.5,
      outputTokens: 10,
      cached: 5,
      reasoning: 3,
      stallAfter: 2,
      streamErrorAfter: 4,
      latencyMs: 7,
      ttfcMs: 8,
    });
  });

  it('rejects an unsupported error status, listing the accepted ones', () => {
    expect(() => parseDirectives(['error=418'])).toThrow(
      'emulate directive error=418 is not supported; accepted: 400, 401, 403, 404, 429, 500, 503, 529',
    );
  });

  it('rejects a pair without a value', () => {
    expect(() => parseDirectives(['cached'])).toThrow("emulate directive 'cached' is not key=value");
  });
});

describe('composeReply', () => {
  it('produces exactly the requested number of tokens for every length up to 300, in both encodings', () => {
    for (const model of ['gpt-4o', 'gpt-4']) {
      for (let n = 0; n <= 300; n += 1) {
        const reply = composeReply({ seed: `seed ${n}`, model, outputTokens: n });
        expect(reply.pieces).toHaveLength(n);
        expect(countTokens(reply.text, model).tokens).toBe(n);
        expect(reply.tokens).toBe(n);
      }
    }
  });
});

describe('tokenomics-emulator command', () => {
  it('parses flags into options with port 8787 by default', () => {
    expect(parseArgs([])).toEqual({ port: 8787 });
    expect(parseArgs(['--port', '0', '--latency-ms=5', '--ttfc-ms', '6', '--chunk-interval-ms', '7'])).toEqual({
      port: 0,
      latencyMs: 5,
      timeToFirstChunkMs: 6,
      chunkIntervalMs: 7,
    });
    expect(() => parseArgs(['--port', 'x'])).toThrow('--port must be a non-negative integer, got "x"');
    expect(() => parseArgs(['--nope', '1'])).toThrow('unknown option --nope');
  });

  it('prints the URL, serves requests and exits 0 on SIGTERM', async () => {
    const bin = join(__dirname, '..', 'bin', 'tokenomics-emulator.js');
    const child = spawn(process.execPath, [bin, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (data: Buffer) => {
        out += data.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n')) resolve(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await chat(url, 'Hi [emulate output_tokens=2]');
    expect(((await response.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens).toBe(2);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
