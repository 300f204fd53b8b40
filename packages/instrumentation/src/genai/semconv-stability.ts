/**
 * `OTEL_SEMCONV_STABILITY_OPT_IN` handling for the GenAI conventions: by default only the latest
 * names are emitted; `gen_ai/dup` (or `gen_ai_dup`) in the comma list also emits the deprecated
 * ones (`gen_ai.system` with its old values, `gen_ai.usage.prompt_tokens`,
 * `gen_ai.usage.completion_tokens`, `gen_ai.usage.cache_creation.input_tokens` next to
 * `gen_ai.usage.cache_write.input_tokens`) for backends that still query them.
 */
export function emitDeprecatedGenAINames(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.OTEL_SEMCONV_STABILITY_OPT_IN;
  if (!value) return false;
  return value.split(',').some((v) => {
    const t = v.trim().toLowerCase();
    return t === 'gen_ai/dup' || t === 'gen_ai_dup';
  });
}

const OLD_SYSTEM_NAMES: Record<string, string> = {
  'gcp.gemini': 'gemini',
  'gcp.vertex_ai': 'vertex_ai',
  'azure.ai.openai': 'az.ai.openai',
  'azure.ai.inference': 'az.ai.inference',
};

/** The deprecated `gen_ai.system` value for a `gen_ai.provider.name` value. */
export function deprecatedSystemName(provider: string): string {
  return OLD_SYSTEM_NAMES[provider] ?? provider;
}
