import type { Exchange } from '../exchange';
import { randomAlphanumeric } from '../ids';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { capped } from '../token-accounting';
import { playScript, type ScriptedEvent } from '../stream-script';
import { googleError, googleHeaders } from './errors';
import { geminiPromptTokens } from './prompt';
import { lastGeminiUserText } from './request-text';

/** Dated versions Vertex AI reports in `modelVersion` for its aliases. */
const VERTEX_VERSIONS: Readonly<Record<string, string>> = {
  'gemini-2.0-flash': 'gemini-2.0-flash-001',
  'gemini-2.0-flash-lite': 'gemini-2.0-flash-lite-001',
  'gemini-1.5-pro': 'gemini-1.5-pro-002',
  'gemini-1.5-flash': 'gemini-1.5-flash-002',
};

/** Token counts that make up a `usageMetadata`. */
interface GeminiCounts {
  prompt: number;
  candidates: number;
  cached: number;
  thoughts: number;
  toolUsePrompt: number;
}

/**
 * A `usageMetadata` object. As in the API's JSON, counts that are zero are left out
 * (`candidatesTokenCount` only while nothing was generated).
 */
export function usageMetadata(counts: GeminiCounts, vertex: boolean): Record<string, unknown> {
  const usage: Record<string, unknown> = { promptTokenCount: counts.prompt };
  if (counts.candidates > 0) usage.candidatesTokenCount = counts.candidates;
  usage.totalTokenCount = counts.prompt + counts.candidates + counts.thoughts + counts.toolUsePrompt;
  if (counts.cached > 0) usage.cachedContentTokenCount = counts.cached;
  if (counts.toolUsePrompt > 0) usage.toolUsePromptTokenCount = counts.toolUsePrompt;
  if (counts.thoughts > 0) usage.thoughtsTokenCount = counts.thoughts;
  usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: counts.prompt }];
  if (counts.cached > 0) usage.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: counts.cached }];
  if (vertex) {
    if (counts.candidates > 0) usage.candidatesTokensDetails = [{ modality: 'TEXT', tokenCount: counts.candidates }];
    usage.trafficType = 'ON_DEMAND';
  }
  return usage;
}

interface GeneratePlan {
  responseId: string;
  modelVersion: string;
  createTime: string;
  replies: Reply[];
  counts: GeminiCounts;
  vertex: boolean;
}

function generationConfig(body: Record<string, unknown>): Record<string, unknown> {
  const config = body.generationConfig ?? body.generation_config;
  return config !== null && typeof config === 'object' ? (config as Record<string, unknown>) : {};
}

function positiveInteger(config: Record<string, unknown>, name: string): number | undefined {
  const value = config[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badRequest(
      `Invalid value at 'generation_config.${name}' (TYPE_INT32), ${JSON.stringify(value)}: expected a positive integer`,
      name,
    );
  }
  return value;
}

function plan(exchange: Exchange, vertex: boolean): GeneratePlan {
  const body = exchange.fields;
  const model = exchange.params.model;
  const prompt = geminiPromptTokens(body, model);
  const config = generationConfig(body);
  const n = positiveInteger(config, 'candidateCount') ?? 1;
  const maxTokens = positiveInteger(config, 'maxOutputTokens');
  const seed = lastGeminiUserText(body.contents) ?? JSON.stringify(body.contents);
  const replies: Reply[] = [];
  for (let index = 0; index < n; index += 1) {
    replies.push(
      composeReply({ seed: index === 0 ? seed : `${seed}#${index}`, model, outputTokens: exchange.directives.outputTokens, maxTokens }),
    );
  }
  return {
    responseId: randomAlphanumeric(23),
    modelVersion: vertex ? (VERTEX_VERSIONS[model] ?? model) : model,
    createTime: new Date().toISOString(),
    replies,
    vertex,
    counts: {
      prompt,
      candidates: replies.reduce((sum, reply) => sum + reply.tokens, 0),
      cached: capped(exchange.directives.cached, prompt),
      thoughts: exchange.directives.reasoning ?? 0,
      toolUsePrompt: exchange.directives.toolUsePrompt ?? 0,
    },
  };
}

function finishReason(reply: Reply): string {
  return reply.truncated ? 'MAX_TOKENS' : 'STOP';
}

function envelope(p: GeneratePlan, candidates: unknown[], usage: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { candidates, usageMetadata: usage, modelVersion: p.modelVersion };
  if (p.vertex) out.createTime = p.createTime;
  out.responseId = p.responseId;
  return out;
}

/** `:generateContent`. */
export async function generateContent(exchange: Exchange, vertex: boolean): Promise<void> {
  const p = plan(exchange, vertex);
  const candidates = p.replies.map((reply, index) => ({
    content: { parts: [{ text: reply.text }], role: 'model' },
    finishReason: finishReason(reply),
    index,
  }));
  exchange.sendJson(200, envelope(p, candidates, usageMetadata(p.counts, vertex)), googleHeaders(exchange));
}

/**
 * `:streamGenerateContent`. With `alt=sse` (what the clients ask for), one `data:` event per
 * token, each with the usage so far, then a last event with `finishReason` and the full usage.
 * Without it, the same responses as one JSON array.
 */
export async function streamGenerateContent(exchange: Exchange, vertex: boolean): Promise<void> {
  const p = plan(exchange, vertex);
  const events: ScriptedEvent[] = [];
  let generated = 0;
  p.replies.forEach((reply, index) => {
    for (const piece of reply.pieces) {
      generated += 1;
      const usage = usageMetadata({ ...p.counts, candidates: generated }, vertex);
      events.push({
        event: 'chunk',
        data: envelope(p, [{ content: { parts: [{ text: piece }], role: 'model' }, index }], usage),
        content: true,
      });
    }
    const last = index === p.replies.length - 1;
    const usage = usageMetadata(last ? p.counts : { ...p.counts, candidates: generated }, vertex);
    events.push({
      event: 'chunk',
      data: envelope(p, [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: finishReason(reply), index }], usage),
    });
  });
  const sse = exchange.url.searchParams.get('alt') === 'sse';
  const errorChunk = JSON.stringify({ error: googleError(500) });
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  if (sse) {
    exchange.startStream(200, googleHeaders(exchange, { 'content-type': 'text/event-stream', 'x-content-type-options': 'nosniff' }));
    await playScript(
      control,
      events,
      (event) => `data: ${JSON.stringify(event.data)}\r\n\r\n`,
      () => [`data: ${errorChunk}\r\n\r\n`],
    );
    return;
  }
  exchange.startStream(200, googleHeaders(exchange));
  let first = true;
  const encode = (event: ScriptedEvent): string => {
    const text = `${first ? '[' : '\n,'}${JSON.stringify(event.data)}`;
    first = false;
    return text;
  };
  events.push({ event: 'end', data: {} });
  await playScript(
    control,
    events,
    (event) => (event.event === 'end' ? ']' : encode(event)),
    () => [`${first ? '[' : '\n,'}${errorChunk}]`],
  );
}
