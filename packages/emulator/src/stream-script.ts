import type { StreamControl } from './pacing';

/**
 * One event of a provider's stream, before it is put on the wire (as SSE or AWS event-stream).
 */
export interface ScriptedEvent {
  /** Event name (`event:` line, or `:event-type` header). */
  event: string;
  /** Event payload. */
  data: Record<string, unknown>;
  /** `true` for a content-carrying event, counted by `stall_after` and `stream_error_after`. */
  content?: boolean;
}

/**
 * Writes scripted events through a stream control: content events are checked against
 * `stall_after` / `stream_error_after` before they are written, and so is the end of the
 * content. Ends the response when the script is done.
 *
 * @param encode - puts one event on the wire.
 * @param errorChunks - the provider's error event(s) for `stream_error_after`.
 */
export async function playScript(
  control: StreamControl,
  events: readonly ScriptedEvent[],
  encode: (event: ScriptedEvent) => string | Uint8Array,
  errorChunks: () => Array<string | Uint8Array>,
): Promise<void> {
  for (let index = 0; index < events.length; index += 1) {
    const event = events[index];
    const afterContent = index > 0 && events[index - 1].content === true;
    if (event.content === true || afterContent) {
      if (await control.interrupted(errorChunks)) return;
    }
    const written = event.content === true ? await control.content(encode(event)) : await control.write(encode(event));
    if (!written) return;
  }
  control.end();
}
