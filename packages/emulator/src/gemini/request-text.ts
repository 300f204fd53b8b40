import { contentText } from '../request-text';

/** Text of a Gemini `Content` (`{ role, parts: [{ text }] }`) or a plain string. */
export function geminiContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || typeof content !== 'object') return '';
  return contentText((content as { parts?: unknown }).parts);
}

/** Text of the last user content: `role` `user` or no role (a single-turn request). */
export function lastGeminiUserText(contents: unknown): string | undefined {
  if (typeof contents === 'string') return contents;
  if (!Array.isArray(contents)) return contents === undefined ? undefined : geminiContentText(contents);
  for (let i = contents.length - 1; i >= 0; i -= 1) {
    const content = contents[i] as { role?: unknown } | null;
    if (typeof content === 'string') return content;
    if (content !== null && typeof content === 'object' && (content.role === undefined || content.role === 'user')) {
      return geminiContentText(content);
    }
  }
  return undefined;
}

/** The text where directives may be written, for any Gemini or Vertex request body. */
export function geminiDirectiveText(body: Record<string, unknown>): string | undefined {
  if (body.contents !== undefined) return lastGeminiUserText(body.contents);
  if (body.content !== undefined) return geminiContentText(body.content);
  if (Array.isArray(body.requests) && body.requests.length > 0) {
    return geminiContentText((body.requests.at(-1) as { content?: unknown } | null)?.content);
  }
  if (Array.isArray(body.instances) && body.instances.length > 0) {
    const content = (body.instances.at(-1) as { content?: unknown } | null)?.content;
    return typeof content === 'string' ? content : geminiContentText(content);
  }
  if (body.generateContentRequest !== undefined) {
    return lastGeminiUserText((body.generateContentRequest as { contents?: unknown } | null)?.contents);
  }
  return undefined;
}
