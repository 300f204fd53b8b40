import type { Attributes } from '@opentelemetry/api';
import * as sc from '../genai/semconv';

type Obj = Record<string, unknown>;

/** The Bedrock Runtime commands we instrument. */
export type BedrockCommand = 'Converse' | 'ConverseStream' | 'InvokeModel' | 'InvokeModelWithResponseStream';

const COMMANDS: Readonly<Record<string, BedrockCommand>> = {
  ConverseCommand: 'Converse',
  ConverseStreamCommand: 'ConverseStream',
  InvokeModelCommand: 'InvokeModel',
  InvokeModelWithResponseStreamCommand: 'InvokeModelWithResponseStream',
};

/** Which instrumented command `command` is (by its class name), or undefined for any other. */
export function commandKind(command: unknown): BedrockCommand | undefined {
  if (!command || typeof command !== 'object') return undefined;
  const name = (command as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name !== 'string') return undefined;
  const kind = COMMANDS[name];
  if (!kind) return undefined;
  const input = (command as { input?: unknown }).input;
  return input && typeof input === 'object' && typeof (input as Obj).modelId === 'string' ? kind : undefined;
}

/** Whether the command's response is a stream of events. */
export function isStreaming(kind: BedrockCommand): boolean {
  return kind === 'ConverseStream' || kind === 'InvokeModelWithResponseStream';
}

/**
 * The JSON request body of an InvokeModel command (a string or bytes), decoded from a copy;
 * undefined when it is not JSON.
 */
export function invokeRequestBody(input: Obj): Obj | undefined {
  return parseJsonBytes(input.body);
}

/** One decoder for every body: `decode` without `stream` keeps no state between calls. */
const utf8 = new TextDecoder();

/** JSON of a string or a byte array, read without touching the bytes; undefined when not JSON. */
export function parseJsonBytes(value: unknown): Obj | undefined {
  let text: string | undefined;
  if (typeof value === 'string') text = value;
  else if (value instanceof Uint8Array) text = utf8.decode(value);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Obj) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `gen_ai.operation.name` of a call: `chat` for Converse and message-style InvokeModel bodies,
 * `text_completion` for prompt-style bodies (Llama, Mistral, Titan text), `embeddings` for
 * embedding models.
 */
export function operationName(kind: BedrockCommand, modelId: string, body: Obj | undefined): string {
  if (kind === 'Converse' || kind === 'ConverseStream') return 'chat';
  if (/(^|[./:])(amazon\.titan-embed|cohere\.embed|amazon\.nova-.*embed|twelvelabs\..*embed)/.test(modelId)) return 'embeddings';
  if (body && body.messages === undefined && (typeof body.prompt === 'string' || typeof body.inputText === 'string')) {
    return 'text_completion';
  }
  return 'chat';
}

/** `gen_ai.request.*` attributes of a Converse `inferenceConfig` or an InvokeModel body. */
export function requestAttributes(kind: BedrockCommand, input: Obj, body: Obj | undefined): Attributes {
  const attrs: Attributes = {};
  if (kind === 'Converse' || kind === 'ConverseStream') {
    const config = input.inferenceConfig as Obj | undefined;
    if (config && typeof config === 'object') {
      setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS, config.maxTokens);
      setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE, config.temperature);
      setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_P, config.topP);
      setStrings(attrs, sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, config.stopSequences);
    }
    return attrs;
  }
  if (!body) return attrs;
  const textConfig = body.textGenerationConfig as Obj | undefined; // Amazon Titan text
  const inference = body.inferenceConfig as Obj | undefined; // Amazon Nova
  setNumber(
    attrs,
    sc.ATTR_GEN_AI_REQUEST_MAX_TOKENS,
    body.max_tokens ??
      body.max_gen_len ??
      body.max_tokens_to_sample ??
      textConfig?.maxTokenCount ??
      inference?.maxTokens ??
      inference?.max_new_tokens,
  );
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TEMPERATURE, body.temperature ?? textConfig?.temperature ?? inference?.temperature);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_P, body.top_p ?? textConfig?.topP ?? inference?.topP);
  setNumber(attrs, sc.ATTR_GEN_AI_REQUEST_TOP_K, body.top_k ?? inference?.topK);
  setStrings(
    attrs,
    sc.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
    body.stop_sequences ?? body.stop ?? textConfig?.stopSequences ?? inference?.stopSequences,
  );
  return attrs;
}

