/**
 * Which worker enriches which spans of a traces request: every span goes to the worker its trace ID
 * hashes to, so that the spans of one trace always meet on one worker. A framework span and the
 * client span of the same model call are then recognised as one call (priced once) even when they
 * arrive in different requests, as in the main thread alone: each worker remembers the calls it has
 * seen. A request that mentions no GenAI name, or whose spans all hash to one worker, goes to one
 * worker whole, its bytes untouched; otherwise it is cut into one request per worker, each with the
 * resource and scope blocks of its spans, and the enriched parts are forwarded as one request.
 *
 * Only the framing is read here (tags and lengths, and each span's trace ID); the spans are decoded
 * by the workers.
 */
import { GEN_AI_ATTRIBUTE_PREFIX } from '@tokenomics/contract/attributes';
import { fieldsOf, pushLengthDelimited, readerOf, type FieldRange } from './wire';

const REQUEST_RESOURCE_SPANS = 1;
const RESOURCE_SPANS_SCOPE_SPANS = 2;
const SCOPE_SPANS_SPANS = 2;
const SPAN_TRACE_ID = 1;
const LENGTH_DELIMITED = 2;

/**
 * Byte strings one of which every GenAI span holds: the enrichment's markers (`gen_ai.`, `llm.`,
 * `ai.usage.`, `ai.model.`) shortened to what they share, so that a request is scanned at most
 * twice. A request without them has nothing to price and is not cut.
 */
const MARKERS = [GEN_AI_ATTRIBUTE_PREFIX.slice(-3), 'llm.'].map((s) => Buffer.from(s, 'latin1'));

/** Where the spans of one traces request go. */
export type TraceRoute =
  /** To one worker whole (`undefined`: no GenAI span, any worker). */
  | { readonly kind: 'whole'; readonly worker: number | undefined }
  /** Cut in parts, one per worker, in the order their bytes are forwarded. */
  | { readonly kind: 'split'; readonly parts: readonly { readonly worker: number; readonly bytes: Uint8Array }[] };

/**
 * The route of one `ExportTraceServiceRequest` among `workers` workers. Throws when the request,
 * its resource blocks or scope blocks are not well-framed protobuf (the caller answers 400).
 */
export function routeTraces(body: Uint8Array, workers: number): TraceRoute {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = readerOf(buf);
  const top = fieldsOf(reader, 0, buf.length);
  if (workers < 2 || !mentionsGenAi(buf)) return { kind: 'whole', worker: workers === 1 ? 0 : undefined };
  // Per resource block: per scope block, the worker of each span (-1: not a span).
  const plan: { fields: FieldRange[]; scopes: { fields: FieldRange[]; targets: Int32Array }[] }[] = [];
  let home = -1;
  let spread = false;
  for (const range of top) {
    if (range.field !== REQUEST_RESOURCE_SPANS || range.wireType !== LENGTH_DELIMITED) continue;
    const rsFields = fieldsOf(reader, range.contentStart, range.end);
    const scopes = [];
    for (const rsField of rsFields) {
      if (rsField.field !== RESOURCE_SPANS_SCOPE_SPANS || rsField.wireType !== LENGTH_DELIMITED) continue;
      const ssFields = fieldsOf(reader, rsField.contentStart, rsField.end);
      const targets = new Int32Array(ssFields.length).fill(-1);
      for (let i = 0; i < ssFields.length; i++) {
        const span = ssFields[i];
        if (span.field !== SCOPE_SPANS_SPANS || span.wireType !== LENGTH_DELIMITED) continue;
        const worker = traceHash(buf, span) % workers;
        targets[i] = worker;
        if (home === -1) home = worker;
        else if (worker !== home) spread = true;
      }
      scopes.push({ fields: ssFields, targets });
    }
    plan.push({ fields: rsFields, scopes });
  }
  if (home === -1) return { kind: 'whole', worker: undefined };
  if (!spread) return { kind: 'whole', worker: home };

  const parts = new Map<number, Uint8Array[]>([[home, []]]);
  const partOf = (worker: number) => {
    let list = parts.get(worker);
    if (list === undefined) parts.set(worker, (list = []));
    return list;
  };
  let ri = 0;
  for (const range of top) {
    if (range.field !== REQUEST_RESOURCE_SPANS || range.wireType !== LENGTH_DELIMITED) {
      partOf(home).push(buf.subarray(range.start, range.end));
      continue;
    }
    const { fields, scopes } = plan[ri++];
    // The workers this resource block's spans go to.
    const used = new Set<number>();
    for (const scope of scopes) for (const t of scope.targets) if (t !== -1) used.add(t);
    if (used.size <= 1) {
      partOf(used.size === 0 ? home : (used.values().next().value as number)).push(buf.subarray(range.start, range.end));
      continue;
    }
    // Scope blocks without spans go with the first worker of the block.
    const keeper = used.values().next().value as number;
    for (const worker of used) {
      const rsParts: Uint8Array[] = [];
      let si = 0;
      for (const rsField of fields) {
        if (rsField.field !== RESOURCE_SPANS_SCOPE_SPANS || rsField.wireType !== LENGTH_DELIMITED) {
          rsParts.push(buf.subarray(rsField.start, rsField.end));
          continue;
        }
        const scope = scopes[si++];
        const ssParts: Uint8Array[] = [];
        let spans = 0;
        for (let i = 0; i < scope.fields.length; i++) {
          const ssField = scope.fields[i];
          const isSpan = ssField.field === SCOPE_SPANS_SPANS && ssField.wireType === LENGTH_DELIMITED;
          if (isSpan && scope.targets[i] !== worker) continue;
          if (isSpan) spans++;
          ssParts.push(buf.subarray(ssField.start, ssField.end));
        }
        // A scope block goes to every worker with spans of it.
        if (spans > 0 || (worker === keeper && !scope.targets.some((t) => t !== -1))) {
          pushLengthDelimited(rsParts, RESOURCE_SPANS_SCOPE_SPANS, ssParts);
        }
      }
      pushLengthDelimited(partOf(worker), REQUEST_RESOURCE_SPANS, rsParts);
    }
  }
  return { kind: 'split', parts: [...parts].map(([worker, list]) => ({ worker, bytes: Buffer.concat(list) })) };
}

function mentionsGenAi(buf: Buffer): boolean {
  for (const marker of MARKERS) if (buf.indexOf(marker) !== -1) return true;
  return false;
}

/** FNV-1a of the span's trace ID bytes (0 when it has none). */
function traceHash(buf: Buffer, span: FieldRange): number {
  let start = -1;
  let end = -1;
  // The trace ID is the first field of a span as every SDK writes it; otherwise it is looked for.
  if (
    span.contentStart + 18 <= span.end &&
    buf[span.contentStart] === ((SPAN_TRACE_ID << 3) | LENGTH_DELIMITED) &&
    buf[span.contentStart + 1] === 16
  ) {
    start = span.contentStart + 2;
    end = start + 16;
  } else {
    for (const f of fieldsOf(readerOf(buf), span.contentStart, span.end)) {
      if (f.field === SPAN_TRACE_ID && f.wireType === LENGTH_DELIMITED) {
        start = f.contentStart;
        end = f.end;
        break;
      }
    }
  }
  let hash = 0x811c9dc5;
  for (let i = start; i >= 0 && i < end; i++) hash = Math.imul(hash ^ buf[i], 0x01000193);
  return hash >>> 0;
}
