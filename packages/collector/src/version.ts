// Generated from package.json by scripts/write-versions.mjs: do not edit by hand.

/** Package name, used as the instrumentation scope name of what this package emits. */
export const PACKAGE_NAME = '@tokenomics/collector';
/** Package version, from package.json; reported as the instrumentation scope version. */
export const PACKAGE_VERSION = '0.1.0';
/** Same as {@link PACKAGE_VERSION}. */
export const VERSION = PACKAGE_VERSION;
