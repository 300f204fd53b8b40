/**
 * Reference cases: each expected cost is worked out here from the provider's published rates (USD
 * per million tokens unless noted), with the page each rate comes from. The book must agree to
 * 1e-9 USD, unit by unit.
 */
import { describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';
import type { BillingUnit, PriceOptions, Usage } from '../src/types';

/** USD for `tokens` at `usdPerMillion`. */
const perM = (tokens: number, usdPerMillion: number): number => (tokens * usdPerMillion) / 1_000_000;

const OPENAI = 'https://platform.openai.com/docs/pricing';
const OPENAI_FT = 'https://platform.openai.com/docs/pricing#fine-tuning';
const OPENAI_BATCH = 'https://platform.openai.com/docs/guides/batch';
const OPENAI_FLEX = 'https://developers.openai.com/api/docs/guides/flex-processing';
const OPENAI_PRIORITY = 'https://openai.com/api-priority-processing/';
const ANTHROPIC = 'https://docs.claude.com/en/docs/about-claude/pricing';
const ANTHROPIC_LONG = 'https://docs.claude.com/en/docs/about-claude/pricing#long-context-pricing';
const ANTHROPIC_BATCH = 'https://docs.claude.com/en/docs/build-with-claude/batch-processing#pricing';
const ANTHROPIC_WEB = 'https://docs.claude.com/en/docs/agents-and-tools/tool-use/web-search-tool#usage-and-pricing';
const GEMINI = 'https://ai.google.dev/gemini-api/docs/pricing';
const GEMINI_BATCH = 'https://ai.google.dev/gemini-api/docs/batch-mode';
const GEMINI_TIERS = 'https://ai.google.dev/gemini-api/docs/optimization';
const VERTEX = 'https://cloud.google.com/vertex-ai/generative-ai/pricing';
const BEDROCK = 'https://aws.amazon.com/bedrock/pricing/';
const AZURE = 'https://azure.microsoft.com/en-us/pricing/details/cognitive-services/openai-service/';
const MISTRAL = 'https://mistral.ai/pricing#api-pricing';
const MISTRAL_BATCH = 'https://docs.mistral.ai/capabilities/batch/';
const DEEPSEEK = 'https://api-docs.deepseek.com/quick_start/pricing';
const GROQ = 'https://groq.com/pricing';
const XAI = 'https://docs.x.ai/docs/models';
const COHERE = 'https://cohere.com/pricing';
const PERPLEXITY = 'https://docs.perplexity.ai/getting-started/pricing';

interface Case {
  name: string;
  /** Where every rate used in `expected` is published. */
  source: string;
  usage: Usage;
  opts: PriceOptions;
  /** Expected USD per billing unit, computed from the published rates. */
  expected: Partial<Record<BillingUnit, number>>;
  /** Expected matched price-book model (when worth asserting). */
  matched?: string;
}

const AT = new Date('2026-11-01T12:00:00Z');

const cases: Case[] = [
  // --- OpenAI -------------------------------------------------------------------------------
  {
    name: 'gpt-4o with cached input ($2.50 in, $1.25 cached, $10 out)',
    source: OPENAI,
    usage: { inputTokens: 1200, cacheReadTokens: 1024, outputTokens: 300 },
    opts: { provider: 'openai', model: 'gpt-4o', at: AT },
    expected: { input: perM(176, 2.5), cache_read: perM(1024, 1.25), output: perM(300, 10) },
    matched: 'gpt-4o',
  },
  {
    name: 'dated snapshot gpt-4o-2024-08-06 priced as gpt-4o',
    source: OPENAI,
    usage: { inputTokens: 5000, outputTokens: 1000 },
    opts: { provider: 'openai', model: 'gpt-4o-2024-08-06', at: AT },
    expected: { input: perM(5000, 2.5), output: perM(1000, 10) },
    matched: 'gpt-4o',
  },
  {
    name: 'dated snapshot gpt-4o-2024-05-13 keeps its own $5 / $15 rates',
    source: OPENAI,
    usage: { inputTokens: 5000, outputTokens: 1000 },
    opts: { provider: 'openai', model: 'gpt-4o-2024-05-13', at: AT },
    expected: { input: perM(5000, 5), output: perM(1000, 15) },
    matched: 'gpt-4o-2024-05-13',
  },
  {
    name: 'gpt-4o-mini with cached input ($0.15 / $0.075 / $0.60)',
    source: OPENAI,
    usage: { inputTokens: 20000, cacheReadTokens: 8192, outputTokens: 1500 },
    opts: { provider: 'openai', model: 'gpt-4o-mini-2024-07-18', at: AT },
    expected: { input: perM(11808, 0.15), cache_read: perM(8192, 0.075), output: perM(1500, 0.6) },
  },
  {
    name: 'gpt-4.1 ($2 / $0.50 / $8)',
    source: OPENAI,
    usage: { inputTokens: 40000, cacheReadTokens: 30000, outputTokens: 2000 },
    opts: { provider: 'openai', model: 'gpt-4.1', at: AT },
    expected: { input: perM(10000, 2), cache_read: perM(30000, 0.5), output: perM(2000, 8) },
  },
  {
    name: 'gpt-4.1-mini dated snapshot ($0.40 / $0.10 / $1.60)',
    source: OPENAI,
    usage: { inputTokens: 3000, cacheReadTokens: 1024, outputTokens: 700 },
    opts: { provider: 'openai', model: 'gpt-4.1-mini-2025-04-14', at: AT },
    expected: { input: perM(1976, 0.4), cache_read: perM(1024, 0.1), output: perM(700, 1.6) },
  },
  {
    name: 'gpt-4.1-nano ($0.10 / $0.025 / $0.40)',
    source: OPENAI,
    usage: { inputTokens: 100000, cacheReadTokens: 50000, outputTokens: 10000 },
    opts: { provider: 'openai', model: 'gpt-4.1-nano', at: AT },
    expected: { input: perM(50000, 0.1), cache_read: perM(50000, 0.025), output: perM(10000, 0.4) },
  },
  {
    name: 'o3 after the 2025-06-10 price cut, reasoning billed at the output rate ($2 / $0.50 / $8)',
    source: OPENAI,
    usage: { inputTokens: 10000, cacheReadTokens: 2048, outputTokens: 5000, reasoningTokens: 4000 },
    opts: { provider: 'openai', model: 'o3-2025-04-16', at: new Date('2025-07-01T00:00:00Z') },
    expected: { input: perM(7952, 2), cache_read: perM(2048, 0.5), output: perM(1000, 8), reasoning: perM(4000, 8) },
    matched: 'o3',
  },
  {
    name: 'o3 before the 2025-06-10 price cut ($10 in, $2.50 cached, $40 out)',
    source: 'https://openai.com/index/introducing-o3-and-o4-mini/',
    usage: { inputTokens: 10000, cacheReadTokens: 4000, outputTokens: 5000, reasoningTokens: 4000 },
    opts: { provider: 'openai', model: 'o3', at: new Date('2025-05-01T00:00:00Z') },
    expected: { input: perM(6000, 10), cache_read: perM(4000, 2.5), output: perM(1000, 40), reasoning: perM(4000, 40) },
  },
  {
    name: 'o4-mini with reasoning ($1.10 / $0.275 / $4.40)',
    source: OPENAI,
    usage: { inputTokens: 6000, cacheReadTokens: 1000, outputTokens: 3000, reasoningTokens: 2500 },
    opts: { provider: 'openai', model: 'o4-mini', at: AT },
    expected: { input: perM(5000, 1.1), cache_read: perM(1000, 0.275), output: perM(500, 4.4), reasoning: perM(2500, 4.4) },
  },
  {
    name: 'gpt-5 with cached input and reasoning ($1.25 / $0.125 / $10)',
    source: OPENAI,
    usage: { inputTokens: 12000, cacheReadTokens: 10000, outputTokens: 4000, reasoningTokens: 3000 },
    opts: { provider: 'openai', model: 'gpt-5-2025-08-07', at: AT },
    expected: { input: perM(2000, 1.25), cache_read: perM(10000, 0.125), output: perM(1000, 10), reasoning: perM(3000, 10) },
    matched: 'gpt-5',
  },
  {
    name: 'gpt-5-mini ($0.25 / $0.025 / $2)',
    source: OPENAI,
    usage: { inputTokens: 8000, cacheReadTokens: 4000, outputTokens: 1200 },
    opts: { provider: 'openai', model: 'gpt-5-mini', at: AT },
    expected: { input: perM(4000, 0.25), cache_read: perM(4000, 0.025), output: perM(1200, 2) },
  },
  {
    name: 'gpt-5 on the flex tier is priced at Batch rates ($0.625 / $0.0625 / $5)',
    source: OPENAI_FLEX,
    usage: { inputTokens: 12000, cacheReadTokens: 10000, outputTokens: 4000 },
    opts: { provider: 'openai', model: 'gpt-5', serviceTier: 'flex', at: AT },
    expected: { input: perM(2000, 0.625), cache_read: perM(10000, 0.0625), output: perM(4000, 5) },
  },
  {
    name: 'o4-mini on the flex tier ($0.55 / $0.1375 / $2.20)',
    source: OPENAI_FLEX,
    usage: { inputTokens: 6000, cacheReadTokens: 1000, outputTokens: 3000, reasoningTokens: 2500 },
    opts: { provider: 'openai', model: 'o4-mini', serviceTier: 'flex', at: AT },
    expected: { input: perM(5000, 0.55), cache_read: perM(1000, 0.1375), output: perM(500, 2.2), reasoning: perM(2500, 2.2) },
  },
  {
    name: 'gpt-4o through the Batch API is half price ($1.25 / $5)',
    source: OPENAI_BATCH,
    usage: { inputTokens: 100000, outputTokens: 20000 },
    opts: { provider: 'openai', model: 'gpt-4o', serviceTier: 'batch', at: AT },
    expected: { input: perM(100000, 1.25), output: perM(20000, 5) },
  },
  {
    name: 'gpt-4o on the priority tier ($4.25 / $2.125 / $17)',
    source: OPENAI_PRIORITY,
    usage: { inputTokens: 3000, cacheReadTokens: 2048, outputTokens: 500 },
    opts: { provider: 'openai', model: 'gpt-4o-2024-11-20', serviceTier: 'priority', at: AT },
    expected: { input: perM(952, 4.25), cache_read: perM(2048, 2.125), output: perM(500, 17) },
  },
  {
    name: 'gpt-5 on the priority tier ($2.50 / $0.25 / $20)',
    source: OPENAI_PRIORITY,
    usage: { inputTokens: 3000, cacheReadTokens: 2000, outputTokens: 900, reasoningTokens: 600 },
    opts: { provider: 'openai', model: 'gpt-5', serviceTier: 'priority', at: AT },
    expected: { input: perM(1000, 2.5), cache_read: perM(2000, 0.25), output: perM(300, 20), reasoning: perM(600, 20) },
  },
  {
    name: 'gpt-4.1-mini on the priority tier ($0.70 / $0.175 / $2.80)',
    source: OPENAI_PRIORITY,
    usage: { inputTokens: 10000, cacheReadTokens: 5000, outputTokens: 1000 },
    opts: { provider: 'openai', model: 'gpt-4.1-mini', serviceTier: 'priority', at: AT },
    expected: { input: perM(5000, 0.7), cache_read: perM(5000, 0.175), output: perM(1000, 2.8) },
  },
  {
    name: 'text-embedding-3-small bills input only ($0.02)',
    source: OPENAI,
    usage: { inputTokens: 250000 },
    opts: { provider: 'openai', model: 'text-embedding-3-small', at: AT },
    expected: { input: perM(250000, 0.02) },
  },
  {
    name: 'fine-tuned gpt-4o-mini ft:gpt-4o-mini:org::id ($0.30 / $0.15 / $1.20)',
    source: OPENAI_FT,
    usage: { inputTokens: 4000, cacheReadTokens: 1024, outputTokens: 800 },
    opts: { provider: 'openai', model: 'ft:gpt-4o-mini:acme-corp::9fQx2Lb1', at: AT },
    expected: { input: perM(2976, 0.3), cache_read: perM(1024, 0.15), output: perM(800, 1.2) },
    matched: 'ft:gpt-4o-mini',
  },
  {
    name: 'fine-tuned gpt-4.1 ft:gpt-4.1-2025-04-14:org:suffix:id ($3 / $0.75 / $12)',
    source: OPENAI_FT,
    usage: { inputTokens: 4000, cacheReadTokens: 2000, outputTokens: 800 },
    opts: { provider: 'openai', model: 'ft:gpt-4.1-2025-04-14:acme-corp:support:BaC9dE1f', at: AT },
    expected: { input: perM(2000, 3), cache_read: perM(2000, 0.75), output: perM(800, 12) },
    matched: 'ft:gpt-4.1',
  },
  {
    name: 'gpt-realtime with text and audio tokens ($4 text in, $32 audio in, $16 text out, $64 audio out)',
    source: OPENAI,
    usage: { inputTokens: 5000, inputAudioTokens: 3000, cacheReadTokens: 1000, outputTokens: 2000, outputAudioTokens: 1500 },
    opts: { provider: 'openai', model: 'gpt-realtime', at: AT },
    expected: {
      input: perM(1000, 4),
      cache_read: perM(1000, 0.4),
      input_audio: perM(3000, 32),
      output: perM(500, 16),
      output_audio: perM(1500, 64),
    },
  },
  {
    name: 'model given with a provider prefix openai/gpt-4o and no provider',
    source: OPENAI,
    usage: { inputTokens: 1000, outputTokens: 1000 },
    opts: { model: 'openai/gpt-4o', at: AT },
    expected: { input: perM(1000, 2.5), output: perM(1000, 10) },
    matched: 'gpt-4o',
  },
  // --- Azure OpenAI ------------------------------------------------------------------------
  {
    name: 'Azure deployment name priced from the response model (gpt-4o global, $2.50 / $10)',
    source: AZURE,
    usage: { inputTokens: 2000, outputTokens: 400 },
    opts: { provider: 'azure.ai.openai', model: 'contoso-chat-prod', responseModel: 'gpt-4o-2024-11-20', at: AT },
    expected: { input: perM(2000, 2.5), output: perM(400, 10) },
    matched: 'gpt-4o',
  },
  {
    name: 'Azure global batch is half the global standard price (gpt-4o-mini $0.075 / $0.30)',
    source: 'https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/batch and ' + AZURE,
    usage: { inputTokens: 40000, outputTokens: 4000 },
    opts: { provider: 'azure.ai.openai', model: 'gpt-4o-mini', serviceTier: 'batch', at: AT },
    expected: { input: perM(40000, 0.075), output: perM(4000, 0.3) },
  },
  // --- Anthropic ---------------------------------------------------------------------------
  {
    name: 'Claude Sonnet 4 with 5-minute and 1-hour cache writes and cache reads ($3 / $3.75 / $6 / $0.30 / $15)',
    source: ANTHROPIC,
    usage: { inputTokens: 40000, cacheReadTokens: 20000, cacheWriteTokens: 8000, cacheWrite1hTokens: 2000, outputTokens: 1000 },
    opts: { provider: 'anthropic', model: 'claude-sonnet-4-20250514', at: AT },
    expected: {
      input: perM(10000, 3),
      cache_read: perM(20000, 0.3),
      cache_write: perM(8000, 3.75),
      cache_write_1h: perM(2000, 6),
      output: perM(1000, 15),
    },
    matched: 'claude-sonnet-4-0',
  },
  {
    name: 'Claude Sonnet 4 above 200k input tokens uses long-context rates ($6 / $7.50 / $12 / $0.60 / $22.50)',
    source: ANTHROPIC_LONG,
    usage: { inputTokens: 250000, cacheReadTokens: 100000, cacheWriteTokens: 20000, cacheWrite1hTokens: 10000, outputTokens: 4000 },
    opts: { provider: 'anthropic', model: 'claude-sonnet-4-20250514', at: AT },
    expected: {
      input: perM(120000, 6),
      cache_read: perM(100000, 0.6),
      cache_write: perM(20000, 7.5),
      cache_write_1h: perM(10000, 12),
      output: perM(4000, 22.5),
    },
  },
  {
    name: 'Claude Sonnet 4 at exactly 200k input tokens stays at base rates',
    source: ANTHROPIC_LONG,
    usage: { inputTokens: 200000, outputTokens: 1000 },
    opts: { provider: 'anthropic', model: 'claude-sonnet-4-0', at: AT },
    expected: { input: perM(200000, 3), output: perM(1000, 15) },
  },
  {
    name: 'Claude Haiku 3.5 ($0.80 / $1 write / $0.08 read / $4)',
    source: ANTHROPIC,
    usage: { inputTokens: 12000, cacheReadTokens: 6000, cacheWriteTokens: 4000, outputTokens: 900 },
    opts: { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', at: AT },
    expected: { input: perM(2000, 0.8), cache_read: perM(6000, 0.08), cache_write: perM(4000, 1), output: perM(900, 4) },
  },
  {
    name: 'Claude Opus 4.1 with extended thinking billed as output ($15 / $18.75 / $1.50 / $75)',
    source: ANTHROPIC,
    usage: { inputTokens: 9000, cacheReadTokens: 3000, cacheWriteTokens: 1000, outputTokens: 6000, reasoningTokens: 5000 },
    opts: { provider: 'anthropic', model: 'claude-opus-4-1-20250805', at: AT },
    expected: {
      input: perM(5000, 15),
      cache_read: perM(3000, 1.5),
      cache_write: perM(1000, 18.75),
      output: perM(1000, 75),
      reasoning: perM(5000, 75),
    },
  },
  {
    name: 'Claude Haiku 4.5 with a 1-hour cache write ($1 / $2 / $5)',
    source: ANTHROPIC,
    usage: { inputTokens: 30000, cacheWrite1hTokens: 25000, outputTokens: 500 },
    opts: { provider: 'anthropic', model: 'claude-haiku-4-5-20251001', at: AT },
    expected: { input: perM(5000, 1), cache_write_1h: perM(25000, 2), output: perM(500, 5) },
  },
  {
    name: 'Claude Sonnet 4.5 through Message Batches is half price, cache multipliers included',
    source: ANTHROPIC_BATCH,
    usage: { inputTokens: 50000, cacheReadTokens: 30000, cacheWriteTokens: 10000, outputTokens: 2000 },
    opts: { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', serviceTier: 'batch', at: AT },
    expected: { input: perM(10000, 1.5), cache_read: perM(30000, 0.15), cache_write: perM(10000, 1.875), output: perM(2000, 7.5) },
  },
  {
    name: 'Claude Sonnet 4.5 with two web searches ($10 per 1,000 searches)',
    source: ANTHROPIC_WEB + ' and ' + ANTHROPIC,
    usage: { inputTokens: 8000, outputTokens: 600, requests: { web_search: 2 } },
    opts: { provider: 'anthropic', model: 'claude-sonnet-4-5', at: AT },
    expected: { input: perM(8000, 3), output: perM(600, 15), request: (2 * 10) / 1000 },
  },
  {
    name: 'Claude Sonnet 4 on Vertex AI with an @date model id ($3 / $15)',
    source: VERTEX,
    usage: { inputTokens: 7000, outputTokens: 700 },
    opts: { provider: 'gcp.vertex_ai', model: 'claude-sonnet-4@20250514', at: AT },
    expected: { input: perM(7000, 3), output: perM(700, 15) },
  },
  // --- Amazon Bedrock ----------------------------------------------------------------------
  {
    name: 'Bedrock cross-region inference profile us.anthropic.claude-sonnet-4 ($3 / $3.75 / $0.30 / $15)',
    source: BEDROCK,
    usage: { inputTokens: 15000, cacheReadTokens: 5000, cacheWriteTokens: 2000, outputTokens: 1000 },
    opts: { provider: 'aws.bedrock', model: 'us.anthropic.claude-sonnet-4-20250514-v1:0', at: AT },
    expected: { input: perM(8000, 3), cache_read: perM(5000, 0.3), cache_write: perM(2000, 3.75), output: perM(1000, 15) },
  },
  {
    name: 'Bedrock inference-profile ARN without a provider',
    source: BEDROCK,
    usage: { inputTokens: 15000, outputTokens: 1000 },
    opts: { model: 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0', at: AT },
    expected: { input: perM(15000, 3), output: perM(1000, 15) },
  },
  {
    name: 'Bedrock Claude Sonnet 4 long context above 200k ($6 / $22.50)',
    source: BEDROCK,
    usage: { inputTokens: 300000, outputTokens: 2000 },
    opts: { provider: 'aws.bedrock', model: 'anthropic.claude-sonnet-4-20250514-v1:0', at: AT },
    expected: { input: perM(300000, 6), output: perM(2000, 22.5) },
  },
  {
    name: 'Bedrock batch inference is half the on-demand price (Nova Pro $0.40 / $1.60)',
    source: BEDROCK,
    usage: { inputTokens: 100000, outputTokens: 10000 },
    opts: { provider: 'aws.bedrock', model: 'amazon.nova-pro-v1:0', serviceTier: 'batch', at: AT },
    expected: { input: perM(100000, 0.4), output: perM(10000, 1.6) },
  },
  // --- Google Gemini -----------------------------------------------------------------------
  {
    name: 'Gemini 2.5 Pro up to 200k prompt tokens ($1.25 / $0.125 cached / $10 incl. thinking)',
    source: GEMINI,
    usage: { inputTokens: 150000, cacheReadTokens: 100000, outputTokens: 8000, reasoningTokens: 6000 },
    opts: { provider: 'gcp.gemini', model: 'gemini-2.5-pro', at: AT },
    expected: { input: perM(50000, 1.25), cache_read: perM(100000, 0.125), output: perM(2000, 10), reasoning: perM(6000, 10) },
  },
  {
    name: 'Gemini 2.5 Pro above 200k prompt tokens ($2.50 / $0.25 / $15)',
    source: GEMINI,
    usage: { inputTokens: 400000, cacheReadTokens: 300000, outputTokens: 8000 },
    opts: { provider: 'gcp.gemini', model: 'models/gemini-2.5-pro', at: AT },
    expected: { input: perM(100000, 2.5), cache_read: perM(300000, 0.25), output: perM(8000, 15) },
  },
  {
    name: 'Gemini 2.5 Flash with audio input ($0.30 text, $1.00 audio, $2.50 out)',
    source: GEMINI,
    usage: { inputTokens: 20000, inputAudioTokens: 12000, outputTokens: 1000 },
    opts: { provider: 'gcp.gemini', model: 'gemini-2.5-flash', at: AT },
    expected: { input: perM(8000, 0.3), input_audio: perM(12000, 1), output: perM(1000, 2.5) },
  },
  {
    name: 'Gemini 2.5 Flash in Batch Mode is half price ($0.15 / $1.25)',
    source: GEMINI_BATCH,
    usage: { inputTokens: 1000000, outputTokens: 100000 },
    opts: { provider: 'gcp.gemini', model: 'gemini-2.5-flash', serviceTier: 'batch', at: AT },
    expected: { input: perM(1000000, 0.15), output: perM(100000, 1.25) },
  },
  {
    name: 'Gemini 2.5 Flash-Lite on the Flex tier is half price ($0.05 / $0.20)',
    source: GEMINI_TIERS,
    usage: { inputTokens: 50000, outputTokens: 5000 },
    opts: { provider: 'gcp.gemini', model: 'gemini-2.5-flash-lite', serviceTier: 'flex', at: AT },
    expected: { input: perM(50000, 0.05), output: perM(5000, 0.2) },
  },
  {
    name: 'Gemini 2.5 Flash on the Priority tier (1.8x: $0.54 / $4.50)',
    source: GEMINI + ' (Priority rows) and ' + GEMINI_TIERS,
    usage: { inputTokens: 10000, outputTokens: 2000 },
    opts: { provider: 'gcp.gemini', model: 'gemini-2.5-flash', serviceTier: 'SERVICE_TIER_PRIORITY', at: AT },
    expected: { input: perM(10000, 0.54), output: perM(2000, 4.5) },
  },
  {
    name: 'Gemini 2.5 Pro on Vertex AI via a publisher resource path',
    source: VERTEX,
    usage: { inputTokens: 10000, outputTokens: 2000 },
    opts: { provider: 'gcp.vertex_ai', model: 'projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro', at: AT },
    expected: { input: perM(10000, 1.25), output: perM(2000, 10) },
  },
  {
    name: 'Gemini 3.6 Flash at its promotional rate before 2027-01-01 ($0.75 / $3.75)',
    source: GEMINI,
    usage: { inputTokens: 10000, outputTokens: 2000 },
    opts: { provider: 'gcp.gemini', model: 'gemini-3.6-flash', at: new Date('2026-12-31T23:00:00Z') },
    expected: { input: perM(10000, 0.75), output: perM(2000, 3.75) },
  },
  {
    name: 'Gemini 3.6 Flash from 2027-01-01 at the regular rate ($1.50 / $7.50)',
    source: GEMINI,
    usage: { inputTokens: 10000, outputTokens: 2000 },
    opts: { provider: 'gcp.gemini', model: 'gemini-3.6-flash', at: new Date('2027-01-01T00:00:00Z') },
    expected: { input: perM(10000, 1.5), output: perM(2000, 7.5) },
  },
  // --- Others ------------------------------------------------------------------------------
  {
    name: 'Mistral Large 2 ($2 / $6) via mistral-large-latest before Large 3 (2025-12-02)',
    source: MISTRAL,
    usage: { inputTokens: 10000, outputTokens: 3000 },
    opts: { provider: 'mistral_ai', model: 'mistral-large-latest', at: new Date('2025-11-03T12:00:00Z') },
    expected: { input: perM(10000, 2), output: perM(3000, 6) },
  },
  {
    name: 'Mistral batch is half price (Codestral $0.15 / $0.45)',
    source: MISTRAL_BATCH + ' and ' + MISTRAL,
    usage: { inputTokens: 10000, outputTokens: 3000 },
    opts: { provider: 'mistral_ai', model: 'codestral-latest', serviceTier: 'batch', at: AT },
    expected: { input: perM(10000, 0.15), output: perM(3000, 0.45) },
  },
  {
    name: 'DeepSeek chat during standard hours ($0.27 / $0.07 cache hit / $1.10)',
    source: DEEPSEEK,
    usage: { inputTokens: 10000, cacheReadTokens: 6000, outputTokens: 2000 },
    opts: { provider: 'deepseek', model: 'deepseek-chat', at: new Date('2025-06-02T03:00:00Z') },
    expected: { input: perM(4000, 0.27), cache_read: perM(6000, 0.07), output: perM(2000, 1.1) },
  },
  {
    name: 'DeepSeek chat in the off-peak window 16:30-00:30 UTC (half price)',
    source: DEEPSEEK,
    usage: { inputTokens: 10000, cacheReadTokens: 6000, outputTokens: 2000 },
    opts: { provider: 'deepseek', model: 'deepseek-chat', at: new Date('2025-06-02T18:00:00Z') },
    expected: { input: perM(4000, 0.135), cache_read: perM(6000, 0.035), output: perM(2000, 0.55) },
  },
  {
    name: 'Groq Llama 3.3 70B Versatile without a provider ($0.59 / $0.79)',
    source: GROQ,
    usage: { inputTokens: 3000, outputTokens: 1000 },
    opts: { model: 'llama-3.3-70b-versatile', at: AT },
    expected: { input: perM(3000, 0.59), output: perM(1000, 0.79) },
  },
  {
    name: 'xAI Grok 3 with cached input ($3 / $0.75 / $15)',
    source: XAI,
    usage: { inputTokens: 5000, cacheReadTokens: 4000, outputTokens: 500 },
    opts: { provider: 'x_ai', model: 'grok-3', at: AT },
    expected: { input: perM(1000, 3), cache_read: perM(4000, 0.75), output: perM(500, 15) },
  },
  {
    name: 'Cohere Command R+ ($2.50 / $10)',
    source: COHERE,
    usage: { inputTokens: 5000, outputTokens: 500 },
    opts: { provider: 'cohere', model: 'command-r-plus-08-2024', at: AT },
    expected: { input: perM(5000, 2.5), output: perM(500, 10) },
  },
  {
    name: 'Perplexity Sonar Pro with its per-request fee ($3 / $15, $14 per 1,000 requests at high search context)',
    source: PERPLEXITY,
    usage: { inputTokens: 2000, outputTokens: 800, requests: { search_context_high: 1 } },
    opts: { provider: 'perplexity', model: 'sonar-pro', at: AT },
    expected: { input: perM(2000, 3), output: perM(800, 15), request: 14 / 1000 },
  },
  {
    name: 'Perplexity Sonar Pro at the default (low) search context ($6 per 1,000 requests)',
    source: PERPLEXITY,
    usage: { inputTokens: 2000, outputTokens: 800 },
    opts: { provider: 'perplexity', model: 'sonar-pro', at: AT },
    expected: { input: perM(2000, 3), output: perM(800, 15), request: 6 / 1000 },
  },
  {
    name: 'Perplexity Sonar at medium search context ($1 / $1, $8 per 1,000 requests)',
    source: PERPLEXITY,
    usage: { inputTokens: 2000, outputTokens: 800, requests: { search_context_medium: 1 } },
    opts: { provider: 'perplexity', model: 'sonar', at: AT },
    expected: { input: perM(2000, 1), output: perM(800, 1), request: 8 / 1000 },
  },
  {
    name: 'Perplexity Sonar Deep Research bills reasoning at its own $3 rate and searches at $5 per 1,000',
    source: PERPLEXITY,
    usage: { inputTokens: 1000, outputTokens: 2000, reasoningTokens: 500, requests: { web_search: 3 } },
    opts: { provider: 'perplexity', model: 'sonar-deep-research', at: AT },
    expected: { input: perM(1000, 2), output: perM(1500, 8), reasoning: perM(500, 3), request: (3 * 5) / 1000 },
  },
];

describe('reference cases computed from published rates', () => {
  const book = PriceBook.bundled();

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it(c.name, () => {
      const cost = book.price(c.usage, c.opts);
      if (!cost.priced) throw new Error(`unpriced: ${cost.reason} (${cost.detail}); rates from ${c.source}`);
      const expectedTotal = Object.values(c.expected).reduce((a, b) => a + (b ?? 0), 0);
      expect(Math.abs(cost.amount - expectedTotal)).toBeLessThanOrEqual(1e-9);
      expect(Object.keys(cost.breakdown).sort()).toEqual(Object.keys(c.expected).sort());
      for (const [unit, usd] of Object.entries(c.expected)) {
        expect(Math.abs((cost.breakdown[unit as BillingUnit] ?? NaN) - (usd as number)), `${unit} (${c.source})`).toBeLessThanOrEqual(1e-9);
      }
      if (c.matched) expect(cost.matchedModel).toBe(c.matched);
      expect(cost.currency).toBe('USD');
    });
  }
});
