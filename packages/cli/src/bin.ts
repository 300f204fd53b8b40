/** The `tokenomics` command: dispatches to its subcommands. */
import { runPrice } from './commands/price';
import { runPrices } from './commands/prices';
import { runEstimate } from './commands/estimate';
import { runBudgets } from './commands/budgets';
import { processOutput } from './commands/price-output';
import type * as Demo from './commands/demo';
import type * as Collector from '@tokenomics/collector';

const USAGE = `Usage: tokenomics <command> [args]

Commands:
  price MODEL --input N --output N [...]   cost of one call, unit by unit
  prices list [--provider P]               models and rates in the price book
  prices check FILE                        validate a price data or override file
  prices diff TABLE [--threshold PCT]      compare the price book with another published price table
  estimate [FILE|-] [--model M]            input tokens and cost of a request before it is sent
  budgets rules FILE                       Prometheus budget series and burn-rate alerts from a budgets file
  budgets check FILE                       validate a budgets file
  demo [args]                              run the emulator and an instrumented example, print spend
  collector --forward URL [...]            price GenAI telemetry in an OTLP pipeline (or --config FILE)
  collector ottl [--models a,b]            OTTL transform processor config that prices spans in a stock Collector

Run "tokenomics <command> --help" for a command's options.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'price':
      return runPrice(rest);
    case 'prices':
      return runPrices(rest);
    case 'estimate':
      return runEstimate(rest);
    case 'budgets':
      return runBudgets(rest);
    case 'demo': {
      // Loaded on demand: the demo pulls in the emulator and the example service.
      const { runDemo } = require('./commands/demo') as typeof Demo;
      return runDemo(rest);
    }
    case 'collector': {
      // Loaded on demand: the stage pulls in the OTLP wire code and gRPC.
      const { runCollectorCommand } = require('@tokenomics/collector') as typeof Collector;
      return runCollectorCommand(rest, processOutput);
    }
    case '--help':
    case '-h':
    case 'help':
      processOutput.out(USAGE);
      return 0;
    case undefined:
      processOutput.err(USAGE);
      return 2;
    default:
      processOutput.err(`tokenomics: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tokenomics: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
