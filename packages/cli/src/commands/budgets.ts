/** `tokenomics budgets rules|check FILE`: Prometheus budget rules from a budgets file, or a check of the file. */
import { basename } from 'node:path';
import { BudgetsFileError, loadBudgetsFile } from '@tokenomics/node';
import { budgetRules } from './budgets-rules';
import { parseArgs, UsageError, type FlagKind } from './price-args';
import { processOutput, type Output } from './price-output';

export const BUDGETS_USAGE = `Usage: tokenomics budgets rules FILE
       tokenomics budgets check FILE

  rules   print Prometheus rules generated from a budgets file: the budget series the shipped
          burn-rate alerts read (per service, per tenant, the default) and multi-window burn-rate
          alerts (1h/5m at 14.4x, 6h/30m at 6x) for budgets by feature, model, or service and
          tenant together. Save them as collector-config/prometheus/rules/tokenomics-budgets.rules.yml.
  check   validate a budgets file: the first problem is printed with file, line, field, value
          and what is accepted

The same file turns on the in-process guard (TOKENOMICS_BUDGETS_FILE).

Exit status: 0 ok, 1 bad budgets file, 2 usage error.`;

const FLAGS: Record<string, FlagKind> = { help: 'switch' };

/** Runs \`tokenomics budgets ...\`; returns the exit code. */
export function runBudgets(argv: string[], io: Output = processOutput): number {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(BUDGETS_USAGE);
    return 0;
  }
  let file: string;
  try {
    if (sub !== 'rules' && sub !== 'check')
      throw new UsageError(
        sub === undefined ? 'missing subcommand (rules or check)' : `unknown subcommand "${sub}" (accepted: rules, check)`,
      );
    const args = parseArgs(rest, FLAGS);
    if (args.switches.has('help')) {
      io.out(BUDGETS_USAGE);
      return 0;
    }
    if (args.positionals.length !== 1) throw new UsageError('expected one budgets FILE');
    file = args.positionals[0];
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`tokenomics budgets: ${err.message}\n\n${BUDGETS_USAGE}`);
      return 2;
    }
    throw err;
  }
  try {
    const config = loadBudgetsFile(file);
    if (sub === 'check') io.out(`${file}: ${config.budgets.length} budgets ok`);
    else io.out(budgetRules(config, basename(file)));
    return 0;
  } catch (err) {
    if (err instanceof BudgetsFileError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
}
