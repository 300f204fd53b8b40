import type { OutgoingHttpHeaders } from 'node:http';
import type { Directives } from './directives';
import type { ResolvedOptions } from './options';
import { flushHeaders, isGone, writeHead, type EmulatorRequest, type EmulatorResponse } from './http-types';
import type { ChunkTiming } from './pacing';
import type { RecordedRequest } from './request-log';

/**
 * One request being answered: what arrived, the directives in effect, and the response.
 */
export class Exchange {
  constructor(
    readonly req: EmulatorRequest,
    readonly res: EmulatorResponse,
    readonly url: URL,
    readonly params: Record<string, string>,
    readonly body: unknown,
    readonly directives: Directives,
    readonly record: RecordedRequest,
    readonly options: ResolvedOptions,
  ) {}

  /** Milliseconds since the request arrived. */
  elapsedMs(): number {
    return Date.now() - this.record.receivedAt;
  }

  /** Stream pacing, with the `ttfc_ms` and `chunk_interval_ms` directives applied. */
  chunkTiming(): ChunkTiming {
    return {
      firstChunkMs: this.directives.ttfcMs ?? this.options.timeToFirstChunkMs,
      intervalMs: this.directives.chunkIntervalMs ?? this.options.chunkIntervalMs,
    };
  }

  /** The body as an object (routes are only reached with an object body). */
  get fields(): Record<string, unknown> {
    return this.body !== null && typeof this.body === 'object' && !Array.isArray(this.body) ? (this.body as Record<string, unknown>) : {};
  }

  /** Sends a complete JSON response. */
  sendJson(status: number, payload: unknown, headers: OutgoingHttpHeaders = {}): void {
    if (isGone(this.res)) return;
    const body = JSON.stringify(payload);
    writeHead(this.res, status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    this.res.end(body);
  }

  /** Starts a streamed response (headers only). */
  startStream(status: number, headers: OutgoingHttpHeaders): void {
    if (isGone(this.res)) return;
    writeHead(this.res, status, headers);
    flushHeaders(this.res);
  }
}
