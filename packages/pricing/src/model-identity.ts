/**
 * Whether a model string and a price-book model id can name the same model: the guard that keeps a
 * loose match rule (`contains`, `starts_with`, `regex`, a stripped form) from pricing one model as
 * another (`amazon.titan-embed-text-v2:0` as v1, `llama3-1-405b` as `llama3-1-70b`).
 *
 * Both strings are reduced to their version tokens: every token holding a digit (`4o`, `3.5`,
 * `20b`, `v2`, `k2`), after provider prefixes, Bedrock region and vendor prefixes, `@`, dates,
 * `-latest` and build numbers (three or more digits: `001`, `0324`) are set aside. Two strings
 * name different models when both have version tokens and the sequences differ. A string without
 * version tokens (`mistral-large-latest`, `deepseek-chat`) is an alias the match rule vouches for.
 * Variant words (`mini`, `nano`, `pro`, `fast`, `small`, ...) are compared too: a string naming
 * one its entry lacks is another product of the family (`gpt-5-nano` is not `gpt-5`).
 */

const BEDROCK_PREFIX =
  /^(?:(?:us|eu|apac|au|jp|ca|in|sa|us-gov|global|regional)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|google|nvidia|moonshot|moonshotai|minimax|twelvelabs|stability|luma|zai)\./;
const DATE_SUFFIXES = [
  /[-_@](20\d{2})-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])$/, // -20250514, -2025-05-14, @20250514
  /-(0[1-9]|1[0-2])-(20\d{2})$/, // -08-2024 (Cohere)
  /-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, // -05-20 (preview dates)
];

/** The version tokens of a model string, in order (see the module comment). */
export function versionTokens(model: string): string[] {
  let s = model.trim().toLowerCase();
  // A fine-tuned model (`ft:gpt-4o-mini:org::id`) is named by its base model.
  if (s.startsWith('ft:')) s = s.split(':')[1] ?? '';
  const slash = s.lastIndexOf('/');
  if (slash >= 0) s = s.slice(slash + 1);
  s = s.replace(BEDROCK_PREFIX, '');
  s = s.replace(/:\d+$/, ''); // Bedrock `:0`
  for (;;) {
    const before = s;
    s = s.replace(/-latest$/, '').replace(/:(free|thinking|beta)$/, '');
    for (const date of DATE_SUFFIXES) s = s.replace(date, '');
    if (s === before) break;
  }
  s = s.replace(/^gpt-35-/, 'gpt-3.5-'); // Azure spelling
  const out: string[] = [];
  for (const token of s.split(/[-_:\s]+/)) {
    if (!/\d/.test(token)) continue;
    if (/^\d{3,}$/.test(token)) continue; // build numbers and dates: 001, 0324, 2407
    if (/^(?:fp|bf|int|nvfp|mxfp)\d+$/.test(token)) continue; // weight precision of one deployment
    // `5.1` and `5-1` are one version; so are `4` and `4-0`, `2` and `2.0`.
    if (/^\d+(?:\.\d+)+$/.test(token)) out.push(...token.split('.'));
    else out.push(token);
  }
  while (out.length > 1 && out[out.length - 1] === '0' && /^\d+$/.test(out[out.length - 2])) out.pop();
  for (let i = out.length - 2; i >= 0; i--)
    if (out[i + 1] === '0' && /^\d+$/.test(out[i]) && !/^\d+$/.test(out[i + 2] ?? '')) out.splice(i + 1, 1);
  return out;
}

const isVersion = (t: string) => /^v\d+(\.\d+)?$/.test(t);
const isSize = (t: string) => /^(?:a?\d+(?:\.\d+)?[bmk]|\d+x\d+b)$/.test(t);

/**
 * Words that name a different product of a family, at a different price (`gpt-5-nano` is not
 * `gpt-5`, `grok-4-fast` is not `grok-4`). Stage words (`preview`, `latest`, `exp`, `instruct`,
 * `chat`, `thinking`) are not among them: they name the same model.
 */
const VARIANT_WORDS = new Set([
  'mini',
  'nano',
  'pro',
  'lite',
  'max',
  'turbo',
  'plus',
  'ultra',
  'fast',
  'instant',
  'audio',
  'realtime',
  'search',
  'codex',
  'vision',
  'safeguard',
  'guard',
  'large',
  'medium',
  'small',
]);

/** The variant words of a model string (see `VARIANT_WORDS`). */
export function variantWords(model: string): string[] {
  let s = model.trim().toLowerCase();
  if (s.startsWith('ft:')) s = s.split(':')[1] ?? '';
  s = s.slice(s.lastIndexOf('/') + 1);
  return s.split(/[-_.:@\s]+/).filter((w) => VARIANT_WORDS.has(w));
}

/**
 * `undefined` when `input` may name the model `modelId`, else why not: a version or size the
 * entry does not have (`"v2" vs "v1"`), or a variant word it lacks (`"nano" not in "gpt-5"`). The
 * rest of the name is the match rule's business. The price book applies it to every match that is
 * not an exact name of the entry.
 */
export function modelConflict(input: string, modelId: string): string | undefined {
  const own = new Set(variantWords(modelId));
  const extra = variantWords(input).filter((w) => !own.has(w));
  if (extra.length > 0) return `"${extra.join('-')}" not in "${modelId}"`;
  return versionConflict(input, modelId);
}

/** `undefined` when the version tokens of `input` and `modelId` agree, else how they differ (`"v2" vs "v1"`). */
export function versionConflict(input: string, modelId: string): string | undefined {
  let a = versionTokens(input);
  let b = versionTokens(modelId);
  // `v1`, `v2`: a model version (Titan Embeddings v1 / v2) when both name one; otherwise the
  // Bedrock API version of one side (`-v1:0`), which says nothing about the model.
  // Likewise a parameter count (`27b`, `a3b`, `8x7b`) tells sizes apart only when both name one:
  // a family entry (`gemma-3`) prices every size.
  for (const kind of [isVersion, isSize]) {
    if (!(a.some(kind) && b.some(kind))) {
      a = a.filter((t) => !kind(t));
      b = b.filter((t) => !kind(t));
    }
  }
  if (a.length === 0 || b.length === 0) return undefined;
  if (a.length === b.length && a.every((t, i) => t === b[i])) return undefined;
  return `"${a.join('-')}" vs "${b.join('-')}"`;
}
