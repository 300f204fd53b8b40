/**
 * Running totals of named conversations: the turn number of each call and the conversation's input
 * tokens and cost so far. A bounded, expiring in-memory table (least recently used first out, and
 * entries idle for longer than the time to live are forgotten), so memory stays fixed whatever
 * the number of conversations: a conversation that is forgotten starts again at turn 1.
 */

/** Default cap on the conversations held: 10 000 (about 1 MB). */
export const DEFAULT_MAX_CONVERSATIONS = 10_000;
/** Default time a conversation is kept after its last call: 1 hour. */
export const DEFAULT_CONVERSATION_TTL_MILLIS = 60 * 60 * 1000;
/** Longest conversation id kept; longer ids are cut to this length. */
export const MAX_CONVERSATION_ID_LENGTH = 256;

/** A conversation after one more call. */
export interface ConversationTurn {
  /** 1 for the first call of the conversation. */
  turn: number;
  /** Input tokens of every call so far, this one included. */
  inputTokens: number;
  /** Priced cost in USD of every call so far, this one included; `undefined` while no call was priced. */
  cost: number | undefined;
}

interface Entry {
  turn: number;
  inputTokens: number;
  cost: number | undefined;
  touchedAt: number;
}

/** See the module description. */
export class ConversationTable {
  private readonly entries = new Map<string, Entry>();
  /** Response id -> conversation id, for chains continued with `previous_response_id`. */
  private readonly responses = new Map<string, string>();

  constructor(
    private readonly maxConversations = DEFAULT_MAX_CONVERSATIONS,
    private readonly ttlMillis = DEFAULT_CONVERSATION_TTL_MILLIS,
  ) {}

  /**
   * Adds one call to conversation `id`: its input tokens (0 when unknown) and its priced cost
   * (`undefined` when unpriced). Returns the conversation's totals after the call.
   */
  add(id: string, inputTokens: number, cost: number | undefined, now: number): ConversationTurn {
    let entry = this.entries.get(id);
    if (entry !== undefined) {
      this.entries.delete(id);
      if (now - entry.touchedAt > this.ttlMillis) entry = undefined;
    }
    entry ??= { turn: 0, inputTokens: 0, cost: undefined, touchedAt: now };
    entry.turn++;
    entry.inputTokens += inputTokens;
    if (cost !== undefined) entry.cost = (entry.cost ?? 0) + cost;
    entry.touchedAt = now;
    this.entries.set(id, entry);
    this.evict(this.entries, now);
    return { turn: entry.turn, inputTokens: entry.inputTokens, cost: entry.cost };
  }

  /** Remembers that response `responseId` belongs to conversation `id` (bounded like the conversations). */
  linkResponse(responseId: string, id: string): void {
    this.responses.delete(responseId);
    this.responses.set(responseId, id);
    if (this.responses.size > this.maxConversations) {
      const oldest = this.responses.keys().next().value;
      if (oldest !== undefined) this.responses.delete(oldest);
    }
  }

  /** The conversation a response belongs to, if it is still known. */
  conversationOfResponse(responseId: string): string | undefined {
    return this.responses.get(responseId);
  }

  /** Number of conversations held. */
  get size(): number {
    return this.entries.size;
  }

  private evict(map: Map<string, Entry>, now: number): void {
    // Least recently used first: drop expired ones from the front, then any over the cap.
    for (const [key, entry] of map) {
      if (map.size > this.maxConversations || now - entry.touchedAt > this.ttlMillis) map.delete(key);
      else break;
    }
  }
}

/** Bounded turn bucket of the turn-input-tokens histogram. */
export function turnRange(turn: number): string {
  if (turn <= 5) return String(turn);
  if (turn <= 10) return '6-10';
  if (turn <= 20) return '11-20';
  if (turn <= 50) return '21-50';
  return '51+';
}

/** A conversation id as kept: a non-empty string, cut to {@link MAX_CONVERSATION_ID_LENGTH}. */
export function conversationIdOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > MAX_CONVERSATION_ID_LENGTH ? value.slice(0, MAX_CONVERSATION_ID_LENGTH) : value;
}
