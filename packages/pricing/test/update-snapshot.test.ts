import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PriceBook } from '../src/price-book';

const SCRIPT = resolve(__dirname, '..', 'scripts', 'update-snapshot.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tokenomics-snapshot-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A package laid out like the published one: the provider list is a literal in dist/index.cjs. */
function fakePackage(version: string): string {
  const pkg = join(dir, `pkg-${version}`);
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@pydantic/genai-prices', version, license: 'MIT' }));
  writeFileSync(join(pkg, 'LICENSE'), 'The MIT License (MIT)\n');
  writeFileSync(
    join(pkg, 'dist', 'index.cjs'),
    '"use strict";const Q=[{id:"acme",name:"Acme",api_pattern:"x",description:"long text",' +
      'models:[{id:"acme-1",name:"Acme 1",description:"dropped",match:{starts_with:"acme-1"},context_window:8e3,prices:{input_mtok:1.5,output_mtok:6}}]}];' +
      'function f(){return Q}exports.f=f;',
  );
  return pkg;
}

describe('update-snapshot script', () => {
  it('converts the package data into a compact snapshot with the source version', () => {
    const out = join(dir, 'out');
    mkdirSync(out);
    const stdout = execFileSync(process.execPath, [SCRIPT, '--from', fakePackage('9.9.9'), '--out', out], { encoding: 'utf8' });
    expect(stdout.trim()).toBe('wrote @pydantic/genai-prices@9.9.9: 1 providers, 1 models');
    const snapshot = JSON.parse(readFileSync(join(out, 'genai-prices.json'), 'utf8'));
    expect(snapshot).toEqual({
      format: 'tokenomics-prices/1',
      source: expect.objectContaining({ name: '@pydantic/genai-prices', version: '9.9.9', license: 'MIT' }),
      providers: [
        {
          id: 'acme',
          name: 'Acme',
          models: [
            {
              id: 'acme-1',
              name: 'Acme 1',
              match: { starts_with: 'acme-1' },
              context_window: 8000,
              prices: { input_mtok: 1.5, output_mtok: 6 },
            },
          ],
        },
      ],
    });
    expect(readFileSync(join(out, 'genai-prices.LICENSE'), 'utf8')).toBe('The MIT License (MIT)\n');
    const book = PriceBook.load({ pricesFile: join(out, 'genai-prices.json') });
    expect(book.version).toMatch(/^genai-prices@9\.9\.9\+supplement\./);
    expect(book.price({ inputTokens: 1_000_000 }, { model: 'acme-1-0613' })).toMatchObject({ priced: true, amount: 1.5, provider: 'acme' });
  });
});
