/**
 * Service-tier spellings of the providers, mapped to our four tiers (index into `SERVICE_TIERS`).
 * OpenAI `service_tier` (`default`, `auto`, `flex`, `priority`, `scale`), Anthropic
 * `usage.service_tier` (`standard`, `priority`, `batch`) and Gemini `service_tier`
 * (`SERVICE_TIER_PRIORITY`, ...) are all accepted.
 */
import { SERVICE_TIERS } from './rates';

const SPELLINGS = new Map<string, number>([
  ['', 0],
  ['standard', 0],
  ['default', 0],
  ['auto', 0],
  ['scale', 0],
  ['on_demand', 0],
  ['on-demand', 0],
  ['standard_only', 0],
  ['batch', 1],
  ['flex', 2],
  ['priority', 3],
]);

const seen = new Map<string, number>();

/** Index of a tier spelling in `SERVICE_TIERS`; 0 (standard) when absent, -1 when unknown. */
export function serviceTierIndex(tier: string | undefined): number {
  if (tier === undefined || tier === null) return 0;
  const known = SPELLINGS.get(tier) ?? seen.get(tier);
  if (known !== undefined) return known;
  if (typeof tier !== 'string') return -1;
  const key = tier
    .trim()
    .toLowerCase()
    .replace(/^service_tier_/, '');
  const index = SPELLINGS.get(key) ?? -1;
  if (seen.size < 256) seen.set(tier, index);
  return index;
}

/** The tier name for a spelling, or `undefined` when unknown. */
export function normalizeServiceTier(tier: string | undefined): (typeof SERVICE_TIERS)[number] | undefined {
  const i = serviceTierIndex(tier);
  return i < 0 ? undefined : SERVICE_TIERS[i];
}
