import type { EmulatorOptions } from './options';

/** Help text of the command. */
export const USAGE = `Usage: tokenomics-emulator [--port N] [--host ADDRESS] [--latency-ms N] [--ttfc-ms N] [--chunk-interval-ms N]

Starts the Tokenomics LLM provider emulator and prints its URL. Stops on SIGINT or SIGTERM.

  --port N               port to listen on (default 8787; 0 picks a free port)
  --host ADDRESS         interface to listen on (default 127.0.0.1)
  --latency-ms N         delay before every response
  --ttfc-ms N            delay between a stream's headers and its first chunk
  --chunk-interval-ms N  delay between stream chunks
  --help                 show this help`;

const NUMERIC_FLAGS: Record<string, keyof EmulatorOptions> = {
  '--port': 'port',
  '--latency-ms': 'latencyMs',
  '--ttfc-ms': 'timeToFirstChunkMs',
  '--chunk-interval-ms': 'chunkIntervalMs',
};

/** Parses command-line arguments into emulator options. */
export function parseArgs(argv: readonly string[]): EmulatorOptions | 'help' {
  const options: EmulatorOptions = { port: 8787 };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--host') {
      options.host = value;
      continue;
    }
    const key = NUMERIC_FLAGS[flag];
    if (key === undefined) {
      throw new Error(`unknown option ${flag}; accepted: --port, --host, --latency-ms, --ttfc-ms, --chunk-interval-ms, --help`);
    }
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < 0) {
      throw new Error(`${flag} must be a non-negative integer, got ${JSON.stringify(value)}`);
    }
    (options as Record<string, number>)[key] = number;
  }
  return options;
}
