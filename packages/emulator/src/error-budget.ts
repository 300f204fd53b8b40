import { hashText } from './seeded-random';

const MAX_TRACKED = 10_000;

/**
 * Counts how often an `error` directive has been answered for an identical request, so
 * `error_times=N` fails the first N attempts (retries resend the same body) and then succeeds.
 */
export class ErrorBudget {
  private readonly served = new Map<string, number>();

  /**
   * `true` when this request should get the error answer.
   * @param key - identity of the request (method, path and raw body).
   * @param times - the `error_times` directive; without it every request errors.
   */
  take(key: string, times: number | undefined): boolean {
    if (times === undefined) return true;
    const id = `${hashText(key)}:${key.length}`;
    const count = this.served.get(id) ?? 0;
    if (count >= times) return false;
    if (this.served.size >= MAX_TRACKED) this.served.clear();
    this.served.set(id, count + 1);
    return true;
  }
}
