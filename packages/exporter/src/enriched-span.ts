import type { Attributes, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';

type Resource = ReadableSpan['resource'];

/**
 * A read-only view of an SDK span with extra attributes merged in. The SDK's span object is never
 * touched: every field is copied by reference (the `resource` and `instrumentationScope` objects stay
 * the same, so exporters that group spans by resource identity — the OTLP serialiser does — keep
 * grouping them together), and `attributes` is a fresh object holding the source attributes plus the
 * added ones (added keys win).
 */
export class EnrichedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly spanContext: () => SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEvent[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;

  /**
   * @param source the span as the SDK handed it to the exporter
   * @param added attributes to add; they replace source attributes of the same key
   */
  constructor(source: ReadableSpan, added: Attributes) {
    const context = source.spanContext();
    this.name = source.name;
    this.kind = source.kind;
    this.spanContext = () => context;
    // The field is declared, so it exists (undefined) even when the source span has no parent.
    if (source.parentSpanContext !== undefined) this.parentSpanContext = source.parentSpanContext;
    this.startTime = source.startTime;
    this.endTime = source.endTime;
    this.status = source.status;
    // Object.assign, not spread: an order of magnitude faster on SDK attribute objects.
    this.attributes = Object.assign({}, source.attributes, added);
    this.links = source.links;
    this.events = source.events;
    this.duration = source.duration;
    this.ended = source.ended;
    this.resource = source.resource;
    this.instrumentationScope = source.instrumentationScope;
    this.droppedAttributesCount = source.droppedAttributesCount;
    this.droppedEventsCount = source.droppedEventsCount;
    this.droppedLinksCount = source.droppedLinksCount;
  }
}
