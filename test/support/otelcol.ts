/**
 * The real OpenTelemetry Collector in tests: the binary `scripts/build-otelcol.mjs` builds with the
 * Collector builder from `collector-config/otel/builder-config.yaml` (`pnpm test` runs it first),
 * started on the shipped configs with a small override file for ports and test endpoints.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { Service, waitFor } from '../stack/support/processes';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** The shipped Collector configs. */
export const OTEL_CONFIG_DIR = join(ROOT, 'collector-config', 'otel');

/**
 * Path of the built Collector, or `undefined` when it was not built (`TOKENOMICS_SKIP_OTELCOL=1`).
 * `TOKENOMICS_OTELCOL` names another binary with the same components.
 */
export function otelcolBinary(): string | undefined {
  const named = process.env.TOKENOMICS_OTELCOL;
  if (named) return named;
  const record = join(ROOT, 'node_modules', '.cache', 'tokenomics', 'otelcol.json');
  if (!existsSync(record)) return undefined;
  const { binary } = JSON.parse(readFileSync(record, 'utf8')) as { binary?: unknown };
  return typeof binary === 'string' && existsSync(binary) ? binary : undefined;
}

/** Result of `otelcol validate`. */
export interface ValidateResult {
  code: number | null;
  output: string;
}

/** Runs `otelcol validate` on the config files, merged in order (later files win). */
export function validateConfig(binary: string, files: string[], env: Record<string, string> = {}): ValidateResult {
  const r = spawnSync(binary, ['validate', ...files.map((f) => `--config=${f}`)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** A running Collector. */
export interface RunningCollector {
  readonly service: Service;
  /** The merged override file's directory (removed on stop). */
  readonly dir: string;
  stop(): Promise<void>;
}

export interface StartCollectorOptions {
  name: string;
  /** Shipped config file(s), merged in order. */
  configs: string[];
  /** Values merged over the configs (maps merge by key, lists are replaced). */
  overrides: Record<string, unknown>;
  /** `host:port` of the health_check extension, set in `overrides`; readiness is polled there. */
  health: string;
  env?: Record<string, string>;
}

/** Starts a Collector and resolves when its health endpoint says it is ready. */
export async function startCollector(binary: string, options: StartCollectorOptions): Promise<RunningCollector> {
  const dir = mkdtempSync(join(tmpdir(), `tokenomics-${options.name}-`));
  const override = join(dir, 'override.yaml');
  writeFileSync(override, stringify(options.overrides));
  const service = new Service(options.name, binary, [...options.configs.map((c) => `--config=${c}`), `--config=${override}`], {
    env: { ...process.env, ...options.env },
  });
  const stop = async () => {
    await service.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `${options.name} to be healthy`,
      async () => {
        if (service.exit) throw new Error(`${options.name} exited: ${JSON.stringify(service.exit)}`);
        return (await fetch(`http://${options.health}/`)).ok;
      },
      60_000,
      () => service.tail(40),
      200,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { service, dir, stop };
}
