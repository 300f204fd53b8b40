import type { Attributes } from '@opentelemetry/api';
import { ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, ATTR_GEN_AI_REQUEST_TOP_K } from '@tokenomics/contract/attributes';
import * as sc from '../genai/semconv';

type Obj = Record<string, unknown>;

/** The calls of `@google/genai` we instrument. */
export type GeminiOperation = 'generate_content' | 'embeddings';

/**
 * The model id of a `model` parameter, without the resource path the client accepts around it:
 * `models/gemini-2.5-flash`, `publishers/google/models/gemini-2.0-flash`,
 * `projects/p/locations/l/publishers/google/models/gemini-2.0-flash` and `google/gemini-2.0-flash`
 * all name `gemini-2.0-flash`. Tuned models (`tunedModels/...`) keep their name.
 */
export function modelId(model: unknown): string {
  if (typeof model !== 'string' || model.length === 0) return 'unknown';
  if (model.startsWith('tunedModels/')) return model;
  const at = model.lastIndexOf('models/');
  let id = at >= 0 ? model.slice(at + 'models/'.length) : model;
  const slash = id.lastIndexOf('/');
  if (slash >= 0) id = id.slice(slash + 1);
  return id || model;
}

/** `gen_ai.request.*` attributes of the `config` of a call. */
export function requestAttributes(op: GeminiOperation, params: Obj): Attributes {
  const attrs: Attributes = {};
  const config = params.config as Obj | undefined;
  if (!config || typeof config !== 'object') return attrs;
  if (op === 'embeddings') {
    setNumber(attrs, ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT, config.outputDimensionality);
    return attrs;
  }
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS, config.maxOutputTokens);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE, config.temperature);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_P, config.topP);
  setNumber(attrs, ATTR_GEN_AI_REQUEST_TOP_K, config.topK);
  setSignedNumber(attrs, sc.ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY, config.frequencyPenalty);
  setSignedNumber(attrs, sc.ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY, config.presencePenalty);
  setSignedNumber(attrs, sc.ATTR_GEN_AI_REQUEST_SEED, config.seed);
  if (
    typeof config.candidateCount === 'number' &&
    Number.isFinite(config.candidateCount) &&
    config.candidateCount >= 0 &&
    config.candidateCount !== 1
  ) {
    attrs[sc.ATTR_GEN_AI_REQUEST_CHOICE_COUNT] = config.candidateCount;
  }
  const stop = config.stopSequences;
  if (Array.isArray(stop) && stop.length > 0 && stop.every((s) => typeof s === 'string')) {
    attrs[sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES] = stop as string[];
  }
  const mime = config.responseMimeType;
  if (typeof mime === 'string')
    attrs[sc.ATTR_GEN_AI_OUTPUT_TYPE] = mime === 'application/json' ? 'json' : mime.startsWith('text/') ? 'text' : mime;
  return attrs;
}

/** The abort signal of a call, if the app gave one. */
export function abortSignalOf(params: Obj): AbortSignal | undefined {
  const signal = (params.config as Obj | undefined)?.abortSignal;
  return signal && typeof signal === 'object' && 'aborted' in signal ? (signal as AbortSignal) : undefined;
}

/** Input messages in the semconv shape, for content capture (opt-in only). */
export function inputMessages(params: Obj): unknown {
  const messages: unknown[] = [];
  const system = (params.config as Obj | undefined)?.systemInstruction;
  if (system !== undefined && system !== null) messages.push({ role: 'system', parts: contentParts(system) });
  const contents = params.contents;
  if (Array.isArray(contents) && contents.some(isContent)) {
    for (const c of contents as unknown[]) {
      if (isContent(c))
        messages.push({ role: (c as Obj).role === 'model' ? 'assistant' : ((c as Obj).role ?? 'user'), parts: contentParts(c) });
      else messages.push({ role: 'user', parts: contentParts(c) });
    }
  } else if (contents !== undefined) {
    messages.push({ role: 'user', parts: contentParts(contents) });
  }
  return messages;
}

/**
 * The request in the shape `@tokenomics/tokens` estimates for Gemini: `contents` as content
 * objects or strings, and the system instruction.
 */
export function estimationRequest(params: Obj): Obj {
  const contents = params.contents;
  const list = Array.isArray(contents) ? contents : contents === undefined ? [] : [contents];
  return {
    contents: list.map((c) => (typeof c === 'string' || isContent(c) ? c : { parts: [c] })),
    systemInstruction: (params.config as Obj | undefined)?.systemInstruction,
  };
}

function isContent(c: unknown): boolean {
  return !!c && typeof c === 'object' && Array.isArray((c as Obj).parts);
}

function contentParts(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  const parts = isContent(content) ? ((content as Obj).parts as unknown[]) : Array.isArray(content) ? content : [content];
  return parts.map((p) => {
    if (typeof p === 'string') return { type: 'text', content: p };
    const part = p as Obj | null;
    if (part && typeof part.text === 'string') return { type: 'text', content: part.text };
    if (part && part.functionCall) return { type: 'tool_call', name: (part.functionCall as Obj).name };
    if (part && part.functionResponse) return { type: 'tool_call_response', name: (part.functionResponse as Obj).name };
    return { type: 'blob' };
  });
}

/** A request parameter that cannot be negative (token limits, temperature, top_p, top_k, counts): finite and at least 0, or not recorded. */
function setNumber(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) attrs[key] = v;
}

/** A request parameter that may be negative (penalties, seeds): any finite number. */
function setSignedNumber(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v)) attrs[key] = v;
}
