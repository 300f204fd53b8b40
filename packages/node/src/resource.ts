import type { Attributes } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  hostDetector,
  processDetector,
  resourceFromAttributes,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import { arch, hostname } from 'node:os';

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
  if (inputs.detect !== false) resource = resource.merge(detectResources({ detectors: [hostDetectorByRequire(), processDetector] }));
  resource = resource.merge(resourceFromAttributes(inputs.envAttributes));
  if (inputs.envServiceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': inputs.envServiceName }));
  if (inputs.attributes) resource = resource.merge(resourceFromAttributes(inputs.attributes));
  if (inputs.serviceName !== undefined) resource = resource.merge(resourceFromAttributes({ 'service.name': inputs.serviceName }));
  return resource;
}

/** The machine-id reader of `@opentelemetry/resources` for each platform (`unsupported` for others). */
const MACHINE_ID_READERS: ReadonlyMap<string, string> = new Map([
  ['darwin', 'darwin'],
  ['linux', 'linux'],
  ['freebsd', 'bsd'],
  ['win32', 'win'],
]);

/**
 * The host detector of `@opentelemetry/resources` with its platform's machine-id reader loaded by
 * `require`. The detector loads that reader with `import()`, which starts Node.js's ES module loader
 * and its CommonJS export scanner in a CommonJS app, and adds them to an ES module app: up to about 0.1 MB
 * of heap for reading one file. Same attributes, in the same order (`host.name`, `host.arch`, and
 * `host.id` when it is read); the detector itself when this version of the package keeps its files
 * elsewhere.
 */
export function hostDetectorByRequire(): ResourceDetector {
  const dir = '@opentelemetry/resources/build/src/detectors/platform/node/';
  try {
    const { normalizeArch } = require(`${dir}utils`) as { normalizeArch?: unknown };
    const reader = MACHINE_ID_READERS.get(process.platform) ?? 'unsupported';
    const { getMachineId } = require(`${dir}machine-id/getMachineId-${reader}`) as { getMachineId?: unknown };
    if (typeof normalizeArch !== 'function' || typeof getMachineId !== 'function') return hostDetector;
    return {
      detect: () => ({
        attributes: {
          'host.name': hostname(),
          'host.arch': (normalizeArch as (nodeArch: string) => string)(arch()),
          'host.id': (getMachineId as () => Promise<string | undefined>)(),
        },
      }),
    };
  } catch {
    return hostDetector;
  }
}
