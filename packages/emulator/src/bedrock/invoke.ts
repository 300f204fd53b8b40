import { randomUUID } from 'node:crypto';
import { countTokens } from '@tokenomics/tokens/token-count';
import { anthropicMessage, anthropicStreamEvents, planAnthropicMessage, type AnthropicPlan } from '../anthropic/message-plan';
import type { Exchange } from '../exchange';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest } from '../provider-api';
import { composeReply } from '../reply';
import { playScript, type ScriptedEvent } from '../stream-script';
import { bedrockHeaders, bedrockStreamHeaders, eventMessage, padding, streamErrorMessage } from './wire';

/** The model families whose InvokeModel bodies are emulated. */
export type InvokeFamily = 'anthropic' | 'meta' | 'cohere' | 'mistral';

/** The Anthropic version Bedrock requires in InvokeModel bodies. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** Family of a Bedrock model id (`anthropic.claude-...`, `us.meta.llama3-...`, or an ARN naming one). */
export function invokeFamily(modelId: string, body: Record<string, unknown>): InvokeFamily {
  if (/(^|[./])anthropic\./.test(modelId) || body.anthropic_version !== undefined) return 'anthropic';
  if (/(^|[./])cohere\./.test(modelId)) return 'cohere';
  if (/(^|[./])mistral\./.test(modelId)) return 'mistral';
  if (/(^|[./])meta\./.test(modelId) || typeof body.prompt === 'string') return 'meta';
  throw badRequest(
    `The emulator's InvokeModel accepts Anthropic Claude (anthropic.*), Meta Llama (meta.*), Cohere Command (cohere.*) and Mistral (mistral.*) request bodies; got model ${JSON.stringify(modelId)}`,
    'modelId',
  );
}

/** The Claude model name inside a Bedrock id: `us.anthropic.claude-3-haiku-20240307-v1:0` → `claude-3-haiku-20240307`. */
export function claudeModelName(modelId: string): string {
  const match = /anthropic\.(claude-[a-z0-9.-]+?)(?:-v\d+(?::\d+)?)?$/.exec(modelId);
  return match !== null ? match[1] : modelId;
}

function planClaude(exchange: Exchange, modelId: string): AnthropicPlan {
  const body = exchange.fields;
  if (body.anthropic_version === undefined) {
    throw badRequest(
      'Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.',
      'anthropic_version',
    );
  }
  if (body.anthropic_version !== BEDROCK_ANTHROPIC_VERSION) {
    throw badRequest(
      `anthropic_version: invalid value ${JSON.stringify(body.anthropic_version)}; accepted: ${BEDROCK_ANTHROPIC_VERSION}`,
      'anthropic_version',
    );
  }
  return planAnthropicMessage(body, exchange.directives, claudeModelName(modelId), 'msg_bdrk_01');
}

/** Usage of a Claude answer on Bedrock (no `cache_creation` breakdown, no service tier). */
function bedrockClaudeUsage(plan: AnthropicPlan): Record<string, unknown> {
  const { usage } = plan;
  return {
    input_tokens: usage.input_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens,
    cache_read_input_tokens: usage.cache_read_input_tokens,
    output_tokens: usage.output_tokens,
  };
}

interface LlamaPlan {
  generation: string;
  pieces: string[];
  promptTokens: number;
  generationTokens: number;
  stopReason: 'stop' | 'length';
}

function planLlama(exchange: Exchange, modelId: string): LlamaPlan {
  const prompt = exchange.fields.prompt;
  if (typeof prompt !== 'string') {
    throw badRequest('Malformed input request: #: required key [prompt] not found, please reformat your input and try again.', 'prompt');
  }
  const maxGenLen = exchange.fields.max_gen_len;
  const maxTokens = typeof maxGenLen === 'number' ? maxGenLen : 512;
  const reply = composeReply({ seed: prompt, model: modelId, outputTokens: exchange.directives.outputTokens, maxTokens });
  return {
    generation: reply.text,
    pieces: reply.pieces,
    promptTokens: countTokens(prompt, modelId).tokens,
    generationTokens: reply.tokens,
    stopReason: reply.truncated ? 'length' : 'stop',
  };
}

