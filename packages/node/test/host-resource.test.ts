import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('./fixtures/host-resource.cjs', import.meta.url));

describe('host attributes of the resource', () => {
  it("are those of @opentelemetry/resources' host detector, read without starting the ES module loader's export scanner", () => {
    const out = JSON.parse(execFileSync(process.execPath, [APP], { encoding: 'utf8' }).trim()) as {
      ours: Record<string, unknown>;
      theirs: Record<string, unknown>;
      keys: string[];
      scannerStarted: boolean;
      scannerAfterDetector: boolean;
    };
    expect(out.ours).toEqual(out.theirs);
    expect(out.keys.slice(0, 2)).toEqual(['host.name', 'host.arch']);
    expect(out.scannerStarted).toBe(false);
    // The detector itself does start it: what the test above proves is avoided.
    expect(out.scannerAfterDetector).toBe(true);
  });
});
