import type { Attributes } from '@opentelemetry/api';
import { samplingAttributes } from '../genai/sampling-attributes';
import { own } from './usage';

type Obj = Record<string, unknown>;

/** `gen_ai.request.*` attributes of a Mistral request (the SDK's camelCase fields, or wire names). */
export function requestAttributes(request: Obj): Attributes {
  const stop = own(request, 'stop');
  return samplingAttributes({
    maxTokens: own(request, 'maxTokens') ?? own(request, 'max_tokens'),
    temperature: own(request, 'temperature'),
    topP: own(request, 'topP') ?? own(request, 'top_p'),
    seed: own(request, 'randomSeed') ?? own(request, 'random_seed'),
    // A single stop string is one stop sequence.
    stop: typeof stop === 'string' && stop.length > 0 ? [stop] : stop,
  });
}

/** Text of a message `content` (a string, or chunks with `text`). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content as Array<Obj | null>) {
    if (part && typeof part === 'object' && typeof part.text === 'string') text += part.text;
  }
  return text;
}
