import type { Attributes } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  hostDetector,
  processDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';

/** What names the service: from the environment, then from code (code wins). */
export interface ResourceInputs {
  /** `OTEL_RESOURCE_ATTRIBUTES`. */
  envAttributes: Record<string, string>;
  /** `OTEL_SERVICE_NAME` (wins over `service.name` in `OTEL_RESOURCE_ATTRIBUTES`). */
  envServiceName: string | undefined;
  /** `start({ resourceAttributes })`. */
  attributes?: Attributes | undefined;
  /** `start({ serviceName })`. */
  serviceName?: string | undefined;
  /** Add the host and process attributes (default true). */
  detect?: boolean | undefined;
}

/**
 * The SDK resource: OpenTelemetry defaults (`telemetry.sdk.*`, `service.name=unknown_service:node`),
 * host and process attributes (unless `detect` is false), then environment, then code.
 */
export function buildResource(inputs: ResourceInputs): Resource {
  let resource = defaultResource();
  if (inputs.detect !== false) resource = resource.merge(detectResources({ detectors: [hostDetector, processDetector] }));
  resource = resource.merge(resourceFromAttributes(inputs.envAttributes));
  if (inputs.envServiceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': inputs.envServiceName }));
  if (inputs.attributes) resource = resource.merge(resourceFromAttributes(inputs.attributes));
  if (inputs.serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': inputs.serviceName }));
  return resource;
}