/**
 * The request in a shape `@tokenomics/tokens` can estimate: Converse messages with their text
 * blocks as text parts, an Anthropic Messages body as is, a prompt-style body by its prompt.
 */
export function estimationRequest(kind: BedrockCommand, input: Obj, body: Obj | undefined): Obj | undefined {
  if (kind === 'Converse' || kind === 'ConverseStream') {
    const messages = Array.isArray(input.messages)
      ? (input.messages as Obj[]).map((m) => ({ role: typeof m?.role === 'string' ? m.role : 'user', content: textParts(m?.content) }))
      : [];
    const system = textParts(input.system);
    return { messages, system: system.length ? system : undefined };
  }
  if (!body) return undefined;
  if (Array.isArray(body.messages)) return { messages: body.messages, system: body.system };
  if (typeof body.prompt === 'string') return { prompt: body.prompt };
  if (typeof body.inputText === 'string') return { prompt: body.inputText };
  const message = cohereChatText(body);
  if (message !== undefined) return { prompt: message };
  return undefined;
}

/** A Cohere Command R request's text: its `chat_history` messages, then `message`. */
function cohereChatText(body: Obj): string | undefined {
  if (typeof body.message !== 'string') return undefined;
  const history = Array.isArray(body.chat_history) ? (body.chat_history as Array<Obj | null>) : [];
  const texts = history.map((h) => h?.message).filter((t): t is string => typeof t === 'string');
  texts.push(body.message);
  return texts.join('\n');
}

/** Input messages in the semconv shape, for content capture (opt-in only). */
export function inputMessages(kind: BedrockCommand, input: Obj, body: Obj | undefined): unknown {
  if (kind === 'Converse' || kind === 'ConverseStream') {
    const out: unknown[] = [];
    const system = textParts(input.system);
    if (system.length) out.push({ role: 'system', parts: system.map((p) => ({ type: 'text', content: p.text })) });
    if (Array.isArray(input.messages)) {
      for (const m of input.messages as Obj[]) {
        out.push({ role: m?.role ?? 'user', parts: textParts(m?.content).map((p) => ({ type: 'text', content: p.text })) });
      }
    }
    return out;
  }
  if (!body) return undefined;
  if (Array.isArray(body.messages)) {
    const out: unknown[] = [];
    if (typeof body.system === 'string') out.push({ role: 'system', parts: [{ type: 'text', content: body.system }] });
    for (const m of body.messages as Obj[]) {
      const content = m?.content;
      const parts =
        typeof content === 'string' ? [{ type: 'text', content }] : textParts(content).map((p) => ({ type: 'text', content: p.text }));
      out.push({ role: m?.role ?? 'user', parts });
    }
    return out;
  }
  const prompt = body.prompt ?? body.inputText ?? body.message;
  return typeof prompt === 'string' ? [{ role: 'user', parts: [{ type: 'text', content: prompt }] }] : undefined;
}

function textParts(blocks: unknown): Array<{ type: 'text'; text: string }> {
  if (!Array.isArray(blocks)) return [];
  const out: Array<{ type: 'text'; text: string }> = [];
  for (const b of blocks as Obj[]) if (b && typeof b.text === 'string') out.push({ type: 'text', text: b.text });
  return out;
}

/** A request parameter that cannot be negative (token limits, temperature, top_p, top_k, counts): finite and at least 0, or not recorded. */
function setNumber(attrs: Attributes, key: string, v: unknown): void {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) attrs[key] = v;
}

function setStrings(attrs: Attributes, key: string, v: unknown): void {
  if (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string')) attrs[key] = v as string[];
}
