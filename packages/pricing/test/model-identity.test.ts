/**
 * The resolution audit: every model string the price data names, and a list of real ids from the
 * providers' model lists, must resolve to the same model family and version, not just to "some
 * match". A rule that matches loosely (a prefix, a substring, a stripped form) never prices another
 * version: such a string is unpriced, with the reason.
 */
import { describe, expect, it } from 'vitest';
import { modelConflict, variantWords, versionConflict, versionTokens } from '../src/model-identity';
import { bundledPriceData, PriceBook } from '../src/price-book';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const book = PriceBook.bundled();

interface RawModel {
  id: string;
  match?: unknown;
}
interface RawProvider {
  id: string;
  models: RawModel[];
}

/** The `equals` strings of a rule: the strings the data says name this model. */
function literals(rule: unknown, out: string[] = []): string[] {
  if (rule === null || typeof rule !== 'object') return out;
  const r = rule as Record<string, unknown>;
  if (typeof r.equals === 'string') out.push(r.equals);
  if (Array.isArray(r.or)) for (const sub of r.or) literals(sub, out);
  return out;
}

/**
 * Strings the upstream data deliberately prices as another entry, at the same published price
 * (checked on the providers' pages): an alias, not a mistake. Anything else is a finding.
 */
const SAME_PRICE_ALIASES = new Map<string, string>([
  ['github-copilot|gpt-4-o-preview', 'gpt-4o'],
  ['huggingface_novita|minimaxai/minimax-m2.1', 'MiniMaxAI/MiniMax-M2'],
  ['huggingface_novita|minimaxai/minimax-m2.1-fast', 'MiniMaxAI/MiniMax-M2'],
  ['huggingface_novita|minimaxai/minimax-m2.5', 'MiniMaxAI/MiniMax-M2'],
  ['huggingface_novita|minimaxai/minimax-m2.5-fast', 'MiniMaxAI/MiniMax-M2'],
  ['minimax|MiniMax-M2.1', 'MiniMax-M2'],
  ['minimax|minimax-m2.1', 'MiniMax-M2'],
  ['minimax|MiniMax-M2.5', 'MiniMax-M2'],
  ['minimax|minimax-m2.5', 'MiniMax-M2'],
  ['mistral|mistral-medium-3', 'mistral-medium-3-1'], // the entry is "Mistral Medium 3 and 3.1"
  ['mistral|mistral-ocr-4', 'mistral-ocr-4-1'],
  ['mistral|mistral-ocr-4-completion', 'mistral-ocr-4-1'],
  ['openai|gpt-realtime-2.1', 'gpt-realtime-2'],
  ['openrouter|anthropic/claude-2.1', 'anthropic/claude-2'],
  ['openrouter|anthropic/claude-2.1:beta', 'anthropic/claude-2'],
  ['openrouter|anthropic/claude-opus-4.1', 'anthropic/claude-opus-4'],
  ['openrouter|claude-2.1', 'claude-2'],
  ['openrouter|claude-2.1:beta', 'claude-2'],
  ['openrouter|openai/gpt-5.1-codex-max', 'openai/gpt-5'],
  ['together|allenai/OLMo-7B-Twin-2T', 'allenai/OLMo-7B'],
]);

