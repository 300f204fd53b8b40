/** Package name, used as the instrumentation scope of everything this package emits. */
export const PACKAGE_NAME = '@tokenomics/exporter';
/** Package version (kept in step with package.json). */
export const PACKAGE_VERSION = '0.1.0';
