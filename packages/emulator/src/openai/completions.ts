import { countTokens } from '@tokenomics/tokens/token-count';
import type { Exchange } from '../exchange';
import { randomAlphanumeric, unixSeconds } from '../ids';
import { ChunkWriter, StreamControl } from '../pacing';
import { badRequest, type Route } from '../provider-api';
import { composeReply, type Reply } from '../reply';
import { countRequest } from '../token-accounting';
import { defaultOpenAIError } from './errors';
import { responseModel } from './models';
import { includeUsage, optionalInteger, requireField, requireModel } from './request-fields';
import { openaiHeaders, openaiStreamHeaders, sseData } from './wire';

/** The legacy completions API stops at 16 tokens unless `max_tokens` says otherwise. */
export const LEGACY_DEFAULT_MAX_TOKENS = 16;

interface Prompt {
  text: string;
  tokens: number;
}

function prompts(value: unknown, model: string): Prompt[] {
  const one = (entry: unknown, field: string): Prompt => {
    if (typeof entry === 'string') return { text: entry, tokens: countRequest(() => countTokens(entry, model)).tokens };
    if (Array.isArray(entry) && entry.every((id) => typeof id === 'number')) return { text: JSON.stringify(entry), tokens: entry.length };
    throw badRequest(`Invalid type for '${field}': expected a string or an array of token ids.`, 'prompt', 'invalid_type');
  };
  if (typeof value === 'string') return [one(value, 'prompt')];
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every((id) => typeof id === 'number')) return [one(value, 'prompt')];
    return value.map((entry, index) => one(entry, `prompt[${index}]`));
  }
  throw badRequest("Invalid type for 'prompt': expected a string, an array of strings or token ids.", 'prompt', 'invalid_type');
}

interface Choice {
  index: number;
  prefix: string;
  reply: Reply;
}

async function answer(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  const model = requireModel(fields);
  const list = prompts(requireField(fields, 'prompt'), model);
  const n = optionalInteger(fields, 'n', 1) ?? 1;
  const maxTokens = optionalInteger(fields, 'max_tokens', 0) ?? LEGACY_DEFAULT_MAX_TOKENS;
  const echo = fields.echo === true;
  const choices: Choice[] = [];
  list.forEach((prompt, promptIndex) => {
    for (let j = 0; j < n; j += 1) {
      const reply = composeReply({
        seed: j === 0 ? prompt.text : `${prompt.text}#${j}`,
        model,
        outputTokens: exchange.directives.outputTokens,
        maxTokens,
      });
      choices.push({ index: promptIndex * n + j, prefix: echo ? prompt.text : '', reply });
    }
  });
  const promptTokens = list.reduce((sum, prompt) => sum + prompt.tokens, 0);
  const completionTokens = choices.reduce((sum, choice) => sum + choice.reply.tokens, 0);
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const id = `cmpl-${randomAlphanumeric(29)}`;
  const created = unixSeconds();
  const answeredModel = responseModel(model);
  const finish = (reply: Reply): string => (reply.truncated ? 'length' : 'stop');

  if (fields.stream !== true) {
    exchange.sendJson(
      200,
      {
        id,
        object: 'text_completion',
        created,
        model: answeredModel,
        choices: choices.map((choice) => ({
          text: choice.prefix + choice.reply.text,
          index: choice.index,
          logprobs: null,
          finish_reason: finish(choice.reply),
        })),
        usage,
      },
      openaiHeaders(exchange),
    );
    return;
  }

  const withUsage = includeUsage(fields);
  const chunk = (choiceList: unknown[]): Record<string, unknown> => {
    const out: Record<string, unknown> = { id, object: 'text_completion', created, choices: choiceList, model: answeredModel };
    if (withUsage) out.usage = null;
    return out;
  };
  const choiceChunk = (index: number, text: string, finishReason: string | null): string =>
    sseData(chunk([{ text, index, logprobs: null, finish_reason: finishReason }]));
  exchange.startStream(200, openaiStreamHeaders(exchange));
  const control = new StreamControl(new ChunkWriter(exchange.res, exchange.chunkTiming()), exchange.res, exchange.directives);
  const errorEvent = (): string[] => [sseData({ error: defaultOpenAIError(exchange, 500) })];
  for (const choice of choices) {
    if (choice.prefix.length > 0 && !(await control.write(choiceChunk(choice.index, choice.prefix, null)))) return;
    for (const piece of choice.reply.pieces) {
      if (await control.interrupted(errorEvent)) return;
      if (!(await control.content(choiceChunk(choice.index, piece, null)))) return;
    }
    if (await control.interrupted(errorEvent)) return;
    if (!(await control.write(choiceChunk(choice.index, '', finish(choice.reply))))) return;
  }
  if (withUsage && !(await control.write(sseData({ ...chunk([]), usage })))) return;
  if (!(await control.write(sseData('[DONE]')))) return;
  control.end();
}

/** The last prompt string, where directives may be written. */
function lastPromptText(prompt: unknown): string | undefined {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt)) {
    for (let i = prompt.length - 1; i >= 0; i -= 1) if (typeof prompt[i] === 'string') return prompt[i] as string;
  }
  return undefined;
}

/** `POST /v1/completions` (legacy text completions). */
export const completionsRoute: Route = {
  method: 'POST',
  pattern: /^\/v1\/completions$/,
  directiveText: (body) => lastPromptText(body.prompt),
  handle: answer,
};
