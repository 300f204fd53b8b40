import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The AI SDK releases under test are installed in the end-to-end test package under aliases
 * (`ai-v5`, `@ai-sdk/openai-v2`, ...). Each alias links the real package directory (`.../ai`), so a
 * `require` through Node's real loader is seen by the instrumentation's module hook as `ai`.
 */
const fromE2E = createRequire(join(__dirname, '..', '..', '..', '..', 'test', 'package.json'));

/** An `ai` major and the provider package majors of its generation. */
export interface AISdkGeneration {
  ai: 5 | 6 | 7;
  openai: number;
  anthropic: number;
  google: number;
  bedrock: number;
  compatible: number;
  /** Oldest Node.js major the generation runs on. */
  node: number;
}

export const GENERATIONS: readonly AISdkGeneration[] = [
  { ai: 5, openai: 2, anthropic: 2, google: 2, bedrock: 3, compatible: 1, node: 20 },
  { ai: 6, openai: 3, anthropic: 3, google: 3, bedrock: 4, compatible: 2, node: 20 },
  { ai: 7, openai: 4, anthropic: 4, google: 4, bedrock: 5, compatible: 3, node: 22 },
];

/** The modules of one generation, loaded by `require` (ai 7 is ES modules only: loaded with require(esm)). */
export function loadGeneration(g: AISdkGeneration): {
  ai: any;
  openai: any;
  anthropic: any;
  google: any;
  bedrock: any;
  compatible: any;
  z: any;
} {
  return {
    ai: fromE2E(`ai-v${g.ai}`),
    openai: fromE2E(`@ai-sdk/openai-v${g.openai}`),
    anthropic: fromE2E(`@ai-sdk/anthropic-v${g.anthropic}`),
    google: fromE2E(`@ai-sdk/google-v${g.google}`),
    bedrock: fromE2E(`@ai-sdk/amazon-bedrock-v${g.bedrock}`),
    compatible: fromE2E(`@ai-sdk/openai-compatible-v${g.compatible}`),
    z: fromE2E('zod'),
  };
}

/** `@ai-sdk/otel`, the OpenTelemetry integration of ai 7 (Node.js 22 and later; ES modules, loaded with require(esm)). */
export function loadOtelIntegration(): { OpenTelemetry: any; LegacyOpenTelemetry: any } {
  return fromE2E('@ai-sdk/otel-v1');
}

/** The running Node.js major. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
