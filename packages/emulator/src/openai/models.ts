/**
 * Dated snapshots the OpenAI API reports in `model` when a request names an alias.
 */
const SNAPSHOTS: Readonly<Record<string, string>> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o-audio-preview': 'gpt-4o-audio-preview-2024-12-17',
  'gpt-4o-search-preview': 'gpt-4o-search-preview-2025-03-11',
  'gpt-4o-mini-search-preview': 'gpt-4o-mini-search-preview-2025-03-11',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
  o1: 'o1-2024-12-17',
  'o1-mini': 'o1-mini-2024-09-12',
  'o1-pro': 'o1-pro-2025-03-19',
  o3: 'o3-2025-04-16',
  'o3-mini': 'o3-mini-2025-01-31',
  'o3-pro': 'o3-pro-2025-06-10',
  'o4-mini': 'o4-mini-2025-04-16',
  'gpt-4-turbo': 'gpt-4-turbo-2024-04-09',
  'gpt-4': 'gpt-4-0613',
  'gpt-3.5-turbo': 'gpt-3.5-turbo-0125',
  'gpt-3.5-turbo-instruct': 'gpt-3.5-turbo-instruct:20230824-v2',
  'text-embedding-ada-002': 'text-embedding-ada-002-v2',
};

/** The model name the API answers with: the dated snapshot for an alias, else the name as sent. */
export function responseModel(requested: string): string {
  return Object.hasOwn(SNAPSHOTS, requested) ? SNAPSHOTS[requested] : requested;
}

/** Default embedding size of a model. */
export function embeddingDimensions(model: string): number {
  return model.startsWith('text-embedding-3-large') ? 3072 : 1536;
}
