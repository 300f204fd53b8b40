import { ATTR_GEN_AI_PROVIDER_NAME } from '@tokenomics/contract/attributes';
import { selfHostedProviderOf } from '../genai/compatible-hosts';
import type { GenAICall } from '../genai/recorder';

/**
 * When the provider of `call` was a guess and `body` (a completion or a streamed chunk) carries
 * the fields of a known self-hosted server, the call is that server's: `gen_ai.provider.name` on
 * the span, and the provider its metrics and price use. Decided once per call.
 */
export function providerFromResponse(call: GenAICall, body: unknown): void {
  if (call.start.providerGuessed !== true) return;
  const provider = selfHostedProviderOf(body);
  if (provider === undefined) return;
  call.start.providerGuessed = false;
  if (provider === call.start.provider) return;
  call.start.provider = provider;
  call.span.setAttribute(ATTR_GEN_AI_PROVIDER_NAME, provider);
}
