import { describe, expect, it } from 'vitest';
import { countChatTokens, countResponsesInputTokens, type ChatMessageLike } from '../src/index';

// The example conversation from OpenAI's cookbook "How to count tokens with tiktoken".
// The cookbook (and the API's own usage) reports 129 prompt tokens for gpt-3.5-turbo / gpt-4,
// 124 for gpt-4o / gpt-4o-mini, and 127 for gpt-3.5-turbo-0301.
const COOKBOOK_MESSAGES: ChatMessageLike[] = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  {
    role: 'system',
    name: 'example_user',
    content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
  },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

describe('countChatTokens', () => {
  it('matches the cookbook counts for the cl100k_base chat models', () => {
    expect(countChatTokens(COOKBOOK_MESSAGES, 'gpt-4')).toEqual({ tokens: 129, exact: true, encoding: 'cl100k_base' });
    expect(countChatTokens(COOKBOOK_MESSAGES, 'gpt-3.5-turbo').tokens).toBe(129);
  });

  it('matches the cookbook counts for the o200k_base chat models', () => {
    expect(countChatTokens(COOKBOOK_MESSAGES, 'gpt-4o')).toEqual({ tokens: 124, exact: true, encoding: 'o200k_base' });
    expect(countChatTokens(COOKBOOK_MESSAGES, 'gpt-4o-mini').tokens).toBe(124);
  });

  it('uses 4 tokens per message and -1 per name for gpt-3.5-turbo-0301', () => {
    expect(countChatTokens(COOKBOOK_MESSAGES, 'gpt-3.5-turbo-0301').tokens).toBe(127);
  });

  it('adds 3 per message, the role, the content and 3 for reply priming', () => {
    // 3 + 'user'(1) + 'Hello, world!'(4) + 3 = 11
    expect(countChatTokens([{ role: 'user', content: 'Hello, world!' }], 'gpt-4o').tokens).toBe(11);
    // (3 + 'system'(1) + 'You are terse.'(4)) + (3 + 'user'(1) + 'What is 2+2?'(7)) + 3 = 22
    expect(
      countChatTokens(
        [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'What is 2+2?' },
        ],
        'gpt-4o',
      ).tokens,
    ).toBe(22);
  });

  it('adds the name and one more token per named message', () => {
    // 3 + 'user'(1) + 'Hello'(1) + 'alice'(1) + 1 + 3 = 10
    expect(countChatTokens([{ role: 'user', name: 'alice', content: 'Hello' }], 'gpt-4o').tokens).toBe(10);
  });

  it('counts text parts of array content like a string content', () => {
    const asParts = countChatTokens(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hello,' },
            { type: 'text', text: ' world!' },
          ],
        },
      ],
      'gpt-4o',
    );
    // 3 + 'user'(1) + 'Hello,'(2) + ' world!'(2) + 3 = 11, as for the string 'Hello, world!'
    expect(asParts).toEqual({ tokens: 11, exact: true, encoding: 'o200k_base' });
  });

  it('skips image parts and flags the count inexact', () => {
    const count = countChatTokens(
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe this image.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
      'gpt-4o',
    );
    // 3 + 'user'(1) + 'Describe this image.'(4) + 3 = 11
    expect(count).toEqual({ tokens: 11, exact: false, encoding: 'o200k_base' });
  });

  it('counts assistant tool calls by name and arguments and flags them inexact', () => {
    const count = countChatTokens(
      [
        { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'search', arguments: '{"q":"tokens"}' } }] },
        { role: 'tool', content: '42', tool_call_id: 'call_1' },
      ],
      'gpt-4o',
    );
    // (3 + 'assistant'(1) + 'search'(1) + '{"q":"tokens"}'(5)) + (3 + 'tool'(1) + '42'(1)) + 3 = 18
    expect(count).toEqual({ tokens: 18, exact: false, encoding: 'o200k_base' });
  });

  it('counts an empty conversation as the 3 reply-priming tokens', () => {
    expect(countChatTokens([], 'gpt-4o').tokens).toBe(3);
  });

  it('rejects a message without a role, naming its index and what is accepted', () => {
    expect(() => countChatTokens([{ content: 'hi' } as unknown as ChatMessageLike])).toThrow(
      "messages[0].role must be a string such as 'system', 'user' or 'assistant', got undefined undefined",
    );
  });

  it('rejects content that is neither string, null nor an array', () => {
    expect(() => countChatTokens([{ role: 'user', content: 5 as unknown as string }])).toThrow(
      'messages[0].content must be a string, null or an array of content parts, got number 5',
    );
  });
});

describe('countResponsesInputTokens', () => {
  it('counts a string input as one user message', () => {
    // 3 + 'user'(1) + 'Hello, world!'(4) + 3 = 11
    expect(countResponsesInputTokens('Hello, world!', undefined, 'gpt-4.1')).toEqual({ tokens: 11, exact: true, encoding: 'o200k_base' });
  });

  it('counts instructions as a leading system message', () => {
    // (3 + 'system'(1) + 'Be brief.'(3)) + (3 + 'user'(1) + 'Hello, world!'(4)) + 3 = 18
    expect(countResponsesInputTokens('Hello, world!', 'Be brief.', 'gpt-4.1').tokens).toBe(18);
  });

  it('counts message items with input_text and output_text parts', () => {
    const count = countResponsesInputTokens(
      [
        { role: 'user', content: [{ type: 'input_text', text: 'The cat sat.' }] },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Goodbye.' }] },
        { role: 'user', content: 'Hello' },
      ],
      null,
      'gpt-4o',
    );
    // (3+1+4) + (3+1+3) + (3+1+1) + 3 = 23
    expect(count).toEqual({ tokens: 23, exact: true, encoding: 'o200k_base' });
  });

  it('counts function calls and their outputs by their text and flags them inexact', () => {
    const count = countResponsesInputTokens(
      [
        { type: 'function_call', call_id: 'call_1', name: 'search', arguments: '{"q":"tokens"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '42' },
      ],
      undefined,
      'gpt-4o',
    );
    // (3 + 'search'(1) + '{"q":"tokens"}'(5)) + (3 + '42'(1)) + 3 = 16
    expect(count).toEqual({ tokens: 16, exact: false, encoding: 'o200k_base' });
  });

  it('rejects an input that is neither a string nor an array', () => {
    expect(() => countResponsesInputTokens({} as unknown as string)).toThrow(
      'input must be a string or an array of input items, got an object',
    );
  });
});
