import { startEmulator } from './emulator';
import { parseArgs, USAGE } from './cli-args';
import type { EmulatorOptions } from './options';

async function main(): Promise<void> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`tokenomics-emulator: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator(options);
  console.log(emulator.url);
  console.error(
    `tokenomics-emulator listening on ${emulator.url}\n` +
      `  OpenAI baseURL:      ${emulator.openaiBaseURL}\n` +
      `  Anthropic baseURL:   ${emulator.anthropicBaseURL}\n` +
      `  Gemini baseUrl:      ${emulator.geminiBaseURL}\n` +
      `  Bedrock endpoint:    ${emulator.bedrockEndpoint}\n` +
      `  Mistral serverURL:   ${emulator.mistralServerURL}\n` +
      `  Cohere baseUrl:      ${emulator.cohereBaseURL}\n` +
      `  Ollama host:         ${emulator.ollamaHost}`,
  );
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`tokenomics-emulator: ${(error as Error)?.message ?? String(error)}`);
  process.exitCode = 1;
});
