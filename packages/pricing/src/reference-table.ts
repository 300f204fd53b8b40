/**
 * Price tables published by others, read as a second source for `diffPriceBook`: the JSON shape of
 * LiteLLM's `model_prices_and_context_window.json` (USD per token, keyed by model), and a plain CSV
 * `provider,model,input_per_mtok,output_per_mtok,cached_input_per_mtok` (USD per million tokens).
 */
import {
  PROVIDER_ANTHROPIC,
  PROVIDER_AWS_BEDROCK,
  PROVIDER_AZURE_AI_INFERENCE,
  PROVIDER_AZURE_AI_OPENAI,
  PROVIDER_CEREBRAS,
  PROVIDER_COHERE,
  PROVIDER_DEEPSEEK,
  PROVIDER_FIREWORKS_AI,
  PROVIDER_GCP_GEMINI,
  PROVIDER_GCP_VERTEX_AI,
  PROVIDER_GROQ,
  PROVIDER_MISTRAL_AI,
  PROVIDER_MOONSHOT_AI,
  PROVIDER_OPENAI,
  PROVIDER_OPENROUTER,
  PROVIDER_PERPLEXITY,
  PROVIDER_TOGETHER_AI,
  PROVIDER_X_AI,
} from '@tokenomics/contract/providers';
import { PriceFileError } from './price-file-error';
import { MAX_RATE } from './rate-fields';
import { readBounded } from './source-doc';

/** One model of a reference table, in USD per million tokens. */
export interface ReferenceEntry {
  /** Provider as spelt by the table, mapped to a `gen_ai.provider.name` value where known. */
  provider: string;
  /** Model id as the provider's API takes it (a LiteLLM `provider/` key prefix removed). */
  model: string;
  input?: number | undefined;
  output?: number | undefined;
  cacheRead?: number | undefined;
  cacheWrite?: number | undefined;
  /** Rates above a number of input tokens (`*_above_128k_tokens`). */
  tiers?: { above: number; input?: number | undefined; output?: number | undefined; cacheRead?: number | undefined }[] | undefined;
  /** Most input tokens a call may have, when the table says. */
  contextWindow?: number | undefined;
  /** An embedding model: priced on input only. */
  embedding: boolean;
}

/** A parsed reference table. */
export interface ReferenceTable {
  /** Path of the file as given. */
  file: string;
  format: 'litellm-json' | 'csv';
  entries: ReferenceEntry[];
  /** Rows left out: no token prices (image, audio, rerank models), or a mode that is not chat or embeddings. */
  skipped: number;
}

/** Largest reference table read, in bytes (LiteLLM's table is a few MB and growing). */
export const MAX_TABLE_BYTES = 32 * 1024 * 1024;

const ACCEPT_TABLE =
  'a LiteLLM model_prices_and_context_window.json (object of models with input_cost_per_token, ...) or a CSV with the header provider,model,input_per_mtok,output_per_mtok,cached_input_per_mtok';

/** LiteLLM `litellm_provider` values and the `gen_ai.provider.name` they are billed as. */
const LITELLM_PROVIDERS: ReadonlyMap<string, string> = new Map([
  ['openai', PROVIDER_OPENAI],
  ['text-completion-openai', PROVIDER_OPENAI],
  ['azure', PROVIDER_AZURE_AI_OPENAI],
  ['azure_ai', PROVIDER_AZURE_AI_INFERENCE],
  ['anthropic', PROVIDER_ANTHROPIC],
  ['gemini', PROVIDER_GCP_GEMINI],
  ['vertex_ai-language-models', PROVIDER_GCP_VERTEX_AI],
  ['vertex_ai-anthropic_models', PROVIDER_GCP_VERTEX_AI],
  ['vertex_ai-embedding-models', PROVIDER_GCP_VERTEX_AI],
  ['vertex_ai-text-models', PROVIDER_GCP_VERTEX_AI],
  ['bedrock', PROVIDER_AWS_BEDROCK],
  ['bedrock_converse', PROVIDER_AWS_BEDROCK],
  ['mistral', PROVIDER_MISTRAL_AI],
  ['codestral', PROVIDER_MISTRAL_AI],
  ['cohere', PROVIDER_COHERE],
  ['cohere_chat', PROVIDER_COHERE],
  ['groq', PROVIDER_GROQ],
  ['deepseek', PROVIDER_DEEPSEEK],
  ['xai', PROVIDER_X_AI],
  ['perplexity', PROVIDER_PERPLEXITY],
  ['together_ai', PROVIDER_TOGETHER_AI],
  ['fireworks_ai', PROVIDER_FIREWORKS_AI],
  ['fireworks_ai-embedding-models', PROVIDER_FIREWORKS_AI],
  ['openrouter', PROVIDER_OPENROUTER],
  ['cerebras', PROVIDER_CEREBRAS],
  ['moonshot', PROVIDER_MOONSHOT_AI],
]);

/** Reads a reference table file; throws `PriceFileError` naming the file, line and field when it cannot. */
export function readReferenceTable(file: string): ReferenceTable {
  let text = readBounded(file, MAX_TABLE_BYTES, ACCEPT_TABLE);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseReferenceTable(text, file);
}

/** Parses a reference table from its text (format told by the content). */
export function parseReferenceTable(text: string, file: string): ReferenceTable {
  if (text.trim() === '') throw new PriceFileError(file, undefined, '', undefined, ACCEPT_TABLE, 'is empty');
  if (/^\s*\{/.test(text)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new PriceFileError(file, undefined, '', undefined, ACCEPT_TABLE, `is not valid JSON (${(err as Error).message})`);
    }
    return readLiteLlm(value, file);
  }
  return readCsv(text, file);
}

