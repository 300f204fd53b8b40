import { countTokens } from '@tokenomics/tokens/token-count';
import type { Reply } from './reply';

/** A function call the emulated model makes, and the argument text it streams. */
export interface ToolCallPlan {
  /** Name of the tool called. */
  name: string;
  /** The call's arguments as JSON text. */
  arguments: string;
  /** The arguments in the pieces they are streamed as: concatenated, exactly {@link arguments}. */
  pieces: string[];
  /** The arguments as an object (for APIs that send an object, not text). */
  input: Record<string, string>;
  /** Output tokens of the argument text. */
  tokens: number;
}

/** A tool definition reduced to what the emulator needs: its name and JSON-schema parameters. */
export interface ToolDefinition {
  name: string;
  parameters: unknown;
}

/**
 * The call to `tool`: one string argument, the tool's first declared parameter (or `input`),
 * holding the reply text. Streamed as `{"name":"`, then the reply's pieces escaped for JSON, then
 * `"}`, so the pieces follow the reply's tokens.
 */
export function planToolCall(tool: ToolDefinition, reply: Reply, model: string | undefined): ToolCallPlan {
  const properties = (tool.parameters as { properties?: unknown } | null | undefined)?.properties;
  const names = properties && typeof properties === 'object' ? Object.keys(properties) : [];
  const parameter = names.length > 0 ? names[0] : 'input';
  const pieces = [`{${JSON.stringify(parameter)}:"`, ...reply.pieces.map((piece) => JSON.stringify(piece).slice(1, -1)), '"}'];
  const text = pieces.join('');
  return { name: tool.name, arguments: text, pieces, input: { [parameter]: reply.text }, tokens: countTokens(text, model).tokens };
}

/**
 * The tool a request forces, if any: `choice` names one of `tools` (`named`), or asks for any tool
 * (`any`, then the first tool is called).
 */
export function forcedTool(tools: ToolDefinition[], choice: { any: boolean; named?: string | undefined }): ToolDefinition | undefined {
  if (tools.length === 0) return undefined;
  if (choice.named !== undefined) return tools.find((tool) => tool.name === choice.named);
  return choice.any ? tools[0] : undefined;
}
