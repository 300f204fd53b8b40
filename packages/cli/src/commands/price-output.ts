/** Where a command writes: stdout for results, stderr for diagnostics. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Output to the process streams. */
export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};
