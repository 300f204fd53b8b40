/** `tokenomics demo`: runs the emulator and an example service with the hook, then prints spend. */
export async function runDemo(_argv: string[]): Promise<number> {
  return 1;
}
