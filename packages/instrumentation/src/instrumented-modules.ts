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
  'ollama',
  'groq-sdk',
  'together-ai',
  // The Vercel AI SDK: its provider packages call the APIs over fetch, so the SDK itself is patched.
  'ai',
  // LangChain.js and LangGraph: the entry points that load the runnable and language-model classes
  // (their model calls are recorded by the openai and Anthropic client instrumentations).
  '@langchain/core/runnables',
  '@langchain/core/language_models/chat_models',
  '@langchain/core/language_models/llms',
  '@langchain/langgraph',
  // The OpenAI Agents SDK's runtime, loaded by @openai/agents.
  '@openai/agents-core',
]);
