import type { StreamOutcome } from './call';
import type { GenAICall } from './recorder';

interface Ender {
  onEnd(outcome: StreamOutcome, error?: unknown): void;
}

interface Held {
  sink: Ender;
  call: GenAICall;
}

/**
 * Ends the span of a stream the app dropped without finishing it (never iterated, or iteration
 * left hanging): when the stream object is garbage collected, its call ends as `abandoned` with
 * what was seen. Holds no strong reference to the streams themselves.
 */
class AbandonedStreams {
  private readonly registry = new FinalizationRegistry<Held>((held) => {
    if (!held.call.isEnded) held.sink.onEnd('abandoned');
  });

  /** Follows `target` (a stream or its iterator) for `call`; a later target for the same call replaces it. */
  track(target: object, sink: Ender, call: GenAICall): void {
    this.registry.unregister(call);
    this.registry.register(target, { sink, call }, call);
  }
}

export const abandonedStreams = new AbandonedStreams();
