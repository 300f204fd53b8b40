/** Environment variables as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Removes what may be a secret from a value before it is shown in a message: the user-info of
 * URLs (`http://user:pass@host` -> `http://REDACTED@host`), anything up to an `@` in other words
 * (`user:pass@host`), and query strings and fragments (`?api_key=...` -> `?REDACTED`).
 */
export function redactSecrets(text: string): string {
  return text
    .split(/([\s,;]+)/)
    .map((word, i) => (i % 2 === 1 ? word : redactWord(word)))
    .join('');
}

function redactWord(word: string): string {
  let out = word;
  const query = out.search(/[?#]/);
  if (query >= 0) out = `${out.slice(0, query)}${out[query]}REDACTED`;
  const at = out.lastIndexOf('@');
  if (at >= 0) {
    const scheme = out.indexOf('://');
    const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    out = `${out.slice(0, start)}REDACTED${out.slice(at)}`;
  }
  return out;
}

/**
 * A URL-valued variable shown in a message: like {@link redactSecrets}, and everything before the
 * last `@` of the whole value is hidden (a password may hold spaces or commas).
 */
export function redactUrl(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 0) return redactSecrets(value);
  const scheme = value.indexOf('://');
  const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
  return redactSecrets(`${value.slice(0, start)}REDACTED${value.slice(at)}`);
}

/** Escapes line breaks so one problem stays one line. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : '?'));
}

/**
 * Reads typed values from environment variables and collects every problem instead of throwing at
 * the first, so one start-up error can list them all. An unset or blank variable is "not set".
 */
export class EnvReader {
  /** Problems found so far, one line each. */
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /**
   * Records a problem: `NAME=value: reason; accepted: ...`. The value and the reason pass through
   * {@link redactSecrets} (credentials in URLs, query strings), and the line is kept to one line.
   */
  problem(name: string, value: string | undefined, reason: string, accepted: string): void {
    const subject = value === undefined ? name : `${name}=${oneLine(redactSecrets(value))}`;
    const line = `${subject}: ${oneLine(redactSecrets(reason))}; accepted: ${accepted}`;
    // Variables shared by both signals (OTEL_EXPORTER_OTLP_*) are read twice; report them once.
    if (!this.problems.includes(line)) this.problems.push(line);
  }

  /** The trimmed value, or `undefined` when unset or blank. */
  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  /** Whether the variable is set to something other than blanks. */
  isSet(name: string): boolean {
    return this.string(name) !== undefined;
  }

  /** `true` / `false`, case-insensitive. */
  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    this.problem(name, value, 'not a boolean', 'true, false');
    return undefined;
  }

  /** One of `accepted`, case-insensitive; returned in the spelling of `accepted`. */
  oneOf<T extends string>(name: string, accepted: readonly T[], what = 'value'): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const match = accepted.find((a) => a.toLowerCase() === value.toLowerCase());
    if (match === undefined) this.problem(name, value, `unknown ${what}`, accepted.join(', '));
    return match;
  }

  /**
   * A comma-separated list of `accepted` names (case-insensitive, duplicates dropped). `none` (when
   * accepted) must stand alone. `undefined` when unset or when any entry is wrong.
   */
  names<T extends string>(name: string, accepted: readonly T[], what: string): T[] | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const entries = value
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    const out: T[] = [];
    let ok = true;
    for (const entry of entries) {
      const match = accepted.find((a) => a.toLowerCase() === entry.toLowerCase());
      if (match === undefined) {
        ok = false;
        this.problem(name, value, entries.length === 1 ? `unknown ${what}` : `unknown ${what} "${entry}"`, accepted.join(', '));
      } else if (!out.includes(match)) {
        out.push(match);
      }
    }
    if (ok && out.length > 1 && out.includes('none' as T)) {
      ok = false;
      this.problem(name, value, `"none" cannot be combined with other ${what}s`, `${accepted.join(', ')} (none alone)`);
    }
    return ok ? out : undefined;
  }

  /** A comma-separated list of words matching `pattern`. */
  words(name: string, pattern: RegExp, accepted: string): string[] | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const entries = value
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '');
    const bad = entries.filter((e) => !pattern.test(e));
    if (bad.length > 0) {
      this.problem(name, value, `invalid ${bad.map((b) => `"${b}"`).join(', ')}`, accepted);
      return undefined;
    }
    return [...new Set(entries)];
  }

  /** A whole number in `[min, max]`. */
  integer(name: string, min: number, max: number, accepted: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^[+]?\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.problem(name, value, 'not accepted', accepted);
      return undefined;
    }
    return n;
  }

  /** An absolute http:// or https:// URL. */
  httpUrl(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
      this.problem(name, redactUrl(value), 'not an http(s) URL', 'an absolute http:// or https:// URL, e.g. http://localhost:4318');
      return undefined;
    }
    return value;
  }

  /**
   * `key1=value1,key2=value2` with percent-encoded keys and values (W3C Baggage style, as the
   * OpenTelemetry specification uses for `OTEL_RESOURCE_ATTRIBUTES` and `OTEL_EXPORTER_OTLP_HEADERS`).
   * With `secret`, problems name the entry's position but never echo the value.
   */
  keyValues(name: string, secret: boolean): Record<string, string> | undefined {
    const raw = this.env[name];
    const value = raw?.trim();
    if (!value) return undefined;
    const out: Record<string, string> = {};
    const entries = value.split(',');
    const accepted = 'comma-separated key=value pairs with percent-encoded values, e.g. key1=value1,key2=value%202';
    let ok = true;
    entries.forEach((entry, i) => {
      if (entry.trim() === '') return;
      const at = entry.indexOf('=');
      const where = secret ? `entry ${i + 1} of ${entries.length}` : `"${entry.trim()}"`;
      if (at <= 0) {
        ok = false;
        this.problem(secret ? `${name} (value not shown)` : name, secret ? undefined : value, `${where} is not key=value`, accepted);
        return;
      }
      try {
        const key = decodeURIComponent(entry.slice(0, at).trim());
        if (!key) throw new Error('empty key');
        out[key] = decodeURIComponent(entry.slice(at + 1).trim());
      } catch {
        ok = false;
        this.problem(
          secret ? `${name} (value not shown)` : name,
          secret ? undefined : value,
          `${where} has a bad percent-encoding`,
          accepted,
        );
      }
    });
    return ok ? out : undefined;
  }
}
