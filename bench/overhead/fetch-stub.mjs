// An in-process `fetch` for the client libraries: no sockets, no request parsing, one fixed body
// per route replayed from the same bytes, wrapped in a real `Response` as undici's fetch returns it.
// The response arrives on a later turn of the event loop, as one from the network does: a call made
// of promise callbacks alone would never let timers and immediates run, which no real app sees.

const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req_bench0123456789abcdef' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_bench0123456789abcdef' };

/**
 * A `fetch` answering every request with `json` or, when the request body asks for a stream, with
 * `sse`. The request body is the string the client serialised; only its `"stream":true` is looked at.
 */
export function stubFetch({ json, sse }) {
  return async function fetch(_url, init) {
    await new Promise(setImmediate);
    const body = init?.body;
    const streamed = typeof body === 'string' && body.includes('"stream":true');
    return new Response(streamed ? sse : json, { status: 200, headers: streamed ? SSE_HEADERS : JSON_HEADERS });
  };
}
