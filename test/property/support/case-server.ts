/**
 * A local HTTP server on 127.0.0.1 that plays generated provider answers: an app tells it which
 * case comes next (`POST /__case/<n>`), and every other request gets that case's answer, written
 * in the generated pieces.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestFacts } from '../../../packages/instrumentation/test/property/support/app';
import type { RequestFacts, WireAnswer } from '../../../packages/instrumentation/test/property/support/wire';

/** Builds a case's answer for one request. */
export type AnswerFor = (request: RequestFacts) => WireAnswer;

export interface CaseServer {
  readonly url: string;
  /** The answers of the cases the next app run asks for, by case number. */
  play(answers: AnswerFor[]): void;
  /** Requests answered since the last {@link CaseServer.play}. */
  requests(): number;
  close(): Promise<void>;
}

export async function startCaseServer(): Promise<CaseServer> {
  let answers: AnswerFor[] = [];
  let current = -1;
  let served = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const control = /^\/__case\/(\d+)$/.exec(req.url ?? '');
      if (control) {
        current = Number(control[1]);
        res.writeHead(204).end();
        return;
      }
      served++;
      const build = answers[current];
      if (!build) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`no case ${current}`);
        return;
      }
      const answer = build(requestFacts({ body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => {});
      // A fixed date: the apps print the headers they get, and two runs must print the same.
      res.sendDate = false;
      res.setHeader('date', 'Sun, 06 Dec 2026 00:00:00 GMT');
      res.writeHead(answer.status, answer.headers);
      if (answer.status === 204 || answer.status === 304) {
        res.end();
        return;
      }
      for (const piece of answer.pieces) res.write(piece);
      res.end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    play(next) {
      answers = next;
      current = -1;
      served = 0;
    },
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
