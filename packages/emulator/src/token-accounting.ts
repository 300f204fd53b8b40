import { badRequest } from './provider-api';

/**
 * Runs a token count over request content, turning the counter's `TypeError` for malformed
 * content into a 400 answer that names the field.
 */
export function countRequest<T>(count: () => T): T {
  try {
    return count();
  } catch (error) {
    if (error instanceof TypeError) throw badRequest(error.message);
    throw error;
  }
}

/** Clamps an optional directive value to `[0, max]`. */
export function capped(value: number | undefined, max: number): number {
  return Math.max(0, Math.min(value ?? 0, max));
}
