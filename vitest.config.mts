import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The packages' built modules load as Node loads them in an app, so a module reached through a
    // package's index and through its subpath (`@tokenomics/pricing/default-book`) is one instance.
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//] } },
    reporters: ['default'],
  },
});
