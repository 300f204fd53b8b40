import { isGone, writeChunk, type EmulatorResponse } from './http-types';

/**
 * Waits `ms` milliseconds, or less if the response closes first.
 * @returns `false` when the client went away during the wait.
 */
export function pause(res: EmulatorResponse, ms: number): Promise<boolean> {
  if (isGone(res)) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onClose = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!isGone(res));
    }, ms);
    res.once('close', onClose);
  });
}

/** Waits until the client disconnects (for the `stall_after` directive). */
export function untilClosed(res: EmulatorResponse): Promise<void> {
  if (isGone(res)) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}

/** Timing of a stream's chunks. */
export interface ChunkTiming {
  /** Delay before the first chunk. */
  firstChunkMs: number;
  /** Delay before each later chunk. */
  intervalMs: number;
}

/**
 * Writes the chunks of a streamed response with the configured pacing and stops as soon as
 * the client disconnects.
 */
export class ChunkWriter {
  private sent = 0;

  constructor(
    private readonly res: EmulatorResponse,
    private readonly timing: ChunkTiming,
  ) {}

  /** Number of chunks written so far. */
  get count(): number {
    return this.sent;
  }

  /**
   * Writes one chunk after the configured delay.
   * @returns `false` when the client went away; the caller should stop.
   */
  async write(chunk: string | Uint8Array): Promise<boolean> {
    const delay = this.sent === 0 ? this.timing.firstChunkMs : this.timing.intervalMs;
    if (!(await pause(this.res, delay))) return false;
    if (isGone(this.res)) return false;
    writeChunk(this.res, chunk);
    this.sent += 1;
    return true;
  }

  /** Ends the response if the client is still there. */
  end(): void {
    if (!isGone(this.res)) this.res.end();
  }
}

/**
 * Applies the `stall_after` and `stream_error_after` directives to a stream: counts content
 * chunks and, once the limit is reached, stalls until the client leaves or sends the
 * provider's error event and closes.
 */
export class StreamControl {
  private contentChunks = 0;

  constructor(
    readonly writer: ChunkWriter,
    private readonly res: EmulatorResponse,
    private readonly limits: { stallAfter?: number; streamErrorAfter?: number },
  ) {}

  /** Writes a chunk that is not content (start, stop, usage events). */
  write(chunk: string | Uint8Array): Promise<boolean> {
    return this.writer.write(chunk);
  }

  /** Writes one content chunk and counts it. */
  async content(chunk: string | Uint8Array): Promise<boolean> {
    const written = await this.writer.write(chunk);
    if (written) this.contentChunks += 1;
    return written;
  }

  /**
   * Checks the limits before the next content chunk or the end of the content.
   * @param errorChunks - the provider's error event(s), written when `stream_error_after` is reached.
   * @returns `true` when the stream has been interrupted and the caller must stop.
   */
  async interrupted(errorChunks: () => Array<string | Uint8Array>): Promise<boolean> {
    const { stallAfter, streamErrorAfter } = this.limits;
    if (stallAfter !== undefined && this.contentChunks >= stallAfter) {
      await untilClosed(this.res);
      return true;
    }
    if (streamErrorAfter !== undefined && this.contentChunks >= streamErrorAfter) {
      for (const chunk of errorChunks()) {
        if (!(await this.writer.write(chunk))) return true;
      }
      this.writer.end();
      return true;
    }
    return false;
  }

  /** Ends the response. */
  end(): void {
    this.writer.end();
  }
}
