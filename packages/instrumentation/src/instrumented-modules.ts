/**
 * The packages the Tokenomics instrumentations patch. The ESM loader hook wraps only these
 * modules, so the rest of an app's ES modules load untouched.
 */
export const INSTRUMENTED_MODULES: readonly string[] = Object.freeze([
  'openai',
  '@anthropic-ai/sdk',
  // Loaded on its own by the Bedrock and Vertex platform SDKs of Anthropic.
  '@anthropic-ai/sdk/resources/index',
  '@anthropic-ai/sdk/resources/index.js',
  '@anthropic-ai/sdk/resources/index.mjs',
  '@google/genai',
  '@aws-sdk/client-bedrock-runtime',
  '@mistralai/mistralai',
  'cohere-ai',
  'groq-sdk',
  'together-ai',
  // The Vercel AI SDK: its provider packages call the APIs over fetch, so the SDK itself is patched.
  'ai',
]);
