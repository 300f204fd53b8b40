import { randomUUID } from 'node:crypto';
import { estimateRequestTokens } from '@tokenomics/tokens/request-estimate';
import { countTokens } from '@tokenomics/tokens/token-count';
import { embeddingVector } from '../embedding-vectors';
import type { Exchange } from '../exchange';
import { badRequest, type Route } from '../provider-api';
import { hashText, seededRandom } from '../seeded-random';
import { countRequest } from '../token-accounting';
import { cohereHeaders } from './errors';

// Cohere API reference, Embed v2: https://docs.cohere.com/reference/embed (POST /v2/embed) and
// Rerank v2: https://docs.cohere.com/reference/rerank (POST /v2/rerank). Fields relied on: embed
// request `model`, `texts`, `input_type`, `embedding_types`; answer `id`, `embeddings.<type>`,
// `texts`, `response_type` (`embeddings_by_type`), `meta.api_version.version` and
// `meta.billed_units.input_tokens`. Rerank request `model`, `query`, `documents` (strings),
// `top_n`, `max_tokens_per_doc`; answer `id`, `results[].{index,relevance_score}` and
// `meta.billed_units.search_units`. One search unit is a query with up to 100 documents; a
// document longer than `max_tokens_per_doc` (default 4096) counts once per chunk of that size
// (https://docs.cohere.com/docs/rerank-overview, "Pricing").

/** Documents one search unit covers. */
export const DOCUMENTS_PER_SEARCH_UNIT = 100;
const DEFAULT_MAX_TOKENS_PER_DOC = 4096;

function requireModel(fields: Record<string, unknown>): string {
  if (typeof fields.model !== 'string' || fields.model.length === 0) throw badRequest('invalid request: model must be specified', 'model');
  return fields.model;
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw badRequest(`invalid request: ${field} must be a list of strings`, field);
  }
  return value as string[];
}

const meta = (billedUnits: Record<string, number>) => ({ api_version: { version: '2' }, billed_units: billedUnits });

async function embed(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  const model = requireModel(fields);
  const texts = stringList(fields.texts, 'texts');
  const types = fields.embedding_types === undefined ? ['float'] : stringList(fields.embedding_types, 'embedding_types');
  const dimensions = typeof fields.output_dimension === 'number' && fields.output_dimension > 0 ? fields.output_dimension : 1536;
  const inputTokens = countRequest(() => estimateRequestTokens({ input: texts }, model)).tokens;
  const embeddings: Record<string, number[][]> = {};
  for (const type of types) {
    if (type !== 'float')
      throw badRequest(`invalid request: embedding type ${JSON.stringify(type)} is not emulated; use float`, 'embedding_types');
    embeddings[type] = texts.map((text) => embeddingVector(text, dimensions));
  }
  exchange.sendJson(
    200,
    { id: randomUUID(), embeddings, texts, response_type: 'embeddings_by_type', meta: meta({ input_tokens: inputTokens }) },
    cohereHeaders(),
  );
}

/** Search units of a rerank request: documents (chunks of long ones) per 100, at least one. */
export function searchUnits(query: string, documents: readonly string[], model: string, maxTokensPerDoc: number): number {
  const queryTokens = countTokens(query, model).tokens;
  let chunks = 0;
  for (const doc of documents) {
    const tokens = queryTokens + countTokens(doc, model).tokens;
    chunks += Math.max(1, Math.ceil(tokens / maxTokensPerDoc));
  }
  return Math.max(1, Math.ceil(chunks / DOCUMENTS_PER_SEARCH_UNIT));
}

async function rerank(exchange: Exchange): Promise<void> {
  const fields = exchange.fields;
  const model = requireModel(fields);
  if (typeof fields.query !== 'string') throw badRequest('invalid request: query must be a string', 'query');
  const documents = stringList(fields.documents, 'documents');
  const topN = typeof fields.top_n === 'number' && fields.top_n > 0 ? Math.min(fields.top_n, documents.length) : documents.length;
  const maxTokensPerDoc =
    typeof fields.max_tokens_per_doc === 'number' && fields.max_tokens_per_doc > 0 ? fields.max_tokens_per_doc : DEFAULT_MAX_TOKENS_PER_DOC;
  const random = seededRandom(hashText(`${fields.query}\u0000${documents.join('\u0000')}`));
  const results = documents
    .map((_doc, index) => ({ index, relevance_score: Math.round(random() * 1e6) / 1e6 }))
    .sort((a, b) => b.relevance_score - a.relevance_score)
    .slice(0, topN);
  exchange.sendJson(
    200,
    { id: randomUUID(), results, meta: meta({ search_units: searchUnits(fields.query, documents, model, maxTokensPerDoc) }) },
    cohereHeaders(),
  );
}

/** `POST /v2/embed`. */
export const cohereEmbedRoute: Route = {
  method: 'POST',
  pattern: /^\/v2\/embed$/,
  directiveText: (body) => (Array.isArray(body.texts) && typeof body.texts.at(-1) === 'string' ? (body.texts.at(-1) as string) : undefined),
  handle: embed,
};

/** `POST /v2/rerank`. */
export const cohereRerankRoute: Route = {
  method: 'POST',
  pattern: /^\/v2\/rerank$/,
  directiveText: (body) => (typeof body.query === 'string' ? body.query : undefined),
  handle: rerank,
};
