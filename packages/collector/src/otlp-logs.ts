/**
 * The OTLP logs request message, which the generated classes of `@opentelemetry/otlp-transformer`
 * 0.216.0 do not include: declared to the same protobufjs runtime as descriptors written from the
 * field numbers of `opentelemetry/proto/logs/v1/logs.proto` and `common/v1/common.proto`, and
 * encoded by it. Only OTLP/JSON logs need it (protobuf logs are forwarded as they came).
 */
import { createRequire } from 'node:module';
import type { MessageType } from './otlp-messages';

let type: MessageType | undefined;

/** `opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest`. */
export function logsRequestType(): MessageType {
  if (type !== undefined) return type;
  const require = createRequire(__filename);
  const fromTransformer = createRequire(require.resolve('@opentelemetry/otlp-transformer/package.json'));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const protobuf = fromTransformer('protobufjs') as any;
  const f = (t: string, id: number, rule?: 'repeated') => (rule ? { type: t, id, rule } : { type: t, id });
  const root = protobuf.Root.fromJSON({
    nested: {
      otlp: {
        nested: {
          AnyValue: {
            oneofs: {
              value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] },
            },
            fields: {
              stringValue: f('string', 1),
              boolValue: f('bool', 2),
              intValue: f('int64', 3),
              doubleValue: f('double', 4),
              arrayValue: f('ArrayValue', 5),
              kvlistValue: f('KeyValueList', 6),
              bytesValue: f('bytes', 7),
            },
          },
          ArrayValue: { fields: { values: f('AnyValue', 1, 'repeated') } },
          KeyValueList: { fields: { values: f('KeyValue', 1, 'repeated') } },
          KeyValue: { fields: { key: f('string', 1), value: f('AnyValue', 2) } },
          InstrumentationScope: {
            fields: {
              name: f('string', 1),
              version: f('string', 2),
              attributes: f('KeyValue', 3, 'repeated'),
              droppedAttributesCount: f('uint32', 4),
            },
          },
          Resource: { fields: { attributes: f('KeyValue', 1, 'repeated'), droppedAttributesCount: f('uint32', 2) } },
          LogRecord: {
            fields: {
              timeUnixNano: f('fixed64', 1),
              observedTimeUnixNano: f('fixed64', 11),
              severityNumber: f('int32', 2),
              severityText: f('string', 3),
              body: f('AnyValue', 5),
              attributes: f('KeyValue', 6, 'repeated'),
              droppedAttributesCount: f('uint32', 7),
              flags: f('fixed32', 8),
              traceId: f('bytes', 9),
              spanId: f('bytes', 10),
              eventName: f('string', 12),
            },
          },
          ScopeLogs: {
            fields: { scope: f('InstrumentationScope', 1), logRecords: f('LogRecord', 2, 'repeated'), schemaUrl: f('string', 3) },
          },
          ResourceLogs: { fields: { resource: f('Resource', 1), scopeLogs: f('ScopeLogs', 2, 'repeated'), schemaUrl: f('string', 3) } },
          ExportLogsServiceRequest: { fields: { resourceLogs: f('ResourceLogs', 1, 'repeated') } },
        },
      },
    },
  });
  type = root.lookupType('otlp.ExportLogsServiceRequest') as MessageType;
  return type;
}
