import { countTokens } from '@tokenomics/tokens/token-count';
import { createServer } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import {
  DirectiveError,
  directivePairsInHeader,
  directivePairsInText,
  directivePairsRecord,
  parseDirectives,
  type Directives,
} from './directives';
import { anthropicApi } from './anthropic/api';
import { azureOpenAIApi } from './azure/api';
import { bedrockApi } from './bedrock/api';
import { cohereApi } from './cohere/api';
import { MISTRAL_PREFIX, mistralApi } from './mistral/api';
import { ollamaApi } from './ollama/api';
import { routeConnection } from './connection-router';
import { ErrorBudget } from './error-budget';
import { Exchange } from './exchange';
import { destroyResponse, type EmulatorRequest, type EmulatorResponse } from './http-types';
import { geminiApi, vertexApi } from './gemini/api';
import { hostsApi } from './hosts/api';
import { openaiApi } from './openai/api';
import { resolveOptions, type Emulator, type EmulatorOptions, type ResolvedOptions } from './options';
import { pause } from './pacing';
import { HttpError, type ProviderApi, type Route } from './provider-api';
import { REDACTED, redactHeaders, RequestLog } from './request-log';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

/**
 * Starts a wire-faithful LLM provider emulator: an HTTP server on 127.0.0.1 that the official
 * OpenAI (also as `AzureOpenAI`), Anthropic, Google Gen AI and AWS Bedrock Runtime clients can
 * talk to through their base URL. Replies and token counts are deterministic; `[emulate key=value ...]` text in the
 * last user message (or an `x-emulate` header) asks for errors, lengths, cache and reasoning
 * tokens, stalls and delays.
 *
 * @param opts - port, host, timing and request-log capacity.
 * @returns the running emulator; call `close()` when done.
 * @throws RangeError / TypeError for an invalid option, naming it.
 *
 * @example
 * const emulator = await startEmulator();
 * const client = new OpenAI({ apiKey: 'test', baseURL: emulator.openaiBaseURL });
 * await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
 * await emulator.close();
 */
export async function startEmulator(opts?: EmulatorOptions): Promise<Emulator> {
  const options = resolveOptions(opts);
  // Load the two encodings replies are counted in now, so the first request is not slowed
  // down by it (timing tests measure latency and time to first chunk).
  countTokens('warm up', 'gpt-4o');
  countTokens('warm up', 'gpt-4');
  const log = new RequestLog(options.maxRecordedRequests);
  const apis: ProviderApi[] = [
    mistralApi,
    cohereApi,
    ollamaApi,
    hostsApi,
    anthropicApi,
    geminiApi,
    vertexApi,
    bedrockApi,
    azureOpenAIApi,
    openaiApi,
  ];
  const budget = new ErrorBudget();

  const handler = (req: EmulatorRequest, res: EmulatorResponse): void => {
    void answer(req, res, apis, options, log, budget);
  };
  // One port serves HTTP/1.1 (most clients) and cleartext HTTP/2 (the AWS SDK's default for
  // Bedrock Runtime): the first bytes of a connection tell which.
  const http1 = createServer(handler);
  http1.keepAliveTimeout = 5_000;
  const http2 = createHttp2Server(handler);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    routeConnection(socket, http1, http2);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    openaiBaseURL: `${url}/v1`,
    azureEndpoint: url,
    anthropicBaseURL: url,
    geminiBaseURL: url,
    bedrockEndpoint: url,
    mistralServerURL: `${url}${MISTRAL_PREFIX}`,
    cohereBaseURL: url,
    ollamaHost: url,
    requests: log.entries,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

function findRoute(
  apis: ProviderApi[],
  method: string,
  path: string,
): { api: ProviderApi; route: Route; params: Record<string, string> } | undefined {
  for (const api of apis) {
    for (const route of api.routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(path);
      if (match !== null) return { api, route, params: { ...match.groups } };
    }
  }
  return undefined;
}

function readBody(req: EmulatorRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, { message: `request body is larger than ${MAX_BODY_BYTES} bytes` }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function queryRecord(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key === 'key' ? REDACTED : value;
  return query;
}

async function answer(
  req: EmulatorRequest,
  res: EmulatorResponse,
  apis: ProviderApi[],
  options: ResolvedOptions,
  log: RequestLog,
  budget: ErrorBudget,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const found = findRoute(apis, method, path);
  const api = found?.api ?? apis.find((candidate) => candidate.ownsPath(path)) ?? openaiApi;

  let raw: Buffer = Buffer.alloc(0);
  let readError: unknown;
  try {
    raw = await readBody(req);
  } catch (error) {
    readError = error;
  }
  let body: unknown;
  let parseError: string | undefined;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      parseError = (error as Error).message;
    }
  }

  const record = log.add({
    receivedAt: Date.now(),
    method,
    httpVersion: req.httpVersion,
    path,
    query: queryRecord(url),
    headers: redactHeaders(req.headers),
    body,
    provider: found?.api.provider ?? (api.ownsPath(path) ? api.provider : 'unknown'),
    directives: {},
    clientAborted: false,
  });
  res.once('close', () => {
    record.status = res.statusCode;
    record.clientAborted = !res.writableEnded;
  });

  let directives: Directives = {};
  const exchangeWith = (d: Directives): Exchange => new Exchange(req, res, url, found?.params ?? {}, body, d, record, options);
  try {
    if (readError !== undefined) throw readError;
    if (found === undefined) {
      throw new HttpError(404, { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', param: null, code: null });
    }
    if (parseError !== undefined) {
      throw new HttpError(400, {
        message: `We could not parse the JSON body of your request: ${parseError}`,
        type: 'invalid_request_error',
      });
    }
    const fields = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const headerValue = req.headers['x-emulate'];
    const pairs = [
      ...directivePairsInHeader(Array.isArray(headerValue) ? headerValue.join(';') : headerValue),
      ...directivePairsInText(found.route.directiveText(fields) ?? ''),
    ];
    record.directives = directivePairsRecord(pairs);
    directives = parseDirectives(pairs);
    const exchange = exchangeWith(directives);
    if (!(await pause(res, directives.latencyMs ?? options.latencyMs))) return;
    if (directives.error !== undefined && budget.take(`${method} ${path} ${raw.toString('utf8')}`, directives.errorTimes)) {
      api.sendError(exchange, directives.error);
      return;
    }
    await found.route.handle(exchange);
  } catch (error) {
    const exchange = exchangeWith(directives);
    if (res.headersSent) {
      destroyResponse(res);
    } else if (error instanceof HttpError) {
      api.sendError(exchange, error.status, error.detail);
    } else if (error instanceof DirectiveError) {
      api.sendError(exchange, 400, { message: error.message, type: 'invalid_request_error' });
    } else {
      api.sendError(exchange, 500, { message: `emulator failure: ${(error as Error)?.message ?? String(error)}` });
    }
  }
}
