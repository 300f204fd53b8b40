'use strict';
// What a small app does with an answer, and what it prints of it: the same reading as the
// in-process property suite (packages/instrumentation/test/property/support/app.ts).

function snapshot(value) {
  if (value === undefined) return { undefined: true };
  try {
    const text = JSON.stringify(value, (_key, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? { bytes: Buffer.from(v).toString('utf8') } : v,
    );
    return text === undefined ? { unserialisable: typeof value } : JSON.parse(text);
  } catch (err) {
    return { unserialisable: String(err) };
  }
}

function describeError(err) {
  if (err && typeof err === 'object') {
    return {
      thrown: 'object',
      class: err.constructor && typeof err.constructor.name === 'string' ? err.constructor.name : null,
      name: typeof err.name === 'string' ? err.name : null,
      message: typeof err.message === 'string' ? err.message : null,
      status: typeof err.status === 'number' ? err.status : null,
    };
  }
  return { thrown: typeof err, value: String(err) };
}

async function readValue(call, reading) {
  try {
    const p = call();
    if (reading === 'await' || reading === undefined) return { value: snapshot(await p) };
    if (reading === 'withResponse') {
      const { data, response } = await p.withResponse();
      return { value: snapshot(data), status: response.status };
    }
    const response = await p.asResponse();
    return { status: response.status, text: await response.text() };
  } catch (err) {
    return { error: describeError(err) };
  }
}

async function readStream(open, reading) {
  const controller = new AbortController();
  const chunks = [];
  try {
    const opened = open(controller.signal);
    if (reading.kind === 'asResponse') {
      const response = await opened.asResponse();
      return { status: response.status, text: await response.text() };
    }
    const stream = await opened;
    if (reading.kind === 'tee') {
      const [left, right] = stream.tee();
      for await (const chunk of left) chunks.push(snapshot(chunk));
      chunks.push('(second half)');
      for await (const chunk of right) chunks.push(snapshot(chunk));
      return { chunks, end: 'done' };
    }
    if (reading.kind === 'readableStream') {
      const reader = stream.toReadableStream().getReader();
      const decoder = new TextDecoder();
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(decoder.decode(r.value, { stream: true }));
      return { chunks, end: 'done' };
    }
    let i = 0;
    for await (const chunk of stream) {
      chunks.push(snapshot(chunk));
      if (reading.kind === 'break' && i === reading.at) return { chunks, end: 'break' };
      if (reading.kind === 'abort' && i === reading.at) controller.abort();
      i++;
    }
    return { chunks, end: 'done' };
  } catch (err) {
    return { chunks, error: describeError(err) };
  }
}

async function readHelper(open, final, reading) {
  const events = [];
  try {
    const helper = open();
    let i = 0;
    for await (const event of helper) {
      events.push(snapshot(event));
      if (reading.kind === 'break' && i === reading.at) return { events, end: 'break' };
      if (reading.kind === 'abort' && i === reading.at) helper.abort();
      i++;
    }
    return { events, end: 'done', final: snapshot(await final(helper)) };
  } catch (err) {
    return { events, error: describeError(err) };
  }
}

/**
 * Runs every case of the JSON file named on the command line against the case server in
 * `CASE_SERVER`, telling the server which case comes next, and prints one line per case.
 */
async function runCases(run) {
  const cases = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
  const server = process.env.CASE_SERVER;
  for (let i = 0; i < cases.length; i++) {
    const answer = await fetch(`${server}/__case/${i}`, { method: 'POST' });
    await answer.text();
    const seen = await run(cases[i], server);
    process.stdout.write(`${JSON.stringify({ case: i, seen })}\n`);
  }
}

module.exports = { snapshot, describeError, readHelper, readValue, readStream, runCases };
