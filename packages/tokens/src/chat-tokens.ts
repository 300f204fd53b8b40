import { resolveModelEncoding, type EncodingName } from './encodings';
import { describe, encodeLength, type TokenCount } from './token-count';

/**
 * A content part of a chat message. Parts with `type: 'text'` (also `input_text` and
 * `output_text`) are counted; other parts (images, audio, files) are not, and make the
 * count inexact.
 */
export interface ContentPartLike {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/**
 * A tool call on an assistant message (`{ function: { name, arguments } }`).
 */
export interface ToolCallLike {
  type?: string;
  function?: { name?: string; arguments?: string };
  [key: string]: unknown;
}

/**
 * The fields of a chat message that count towards the prompt.
 */
export interface ChatMessageLike {
  role: string;
  content?: string | ContentPartLike[] | null;
  name?: string;
  tool_calls?: ToolCallLike[];
  [key: string]: unknown;
}

/** Tokens that frame each message, each name, and prime the reply. */
interface ChatFraming {
  perMessage: number;
  perName: number;
  replyPriming: number;
}

const DEFAULT_FRAMING: ChatFraming = { perMessage: 3, perName: 1, replyPriming: 3 };
/** gpt-3.5-turbo-0301 framed messages as `<|start|>{role/name}\n{content}<|end|>\n`. */
const LEGACY_0301_FRAMING: ChatFraming = { perMessage: 4, perName: -1, replyPriming: 3 };

const TEXT_PART_TYPES = new Set(['text', 'input_text', 'output_text']);

/**
 * Accumulates the tokens of message-like content in one encoding.
 * Shared by the chat and Responses counters.
 */
export class ContentCounter {
  tokens = 0;
  exact: boolean;

  constructor(
    readonly encoding: EncodingName,
    exact: boolean,
  ) {
    this.exact = exact;
  }

  /** Adds the tokens of a piece of text. */
  text(value: string): void {
    this.tokens += encodeLength(value, this.encoding);
  }

  /** Adds message content: a string, `null`, or an array of parts. */
  content(value: unknown, field: string): void {
    if (value === undefined || value === null) return;
    if (typeof value === 'string') {
      this.text(value);
      return;
    }
    if (!Array.isArray(value)) {
      throw new TypeError(`${field} must be a string, null or an array of content parts, got ${describe(value)}`);
    }
    value.forEach((part: unknown, index) => {
      if (typeof part === 'string') {
        this.text(part);
        return;
      }
      if (part === null || typeof part !== 'object') {
        throw new TypeError(`${field}[${index}] must be a content part object, got ${describe(part)}`);
      }
      const { type, text, refusal } = part as { type?: unknown; text?: unknown; refusal?: unknown };
      if (typeof type === 'string' && TEXT_PART_TYPES.has(type) && typeof text === 'string') {
        this.text(text);
      } else if (type === 'refusal' && typeof refusal === 'string') {
        this.text(refusal);
      } else {
        this.exact = false;
      }
    });
  }

  /** Adds tool calls by their function names and argument text (a heuristic). */
  toolCalls(value: unknown): void {
    if (!Array.isArray(value) || value.length === 0) return;
    this.exact = false;
    for (const call of value) {
      const fn = (call as ToolCallLike | null)?.function;
      if (fn === undefined || fn === null) continue;
      if (typeof fn.name === 'string') this.text(fn.name);
      if (typeof fn.arguments === 'string') this.text(fn.arguments);
    }
  }

  result(): TokenCount {
    return { tokens: this.tokens, exact: this.exact, encoding: this.encoding };
  }
}

function framingFor(model: string | undefined): ChatFraming {
  if (model !== undefined && /(^|\/)gpt-3\.5-turbo-0301$/.test(model.trim().toLowerCase())) return LEGACY_0301_FRAMING;
  return DEFAULT_FRAMING;
}

/**
 * Counts the prompt tokens of a Chat Completions `messages` array with OpenAI's documented
 * accounting: 3 tokens per message, the tokens of its role, content and name, 1 more per
 * `name`, and 3 tokens priming the reply.
 *
 * Text parts of array content are counted; image, audio and file parts are not (the count
 * is then flagged inexact). Tool calls are counted by name and argument text, also inexact.
 *
 * @param messages - the request's `messages`.
 * @param model - model whose tokenizer to use (default: `o200k_base`).
 * @throws TypeError when `messages` is not an array of objects with a string `role`.
 *
 * @example countChatTokens([{ role: 'user', content: 'Hello, world!' }], 'gpt-4o') // 11 tokens
 */
export function countChatTokens(messages: ChatMessageLike[], model?: string): TokenCount {
  const { encoding, exact } = resolveModelEncoding(model);
  const counter = new ContentCounter(encoding, exact);
  addChatMessages(counter, messages, 'messages', framingFor(model));
  counter.tokens += framingFor(model).replyPriming;
  return counter.result();
}

/** Adds framed chat messages to a counter (no reply priming). */
export function addChatMessages(counter: ContentCounter, messages: unknown, field: string, framing: ChatFraming = DEFAULT_FRAMING): void {
  if (!Array.isArray(messages)) {
    throw new TypeError(`${field} must be an array of messages, got ${describe(messages)}`);
  }
  messages.forEach((message: unknown, index) => {
    const at = `${field}[${index}]`;
    if (message === null || typeof message !== 'object') {
      throw new TypeError(`${at} must be a message object with a role, got ${describe(message)}`);
    }
    const { role, content, name, tool_calls: toolCalls } = message as ChatMessageLike;
    if (typeof role !== 'string') {
      throw new TypeError(`${at}.role must be a string such as 'system', 'user' or 'assistant', got ${describe(role)}`);
    }
    counter.tokens += framing.perMessage;
    counter.text(role);
    counter.content(content, `${at}.content`);
    if (typeof name === 'string') {
      counter.text(name);
      counter.tokens += framing.perName;
    }
    counter.toolCalls(toolCalls);
  });
}

/** Tokens added after the last message to prime the assistant's reply. */
export const REPLY_PRIMING_TOKENS = DEFAULT_FRAMING.replyPriming;
/** Tokens framing each message. */
export const TOKENS_PER_MESSAGE = DEFAULT_FRAMING.perMessage;
