/**
 * The packages the Tokenomics instrumentations patch. The ESM loader hook wraps only these
 * modules, so the rest of an app's ES modules load untouched.
 */
export const INSTRUMENTED_MODULES: readonly string[] = Object.freeze([
  'openai',
  '@anthropic-ai/sdk',
  '@google/genai',
  '@aws-sdk/client-bedrock-runtime',
]);