describe('version tokens of a model string', () => {
  it('keeps the numbers that tell models apart and drops dates, prefixes and deployment details', () => {
    expect(versionTokens('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(['4', '5', 'v1']);
    expect(versionTokens('openai/gpt-oss-safeguard-20b')).toEqual(['20b']);
    expect(versionTokens('gpt-4o-2024-08-06')).toEqual(['4o']);
    expect(versionTokens('gemini-2.0-flash-001')).toEqual(['2']);
    expect(versionTokens('ft:gpt-4.1-2025-04-14:acme:support:BaC9dE1f')).toEqual(['4', '1']);
    expect(versionTokens('Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8')).toEqual(['qwen3', '480b', 'a35b']);
  });

  it('tells versions and sizes apart, and treats 5.1 / 5-1 and 4 / 4-0 as one version', () => {
    expect(versionConflict('amazon.titan-embed-text-v2:0', 'amazon.titan-embed-text-v1')).toBe('"v2" vs "v1"');
    expect(versionConflict('openai/gpt-oss-safeguard-20b', 'openai/gpt-oss-120b')).toBe('"20b" vs "120b"');
    expect(versionConflict('meta.llama3-1-405b-instruct-v1:0', 'meta.llama3-1-70b-instruct-v1:0')).toBe(
      '"llama3-1-405b-v1" vs "llama3-1-70b-v1"',
    );
    expect(versionConflict('claude-3-7-sonnet-latest', 'claude-3-5-sonnet')).toBe('"3-7" vs "3-5"');
    expect(versionConflict('gpt-5-1-chat', 'gpt-5.1')).toBeUndefined();
    expect(versionConflict('claude-opus-4-20250514', 'claude-opus-4-0')).toBeUndefined();
    expect(versionConflict('us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4')).toBeUndefined();
    expect(versionConflict('gemma-3-27b-it', 'gemma-3')).toBeUndefined();
    expect(versionConflict('mistral-large-latest', 'mistral-large-2512')).toBeUndefined();
  });
});

describe('variant words of a model string', () => {
  it('tells a product of a family from its base model', () => {
    expect(variantWords('openai/gpt-oss-safeguard-20b')).toEqual(['safeguard']);
    expect(modelConflict('gpt-5-nano-2031-01-01', 'gpt-5')).toBe('"nano" not in "gpt-5"');
    expect(modelConflict('magistral-small-2509', 'magistral-medium')).toBe('"small" not in "magistral-medium"');
    expect(modelConflict('gpt-4o-mini-2024-07-18', 'gpt-4o-mini')).toBeUndefined();
    expect(modelConflict('claude-3-5-sonnet-20241022', 'claude-3-5-sonnet')).toBeUndefined();
  });
});

describe('resolution audit over the whole price book', () => {
  const providers = (JSON.parse(readFileSync(join(__dirname, '..', 'data', 'genai-prices.json'), 'utf8')) as { providers: RawProvider[] })
    .providers;

  it('resolves every string the data names to a model of the same family and version', () => {
    const findings: string[] = [];
    let checked = 0;
    for (const provider of providers) {
      for (const model of provider.models) {
        for (const name of new Set([model.id, ...literals(model.match)])) {
          const resolved = book.resolve(name, provider.id);
          // Some ids are labels, not strings a client sends (`regional.…`, Fireworks ids without
          // their accounts/ path): they must not resolve to anything else either.
          if (resolved === undefined) continue;
          checked++;
          const conflict = versionConflict(name, resolved.model);
          if (conflict === undefined) continue;
          const key = `${provider.id}|${name}`;
          if (SAME_PRICE_ALIASES.get(key) === resolved.model) continue;
          findings.push(`${key} -> ${resolved.model} ${conflict}`);
        }
      }
    }
    expect(checked).toBeGreaterThan(2000);
    expect(findings).toEqual([]);
  });

  it('never prices a variant of a model (its -mini, -nano, -pro, -fast, -search, ...) as the model itself', () => {
    const words = [
      'mini',
      'nano',
      'pro',
      'lite',
      'max',
      'turbo',
      'plus',
      'ultra',
      'fast',
      'audio',
      'realtime',
      'search',
      'codex',
      'vision',
      'large',
      'small',
      'medium',
    ];
    const firstParty = [
      'openai',
      'anthropic',
      'google',
      'aws',
      'azure',
      'mistral',
      'cohere',
      'deepseek',
      'x-ai',
      'perplexity',
      'groq',
      'moonshotai',
      'minimax',
    ];
    const named = new Map<string, Set<string>>();
    for (const provider of providers) {
      for (const model of provider.models)
        named.set(`${provider.id}|${model.id}`, new Set(literals(model.match).map((l) => l.toLowerCase())));
    }
    const findings: string[] = [];
    for (const provider of providers.filter((p) => firstParty.includes(p.id))) {
      for (const model of provider.models) {
        for (const word of words) {
          if (
            model.id
              .toLowerCase()
              .split(/[-_.:/]/)
              .includes(word)
          )
            continue;
          const probe = `${model.id}-${word}`;
          const resolved = book.resolve(probe, provider.id);
          if (resolved === undefined || resolved.model.toLowerCase().includes(word)) continue;
          // A string the data itself names as that entry (gpt-5-codex is billed as gpt-5) is the data's word.
          if (named.get(`${provider.id}|${resolved.model}`)?.has(probe.toLowerCase())) continue;
          findings.push(`${provider.id}|${probe} -> ${resolved.model}`);
        }
      }
    }
    expect(findings).toEqual([]);
  });

  it('keeps each same-price alias at the price of the entry it resolves to', () => {
    for (const [key, target] of SAME_PRICE_ALIASES) {
      const [provider, name] = key.split('|');
      expect(book.resolve(name, provider)?.model, key).toBe(target);
    }
  });

  it('resolves each data model id to itself when the id is a string clients send', () => {
    const others: string[] = [];
    for (const provider of bundledPriceData().providers) {
      for (const model of provider.models) {
        const resolved = book.resolve(model.id, provider.id);
        if (resolved !== undefined && resolved.model !== model.id && versionConflict(model.id, resolved.model) !== undefined) {
          others.push(`${provider.id}|${model.id} -> ${resolved.model}`);
        }
      }
    }
    expect(others).toEqual([]);
  });
});

describe('real ids from the providers model lists', () => {
  const cases: [provider: string, id: string, model: string | undefined][] = [
    ['aws.bedrock', 'amazon.titan-embed-text-v2:0', 'amazon.titan-embed-text-v2:0'],
    ['aws.bedrock', 'amazon.titan-embed-text-v1', 'amazon.titan-embed-text-v1'],
    ['aws.bedrock', 'meta.llama3-1-405b-instruct-v1:0', 'meta.llama3-1-405b-instruct-v1:0'],
    ['aws.bedrock', 'us.meta.llama3-1-70b-instruct-v1:0', 'meta.llama3-1-70b-instruct-v1:0'],
    ['aws.bedrock', 'meta.llama3-70b-instruct-v1:0', 'meta.llama3-70b-instruct-v1:0'],
    ['aws.bedrock', 'cohere.command-r-v1:0', 'cohere.command-r-v1:0'],
    ['aws.bedrock', 'cohere.command-r-plus-v1:0', 'cohere.command-r-plus-v1:0'],
    ['aws.bedrock', 'mistral.mistral-large-2407-v1:0', 'mistral.mistral-large-2407-v1:0'],
    ['aws.bedrock', 'mistral.mistral-large-2402-v1:0', 'mistral.mistral-large-2402-v1:0'],
    ['aws.bedrock', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', undefined],
    ['groq', 'openai/gpt-oss-safeguard-20b', 'openai/gpt-oss-safeguard-20b'],
    ['groq', 'openai/gpt-oss-20b', 'openai/gpt-oss-20b'],
    ['groq', 'openai/gpt-oss-120b', 'openai/gpt-oss-120b'],
    ['groq', 'llama-3.3-70b-versatile', 'llama-3.3-70b-versatile'],
    ['mistral_ai', 'mistral-large-latest', 'mistral-large-latest'],
    ['mistral_ai', 'mistral-medium-3', 'mistral-medium-3-1'],
    ['mistral_ai', 'mistral-medium-3.5', 'mistral-medium-3-5'],
    ['mistral_ai', 'devstral-medium-latest', 'devstral-medium'],
    ['gcp.gemini', 'gemini-flash-latest', 'gemini-flash-latest'],
    ['gcp.gemini', 'gemini-2.0-flash-001', 'gemini-2.0-flash'],
    ['cohere', 'embed-english-v3.0', 'embed-english-v3.0'],
    ['cohere', 'embed-multilingual-light-v3.0', 'embed-multilingual-v3.0'],
    ['cohere', 'command-r-08-2024', 'command-r'],
    ['openai', 'gpt-4o-2024-08-06', 'gpt-4o'],
    ['openai', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
    ['openrouter', 'openai/gpt-4o', 'openai/gpt-4o'],
    ['x_ai', 'grok-4', 'grok-4-0709'],
    ['deepseek', 'deepseek-chat', 'deepseek-chat'],
    ['x_ai', 'grok-4.20-0309-reasoning', 'grok-4.20'],
    // Unpriced until a Together page states its rate, and never first-party DeepSeek.
    ['together', 'deepseek-ai/DeepSeek-V3', undefined],
    ['fireworks_ai', 'accounts/fireworks/models/deepseek-v3', 'deepseek-v3'],
    // Unpriced (no Fireworks page states its rate), and never another Kimi model.
    ['fireworks_ai', 'accounts/fireworks/models/kimi-k2-instruct', undefined],
    ['openrouter', 'x-ai/grok-4', 'x-ai/grok-4'],
    // A prefix rule names a family in its own words: its dated snapshots are that model.
    ['gcp.gemini', 'gemini-2.5-flash-native-audio-preview-09-2025', 'gemini-live-2.5-flash'],
    ['openai', 'gpt-5-search-api', 'gpt-5'],
    ['anthropic', 'claude-3-5-sonnet-mini', undefined],
    // A family alias is not the oldest model of the family: gemini-pro-latest is never Gemini 1.0 Pro.
    ['gcp.gemini', 'gemini-pro-latest', 'gemini-pro-latest'],
    ['gcp.gemini', 'gemini-flash-lite-latest', undefined],
    ['anthropic', 'claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    // Without a provider a reseller's copy never shadows the first-party model.
    ['', 'x-ai/grok-4', 'grok-4-0709'],
    ['', 'openai/gpt-oss-120b', 'gpt-oss-120b'],
  ];
  for (const [provider, id, model] of cases) {
    it(`${provider || '(no provider)'} ${id} resolves to ${model ?? 'no other model'}`, () => {
      const resolved = book.resolve(id, provider || undefined);
      if (model === undefined) {
        if (resolved !== undefined) expect(versionConflict(id, resolved.model)).toBeUndefined();
      } else expect(resolved?.model).toBe(model);
    });
  }
});