function tokenHeaders(exchange: Exchange, input: number, output: number): Record<string, string> {
  if (exchange.directives.tokenHeaders === 0) return { 'x-amzn-bedrock-invocation-latency': String(exchange.elapsedMs()) };
  return {
    'x-amzn-bedrock-input-token-count': String(input),
    'x-amzn-bedrock-output-token-count': String(output),
    'x-amzn-bedrock-invocation-latency': String(exchange.elapsedMs()),
  };
}

interface InvokeAnswer {
  body: Record<string, unknown>;
  input: number;
  output: number;
}

function maxTokensOf(fields: Record<string, unknown>): number | undefined {
  return typeof fields.max_tokens === 'number' ? fields.max_tokens : undefined;
}

/**
 * Cohere Command on Bedrock, which reports no usage in the body. Command R (`message` in the
 * request): `{ response_id, text, generation_id, chat_history, finish_reason }`. Command (`prompt`):
 * `{ id, generations: [{ id, text, finish_reason }], prompt }`. `finish_reason` is `COMPLETE`, or
 * `MAX_TOKENS` when `max_tokens` cut the text.
 */
function cohereAnswer(exchange: Exchange, modelId: string): InvokeAnswer {
  const fields = exchange.fields;
  const chat = typeof fields.message === 'string';
  const prompt = chat ? (fields.message as string) : fields.prompt;
  if (typeof prompt !== 'string') {
    throw badRequest('Malformed input request: #: required key [prompt] not found, please reformat your input and try again.', 'prompt');
  }
  const reply = composeReply({
    seed: prompt,
    model: modelId,
    outputTokens: exchange.directives.outputTokens,
    maxTokens: maxTokensOf(fields),
  });
  const finish = reply.truncated ? 'MAX_TOKENS' : 'COMPLETE';
  const input = countTokens(prompt, modelId).tokens;
  if (chat) {
    const history = Array.isArray(fields.chat_history) ? fields.chat_history : [];
    return {
      body: {
        response_id: randomUUID(),
        text: reply.text,
        generation_id: randomUUID(),
        chat_history: [...history, { role: 'USER', message: prompt }, { role: 'CHATBOT', message: reply.text }],
        finish_reason: finish,
      },
      input,
      output: reply.tokens,
    };
  }
  const id = randomUUID();
  return {
    body: { id, generations: [{ id: randomUUID(), text: reply.text, finish_reason: finish }], prompt },
    input,
    output: reply.tokens,
  };
}

/**
 * Mistral on Bedrock, which reports no usage in the body. Chat models (`messages` in the request,
 * Mistral Large): `{ choices: [{ index, message: { role, content }, stop_reason }] }`. Text models
 * (`prompt`): `{ outputs: [{ text, stop_reason }] }`. `stop_reason` is `stop`, or `length` when
 * `max_tokens` cut the text.
 */
function mistralAnswer(exchange: Exchange, modelId: string): InvokeAnswer {
  const fields = exchange.fields;
  let prompt: string;
  const chat = Array.isArray(fields.messages);
  if (chat) {
    const texts = (fields.messages as Array<{ content?: unknown } | null>).map((m) => (typeof m?.content === 'string' ? m.content : ''));
    prompt = texts.join('\n');
  } else if (typeof fields.prompt === 'string') {
    prompt = fields.prompt;
  } else {
    throw badRequest('Malformed input request: #: required key [prompt] not found, please reformat your input and try again.', 'prompt');
  }
  const seed = chat ? (((fields.messages as Array<{ content?: unknown } | null>).at(-1)?.content as string | undefined) ?? prompt) : prompt;
  const reply = composeReply({ seed, model: modelId, outputTokens: exchange.directives.outputTokens, maxTokens: maxTokensOf(fields) });
  const stop = reply.truncated ? 'length' : 'stop';
  const input = countTokens(prompt, modelId).tokens;
  const body = chat
    ? { choices: [{ index: 0, message: { role: 'assistant', content: reply.text }, stop_reason: stop }] }
    : { outputs: [{ text: reply.text, stop_reason: stop }] };
  return { body, input, output: reply.tokens };
}

