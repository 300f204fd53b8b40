/**
 * `tokenomics collector`: runs the stage until SIGTERM or SIGINT (then drains the queue within the
 * shutdown timeout), reloads the price book on SIGHUP.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { defaultWorkerCount, TokenomicsCollector, type CollectorOptions } from './collector';
import { CollectorConfigError, loadCollectorConfig, MAX_WORKERS, parseDuration, parseListen, parseSize, parseWorkers } from './config';
import { runOttlCommand } from './ottl/command';

/** Where the command writes its messages. */
export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

/** The `tokenomics collector --help` text. */
export const COLLECTOR_USAGE = `Usage: tokenomics collector [--config FILE] [options]
       tokenomics collector ottl [--models a,b] [--prices FILE]   (transform processor config; ottl --help)

Receives OTLP (HTTP protobuf/JSON, gRPC), prices GenAI spans and token-usage histograms from the
price book, forwards OTLP/HTTP protobuf to the next hop.

Options:
  --config FILE              YAML configuration (\${env:VAR} expanded); other options are then not allowed
  --listen HOST:PORT         OTLP/HTTP address (default 127.0.0.1:4318)
  --grpc HOST:PORT           OTLP/gRPC address (default off)
  --forward URL              OTLP/HTTP destination; repeat for several (required)
  --telemetry HOST:PORT      /health and Prometheus /metrics of the stage itself
  --queue-memory-limit SIZE  bytes held per destination before senders are refused (default 64MiB)
  --shutdown-timeout DUR     how long SIGTERM waits for the queue to drain (default 10s)
  --price-overrides FILE     price override file (negotiated rates); reloaded on SIGHUP
  --workers N                worker threads doing the pricing (default: one fewer than the cores
                             available, at most 4; 0: all in the main thread)

Signals: SIGTERM/SIGINT drain and exit; SIGHUP reloads the price book without dropping data.`;

/** Parses the command line into options; throws an Error whose message is for the user. */
export function collectorOptionsFromArgs(args: readonly string[], env: NodeJS.ProcessEnv = process.env): CollectorOptions | 'help' {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!name.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    const list = flags.get(name) ?? [];
    list.push(value);
    flags.set(name, list);
  }
  const known = [
    '--config',
    '--listen',
    '--grpc',
    '--forward',
    '--telemetry',
    '--queue-memory-limit',
    '--shutdown-timeout',
    '--price-overrides',
    '--workers',
  ];
  for (const name of flags.keys()) if (!known.includes(name)) throw new Error(`unknown option ${name}`);
  const one = (name: string) => {
    const list = flags.get(name);
    if (list !== undefined && list.length > 1) throw new Error(`${name} given more than once`);
    return list?.[0];
  };
  const config = one('--config');
  if (config !== undefined) {
    if (flags.size > 1) throw new Error('--config cannot be combined with other options; put them in the file');
    return loadCollectorConfig(config, env);
  }
  const forward = flags.get('--forward') ?? [];
  if (forward.length === 0) throw new Error('--forward URL is required (or --config FILE)');
  const options: CollectorOptions = {
    destinations: forward.map((endpoint) => {
      let ok = false;
      try {
        ok = /^https?:$/.test(new URL(endpoint).protocol);
      } catch {
        ok = false;
      }
      if (!ok) throw new Error(`--forward ${endpoint}: expected an http:// or https:// URL`);
      return { endpoint };
    }),
  };
  const address = (name: string) => {
    const text = one(name);
    if (text === undefined) return undefined;
    const parsed = parseListen(text);
    if (parsed === undefined) throw new Error(`${name} ${text}: expected HOST:PORT`);
    return parsed;
  };
  const http = address('--listen');
  if (http !== undefined) options.http = http;
  const grpc = address('--grpc');
  if (grpc !== undefined) options.grpc = grpc;
  const telemetry = address('--telemetry');
  if (telemetry !== undefined) options.telemetry = telemetry;
  const limit = one('--queue-memory-limit');
  if (limit !== undefined) {
    const bytes = parseSize(limit);
    if (bytes === undefined) throw new Error(`--queue-memory-limit ${limit}: expected a size such as 64MiB`);
    options.queueMemoryLimitBytes = bytes;
  }
  const timeout = one('--shutdown-timeout');
  if (timeout !== undefined) {
    const ms = parseDuration(timeout);
    if (ms === undefined) throw new Error(`--shutdown-timeout ${timeout}: expected a duration such as 10s`);
    options.shutdownTimeoutMs = ms;
  }
  const overrides = one('--price-overrides');
  if (overrides !== undefined) options.priceBook = { overridesFile: overrides };
  const workers = one('--workers');
  if (workers !== undefined) {
    const count = parseWorkers(workers);
    if (count === undefined) throw new Error(`--workers ${workers}: expected a whole number from 0 to ${MAX_WORKERS}`);
    options.workers = count;
  }
  return options;
}

