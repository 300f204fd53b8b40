const ENV_CAPTURE = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/** Content capture is off unless configured on, or (when unconfigured) opted in through the environment. */
export function shouldCaptureContent(configured: boolean | undefined): boolean {
  if (configured !== undefined) return configured;
  return (process.env[ENV_CAPTURE] ?? '').trim().toLowerCase() === 'true';
}

/** JSON text of captured content; never throws (cyclic or exotic values yield undefined). */
export function serialiseContent(value: unknown): string | undefined {
  try {
    return value === undefined ? undefined : JSON.stringify(value);
  } catch {
    return undefined;
  }
}
