import {
  compileProviderHosts,
  parseProviderHosts,
  PROVIDER_HOSTS_ACCEPTED,
  ProviderHostsError,
  type ProviderHostEntry,
  type TokenomicsInstrumentationConfig,
} from '@tokenomics/instrumentation/hook';
import { ConfigError } from './config-error';
import type { EnvReader } from './env-reader';

/** The variable that maps base URLs of OpenAI-compatible servers to provider names. */
export const PROVIDER_HOSTS_VARIABLE = 'TOKENOMICS_PROVIDER_HOSTS';

/**
 * Reads `TOKENOMICS_PROVIDER_HOSTS`: comma-separated `<base URL>=<provider>` entries, e.g.
 * `https://llm.internal.example/v1=vllm,10.0.0.5:4000=litellm`. A bad entry is recorded as a
 * problem naming the variable, the entry and what is accepted (the hook then stops at start-up).
 */
export function readProviderHosts(read: EnvReader): ProviderHostEntry[] | undefined {
  const value = read.string(PROVIDER_HOSTS_VARIABLE);
  if (value === undefined) return undefined;
  try {
    return parseProviderHosts(value, PROVIDER_HOSTS_VARIABLE);
  } catch (err) {
    if (!(err instanceof ProviderHostsError)) throw err;
    read.problem(PROVIDER_HOSTS_VARIABLE, value, `entry "${err.entry}" ${err.reason}`, PROVIDER_HOSTS_ACCEPTED);
    return undefined;
  }
}

/**
 * Checks the `providerHosts` of `start({ instrumentationConfig })` before anything starts.
 *
 * @throws ConfigError naming the option, the entry and what is accepted.
 */
export function checkProviderHostsOption(config: TokenomicsInstrumentationConfig | undefined): void {
  const hosts = config?.providerHosts;
  if (hosts === undefined) return;
  try {
    compileProviderHosts(hosts, 'start({ instrumentationConfig: { providerHosts } })');
  } catch (err) {
    if (err instanceof ProviderHostsError) throw new ConfigError([err.message]);
    throw err;
  }
}
