import { badRequest } from '../provider-api';

/** The request's `model`, or a 400 as the API answers when it is missing. */
export function requireModel(fields: Record<string, unknown>): string {
  const model = fields.model;
  if (typeof model !== 'string' || model.length === 0) {
    throw badRequest('you must provide a model parameter', 'model', null);
  }
  return model;
}

/** A required field, or a 400 naming it. */
export function requireField(fields: Record<string, unknown>, name: string): unknown {
  if (fields[name] === undefined || fields[name] === null) {
    throw badRequest(`Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
  }
  return fields[name];
}

/** An optional integer field at least `min`, or a 400 naming it. */
export function optionalInteger(fields: Record<string, unknown>, name: string, min: number): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw badRequest(`Invalid type for '${name}': expected an integer, but got ${typeof value} instead.`, name, 'invalid_type');
  }
  if (value < min) {
    throw badRequest(
      `Invalid '${name}': integer below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      name,
      'integer_below_min_value',
    );
  }
  return value;
}

/** `true` when `stream_options.include_usage` is set. */
export function includeUsage(fields: Record<string, unknown>): boolean {
  const options = fields.stream_options as { include_usage?: unknown } | null | undefined;
  return options?.include_usage === true;
}

/** `false` only when `stream_options.include_obfuscation` is `false`. */
export function includeObfuscation(fields: Record<string, unknown>): boolean {
  const options = fields.stream_options as { include_obfuscation?: unknown } | null | undefined;
  return options?.include_obfuscation !== false;
}