/** A finite rate from 0 to `MAX_RATE` USD per million tokens, or `undefined`. */
function rate(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return undefined;
  const perMillion = Number((v * 1_000_000).toPrecision(12));
  return perMillion <= MAX_RATE ? perMillion : undefined;
}

function readLiteLlm(value: unknown, file: string): ReferenceTable {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PriceFileError(file, 1, '', value, ACCEPT_TABLE);
  }
  const entries: ReferenceEntry[] = [];
  let skipped = 0;
  for (const [key, raw] of Object.entries(value)) {
    if (key === 'sample_spec' || raw === null || typeof raw !== 'object' || Array.isArray(raw)) continue;
    const spec = raw as Record<string, unknown>;
    const mode = typeof spec.mode === 'string' ? spec.mode : 'chat';
    const embedding = mode === 'embedding';
    const input = rate(own(spec, 'input_cost_per_token'));
    const output = rate(own(spec, 'output_cost_per_token'));
    if (!(embedding || mode === 'chat' || mode === 'completion' || mode === 'responses') || input === undefined) {
      skipped++;
      continue;
    }
    const litellmProvider = typeof spec.litellm_provider === 'string' ? spec.litellm_provider : '';
    const provider = LITELLM_PROVIDERS.get(litellmProvider) ?? litellmProvider;
    // Keys carry the provider route (`xai/grok-4`, `bedrock/us-east-1/...`): the model id is what follows.
    let model = key;
    for (const prefix of [`${litellmProvider}/`, `${provider}/`])
      if (prefix !== '/' && model.startsWith(prefix)) model = model.slice(prefix.length);
    const entry: ReferenceEntry = { provider, model, input, embedding };
    if (!embedding) entry.output = output;
    const cacheRead = rate(own(spec, 'cache_read_input_token_cost'));
    if (cacheRead !== undefined) entry.cacheRead = cacheRead;
    const cacheWrite = rate(own(spec, 'cache_creation_input_token_cost'));
    if (cacheWrite !== undefined) entry.cacheWrite = cacheWrite;
    const window = own(spec, 'max_input_tokens');
    if (typeof window === 'number' && Number.isSafeInteger(window) && window > 0) entry.contextWindow = window;
    const tiers = new Map<number, NonNullable<ReferenceEntry['tiers']>[number]>();
    for (const [field, v] of Object.entries(spec)) {
      const m = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost)_above_(\d+)k_tokens$/.exec(field);
      const r = m ? rate(v) : undefined;
      if (!m || r === undefined) continue;
      const above = Number(m[2]) * 1000;
      const tier = tiers.get(above) ?? { above };
      if (m[1] === 'input_cost_per_token') tier.input = r;
      else if (m[1] === 'output_cost_per_token') tier.output = r;
      else tier.cacheRead = r;
      tiers.set(above, tier);
    }
    if (tiers.size > 0) entry.tiers = [...tiers.values()].sort((a, b) => a.above - b.above);
    entries.push(entry);
  }
  return { file, format: 'litellm-json', entries, skipped };
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

const CSV_COLUMNS = ['provider', 'model', 'input_per_mtok', 'output_per_mtok', 'cached_input_per_mtok'] as const;

/** Splits one CSV line (fields may be double-quoted, `""` an escaped quote). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          field += line.slice(i);
          i = line.length;
          break;
        }
        field += line.slice(i, q);
        i = q + 1;
        if (line[i] === '"') {
          field += '"';
          i++;
        } else break;
      }
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length : comma;
    } else {
      const comma = line.indexOf(',', i);
      field = line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length : comma;
    }
    out.push(field.trim());
    if (i >= line.length) return out;
    i++; // the comma
  }
}

function readCsv(text: string, file: string): ReferenceTable {
  const lines = text.split(/\r?\n/);
  let header: string[] | undefined;
  const entries: ReferenceEntry[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const fields = csvFields(line);
    const lineNo = index + 1;
    if (header === undefined) {
      header = fields.map((f) => f.toLowerCase());
      for (const column of CSV_COLUMNS) {
        if (column === 'cached_input_per_mtok') continue;
        if (!header.includes(column))
          throw new PriceFileError(file, lineNo, column, undefined, ACCEPT_TABLE, `the header has no column "${column}"`);
      }
      return;
    }
    const cell = (column: string): string => {
      const i = (header as string[]).indexOf(column);
      return i < 0 ? '' : (fields[i] ?? '');
    };
    const number = (column: string): number | undefined => {
      const v = cell(column);
      if (v === '') return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > MAX_RATE) {
        throw new PriceFileError(file, lineNo, column, v, `a number from 0 to ${MAX_RATE} (USD per million tokens), or empty`);
      }
      return n;
    };
    const provider = cell('provider');
    const model = cell('model');
    if (provider === '' || model === '')
      throw new PriceFileError(file, lineNo, provider === '' ? 'provider' : 'model', undefined, 'a non-empty value');
    const input = number('input_per_mtok');
    if (input === undefined) {
      skipped++;
      return;
    }
    const output = number('output_per_mtok');
    const entry: ReferenceEntry = { provider, model, input, embedding: output === undefined };
    if (output !== undefined) entry.output = output;
    const cached = number('cached_input_per_mtok');
    if (cached !== undefined) entry.cacheRead = cached;
    entries.push(entry);
  });
  if (header === undefined) throw new PriceFileError(file, undefined, '', undefined, ACCEPT_TABLE, 'has no header line');
  return { file, format: 'csv', entries, skipped };
}
