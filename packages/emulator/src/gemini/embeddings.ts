import { countTokens } from '@tokenomics/tokens/token-count';
import { embeddingVector } from '../embedding-vectors';
import type { Exchange } from '../exchange';
import { badRequest } from '../provider-api';
import { googleHeaders } from './errors';
import { geminiContentText } from './request-text';

/** Default embedding size of a Google embedding model. */
export function googleEmbeddingDimensions(model: string): number {
  return model.startsWith('gemini-embedding') ? 3072 : 768;
}

function dimensions(value: unknown, model: string): number {
  if (value === undefined || value === null) return googleEmbeddingDimensions(model);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw badRequest(
      `Invalid value for outputDimensionality: ${JSON.stringify(value)}; expected a positive integer`,
      'outputDimensionality',
    );
  }
  return value;
}

function requireContent(content: unknown, field: string): string {
  if (content === undefined || content === null) throw badRequest(`* ${field}: content is not specified`, field);
  return geminiContentText(content);
}

/** Gemini API `:embedContent`: `{ embedding: { values } }` (the API reports no token usage). */
export async function embedContent(exchange: Exchange): Promise<void> {
  const body = exchange.fields;
  const text = requireContent(body.content, 'EmbedContentRequest.content');
  const values = embeddingVector(text, dimensions(body.outputDimensionality, exchange.params.model));
  exchange.sendJson(200, { embedding: { values } }, googleHeaders(exchange));
}

/** Vertex AI `:embedContent`: the embedding with `usageMetadata.promptTokenCount`. */
export async function vertexEmbedContent(exchange: Exchange): Promise<void> {
  const body = exchange.fields;
  const model = exchange.params.model;
  const text = requireContent(body.content, 'EmbedContentRequest.content');
  const values = embeddingVector(text, dimensions(body.outputDimensionality ?? body.output_dimensionality, model));
  const tokens = countTokens(text, model).tokens;
  exchange.sendJson(
    200,
    {
      embedding: { values },
      usageMetadata: { promptTokenCount: tokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: tokens }] },
      truncated: false,
    },
    googleHeaders(exchange),
  );
}

/** Gemini API `:batchEmbedContents` (what `models.embedContent` calls): `{ embeddings: [{ values }] }`. */
export async function batchEmbedContents(exchange: Exchange): Promise<void> {
  const requests = exchange.fields.requests;
  if (!Array.isArray(requests)) throw badRequest('* BatchEmbedContentsRequest.requests: requests is not specified', 'requests');
  const embeddings = requests.map((request: unknown, index) => {
    const fields = (request ?? {}) as Record<string, unknown>;
    const text = requireContent(fields.content, `BatchEmbedContentsRequest.requests[${index}].content`);
    return { values: embeddingVector(text, dimensions(fields.outputDimensionality, exchange.params.model)) };
  });
  exchange.sendJson(200, { embeddings }, googleHeaders(exchange));
}

/**
 * Vertex AI `:predict` for text embedding models: one prediction per instance with
 * `statistics.token_count`, and `metadata.billableCharacterCount`.
 */
export async function predictEmbeddings(exchange: Exchange): Promise<void> {
  const body = exchange.fields;
  const model = exchange.params.model;
  const instances = body.instances;
  if (!Array.isArray(instances)) throw badRequest('instances: a list of instances with content is required', 'instances');
  const parameters = (body.parameters ?? {}) as Record<string, unknown>;
  const size = dimensions(parameters.outputDimensionality, model);
  let characters = 0;
  const predictions = instances.map((instance: unknown) => {
    const content = (instance as { content?: unknown } | null)?.content;
    const text = typeof content === 'string' ? content : geminiContentText(content);
    characters += text.replace(/\s/g, '').length;
    return {
      embeddings: {
        values: embeddingVector(text, size),
        statistics: { truncated: false, token_count: countTokens(text, model).tokens },
      },
    };
  });
  exchange.sendJson(200, { predictions, metadata: { billableCharacterCount: characters } }, googleHeaders(exchange));
}