/**
 * Runs the `collector` command: resolves with the exit code once the stage has shut down (after
 * SIGTERM or SIGINT), or at once on a usage or configuration error.
 */
export async function runCollectorCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  if (args[0] === 'ottl') return runOttlCommand(args.slice(1), output);
  let options: CollectorOptions | 'help';
  try {
    options = collectorOptionsFromArgs(args);
  } catch (err) {
    output.err(`tokenomics collector: ${err instanceof CollectorConfigError ? err.message : (err as Error).message}`);
    if (!(err instanceof CollectorConfigError)) output.err(COLLECTOR_USAGE);
    return 2;
  }
  if (options === 'help') {
    output.out(COLLECTOR_USAGE);
    return 0;
  }
  diag.setLogger(
    {
      error: (m, ...a) => output.err(`error: ${m} ${a.map(String).join(' ')}`.trimEnd()),
      warn: (m, ...a) => output.err(`warn: ${m} ${a.map(String).join(' ')}`.trimEnd()),
      info: (m) => output.err(`info: ${m}`),
      debug: () => undefined,
      verbose: () => undefined,
    },
    { logLevel: DiagLogLevel.INFO, suppressOverrideMessage: true },
  );
  let stage: TokenomicsCollector;
  try {
    stage = new TokenomicsCollector({ ...options, workers: options.workers ?? defaultWorkerCount() });
    await stage.start();
  } catch (err) {
    output.err(`tokenomics collector: cannot start: ${(err as Error).message}`);
    return 1;
  }
  const a = stage.addresses;
  output.err(
    `tokenomics collector: listening${a.http ? ` http=${a.http}` : ''}${a.grpc ? ` grpc=${a.grpc}` : ''}${a.telemetry ? ` telemetry=${a.telemetry}` : ''}; forwarding to ${options.destinations.map((d) => d.endpoint).join(', ')}; price book ${stage.priceBookVersion}; ${stage.workerCount} worker${stage.workerCount === 1 ? '' : 's'}`,
  );
  return new Promise<number>((resolve) => {
    const onHup = () => {
      const error = stage.reloadPriceBook();
      output.err(
        error === undefined
          ? `tokenomics collector: price book reloaded (${stage.priceBookVersion})`
          : `tokenomics collector: price book reload failed, keeping ${stage.priceBookVersion}: ${error.message}`,
      );
    };
    const onStop = (signal: string) => {
      process.off('SIGHUP', onHup);
      output.err(`tokenomics collector: ${signal}: draining the queue`);
      stage.shutdown().then(
        () => {
          const s = stage.stats;
          output.err(
            `tokenomics collector: stopped (enriched ${s.enriched}, unpriced ${s.unpriced}, refused ${s.refused}, dropped ${s.droppedTotal})`,
          );
          resolve(0);
        },
        (err: unknown) => {
          output.err(`tokenomics collector: shutdown failed: ${(err as Error).message}`);
          resolve(1);
        },
      );
    };
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', () => onStop('SIGTERM'));
    process.once('SIGINT', () => onStop('SIGINT'));
  });
}
