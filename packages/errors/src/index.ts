/**
 * The one error convention of every tessera package.
 *
 * Every error a caller may branch on is a subclass of {@link TesseraError}: it has a unique class name (also its
 * `name`), a stable machine-readable `code`, and accepts a `cause`. A subclass is usually one line:
 *
 * @example
 * ```ts
 * import { TesseraError } from '@tessera/errors'
 *
 * /** What went wrong, in a sentence. *\/
 * export class ExampleFailureError extends TesseraError {
 *   static override readonly code = 'ERR_EXAMPLE_FAILURE'
 * }
 *
 * try { … } catch (err) {
 *   if (err instanceof ExampleFailureError) …          // by class
 *   if (hasErrorCode(err, 'ERR_EXAMPLE_FAILURE')) …    // by code, across process or package boundaries
 * }
 * ```
 *
 * @packageDocumentation
 */
export { TesseraError, hasErrorCode, errorCodeOf, describeError } from './tessera-error.js'
export type { TesseraErrorOptions } from './tessera-error.js'
