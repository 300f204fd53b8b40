import { describe, expect, it } from 'vitest';
import { encodingForModel, isEncodingName, resolveModelEncoding } from '../src/index';

describe('encodingForModel', () => {
  it.each([
    'gpt-4o',
    'gpt-4o-mini',
    'gpt-4o-mini-2024-07-18',
    'gpt-4.1',
    'gpt-4.1-nano-2025-04-14',
    'gpt-5',
    'gpt-5-mini',
    'o1',
    'o1-preview',
    'o3-mini',
    'o4-mini',
    'chatgpt-4o-latest',
    'gpt-oss-120b',
  ])('maps %s to o200k_base', (model) => {
    expect(encodingForModel(model)).toBe('o200k_base');
  });

  it.each([
    'gpt-4',
    'gpt-4-turbo',
    'gpt-4-0613',
    'gpt-3.5-turbo',
    'gpt-3.5-turbo-0125',
    'gpt-35-turbo',
    'text-embedding-3-small',
    'text-embedding-3-large',
    'text-embedding-ada-002',
  ])('maps %s to cl100k_base', (model) => {
    expect(encodingForModel(model)).toBe('cl100k_base');
  });

  it('maps the legacy completion models to their own encodings', () => {
    expect(encodingForModel('text-davinci-003')).toBe('p50k_base');
    expect(encodingForModel('text-davinci-edit-001')).toBe('p50k_edit');
    expect(encodingForModel('davinci')).toBe('r50k_base');
    expect(encodingForModel('davinci-002')).toBe('cl100k_base');
  });

  it('maps unknown models to o200k_base', () => {
    expect(encodingForModel('claude-sonnet-4-20250514')).toBe('o200k_base');
    expect(encodingForModel('some-new-model')).toBe('o200k_base');
  });
});

describe('resolveModelEncoding', () => {
  it('flags OpenAI models exact, including provider prefixes, fine-tunes and any letter case', () => {
    expect(resolveModelEncoding('openai/gpt-4o')).toEqual({ encoding: 'o200k_base', exact: true });
    expect(resolveModelEncoding('azure/gpt-35-turbo')).toEqual({ encoding: 'cl100k_base', exact: true });
    expect(resolveModelEncoding('ft:gpt-4o-mini-2024-07-18:acme::abc123')).toEqual({ encoding: 'o200k_base', exact: true });
    expect(resolveModelEncoding('ft:gpt-3.5-turbo-0125:acme::xyz')).toEqual({ encoding: 'cl100k_base', exact: true });
    expect(resolveModelEncoding('GPT-4o')).toEqual({ encoding: 'o200k_base', exact: true });
  });

  it.each([
    'claude-3-5-sonnet-20241022',
    'anthropic.claude-3-haiku-20240307-v1:0',
    'gemini-2.0-flash',
    'meta.llama3-70b-instruct-v1:0',
    'llama-3.1-8b-instant',
    'mistral-large-latest',
    'command-r-plus',
  ])('flags the non-OpenAI model %s as a heuristic in o200k_base', (model) => {
    expect(resolveModelEncoding(model)).toEqual({ encoding: 'o200k_base', exact: false });
  });

  it('does not mistake names that only start like an OpenAI model for one', () => {
    expect(resolveModelEncoding('o1x-custom')).toEqual({ encoding: 'o200k_base', exact: false });
    expect(resolveModelEncoding('gpt-40')).toEqual({ encoding: 'o200k_base', exact: false });
  });

  it('counts exactly in o200k_base when no model is given', () => {
    expect(resolveModelEncoding()).toEqual({ encoding: 'o200k_base', exact: true });
    expect(resolveModelEncoding('  ')).toEqual({ encoding: 'o200k_base', exact: true });
  });
});

describe('isEncodingName', () => {
  it('accepts the tiktoken encodings and rejects other names', () => {
    expect(isEncodingName('cl100k_base')).toBe(true);
    expect(isEncodingName('o200k_harmony')).toBe(false);
  });
});
