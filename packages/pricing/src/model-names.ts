/**
 * Normalised forms of a model string, tried in order after the string itself: ARNs, resource paths
 * and provider prefixes removed, Bedrock region/vendor prefixes and version suffixes removed,
 * `@date` and compact or dashed dates rewritten or dropped. Also yields provider hints (from a
 * prefix, a Bedrock id or a Vertex path) that decide where a provider-less search looks first.
 */

const ARN = /^arn:aws[\w-]*:bedrock:[^:]*:[^:]*:[\w-]+\/(.+)$/i;
const RESOURCE_PATH = /(?:^|\/)models\/([^/]+)$/;
const PUBLISHER = /(?:^|\/)publishers\/([^/]+)\/models\//;
const BEDROCK =
  /^(?:(?:us|eu|apac|au|jp|ca|in|sa|us-gov|global)\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer|google|nvidia|moonshot|moonshotai|minimax|twelvelabs|stability|luma|zai)\.(.+)$/i;
const BEDROCK_VERSION = /(?:-v\d+(?::\d+)?|:\d+)$/;
const DATE_COMPACT = /-(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/;
const DATE_DASHED = /-(20\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const LATEST = /-latest$/i;

/** Prefix segments that name a provider (`openai/gpt-4o`). Value: provider spelling hinted. */
const PREFIX_PROVIDERS: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google',
  gemini: 'google',
  vertex_ai: 'google',
  vertex: 'google',
  bedrock: 'aws',
  aws: 'aws',
  azure: 'azure',
  mistral: 'mistral',
  mistralai: 'mistral',
  cohere: 'cohere',
  groq: 'groq',
  deepseek: 'deepseek',
  'deepseek-ai': 'deepseek',
  xai: 'x-ai',
  'x-ai': 'x-ai',
  perplexity: 'perplexity',
  moonshotai: 'moonshotai',
};

/** Forms of a model string to try, and the providers it hints at. */
export interface ModelNameForms {
  /** The trimmed string first, then normalised forms; no duplicates. */
  forms: string[];
  /** Provider spellings hinted by the string, most specific first. */
  hints: string[];
}

/** Computes the forms of `model` to try against match rules. */
export function modelNameForms(model: string): ModelNameForms {
  const forms: string[] = [];
  const hints: string[] = [];
  const add = (s: string) => {
    if (s.length > 0 && !forms.includes(s)) forms.push(s);
  };
  let s = model.trim();
  add(s);

  const arn = ARN.exec(s);
  if (arn) {
    hints.push('aws');
    s = arn[1];
    add(s);
  }

  const resource = RESOURCE_PATH.exec(s);
  if (resource) {
    const publisher = PUBLISHER.exec(s);
    if (publisher) hints.push(PREFIX_PROVIDERS[publisher[1].toLowerCase()] ?? publisher[1].toLowerCase());
    else if (s.startsWith('models/')) hints.push('google');
    s = resource[1];
    add(s);
  } else {
    const slash = s.indexOf('/');
    if (slash > 0) {
      const prefix = PREFIX_PROVIDERS[s.slice(0, slash).toLowerCase()];
      if (prefix !== undefined) {
        hints.push(prefix);
        s = s.slice(slash + 1);
        add(s);
      }
    }
  }

  if (s.includes('@')) {
    s = s.replace('@', '-');
    add(s);
  }

  const bedrock = BEDROCK.exec(s);
  if (bedrock) {
    hints.push('aws');
    const withoutRegion = `${bedrock[1]}.${bedrock[2]}`;
    add(withoutRegion);
    const core = bedrock[2].replace(BEDROCK_VERSION, '');
    add(`${bedrock[1]}.${core}`);
    s = core;
    add(s);
  }

  // Azure OpenAI spells GPT-3.5 models without the dot (`gpt-35-turbo-instruct`).
  if (s.startsWith('gpt-35-')) {
    s = `gpt-3.5-${s.slice(7)}`;
    add(s);
  }

  // `claude-3-5-sonnet-latest` is the newest claude-3-5-sonnet; `gemini-pro-latest` is not
  // `gemini-pro` (Gemini 1.0 Pro): a family alias without a version keeps its suffix.
  if (LATEST.test(s) && /\d/.test(s.replace(LATEST, ''))) add(s.replace(LATEST, ''));
  const compact = DATE_COMPACT.exec(s);
  if (compact) {
    add(`${s.slice(0, compact.index)}-${compact[1]}-${compact[2]}-${compact[3]}`);
    add(s.slice(0, compact.index));
  } else {
    const dashed = DATE_DASHED.exec(s);
    if (dashed) {
      add(`${s.slice(0, dashed.index)}-${dashed[1]}${dashed[2]}${dashed[3]}`);
      add(s.slice(0, dashed.index));
    }
  }
  return { forms, hints };
}
