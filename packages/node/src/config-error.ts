/**
 * Invalid configuration, found at start-up. Each problem names the variable (or file), the value
 * and what is accepted, e.g.
 * `OTEL_METRICS_EXPORTER=promethus: unknown exporter; accepted: otlp, prometheus, console, none`.
 */
export class ConfigError extends Error {
  /** One line per problem, in the order the variables were read. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
