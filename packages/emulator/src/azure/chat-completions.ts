import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import type { Exchange } from '../exchange';
import { randomAlphanumeric, unixSeconds } from '../ids';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { lastUserText } from '../request-text';
import { capped, countRequest } from '../token-accounting';
import { includeUsage, optionalInteger, requireField } from '../openai/request-fields';
import { sseData, systemFingerprint } from '../openai/wire';
import { azureError } from './errors';
import { outputFilterResults, promptFilterResults, azureHeaders, azureStreamHeaders } from './wire';

interface ChatPlan {
  id: string;
  created: number;
  model: string;
  fingerprint: string;
  replies: Reply[];
  usage: Record<string, unknown>;
}

function plan(exchange: Exchange, model: string): ChatPlan {
  const fields = exchange.fields;
  const messages = requireField(fields, 'messages');
  if (!Array.isArray(messages)) throw badRequest("Invalid type for 'messages': expected an array.", 'messages', 'invalid_type');
  const n = optionalInteger(fields, 'n', 1) ?? 1;
  const maxTokens = optionalInteger(fields, 'max_completion_tokens', 1) ?? optionalInteger(fields, 'max_tokens', 1);
  // Counted in the tokenizer of the model behind the deployment, not of the deployment name.
  const promptTokens = countRequest(() => estimateRequestTokens({ ...fields, model }, model)).tokens;
  const seed = lastUserText(messages) ?? JSON.stringify(messages);
  const replies: Reply[] = [];
  for (let index = 0; index < n; index += 1) {
    replies.push(
      composeReply({ seed: index === 0 ? seed : `${seed}#${index}`, model, outputTokens: exchange.directives.outputTokens, maxTokens }),
    );
  }
  const reasoning = exchange.directives.reasoning ?? 0;
  const completionTokens = replies.reduce((sum, reply) => sum + reply.tokens, 0) + reasoning;
  // Azure writes its JSON with keys in alphabetical order.
  return {
    id: `chatcmpl-${randomAlphanumeric(29)}`,
    created: unixSeconds(),
    model,
    fingerprint: systemFingerprint(model),
    replies,
    usage: {
      completion_tokens: completionTokens,
      completion_tokens_details: {
        accepted_prediction_tokens: 0,
        audio_tokens: 0,
        reasoning_tokens: reasoning,
        rejected_prediction_tokens: 0,
      },
      prompt_tokens: promptTokens,
      prompt_tokens_details: { audio_tokens: 0, cached_tokens: capped(exchange.directives.cached, promptTokens) },
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function finishReason(reply: Reply): 'stop' | 'length' {
  return reply.truncated ? 'length' : 'stop';
}

/**
 * Answers a chat completion as Azure OpenAI does: `model` is the model behind the deployment,
 * with `prompt_filter_results` and per-choice `content_filter_results`; streams open with a
 * chunk that has no choices, an empty `id` and `model`, and the prompt's filter results.
 */
export async function azureChatCompletion(exchange: Exchange, model: string): Promise<void> {
  const p = plan(exchange, model);
  if (exchange.fields.stream === true) {
    await stream(exchange, p);
    return;
  }
  exchange.sendJson(
    200,
    {
      choices: p.replies.map((reply, index) => ({
        content_filter_results: outputFilterResults(),
        finish_reason: finishReason(reply),
        index,
        logprobs: null,
        message: { annotations: [], content: reply.text, refusal: null, role: 'assistant' },
      })),
      created: p.created,
      id: p.id,
      model: p.model,
      object: 'chat.completion',
      prompt_filter_results: promptFilterResults(),
      system_fingerprint: p.fingerprint,
      usage: p.usage,
    },
    azureHeaders(exchange),
  );
}

async function stream(exchange: Exchange, p: ChatPlan): Promise<void> {
  const withUsage = includeUsage(exchange.fields);
  const chunk = (choices: unknown[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      choices,
      created: p.created,
      id: p.id,
      model: p.model,
      object: 'chat.completion.chunk',
      system_fingerprint: p.fingerprint,
    };
    if (withUsage) out.usage = null;
    return out;
  };
  const choice = (index: number, delta: Record<string, unknown>, finish: string | null, filtered: boolean): Record<string, unknown> => ({
    content_filter_results: filtered ? outputFilterResults() : {},
    delta,
    finish_reason: finish,
    index,
    logprobs: null,
  });

  exchange.startStream(200, azureStreamHeaders(exchange));
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const errorEvent = (): string[] => [sseData({ error: azureError(exchange, 500) })];
  const promptChunk: Record<string, unknown> = {
    choices: [],
    created: 0,
    id: '',
    model: '',
    object: '',
    prompt_filter_results: promptFilterResults(),
  };
  if (withUsage) promptChunk.usage = null;
  if (!(await control.write(sseData(promptChunk)))) return;
  for (let index = 0; index < p.replies.length; index += 1) {
    const reply = p.replies[index];
    if (!(await control.write(sseData(chunk([choice(index, { content: '', refusal: null, role: 'assistant' }, null, false)]))))) return;
    for (const piece of reply.pieces) {
      if (await control.interrupted(errorEvent)) return;
      if (!(await control.content(sseData(chunk([choice(index, { content: piece }, null, true)]))))) return;
    }
    if (await control.interrupted(errorEvent)) return;
    if (!(await control.write(sseData(chunk([choice(index, {}, finishReason(reply), false)]))))) return;
  }
  if (withUsage && !(await control.write(sseData({ ...chunk([]), usage: p.usage })))) return;
  if (!(await control.write(sseData('[DONE]')))) return;
  control.end();
}
