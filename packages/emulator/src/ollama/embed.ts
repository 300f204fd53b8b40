import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import { embeddingVector } from '../embedding-vectors';
import type { Exchange } from '../exchange';
import { badRequest, type Route } from '../provider-api';
import { countRequest } from '../token-accounting';

// Ollama API reference, https://github.com/ollama/ollama/blob/main/docs/api.md ("Generate
// embeddings": POST /api/embed). Fields relied on: request `model`, `input` (a string or a list of
// strings), `dimensions`; answer `model`, `embeddings`, `total_duration`, `load_duration` and
// `prompt_eval_count`. The legacy "Generate embedding" endpoint (POST /api/embeddings): request
// `model`, `prompt`; answer `embedding` only.

const DEFAULT_DIMENSIONS = 768;

async function answer(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('model is required', 'model');
  const model = fields.model;
  const input = fields.input;
  const texts =
    typeof input === 'string'
      ? [input]
      : Array.isArray(input) && input.every((t) => typeof t === 'string')
        ? (input as string[])
        : undefined;
  if (!texts) throw badRequest('invalid input type', 'input');
  const dimensions =
    typeof fields.dimensions === 'number' && Number.isInteger(fields.dimensions) && fields.dimensions > 0
      ? fields.dimensions
      : DEFAULT_DIMENSIONS;
  const promptTokens = countRequest(() => estimateRequestTokens({ input: texts }, model)).tokens;
  exchange.sendJson(200, {
    model,
    embeddings: texts.map((text) => embeddingVector(text, dimensions)),
    total_duration: 14_000_000 + promptTokens * 250_000,
    load_duration: 12_000_000,
    prompt_eval_count: promptTokens,
  });
}

/** The legacy `POST /api/embeddings`: one `prompt`, answered `{ embedding }` without counts. */
async function answerLegacy(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('model is required', 'model');
  if (typeof fields.prompt !== 'string') throw badRequest('prompt is required', 'prompt');
  exchange.sendJson(200, { embedding: embeddingVector(fields.prompt, DEFAULT_DIMENSIONS) });
}

/** `POST /api/embeddings` (deprecated by Ollama in favour of `/api/embed`; reports no token counts). */
export const ollamaLegacyEmbeddingsRoute: Route = {
  method: 'POST',
  pattern: /^\/api\/embeddings$/,
  directiveText: (body) => (typeof body.prompt === 'string' ? body.prompt : undefined),
  handle: answerLegacy,
};

/** `POST /api/embed`. */
export const ollamaEmbedRoute: Route = {
  method: 'POST',
  pattern: /^\/api\/embed$/,
  directiveText: (body) => {
    const input = body.input;
    if (typeof input === 'string') return input;
    return Array.isArray(input) && typeof input.at(-1) === 'string' ? (input.at(-1) as string) : undefined;
  },
  handle: answer,
};
