import type { Attributes } from '@opentelemetry/api';
import { samplingAttributes } from '../genai/sampling-attributes';
import { field } from './usage';

type Obj = Record<string, unknown>;

/** `gen_ai.request.*` attributes of a Cohere v2 chat request (the SDK's camelCase fields, or wire names). */
export function requestAttributes(request: Obj): Attributes {
  return samplingAttributes({
    maxTokens: field(request, 'maxTokens', 'max_tokens'),
    temperature: field(request, 'temperature'),
    topP: field(request, 'p'),
    topK: field(request, 'k'),
    seed: field(request, 'seed'),
    stop: field(request, 'stopSequences', 'stop_sequences'),
  });
}

/** Text of a Cohere message `content`: a string, or content blocks with `text`. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content as Array<Obj | null>) {
    if (block && typeof block === 'object' && typeof block.text === 'string') text += block.text;
  }
  return text;
}

/** A chat request's messages as plain `{ role, content }` text, for the token estimator. */
export function estimationMessages(messages: unknown): Array<{ role: string; content: string }> | undefined {
  if (!Array.isArray(messages)) return undefined;
  return (messages as Array<Obj | null>)
    .filter((m): m is Obj => !!m && typeof m === 'object')
    .map((m) => ({ role: typeof m.role === 'string' ? m.role : 'user', content: contentText(m.content) }));
}
