import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import { embeddingBase64, embeddingVector } from '../embedding-vectors';
import type { Exchange } from '../exchange';
import { badRequest, type Route } from '../provider-api';
import { countRequest } from '../token-accounting';
import { embeddingDimensions, responseModel } from './models';
import { optionalInteger, requireField, requireModel } from './request-fields';
import { openaiHeaders } from './wire';

function inputTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input)) {
    if (input.every((entry) => typeof entry === 'number')) return [JSON.stringify(input)];
    return input.map((entry, index) => {
      if (typeof entry === 'string') return entry;
      if (Array.isArray(entry) && entry.every((id) => typeof id === 'number')) return JSON.stringify(entry);
      throw badRequest(`Invalid type for 'input[${index}]': expected a string or an array of token ids.`, 'input', 'invalid_type');
    });
  }
  throw badRequest("Invalid type for 'input': expected a string, an array of strings or an array of token ids.", 'input', 'invalid_type');
}

async function answer(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  const model = requireModel(fields);
  const texts = inputTexts(requireField(fields, 'input'));
  const format = fields.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw badRequest(
      `Invalid value for 'encoding_format': expected 'float' or 'base64', got ${JSON.stringify(format)}.`,
      'encoding_format',
      'invalid_value',
    );
  }
  const dimensions = optionalInteger(fields, 'dimensions', 1) ?? embeddingDimensions(model);
  const promptTokens = countRequest(() => estimateRequestTokens({ input: fields.input }, model)).tokens;
  exchange.sendJson(
    200,
    {
      object: 'list',
      data: texts.map((text, index) => {
        const vector = embeddingVector(text, dimensions);
        return { object: 'embedding', index, embedding: format === 'base64' ? embeddingBase64(vector) : vector };
      }),
      model: responseModel(model),
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    },
    openaiHeaders(exchange, { 'openai-model': responseModel(model) }),
  );
}

/** The last text of an embeddings `input`, where directives may be written. */
function lastInputText(input: unknown): string | undefined {
  if (typeof input === 'string') return input;
  if (Array.isArray(input)) {
    for (let i = input.length - 1; i >= 0; i -= 1) if (typeof input[i] === 'string') return input[i] as string;
  }
  return undefined;
}

/** `POST /v1/embeddings`. */
export const embeddingsRoute: Route = {
  method: 'POST',
  pattern: /^\/v1\/embeddings$/,
  directiveText: (body) => lastInputText(body.input),
  handle: answer,
};
