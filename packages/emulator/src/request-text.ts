/**
 * Text of message content in any of the supported shapes: a string, or an array of parts
 * or blocks with a `text` field.
 */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (typeof part === 'string') return part;
        const text = (part as { text?: unknown } | null)?.text;
        return typeof text === 'string' ? text : '';
      })
      .filter((text) => text.length > 0)
      .join('\n');
  }
  return '';
}

/** Text of the last message with role `user` in a list of `{ role, content }` messages. */
export function lastUserText(messages: unknown, contentField = 'content'): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const message = messages[i] as Record<string, unknown> | null;
    if (message !== null && typeof message === 'object' && message.role === 'user') {
      return contentText(message[contentField]);
    }
  }
  return undefined;
}
