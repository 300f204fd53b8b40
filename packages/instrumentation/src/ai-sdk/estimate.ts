import type { Usage } from '@tokenomics/pricing/types';
import type { UsageEstimate } from '../genai/call';

type Obj = Record<string, unknown>;

/**
 * Usage to count locally for an AI SDK model call that reported none (a stream stopped before its
 * `finish` part, a provider that sends no usage): input from the call's prompt (messages and tool
 * definitions, in the chat shape the estimator counts), output from the generated text, reasoning
 * and tool input seen. Counted by the token worker, off the app's path; flagged as estimated.
 * Never throws.
 *
 * @param output - the output seen; `undefined` for an embedding call (input only).
 */
export function estimateModelCallUsage(options: Obj, model: string, output: readonly string[] | undefined): UsageEstimate {
  return {
    job: { model, request: requestOf(options), text: output ? output.join('') : undefined },
    toUsage: ({ requestTokens, textTokens }) => {
      const usage: Usage = {};
      if (requestTokens !== undefined) usage.inputTokens = requestTokens;
      if (output) usage.outputTokens = textTokens;
      return usage.inputTokens !== undefined || usage.outputTokens !== undefined ? usage : undefined;
    },
  };
}

/** The prompt of a language model call (or the values of an embedding call) as a request body the estimator knows. */
function requestOf(options: Obj): unknown {
  try {
    if (Array.isArray(options.values)) {
      return { input: (options.values as unknown[]).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))) };
    }
    if (!Array.isArray(options.prompt)) return undefined;
    const messages: Array<{ role: string; content: string }> = [];
    for (const message of options.prompt as unknown[]) {
      if (!message || typeof message !== 'object') continue;
      const { role, content } = message as Obj;
      messages.push({ role: typeof role === 'string' ? role : 'user', content: contentText(content) });
    }
    const request: Obj = { messages };
    // Tool definitions are plain JSON (name, description, input schema): counted as their text.
    if (Array.isArray(options.tools) && options.tools.length > 0) request.tools = JSON.parse(JSON.stringify(options.tools)) as unknown;
    return request;
  } catch {
    return undefined;
  }
}

/** The text of a prompt message's content: text and reasoning parts, tool calls and results as JSON. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content as unknown[]) {
    if (!part || typeof part !== 'object') continue;
    const p = part as Obj;
    if (typeof p.text === 'string') text += p.text;
    else if (p.type === 'tool-call') text += JSON.stringify(p.input ?? p.args ?? {}) ?? '';
    else if (p.type === 'tool-result') text += JSON.stringify(p.output ?? p.result ?? null) ?? '';
  }
  return text;
}
