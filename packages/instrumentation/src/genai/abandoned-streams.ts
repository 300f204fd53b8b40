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
 * what was seen. Holds no strong reference to the streams themselves, and lets go of a call as
 * soon as its stream ends, so only a stream dropped unfinished keeps its call until collection.
 */
class AbandonedStreams {
  private readonly registry = new FinalizationRegistry<Held>((held) => {
    // A throw here would be an uncaught exception in the app: nothing may escape.
    try {
      if (!held.call.isEnded) {
        held.call.markCollected();
        held.sink.onEnd('abandoned');
      }
    } catch {
      /* the call's telemetry is lost; the app is not */
    }
  });

  /**
   * Follows `target` (a stream, its reader, or a keep-alive object reachable from both the stream
   * and its iterator: see `observeIterations`) for the call `sink` ends. Once per sink: one
   * registration, no look-up of an earlier one (each costs microseconds in the engine). Nothing is
   * followed for a call that has ended already.
   */
  track(target: object, sink: Ender, call: GenAICall): void {
    if (call.isEnded) return;
    this.registry.register(target, { sink, call }, sink);
  }

  /**
   * Follows `target` instead of whatever was followed for `sink` so far (a second {@link track}
   * of one sink would follow both): for a stream that an app may read through a second kind of
   * handle (a Mistral stream's reader, besides its iteration).
   */
  retarget(target: object, sink: Ender, call: GenAICall): void {
    this.registry.unregister(sink);
    this.track(target, sink, call);
  }

  /** Stops following every target of `sink`: its stream has ended, nothing is left to collect. */
  release(sink: Ender): void {
    this.registry.unregister(sink);
  }
}

export const abandonedStreams = new AbandonedStreams();
