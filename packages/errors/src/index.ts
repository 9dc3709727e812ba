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
 * /** A matrix, vector or batch does not have the length its declared shape needs. *\/
 * export class ShapeMismatchError extends TesseraError {
 *   static override readonly code = 'ERR_SHAPE_MISMATCH'
 * }
 *
 * try { … } catch (err) {
 *   if (err instanceof ShapeMismatchError) …          // by class
 *   if (hasErrorCode(err, 'ERR_SHAPE_MISMATCH')) …    // by code, across process or package boundaries
 * }
 * ```
 *
 * @packageDocumentation
 */
export { TesseraError, hasErrorCode, errorCodeOf, describeError } from './tessera-error.js'
export type { TesseraErrorOptions } from './tessera-error.js'
