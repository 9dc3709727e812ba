/**
 * Named errors of the crossbar package. Every failure has its own class with `name` set, so callers can
 * branch on `err.name` (or `instanceof`) instead of parsing messages.
 */

/** Base class of every crossbar error. */
export class CrossbarError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'CrossbarError'
  }
}

/** A matrix, vector or batch does not have the length its declared shape needs. */
export class ShapeMismatchError extends CrossbarError {
  static readonly code = 'ERR_SHAPE_MISMATCH'
  constructor (message = 'array length does not match the declared shape') {
    super(message)
    this.name = 'ShapeMismatchError'
  }
}

/** A shape has a zero, negative or non-integer dimension. */
export class InvalidShapeError extends CrossbarError {
  static readonly code = 'ERR_INVALID_SHAPE'
  constructor (message = 'shape dimensions must be positive integers') {
    super(message)
    this.name = 'InvalidShapeError'
  }
}

/** A weight or input is NaN or ±Infinity. */
export class NonFiniteValueError extends CrossbarError {
  static readonly code = 'ERR_NON_FINITE_VALUE'
  constructor (message = 'value is NaN or infinite') {
    super(message)
    this.name = 'NonFiniteValueError'
  }
}
