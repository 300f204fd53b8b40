/**
 * Dated model ids the Anthropic API reports for its aliases.
 */
const SNAPSHOTS: Readonly<Record<string, string>> = {
  'claude-3-5-sonnet-latest': 'claude-3-5-sonnet-20241022',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku-20241022',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet-20250219',
  'claude-3-opus-latest': 'claude-3-opus-20240229',
  'claude-sonnet-4-0': 'claude-sonnet-4-20250514',
  'claude-opus-4-0': 'claude-opus-4-20250514',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
};

/** The model id the API answers with: the dated id for an alias, else the name as sent. */
export function anthropicResponseModel(requested: string): string {
  return Object.hasOwn(SNAPSHOTS, requested) ? SNAPSHOTS[requested] : requested;
}
