import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { PropertyTelemetry } from './telemetry';

/** Generated cases per client: `TOKENOMICS_PROPERTY_RUNS`, default 10,000 (what CI runs). */
export const RUNS = positiveInt(process.env.TOKENOMICS_PROPERTY_RUNS) ?? 10_000;

/** Generated cases for each older supported major of a client: `TOKENOMICS_PROPERTY_OLDER_RUNS`, default 1,000. */
export const OLDER_RUNS = positiveInt(process.env.TOKENOMICS_PROPERTY_OLDER_RUNS) ?? 1_000;

/** The fixed seed of every property: `TOKENOMICS_PROPERTY_SEED` replays another one. */
export const SEED =
  Number.isSafeInteger(Number(process.env.TOKENOMICS_PROPERTY_SEED)) && process.env.TOKENOMICS_PROPERTY_SEED
    ? Number(process.env.TOKENOMICS_PROPERTY_SEED)
    : 20_261_206;

/** `TOKENOMICS_PROPERTY_PATH` (with the seed printed on failure) replays one counterexample. */
export const PATH = process.env.TOKENOMICS_PROPERTY_PATH || undefined;

/** `TOKENOMICS_PROPERTY_KNOWN_DEFECTS=1` runs the properties gated on known defects instead of skipping them. */
export const RUN_KNOWN_DEFECTS = process.env.TOKENOMICS_PROPERTY_KNOWN_DEFECTS === '1';

