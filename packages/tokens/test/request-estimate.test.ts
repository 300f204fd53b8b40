import { describe, expect, it } from 'vitest';
import { estimateRequestTokens } from '../src/index';

// Text counts used below, derived once with tiktoken directly (o200k_base = cl100k_base for
// these strings): 'Hello, world!' 4, 'The cat sat.' 4, 'Goodbye.' 3, 'Be brief.' 3, 'Hello' 1.
describe('estimateRequestTokens', () => {
  it('counts a chat request with the chat accounting and the request model', () => {
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, world!' }] };
    expect(estimateRequestTokens(request)).toEqual({ tokens: 11, exact: true, encoding: 'o200k_base' });
  });

  it('lets the model argument override the request model', () => {
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Grüße aus München — 東京へようこそ!' }] };
    // 3 + 'user'(1) + text (o200k_base 12 / cl100k_base 16) + 3
    expect(estimateRequestTokens(request).tokens).toBe(19);
    expect(estimateRequestTokens(request, 'gpt-4')).toEqual({ tokens: 23, exact: true, encoding: 'cl100k_base' });
  });

  it('counts a top-level system prompt as a leading system message', () => {
    const request = {
      model: 'claude-sonnet-4-20250514',
      system: 'Be brief.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    };
    // (3 + 'system'(1) + 3) + (3 + 'user'(1) + 1) + 3 = 15, a heuristic for Claude
    expect(estimateRequestTokens(request)).toEqual({ tokens: 15, exact: false, encoding: 'o200k_base' });
  });

  it('adds tool definitions as their JSON text and flags the estimate inexact', () => {
    const tools = [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }];
    const request = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello, world!' }], tools };
    // 11 for the message + 19 for '[{"type":"function","function":{"name":"search","parameters":{"type":"object"}}}]'
    expect(estimateRequestTokens(request)).toEqual({ tokens: 30, exact: false, encoding: 'o200k_base' });
  });

  it('counts a legacy prompt string without chat framing', () => {
    expect(estimateRequestTokens({ model: 'gpt-3.5-turbo-instruct', prompt: 'Hello, world!' })).toEqual({
      tokens: 4,
      exact: true,
      encoding: 'cl100k_base',
    });
  });

  it('sums the prompts of a batched legacy prompt array', () => {
    expect(estimateRequestTokens({ model: 'gpt-3.5-turbo-instruct', prompt: ['Hello, world!', 'Goodbye.'] }).tokens).toBe(7);
  });

  it('counts token-id prompts by their length', () => {
    expect(estimateRequestTokens({ model: 'davinci-002', prompt: [9906, 11, 1917, 0] }).tokens).toBe(4);
    expect(estimateRequestTokens({ model: 'davinci-002', prompt: [[9906, 11], [1917]] }).tokens).toBe(3);
  });

  it('counts an embeddings input string or string array', () => {
    expect(estimateRequestTokens({ model: 'text-embedding-3-small', input: 'Hello, world!' })).toEqual({
      tokens: 4,
      exact: true,
      encoding: 'cl100k_base',
    });
    expect(estimateRequestTokens({ model: 'text-embedding-3-small', input: ['Hello, world!', 'The cat sat.'] }).tokens).toBe(8);
  });

  it('uses the Responses accounting for item inputs and for inputs with instructions', () => {
    // (3 + 'system'(1) + 'Be brief.'(3)) + (3 + 'user'(1) + 'Hello, world!'(4)) + 3 = 18
    expect(estimateRequestTokens({ model: 'gpt-4.1', instructions: 'Be brief.', input: 'Hello, world!' }).tokens).toBe(18);
    // 3 + 'user'(1) + 'Hello, world!'(4) + 3 = 11
    expect(estimateRequestTokens({ model: 'gpt-4.1', input: [{ role: 'user', content: 'Hello, world!' }] }).tokens).toBe(11);
  });

  it('counts Gemini contents by the text of their parts as a heuristic', () => {
    const request = {
      contents: [{ role: 'user', parts: [{ text: 'Hello, world!' }, { text: 'The cat sat.' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
    };
    expect(estimateRequestTokens(request, 'gemini-2.0-flash')).toEqual({ tokens: 11, exact: false, encoding: 'o200k_base' });
  });

  it('rejects a body that is not an object, saying which shapes are accepted', () => {
    expect(() => estimateRequestTokens('Hello')).toThrow(/request must be a request body object with `messages` \(chat\)/);
  });

  it('rejects an object with none of the known fields, naming the fields it has', () => {
    expect(() => estimateRequestTokens({ model: 'gpt-4o', text: 'Hello' })).toThrow(/got fields \["model","text"\]/);
  });

  it('rejects a prompt array holding something other than strings or token ids', () => {
    expect(() => estimateRequestTokens({ prompt: ['ok', { text: 'no' }] })).toThrow(
      'prompt[1] must be a string or an array of token ids, got an object',
    );
  });
});
