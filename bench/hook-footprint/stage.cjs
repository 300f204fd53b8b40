// One stage of the footprint benchmark, in a process of its own started from test/ (where an app
// would depend on @tokenomics/node), with whatever set-up the benchmark gives on the command line:
//
//   node --expose-gc [--require @tokenomics/node/register] stage.cjs <stage>
//
// Stages: bare (require openai), sdk-node (+ require @opentelemetry/sdk-node, what NodeSDK alone
// loads), hook (+ the work the hook does on the turn after start-up), priced (+ one OpenAI and one
// Anthropic model priced through the process-wide book). Prints one JSON line: heap after two full
// collections, RSS, and the files and packages loaded on this thread.
const { createRequire } = require('node:module');
const { join, sep } = require('node:path');

// Resolved as the app in the working directory (test/) resolves them.
const appRequire = createRequire(join(process.cwd(), 'package.json'));
const stage = process.argv[2];
appRequire('openai');
if (stage === 'sdk-node') createRequire(appRequire.resolve('@tokenomics/node'))('@opentelemetry/sdk-node');

function loaded() {
  const packages = new Set();
  let files = 0;
  const marker = `${sep}node_modules${sep}`;
  for (const file of Object.keys(require.cache)) {
    files++;
    const at = file.lastIndexOf(marker);
    if (at < 0) continue;
    const parts = file.slice(at + marker.length).split(sep);
    packages.add(parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]);
  }
  return { files, packages: packages.size };
}

// The hook reads the price book on the turn after start-up: measure after it.
setImmediate(() =>
  setImmediate(() => {
    if (stage === 'priced') {
      const { getPriceBook } = appRequire('@tokenomics/pricing');
      const usage = { inputTokens: 1000, outputTokens: 100 };
      for (const [provider, model] of [
        ['openai', 'gpt-4o-mini'],
        ['anthropic', 'claude-sonnet-4-5'],
      ]) {
        if (!getPriceBook().price(usage, { provider, model }).priced) throw new Error(`${provider} ${model} is not priced`);
      }
    }
    global.gc();
    global.gc();
    const { heapUsed } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ stage, heapBytes: heapUsed, rssBytes: process.memoryUsage.rss(), ...loaded() })}\n`);
  }),
);