function positiveInt(text: string | undefined): number | undefined {
  const n = Number(text);
  return text && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** What escaped to the process: uncaught exceptions and unhandled rejections since start-up. */
export const processFaults = { uncaught: 0, unhandled: 0, last: undefined as unknown };
process.on('uncaughtException', (err) => {
  processFaults.uncaught++;
  processFaults.last = err;
});
process.on('unhandledRejection', (reason) => {
  processFaults.unhandled++;
  processFaults.last = reason;
});

/** A JSON copy of `value`: what an app could observe of it as data. */
export function snapshot(value: unknown): unknown {
  if (value === undefined) return { undefined: true };
  try {
    const text = JSON.stringify(value, (_key, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? { bytes: Buffer.from(v).toString('utf8') } : v,
    );
    return text === undefined ? { unserialisable: typeof value } : JSON.parse(text);
  } catch (err) {
    return { unserialisable: String(err) };
  }
}

/** What the app sees of a thrown value: its class, name and message. */
export function describeError(err: unknown): unknown {
  if (err && typeof err === 'object') {
    const e = err as { constructor?: { name?: unknown }; name?: unknown; message?: unknown; status?: unknown };
    return {
      thrown: 'object',
      class: typeof e.constructor?.name === 'string' ? e.constructor.name : null,
      name: typeof e.name === 'string' ? e.name : null,
      message: typeof e.message === 'string' ? e.message : null,
      status: typeof e.status === 'number' ? e.status : null,
    };
  }
  return { thrown: typeof err, value: String(err) };
}

/** Lets callbacks scheduled by the call (stream end handlers, promise reactions) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/** Runs `app` with the console captured: what the client libraries print is part of what the app's user sees. */
async function withConsoleCaptured(run: () => Promise<unknown>): Promise<unknown> {
  const printed: string[] = [];
  const saved = CONSOLE_METHODS.map((m) => console[m]);
  for (const m of CONSOLE_METHODS) {
    console[m] = (...args: unknown[]) => {
      printed.push(`${m}: ${args.map((a) => (typeof a === 'string' ? a : describeOrString(a))).join(' ')}`);
    };
  }
  try {
    const seen = await run();
    return printed.length === 0 ? seen : { seen, printed };
  } finally {
    CONSOLE_METHODS.forEach((m, i) => (console[m] = saved[i]));
  }
}

function describeOrString(value: unknown): string {
  return value instanceof Error ? JSON.stringify(describeError(value)) : JSON.stringify(snapshot(value));
}

/** Runs `app` without and then with the hook, on the same case, and lists every difference and problem. */
export async function compareWithAndWithoutHook<C>(telemetry: PropertyTelemetry, app: (c: C) => Promise<unknown>, c: C): Promise<string[]> {
  const faultsBefore = processFaults.uncaught + processFaults.unhandled;
  // What the libraries print a moment after the call (a stream's end) belongs to that run too.
  const run = async () => {
    const seen = await app(c);
    await settle();
    return seen;
  };
  telemetry.disable();
  const without = await withConsoleCaptured(run);
  telemetry.enable();
  const withHook = await withConsoleCaptured(run);
  await telemetry.spansEnded();
  const problems: string[] = [];
  if (!isDeepStrictEqual(without, withHook)) {
    problems.push(`the app saw something else with the hook:\n without: ${JSON.stringify(without)}\n with:    ${JSON.stringify(withHook)}`);
  }
  problems.push(...(await telemetry.problems()));
  const faults = processFaults.uncaught + processFaults.unhandled;
  if (faults !== faultsBefore) problems.push(`uncaught error in the process: ${String(processFaults.last)}`);
  return problems;
}

/**
 * Asserts that every generated case leaves the app's view unchanged by the hook and exports only
 * finite non-negative numbers, with the fixed seed; the failure message carries the seed and path
 * to replay it.
 */
export async function assertHookInvisible<C>(
  telemetry: PropertyTelemetry,
  cases: fc.Arbitrary<C>,
  app: (c: C) => Promise<unknown>,
  numRuns = RUNS,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(cases, async (c) => {
      const problems = await compareWithAndWithoutHook(telemetry, app, c);
      if (problems.length > 0) throw new Error(problems.join('\n'));
    }),
    { numRuns, seed: SEED, ...(PATH === undefined ? {} : { path: PATH }) },
  );
}

/**
 * A class of generated cases that fails because of a defect the hook still has. The green property
 * leaves these cases out; a gated property drives only them, run with
 * `TOKENOMICS_PROPERTY_KNOWN_DEFECTS=1`, so it can be switched on as soon as the fix lands.
 */
export interface KnownDefect<C> {
  /** What goes wrong, as the test name says it. */
  title: string;
  /** The minimal counterexample fast-check shrank to, for the report. */
  counterexample: string;
  /** True for the cases of this class. */
  applies(c: C): boolean;
}

/** The generated cases outside every known defect's class. */
export function outside<C>(cases: fc.Arbitrary<C>, defects: Array<KnownDefect<C>>): fc.Arbitrary<C> {
  return defects.length === 0 ? cases : cases.filter((c) => !defects.some((d) => d.applies(c)));
}

/** One client release of a property suite: the case count and whether its known defects are gated here. */
export interface PropertyRelease {
  runs: number;
  current: boolean;
}

/**
 * The property of one client release (every generated case outside the known defects leaves the
 * app's view unchanged and exports only finite non-negative numbers, with more than half the cases
 * recording a span), and, for the current release, one gated test per known defect.
 */
export function hookInvisibleTests<C>(options: {
  telemetry: () => PropertyTelemetry;
  title: string;
  cases: fc.Arbitrary<C>;
  knownDefects: Array<KnownDefect<C>>;
  app: (c: C) => Promise<unknown>;
  release: PropertyRelease;
}): void {
  const { telemetry, cases, knownDefects, app, release } = options;
  it(`${options.title} look the same to the app with the hook, and export only finite non-negative numbers (${release.runs} cases)`, async () => {
    const spansBefore = telemetry().spansSeen;
    await assertHookInvisible(telemetry(), outside(cases, knownDefects), app, release.runs);
    expect(telemetry().spansSeen - spansBefore).toBeGreaterThan(release.runs / 2);
  }, 600_000);

  for (const defect of release.current ? knownDefects : []) {
    (RUN_KNOWN_DEFECTS ? it : it.skip)(
      `known defect, gated until fixed: ${defect.title} (counterexample: ${defect.counterexample})`,
      async () => {
        await assertHookInvisible(telemetry(), cases.filter(defect.applies), app, Math.min(RUNS, 500));
      },
      600_000,
    );
  }
}

/** One {@link PropertyTelemetry} for the enclosing `describe` block: made before its tests, shut down after. */
export function usePropertyTelemetry(): () => PropertyTelemetry {
  let telemetry: PropertyTelemetry | undefined;
  beforeAll(() => {
    telemetry = new PropertyTelemetry();
  });
  afterAll(async () => {
    await telemetry?.shutdown();
  });
  return () => {
    if (!telemetry) throw new Error('property telemetry is used outside its describe block');
    return telemetry;
  };
}
