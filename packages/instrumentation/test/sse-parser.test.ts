import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from '../src/genai/raw-sse-body';

/** The `data` of each event of `text`, fed to the parser in the given pieces. */
function parse(pieces: string[]): string[] {
  const out: string[] = [];
  const parser = new SseParser((data) => out.push(data));
  for (const piece of pieces) parser.feed(piece);
  parser.flush();
  return out;
}

/** Cuts `text` at the given offsets. */
function cut(text: string, offsets: number[]): string[] {
  const points = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b);
  const out: string[] = [];
  let last = 0;
  for (const p of points) {
    out.push(text.slice(last, p));
    last = p;
  }
  out.push(text.slice(last));
  return out;
}

describe('server-sent event parsing of raw bodies', () => {
  it('joins data lines, skips comments and other fields, and accepts LF, CRLF and CR line ends', () => {
    const text = ': keep-alive\nevent: message_start\ndata: {"a":1}\n\nid: 7\ndata: one\r\ndata: two\r\n\r\ndata:three\r\rdata: [DONE]\n\n';
    expect(parse([text])).toEqual(['{"a":1}', 'one\ntwo', 'three', '[DONE]']);
  });

  it('dispatches an event left without its closing blank line at the end', () => {
    expect(parse(['data: last'])).toEqual(['last']);
  });

  it('gives the same events however the body is cut into network reads', () => {
    const line = fc.constantFrom('\n', '\r\n', '\r');
    const event = fc.record({
      data: fc.array(
        fc.string({ unit: 'grapheme' }).filter((s) => !/[\r\n]/.test(s)),
        { minLength: 1, maxLength: 3 },
      ),
      end: line,
      comment: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (events, offsets) => {
        const text = events
          .map((e) => (e.comment ? `: note${e.end}` : '') + e.data.map((d) => `data: ${d}${e.end}`).join('') + e.end)
          .join('');
        const expected = events.map((e) => e.data.join('\n'));
        expect(parse([text])).toEqual(expected);
        expect(parse(cut(text, offsets))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
