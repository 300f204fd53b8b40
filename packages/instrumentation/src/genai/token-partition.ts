/**
 * The token partition, from the one telemetry contract (`@tokenomics/contract`). Kept as a
 * re-export so existing imports keep working; import from `@tokenomics/contract` in new code.
 */
export { TOKEN_UNITS, partitionTokens, type TokenUnit } from '@tokenomics/contract/tokens';
