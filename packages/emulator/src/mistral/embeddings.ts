import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import { embeddingVector } from '../embedding-vectors';
import type { Exchange } from '../exchange';
import { randomHex } from '../ids';
import { badRequest, type Route } from '../provider-api';
import { countRequest } from '../token-accounting';
import { mistralHeaders } from './errors';

// Mistral AI API reference, https://docs.mistral.ai/api/ (Embeddings: POST /v1/embeddings).
// Fields relied on: request `model`, `input` (a string or a list of strings), `output_dimension`;
// answer `id`, `object` (`list`), `model`, `data[].{object,embedding,index}` and
// `usage.{prompt_tokens,completion_tokens,total_tokens}`.

/** `mistral-embed` vectors have 1024 dimensions. */
const DEFAULT_DIMENSIONS = 1024;

function inputTexts(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((entry) => typeof entry === 'string')) return input as string[];
  throw badRequest('input: Input should be a valid string or a list of strings', 'input');
}

async function answer(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('model: Field required', 'model');
  const model = fields.model;
  const texts = inputTexts(fields.input);
  const dimensions =
    typeof fields.output_dimension === 'number' && Number.isInteger(fields.output_dimension) && fields.output_dimension > 0
      ? Math.min(fields.output_dimension, 4096)
      : DEFAULT_DIMENSIONS;
  const promptTokens = countRequest(() => estimateRequestTokens({ input: texts }, model)).tokens;
  exchange.sendJson(
    200,
    {
      id: randomHex(32),
      object: 'list',
      model,
      data: texts.map((text, index) => ({ object: 'embedding', embedding: embeddingVector(text, dimensions), index })),
      usage: { prompt_tokens: promptTokens, completion_tokens: 0, total_tokens: promptTokens },
    },
    mistralHeaders(),
  );
}

/** `POST /v1/embeddings` (under the emulator's Mistral prefix). */
export const mistralEmbeddingsRoute: Route = {
  method: 'POST',
  pattern: /^\/mistral\/v1\/embeddings$/,
  directiveText: (body) => {
    const input = body.input;
    if (typeof input === 'string') return input;
    return Array.isArray(input) && typeof input[input.length - 1] === 'string' ? (input[input.length - 1] as string) : undefined;
  },
  handle: answer,
};