/** `POST /model/{modelId}/invoke`. */
export async function invokeModel(exchange: Exchange, modelId: string): Promise<void> {
  if (invokeFamily(modelId, exchange.fields) === 'anthropic') {
    const plan = planClaude(exchange, modelId);
    exchange.sendJson(
      200,
      anthropicMessage(plan, bedrockClaudeUsage(plan)),
      bedrockHeaders(tokenHeaders(exchange, plan.usage.input_tokens, plan.usage.output_tokens)),
    );
    return;
  }
  const family = invokeFamily(modelId, exchange.fields);
  if (family === 'cohere' || family === 'mistral') {
    const { body, input, output } = family === 'cohere' ? cohereAnswer(exchange, modelId) : mistralAnswer(exchange, modelId);
    exchange.sendJson(200, body, bedrockHeaders(tokenHeaders(exchange, input, output)));
    return;
  }
  const plan = planLlama(exchange, modelId);
  exchange.sendJson(
    200,
    {
      generation: plan.generation,
      prompt_token_count: plan.promptTokens,
      generation_token_count: plan.generationTokens,
      stop_reason: plan.stopReason,
    },
    bedrockHeaders(tokenHeaders(exchange, plan.promptTokens, plan.generationTokens)),
  );
}

/**
 * `POST /model/{modelId}/invoke-with-response-stream`: `chunk` events whose `bytes` are the
 * model's own stream events (Claude Messages events; Llama generation chunks), the last one
 * carrying `amazon-bedrock-invocationMetrics`.
 */
export async function invokeModelWithResponseStream(exchange: Exchange, modelId: string): Promise<void> {
  let events: ScriptedEvent[];
  let input: number;
  let output: number;
  const family = invokeFamily(modelId, exchange.fields);
  if (family === 'cohere' || family === 'mistral') {
    throw badRequest(
      `The emulator streams InvokeModel answers of Anthropic Claude and Meta Llama only; got model ${JSON.stringify(modelId)}`,
      'modelId',
    );
  }
  if (family === 'anthropic') {
    const plan = planClaude(exchange, modelId);
    const { usage } = plan;
    events = anthropicStreamEvents(plan, {
      startUsage: { ...bedrockClaudeUsage(plan), output_tokens: 1 },
      deltaUsage: { output_tokens: usage.output_tokens },
      ping: false,
    });
    input = usage.input_tokens;
    output = usage.output_tokens;
  } else {
    const plan = planLlama(exchange, modelId);
    events = plan.pieces.map((piece, index) => ({
      event: 'chunk',
      data: {
        generation: piece,
        prompt_token_count: index === 0 ? plan.promptTokens : null,
        generation_token_count: index + 1,
        stop_reason: null,
      },
      content: true,
    }));
    events.push({
      event: 'chunk',
      data: { generation: '', prompt_token_count: null, generation_token_count: plan.generationTokens, stop_reason: plan.stopReason },
    });
    input = plan.promptTokens;
    output = plan.generationTokens;
  }
  let firstByteLatency: number | undefined;
  const last = events[events.length - 1];
  exchange.startStream(200, bedrockStreamHeaders());
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  await playScript(
    control,
    events,
    (event) => {
      const latency = exchange.elapsedMs();
      firstByteLatency ??= latency;
      const inner: Record<string, unknown> = { ...event.data };
      if (event === last) {
        inner['amazon-bedrock-invocationMetrics'] = {
          inputTokenCount: input,
          outputTokenCount: output,
          invocationLatency: latency,
          firstByteLatency,
        };
      }
      return eventMessage('chunk', { bytes: Buffer.from(JSON.stringify(inner), 'utf8').toString('base64'), p: padding() });
    },
    () => [streamErrorMessage()],
  );
}
