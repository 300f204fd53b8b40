/**
 * A wire-faithful LLM provider emulator for tests, examples and demos.
 *
 * @packageDocumentation
 */
export { startEmulator } from './emulator';
export type { Emulator, EmulatorOptions } from './options';
export type { RecordedRequest, EmulatedProvider } from './request-log';
export { DIRECTIVE_KEYS, DIRECTIVE_ERROR_STATUSES, parseDirectives, DirectiveError } from './directives';
export type { Directives } from './directives';
