/**
 * Low-cardinality `error.type` for an error the client library raised: the HTTP status code when
 * the error carries one (`429`, `500`), else the error's class name (`APIConnectionError`,
 * `AbortError`), else `_OTHER`.
 */
export function errorType(error: unknown): string {
  if (error && typeof error === 'object') {
    // `status` (Stainless clients), `statusCode` (Speakeasy and Fern clients: Mistral, Cohere), `status_code` (Ollama).
    const e = error as { status?: unknown; statusCode?: unknown; status_code?: unknown };
    for (const status of [e.status, e.statusCode, e.status_code]) {
      if (typeof status === 'number' && status >= 100 && status < 600) return String(status);
    }
    const name = (error as { name?: unknown }).name;
    const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof ctor === 'string' && ctor !== 'Error' && ctor !== 'Object' && isSimpleName(ctor)) return ctor;
    if (typeof name === 'string' && isSimpleName(name)) return name;
  }
  return '_OTHER';
}

function isSimpleName(name: string): boolean {
  return name.length > 0 && name.length <= 64 && /^[A-Za-z_][\w.]*$/.test(name);
}
