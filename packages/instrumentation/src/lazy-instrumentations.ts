import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { TokenomicsInstrumentationConfig } from './config';

type Create = (config: TokenomicsInstrumentationConfig) => Instrumentation;

// Each module is required when its instrumentation is first created, so an app that loads one
// client library does not carry the code of the others. (A `require` of a sibling module resolves
// in the built package; tests that import the sources create the instrumentations with
// `createInstrumentations()`.)
const OPENAI: Create = (c) => {
  const { OpenAIInstrumentation } = require('./openai/instrumentation') as typeof import('./openai/instrumentation');
  return new OpenAIInstrumentation(c);
};
const GOOGLE_GENAI: Create = (c) => {
  const { GoogleGenAIInstrumentation } = require('./google-genai/instrumentation') as typeof import('./google-genai/instrumentation');
  return new GoogleGenAIInstrumentation(c);
};
const BEDROCK: Create = (c) => {
  const { BedrockRuntimeInstrumentation } = require('./bedrock/instrumentation') as typeof import('./bedrock/instrumentation');
  return new BedrockRuntimeInstrumentation(c);
};
const ANTHROPIC: Create = (c) => {
  const { AnthropicInstrumentation } = require('./anthropic/instrumentation') as typeof import('./anthropic/instrumentation');
  return new AnthropicInstrumentation(c);
};
const MISTRAL: Create = (c) => {
  const { MistralInstrumentation } = require('./mistral/instrumentation') as typeof import('./mistral/instrumentation');
  return new MistralInstrumentation(c);
};
const COHERE: Create = (c) => {
  const { CohereInstrumentation } = require('./cohere/instrumentation') as typeof import('./cohere/instrumentation');
  return new CohereInstrumentation(c);
};
const OLLAMA: Create = (c) => {
  const { OllamaInstrumentation } = require('./ollama/instrumentation') as typeof import('./ollama/instrumentation');
  return new OllamaInstrumentation(c);
};
const GROQ: Create = (c) => {
  const { GroqInstrumentation } = require('./groq/instrumentation') as typeof import('./groq/instrumentation');
  return new GroqInstrumentation(c);
};
const TOGETHER: Create = (c) => {
  const { TogetherInstrumentation } = require('./together/instrumentation') as typeof import('./together/instrumentation');
  return new TogetherInstrumentation(c);
};
const AI_SDK: Create = (c) => {
  const { AISdkInstrumentation } = require('./ai-sdk/instrumentation') as typeof import('./ai-sdk/instrumentation');
  return new AISdkInstrumentation(c);
};
const LANGCHAIN: Create = (c) => {
  const { LangChainInstrumentation } = require('./langchain/instrumentation') as typeof import('./langchain/instrumentation');
  return new LangChainInstrumentation(c);
};
const OPENAI_AGENTS: Create = (c) => {
  const { OpenAIAgentsInstrumentation } = require('./openai-agents/instrumentation') as typeof import('./openai-agents/instrumentation');
  return new OpenAIAgentsInstrumentation(c);
};

/** Every instrumentation, in the order of `createInstrumentations()`. */
const ALL: readonly Create[] = [
  OPENAI,
  GOOGLE_GENAI,
  BEDROCK,
  ANTHROPIC,
  MISTRAL,
  COHERE,
  OLLAMA,
  GROQ,
  TOGETHER,
  AI_SDK,
  LANGCHAIN,
  OPENAI_AGENTS,
];

/** The package (`name` or `@scope/name`) each instrumentation patches modules of. */
const BY_PACKAGE: ReadonlyMap<string, Create> = new Map([
  ['openai', OPENAI],
  ['@google/genai', GOOGLE_GENAI],
  ['@aws-sdk/client-bedrock-runtime', BEDROCK],
  ['@anthropic-ai/sdk', ANTHROPIC],
  ['@mistralai/mistralai', MISTRAL],
  ['cohere-ai', COHERE],
  ['ollama', OLLAMA],
  ['groq-sdk', GROQ],
  ['together-ai', TOGETHER],
  ['ai', AI_SDK],
  ['@langchain/core', LANGCHAIN],
  ['@langchain/langgraph', LANGCHAIN],
  ['@openai/agents-core', OPENAI_AGENTS],
]);

/**
 * Creates the Tokenomics instrumentations one client library at a time, loading each one's code
 * only then: the register hook creates a library's instrumentation when the app first loads that
 * library, so an app carries the code of the libraries it uses and no other. Each instrumentation
 * is created at most once.
 */
export class InstrumentationLoader {
  private readonly created = new Set<Create>();

  constructor(private readonly config: TokenomicsInstrumentationConfig = {}) {}

  /**
   * The instrumentations not created yet that patch `packageName` (`openai`, `@langchain/core`, ...),
   * or every one not created yet when `packageName` is undefined; none for another package.
   */
  create(packageName?: string): Instrumentation[] {
    const wanted = packageName === undefined ? ALL : BY_PACKAGE.has(packageName) ? [BY_PACKAGE.get(packageName) as Create] : [];
    const out: Instrumentation[] = [];
    for (const create of wanted) {
      if (this.created.has(create)) continue;
      this.created.add(create);
      out.push(create(this.config));
    }
    return out;
  }

  /** Whether every instrumentation has been created. */
  get complete(): boolean {
    return this.created.size === ALL.length;
  }
}
