/**
 * The most choices (OpenAI `n`) or candidates (Gemini `candidateCount`) a request can ask for is
 * 128; an index from a response at or above this bound is not believed.
 */
export const MAX_CHOICES = 128;

/**
 * Where the choice or candidate a response numbers `index` goes among the call's finish reasons or
 * texts: that index when it is a whole number under {@link MAX_CHOICES}, else its `position` in the
 * response. An index is untrusted data: taken as it is, 4294967294 would make an array of that
 * length, which the call's end then walks for minutes with the event loop blocked.
 */
export function choiceIndex(index: unknown, position: number): number {
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < MAX_CHOICES ? index : position;
}
