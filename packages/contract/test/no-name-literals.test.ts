import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDER_NAMES } from '@tokenomics/contract';
import { nameLiterals } from './name-literals';

const ROOT = join(__dirname, '..', '..', '..');
const PREFIXES = ['gen_ai.', 'tokenomics.'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(?:ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function packageSources(): string[] {
  const packages = join(ROOT, 'packages');
  const files: string[] = [];
  for (const pkg of readdirSync(packages, { withFileTypes: true })) {
    // The emulator stands in for the providers in tests and emits no telemetry.
    if (!pkg.isDirectory() || pkg.name === 'contract' || pkg.name === 'emulator') continue;
    try {
      files.push(...sourceFiles(join(packages, pkg.name, 'src')));
    } catch {
      // a package without sources yet
    }
  }
  return files;
}

describe('telemetry names are spelled only in @tokenomics/contract', () => {
  it('finds names in code but not in comments, context keys or global symbols', () => {
    const source = [
      "// 'gen_ai.in_a_comment'",
      "/* 'tokenomics.in_a_block' */",
      "const a = 'gen_ai.usage.input_tokens';",
      'const b = `tokenomics.cost.${unit}`;',
      'const c = `x ${"gen_ai.system"} y`;',
      "const k = createContextKey('tokenomics.attribution');",
      "const s = Symbol.for('tokenomics.node.handle');",
      "const d = 'not.a.name';",
    ].join('\n');
    expect(nameLiterals('example.ts', source, PREFIXES)).toEqual([
      { file: 'example.ts', line: 3, text: 'gen_ai.usage.input_tokens', pairKey: false },
      { file: 'example.ts', line: 4, text: 'tokenomics.cost.', pairKey: false },
      { file: 'example.ts', line: 5, text: 'gen_ai.system', pairKey: false },
    ]);
  });

  it('no package source outside packages/contract spells a gen_ai. or tokenomics. name', () => {
    const found: string[] = [];
    for (const file of packageSources()) {
      for (const literal of nameLiterals(file, readFileSync(file, 'utf8'), PREFIXES)) {
        found.push(`${relative(ROOT, literal.file)}:${literal.line} '${literal.text}'`);
      }
    }
    expect(found).toEqual([]);
  });

  it('tells the key of a pair, a spelling being mapped, from a name used as a value', () => {
    const source = "const m = new Map([\n  ['together_ai', PROVIDER_TOGETHER_AI],\n  ['fireworks', 'fireworks_ai'],\n]);";
    expect(nameLiterals('example.ts', source, ['together_ai', 'fireworks_ai'])).toEqual([
      { file: 'example.ts', line: 2, text: 'together_ai', pairKey: true },
      { file: 'example.ts', line: 3, text: 'fireworks_ai', pairKey: false },
    ]);
  });

  it('no package source outside packages/contract spells a dotted or underscored provider name', () => {
    // Single-word names (`openai`, `groq`) are also module and host names, so only the
    // unmistakable ones are looked for: `gcp.gemini`, `aws.bedrock`, `mistral_ai`, ... The key of a
    // pair (`['together_ai', PROVIDER_TOGETHER_AI]`) is another table's spelling being mapped, so
    // it may coincide with a name; the name it maps to may not be spelled.
    const spelled = PROVIDER_NAMES.filter((name) => /[._]/.test(name));
    const found: string[] = [];
    for (const file of packageSources()) {
      for (const literal of nameLiterals(file, readFileSync(file, 'utf8'), spelled)) {
        if (spelled.includes(literal.text) && !literal.pairKey)
          found.push(`${relative(ROOT, literal.file)}:${literal.line} '${literal.text}'`);
      }
    }
    expect(found).toEqual([]);
  });
});
