import { ATTR_GEN_AI_PROVIDER_NAME } from '@tokenomics/contract';
import { selfHostedProviderOf } from '../genai/compatible-hosts';
import type { GenAICall } from '../genai/recorder';

/** Calls whose provider was only guessed from the base URL (a default port, or none): the response may name it. */
const GUESSED = new WeakSet<GenAICall>();

/** Lets the response of `call` name its self-hosted server (see {@link providerFromResponse}). */
export function providerMayComeFromResponse(call: GenAICall): void {
  GUESSED.add(call);
}

/**
 * When the provider of `call` was a guess and `body` (a completion or a streamed chunk) carries
 * the fields of a known self-hosted server, the call is that server's: `gen_ai.provider.name` on
 * the span, and the provider its metrics and price use. Decided once per call.
 */
export function providerFromResponse(call: GenAICall, body: unknown): void {
  if (!GUESSED.has(call)) return;
  const provider = selfHostedProviderOf(body);
  if (provider === undefined) return;
  GUESSED.delete(call);
  if (provider === call.start.provider) return;
  call.start.provider = provider;
  call.span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, provider);
}
