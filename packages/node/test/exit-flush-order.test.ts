import { describe, expect, it } from 'vitest';
import { settleThenBoundedFlush } from '../src/exit-flush';

describe('exit flush after the calls waiting for an estimate', () => {
  it('starts the export bound only when the estimates have settled, so a slow estimate does not cost the export its time', async () => {
    const order: string[] = [];
    let timedOut = false;
    let releaseSettle!: () => void;
    const settled = new Promise<void>((resolve) => (releaseSettle = resolve));
    const done = settleThenBoundedFlush(
      async () => {
        order.push('settle started');
        await settled;
        order.push('settle done');
      },
      async () => {
        order.push('flush');
      },
      50,
      false,
      () => (timedOut = true),
    );
    // Longer than the export bound: with one bound for both, the export would have been given up.
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(order).toEqual(['settle started']);
    releaseSettle();
    await done;
    expect(order).toEqual(['settle started', 'settle done', 'flush']);
    expect(timedOut).toBe(false);
  });

  it('flushes even when settling fails, and never rejects', async () => {
    const order: string[] = [];
    await settleThenBoundedFlush(
      () => {
        throw new Error('settle failed');
      },
      async () => {
        order.push('flush');
      },
      1_000,
      false,
    );
    expect(order).toEqual(['flush']);
  });

  it('still bounds a flush that never settles', async () => {
    let timedOut = false;
    await settleThenBoundedFlush(
      async () => {},
      () => new Promise<void>(() => {}),
      20,
      false,
      () => (timedOut = true),
    );
    expect(timedOut).toBe(true);
  });
});
