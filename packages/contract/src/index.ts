/**
 * The Tokenomics telemetry contract: every attribute and metric name, the token units and their
 * partition, the provider names and their aliases, and the price-book interface. Every other
 * Tokenomics package takes its names from here; no name is spelled twice.
 *
 * @packageDocumentation
 */
export * from './attributes';
export * from './metrics';
export * from './tokens';
export * from './providers';
export * from './price-book';
export * from './stability';
export * from './operations';
export * from './collector';
export * from './governance';
