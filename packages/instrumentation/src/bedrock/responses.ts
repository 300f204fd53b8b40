import type { Usage } from '@tokenomics/pricing/types';
import { anthropicUsage } from '../anthropic/usage';
import type { CallResult } from '../genai/call';
import { converseUsage, count, llamaUsage } from './usage';

type Obj = Record<string, unknown>;

/** Fills `result` from a Converse response. */
export function applyConverse(output: unknown, result: CallResult): void {
  if (!output || typeof output !== 'object') return;
  const o = output as Obj;
  if (typeof o.stopReason === 'string') result.finishReasons = [o.stopReason];
  const usage = converseUsage(o.usage);
  if (usage) {
    result.usage = usage;
    result.usageEstimated = false;
  }
  const tier = serviceTierOf(o.serviceTier);
  if (tier) result.serviceTier = tier;
  const message = (o.output as Obj | undefined)?.message as Obj | undefined;
  result.outputMessages = () => [
    { role: 'assistant', parts: textsOf(message?.content).map((content) => ({ type: 'text', content })), finish_reason: o.stopReason },
  ];
}

/**
 * Usage, finish reason and id in a decoded InvokeModel response body, for the model families
 * whose bodies report usage: Anthropic Claude (a Messages API answer), Meta Llama
 * (`prompt_token_count`, `generation_token_count`), Amazon Nova (`usage.inputTokens` ...),
 * Amazon Titan text and embeddings (`inputTextTokenCount`, `results[].tokenCount`).
 */
export interface InvokeBodyFacts {
  usage?: Usage | undefined;
  finishReasons?: string[] | undefined;
  responseId?: string | undefined;
  /** The model that answered, where the body names it (Anthropic Claude). */
  responseModel?: string | undefined;
  texts: string[];
}

/** What an InvokeModel response body tells, by its shape. */
export function invokeBodyFacts(body: Obj): InvokeBodyFacts {
  const facts: InvokeBodyFacts = { texts: [] };
  if (body.type === 'message' || (body.usage && typeof body.usage === 'object' && 'input_tokens' in (body.usage as Obj))) {
    // Anthropic Claude
    facts.usage = anthropicUsage(body.usage);
    if (typeof body.stop_reason === 'string') facts.finishReasons = [body.stop_reason];
    if (typeof body.id === 'string') facts.responseId = body.id;
    if (typeof body.model === 'string' && body.model) facts.responseModel = body.model;
    facts.texts = textsOf(body.content);
    return facts;
  }
  if ('generation_token_count' in body || 'prompt_token_count' in body) {
    // Meta Llama
    facts.usage = llamaUsage(body);
    if (typeof body.stop_reason === 'string') facts.finishReasons = [body.stop_reason];
    if (typeof body.generation === 'string') facts.texts = [body.generation];
    return facts;
  }
  if (body.usage && typeof body.usage === 'object' && 'inputTokens' in (body.usage as Obj)) {
    // Amazon Nova: the Converse usage names, with `...InputTokenCount` cache fields
    const u = body.usage as Obj;
    facts.usage = converseUsage({
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      cacheReadInputTokens: u.cacheReadInputTokenCount ?? u.cacheReadInputTokens,
      cacheWriteInputTokens: u.cacheWriteInputTokenCount ?? u.cacheWriteInputTokens,
    });
    if (typeof body.stopReason === 'string') facts.finishReasons = [body.stopReason];
    facts.texts = textsOf(((body.output as Obj | undefined)?.message as Obj | undefined)?.content);
    return facts;
  }
  const titanInput = count(body.inputTextTokenCount);
  if (titanInput !== undefined) {
    // Amazon Titan text and embeddings
    const results = Array.isArray(body.results) ? (body.results as Obj[]) : [];
    const output = results.reduce((n, r) => n + (count(r?.tokenCount) ?? 0), 0);
    facts.usage = results.length ? { inputTokens: titanInput, outputTokens: output } : { inputTokens: titanInput };
    const reasons = results.map((r) => r?.completionReason).filter((r): r is string => typeof r === 'string');
    if (reasons.length) facts.finishReasons = reasons;
    facts.texts = results.map((r) => r?.outputText).filter((t): t is string => typeof t === 'string');
    return facts;
  }
  // Bodies that report no usage: the generated text, for an estimate.
  if (Array.isArray(body.generations)) {
    // Cohere Command: `generations[].text`, `finish_reason`
    collect(
      body.generations as unknown[],
      facts,
      (g) => g.text,
      (g) => g.finish_reason,
    );
    if (typeof body.id === 'string') facts.responseId = body.id;
  } else if (Array.isArray(body.outputs)) {
    // Mistral text completion: `outputs[].text`, `stop_reason`
    collect(
      body.outputs as unknown[],
      facts,
      (o) => o.text,
      (o) => o.stop_reason,
    );
  } else if (Array.isArray(body.choices)) {
    // Mistral chat completion: `choices[].message.content`, `stop_reason` (or `finish_reason`)
    collect(
      body.choices as unknown[],
      facts,
      (c) => (c.message as Obj | undefined)?.content,
      (c) => c.stop_reason ?? c.finish_reason,
    );
    if (typeof body.id === 'string') facts.responseId = body.id;
  } else if (typeof body.text === 'string') {
    // Cohere Command R: `text`, `finish_reason`
    facts.texts = [body.text];
    if (typeof body.finish_reason === 'string') facts.finishReasons = [body.finish_reason];
    if (typeof body.response_id === 'string') facts.responseId = body.response_id;
  }
  return facts;
}

/** Texts and finish reasons of the entries of a body's list of generations. */
function collect(entries: unknown[], facts: InvokeBodyFacts, text: (e: Obj) => unknown, reason: (e: Obj) => unknown): void {
  const reasons: string[] = [];
  for (const entry of entries) {
    if (!entry || typeof entry !== 'object') continue;
    const t = text(entry as Obj);
    if (typeof t === 'string') facts.texts.push(t);
    const r = reason(entry as Obj);
    if (typeof r === 'string') reasons.push(r);
  }
  if (reasons.length) facts.finishReasons = reasons;
}

/** A non-default service tier from a Converse `serviceTier: { type }` or an InvokeModel `serviceTier`. */
export function serviceTierOf(raw: unknown): string | undefined {
  const type = raw && typeof raw === 'object' ? (raw as Obj).type : raw;
  return typeof type === 'string' && type.length > 0 && type !== 'default' ? type : undefined;
}

function textsOf(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const block of content as Obj[]) if (block && typeof block.text === 'string') out.push(block.text);
  return out;
}
