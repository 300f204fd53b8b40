import { diag } from '@opentelemetry/api';
import * as http from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';

/*
 * OTLP over HTTP that never holds the process open. The OTLP exporters keep a request's socket
 * referenced while it waits for the backend and schedule their retries with referenced timers, so
 * a backend that refuses, hangs or answers 503 kept an app that was done alive for the whole retry
 * window of every pending export. Here the sockets and the retry timers are unreferenced; the
 * flush at exit (bounded) is what waits for them.
 */

type Unrefable = { unref?: () => unknown };

function unrefSocket(socket: unknown): void {
  (socket as Unrefable | undefined)?.unref?.();
}

/** An HTTP agent whose sockets never keep the event loop alive, in use or idle. */
class DetachedHttpAgent extends http.Agent {
  override createConnection(...args: Parameters<http.Agent['createConnection']>): Duplex | null | undefined {
    const socket = super.createConnection(...args);
    unrefSocket(socket);
    return socket;
  }
}

/** Node.js re-references a kept-alive socket when it is reused for the next request. */
function unrefOnReuse(Agent: typeof http.Agent): void {
  const proto = Agent.prototype as unknown as { reuseSocket?: (socket: unknown, req: unknown) => void };
  const reuse = proto.reuseSocket;
  if (typeof reuse === 'function') {
    proto.reuseSocket = function reuseSocket(this: unknown, socket: unknown, req: unknown) {
      reuse.call(this, socket, req);
      unrefSocket(socket);
    };
  }
}
unrefOnReuse(DetachedHttpAgent);

/**
 * An HTTPS agent whose sockets never keep the event loop alive, in use or idle. `node:https` (and
 * TLS) is loaded for the first https endpoint only: about 0.14 MB of heap an app that exports over
 * plain HTTP, or only to Prometheus, would otherwise carry.
 */
function newDetachedHttpsAgent(): HttpsAgent {
  const https = require('node:https') as typeof import('node:https');
  class DetachedHttpsAgent extends https.Agent {
    override createConnection(...args: Parameters<HttpsAgent['createConnection']>): Duplex | null | undefined {
      const socket = super.createConnection(...args);
      unrefSocket(socket);
      return socket;
    }
  }
  unrefOnReuse(DetachedHttpsAgent);
  return new DetachedHttpsAgent({ keepAlive: true });
}

const agents: { http?: http.Agent; https?: HttpsAgent } = {};

/** `httpAgentOptions` for the OTLP HTTP exporters: one kept-alive, unreferenced agent per scheme. */
export function detachedAgentFactory(protocol: string): http.Agent {
  if (protocol === 'https:') return (agents.https ??= newDetachedHttpsAgent());
  return (agents.http ??= new DetachedHttpAgent({ keepAlive: true }));
}

/** What the OTLP HTTP transport answers (the shape of `@opentelemetry/otlp-exporter-base`'s). */
interface TransportResponse {
  status: 'success' | 'failure' | 'retryable';
  retryInMillis?: number;
  error?: Error;
  data?: Uint8Array;
}

interface Transport {
  send(data: Uint8Array, timeoutMillis: number): Promise<TransportResponse>;
  shutdown(): void;
}

const MAX_ATTEMPTS = 5;
const INITIAL_BACKOFF_MILLIS = 1_000;
const MAX_BACKOFF_MILLIS = 5_000;
const BACKOFF_MULTIPLIER = 1.5;
const JITTER = 0.2;

const unrefDelay = (millis: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, Math.max(0, millis)).unref();
  });

/**
 * Retries a retryable answer (network error, timeout, 429/502/503/504) with jittered exponential
 * backoff or the backend's `Retry-After`, at most five times and never past the export's deadline
 * (`OTEL_EXPORTER_OTLP_TIMEOUT`), waiting with unreferenced timers.
 */
class DetachedRetries implements Transport {
  constructor(private readonly inner: Transport) {}

  async send(data: Uint8Array, timeoutMillis: number): Promise<TransportResponse> {
    const deadline = Date.now() + timeoutMillis;
    let backoff = INITIAL_BACKOFF_MILLIS;
    let result = await this.inner.send(data, timeoutMillis);
    for (let attempt = 1; result.status === 'retryable' && attempt <= MAX_ATTEMPTS; attempt++) {
      const jittered = Math.min(backoff * (1 + (Math.random() * 2 - 1) * JITTER), MAX_BACKOFF_MILLIS);
      backoff *= BACKOFF_MULTIPLIER;
      const wait = Math.max(0, result.retryInMillis ?? jittered);
      const remaining = deadline - Date.now();
      if (wait >= remaining) return result;
      await unrefDelay(wait);
      result = await this.inner.send(data, Math.max(1, deadline - Date.now()));
    }
    return result;
  }

  shutdown(): void {
    this.inner.shutdown();
  }
}

function isTransport(value: unknown): value is Transport {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Transport).send === 'function' &&
    typeof (value as Transport).shutdown === 'function'
  );
}

/**
 * Makes an OTLP HTTP exporter of `@opentelemetry/exporter-*-otlp-{proto,http}` (0.2xx) wait
 * between retries with unreferenced timers: its retrying transport is replaced by
 * {@link DetachedRetries} over the same HTTP transport. An exporter of another shape is left as it
 * is (reported through `diag`).
 */
export function detachRetries<T extends object>(exporter: T): T {
  const delegate = (exporter as { _delegate?: { _transport?: unknown } })._delegate;
  const retrying = delegate?._transport as { _transport?: unknown } | undefined;
  if (delegate && isTransport(retrying) && isTransport(retrying._transport)) {
    delegate._transport = new DetachedRetries(retrying._transport);
  } else {
    diag.debug('@tokenomics/node: unexpected OTLP exporter shape; its retries keep their own timers');
  }
  return exporter;
}
