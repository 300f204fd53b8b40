/**
 * Names of the byte-pair encodings shipped with `tiktoken`.
 */
export type EncodingName = 'o200k_base' | 'cl100k_base' | 'p50k_base' | 'p50k_edit' | 'r50k_base' | 'gpt2';

/** The encoding used when no model is given or the model is not an OpenAI model. */
export const DEFAULT_ENCODING: EncodingName = 'o200k_base';

/**
 * The encoding chosen for a model and whether it is that model's own tokenizer.
 */
export interface ModelEncoding {
  /** Encoding used to count. */
  encoding: EncodingName;
  /**
   * `true` when `encoding` is the tokenizer the model really uses (OpenAI models);
   * `false` when it is only a heuristic stand-in (Claude, Gemini, Llama, Mistral, unknown models).
   */
  exact: boolean;
}

const ENCODING_NAMES: readonly EncodingName[] = ['o200k_base', 'cl100k_base', 'p50k_base', 'p50k_edit', 'r50k_base', 'gpt2'];

/**
 * Exact model names that do not follow a prefix rule below. A Map: model names come from requests
 * and responses, and only own entries may match (never `constructor`, `__proto__`, ...).
 */
const EXACT_MODELS: ReadonlyMap<string, EncodingName> = new Map<string, EncodingName>(
  Object.entries({
    'gpt-4o': 'o200k_base',
    'gpt-4.1': 'o200k_base',
    'gpt-4.5': 'o200k_base',
    'gpt-5': 'o200k_base',
    o1: 'o200k_base',
    o3: 'o200k_base',
    o4: 'o200k_base',
    'gpt-4': 'cl100k_base',
    'gpt-3.5-turbo': 'cl100k_base',
    'gpt-35-turbo': 'cl100k_base',
    'davinci-002': 'cl100k_base',
    'babbage-002': 'cl100k_base',
    'text-davinci-003': 'p50k_base',
    'text-davinci-002': 'p50k_base',
    'code-davinci-002': 'p50k_base',
    'code-davinci-001': 'p50k_base',
    'code-cushman-002': 'p50k_base',
    'code-cushman-001': 'p50k_base',
    'davinci-codex': 'p50k_base',
    'cushman-codex': 'p50k_base',
    'text-davinci-edit-001': 'p50k_edit',
    'code-davinci-edit-001': 'p50k_edit',
    'text-davinci-001': 'r50k_base',
    'text-curie-001': 'r50k_base',
    'text-babbage-001': 'r50k_base',
    'text-ada-001': 'r50k_base',
    davinci: 'r50k_base',
    curie: 'r50k_base',
    babbage: 'r50k_base',
    ada: 'r50k_base',
    gpt2: 'gpt2',
  }) as Array<[string, EncodingName]>,
);

/**
 * Prefix rules, checked in order (longest and most specific first). A model matches a
 * prefix when it starts with the prefix followed by `-`, `:` or `.` or equals it.
 */
const PREFIX_RULES: ReadonlyArray<readonly [string, EncodingName]> = [
  ['gpt-oss', 'o200k_base'],
  ['gpt-5', 'o200k_base'],
  ['gpt-4.5', 'o200k_base'],
  ['gpt-4.1', 'o200k_base'],
  ['gpt-4o', 'o200k_base'],
  ['chatgpt-4o', 'o200k_base'],
  ['codex-mini', 'o200k_base'],
  ['computer-use-preview', 'o200k_base'],
  ['o1', 'o200k_base'],
  ['o3', 'o200k_base'],
  ['o4', 'o200k_base'],
  ['gpt-4', 'cl100k_base'],
  ['gpt-3.5', 'cl100k_base'],
  ['gpt-35', 'cl100k_base'],
  ['text-embedding-ada', 'cl100k_base'],
  ['text-embedding-3', 'cl100k_base'],
  ['text-embedding', 'cl100k_base'],
  ['text-similarity', 'r50k_base'],
  ['text-search', 'r50k_base'],
  ['code-search', 'r50k_base'],
];

/**
 * Strips the decorations a model name picks up on its way to us: provider prefixes
 * (`openai/gpt-4o`, `azure/gpt-4o`), fine-tune wrappers (`ft:gpt-4o-mini-2024-07-18:org::id`)
 * and letter case.
 */
function normaliseModel(model: string): string {
  let name = model.trim().toLowerCase();
  const slash = name.lastIndexOf('/');
  if (slash >= 0) name = name.slice(slash + 1);
  if (name.startsWith('ft:')) {
    name = name.slice(3);
    const colon = name.indexOf(':');
    if (colon >= 0) name = name.slice(0, colon);
  }
  return name;
}

function matchesPrefix(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  if (name.length === prefix.length) return true;
  const next = name.charAt(prefix.length);
  return next === '-' || next === ':' || next === '.' || next === '_';
}

/**
 * Resolves the encoding for a model and whether counts in it are exact for that model.
 *
 * OpenAI models (gpt-4o, gpt-4.1, gpt-5, o1/o3/o4, chatgpt-4o, gpt-oss -> `o200k_base`;
 * gpt-4, gpt-3.5, text-embedding-* -> `cl100k_base`; older completion models -> their
 * p50k/r50k encodings) are exact. Any other model (claude, gemini, llama, mistral, ...) or a
 * missing model name resolves to `o200k_base`; counts are then exact only when no model was given.
 *
 * @param model - model name as sent in the request, optionally with a provider prefix.
 */
export function resolveModelEncoding(model?: string): ModelEncoding {
  if (typeof model !== 'string' || model.trim() === '') return { encoding: DEFAULT_ENCODING, exact: true };
  const name = normaliseModel(model);
  const direct = EXACT_MODELS.get(name);
  if (direct !== undefined) return { encoding: direct, exact: true };
  for (const [prefix, encoding] of PREFIX_RULES) {
    if (matchesPrefix(name, prefix)) return { encoding, exact: true };
  }
  return { encoding: DEFAULT_ENCODING, exact: false };
}

/**
 * The tiktoken encoding used to count tokens for `model`.
 *
 * @example encodingForModel('gpt-4o-mini') // 'o200k_base'
 * @example encodingForModel('gpt-3.5-turbo') // 'cl100k_base'
 * @example encodingForModel('claude-sonnet-4') // 'o200k_base' (heuristic; see resolveModelEncoding)
 */
export function encodingForModel(model: string): EncodingName {
  return resolveModelEncoding(model).encoding;
}

/** `true` when `name` is one of the encodings this package can load. */
export function isEncodingName(name: string): name is EncodingName {
  return (ENCODING_NAMES as readonly string[]).includes(name);
}
