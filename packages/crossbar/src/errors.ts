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

/** The devices' free tiles cannot hold the matrices to plan. */
export class InsufficientCapacityError extends CrossbarError {
  static readonly code = 'ERR_INSUFFICIENT_CAPACITY'
  constructor (message = 'the devices do not have enough free tiles for the matrices') {
    super(message)
    this.name = 'InsufficientCapacityError'
  }
}

/** Two matrices handed to the planner share an id. */
export class DuplicateMatrixIdError extends CrossbarError {
  static readonly code = 'ERR_DUPLICATE_MATRIX_ID'
  constructor (message = 'matrix ids must be unique') {
    super(message)
    this.name = 'DuplicateMatrixIdError'
  }
}

/** A matrix spec has an empty id or a sensitivity outside 0 … 1. */
export class InvalidMatrixSpecError extends CrossbarError {
  static readonly code = 'ERR_INVALID_MATRIX_SPEC'
  constructor (message = 'invalid matrix spec') {
    super(message)
    this.name = 'InvalidMatrixSpecError'
  }
}

/** A planner device has an empty or duplicate id, a bad geometry, bad free tiles or a bad noise level. */
export class InvalidDeviceError extends CrossbarError {
  static readonly code = 'ERR_INVALID_DEVICE'
  constructor (message = 'invalid device spec') {
    super(message)
    this.name = 'InvalidDeviceError'
  }
}

/** A partition plan breaks an invariant: a weight placed twice or never, overlapping blocks, a block outside its tile. */
export class InvalidPlanError extends CrossbarError {
  static readonly code = 'ERR_INVALID_PLAN'
  constructor (message = 'the partition plan is inconsistent') {
    super(message)
    this.name = 'InvalidPlanError'
  }
}

/** A planned matrix id is not part of the plan (or has no weights / no pool for its device). */
export class UnknownMatrixError extends CrossbarError {
  static readonly code = 'ERR_UNKNOWN_MATRIX'
  constructor (message = 'unknown matrix id') {
    super(message)
    this.name = 'UnknownMatrixError'
  }
}

/** A device-profile preset name is not one of `PRESET_NAMES`. */
export class UnknownPresetError extends CrossbarError {
  static readonly code = 'ERR_UNKNOWN_PRESET'
  constructor (message = 'unknown device-profile preset') {
    super(message)
    this.name = 'UnknownPresetError'
  }
}

/** A device-profile field is out of its valid range (or inconsistent with another field). */
export class InvalidProfileError extends CrossbarError {
  static readonly code = 'ERR_INVALID_PROFILE'
  constructor (message = 'device-profile field out of range') {
    super(message)
    this.name = 'InvalidProfileError'
  }
}

/** An execute option (such as `tSeconds`) is out of its valid range. */
export class InvalidOptionError extends CrossbarError {
  static readonly code = 'ERR_INVALID_OPTION'
  constructor (message = 'option out of range') {
    super(message)
    this.name = 'InvalidOptionError'
  }
}

/** A tile pool has no free tile left. */
export class CapacityExceededError extends CrossbarError {
  static readonly code = 'ERR_CAPACITY_EXCEEDED'
  constructor (message = 'no free tile left in the pool') {
    super(message)
    this.name = 'CapacityExceededError'
  }
}

/** A tile id is out of range or names a tile that is not allocated. */
export class UnknownTileError extends CrossbarError {
  static readonly code = 'ERR_UNKNOWN_TILE'
  constructor (message = 'unknown or unallocated tile') {
    super(message)
    this.name = 'UnknownTileError'
  }
}

/** A block handle does not name a live block of this pool (never programmed here, or released). */
export class UnknownBlockError extends CrossbarError {
  static readonly code = 'ERR_UNKNOWN_BLOCK'
  constructor (message = 'unknown or released block') {
    super(message)
    this.name = 'UnknownBlockError'
  }
}

/** A block's rectangle overlaps a block already programmed on the same tile. */
export class BlockOverlapError extends CrossbarError {
  static readonly code = 'ERR_BLOCK_OVERLAP'
  constructor (message = 'block overlaps a block already on the tile') {
    super(message)
    this.name = 'BlockOverlapError'
  }
}

/** A block's rectangle does not lie inside the tile (negative or non-integer offset, or past an edge). */
export class BlockOutOfBoundsError extends CrossbarError {
  static readonly code = 'ERR_BLOCK_OUT_OF_BOUNDS'
  constructor (message = 'block does not fit inside the tile') {
    super(message)
    this.name = 'BlockOutOfBoundsError'
  }
}

/** A kernel matrix handle was freed already or was loaded by a different kernel instance. */
export class UnknownKernelMatrixError extends CrossbarError {
  static readonly code = 'ERR_UNKNOWN_KERNEL_MATRIX'
  constructor (message = 'kernel matrix handle is freed or belongs to another kernel') {
    super(message)
    this.name = 'UnknownKernelMatrixError'
  }
}

/** The WebAssembly kernel cannot be used: the module is not built, or the runtime lacks WebAssembly SIMD. */
export class KernelUnavailableError extends CrossbarError {
  static readonly code = 'ERR_KERNEL_UNAVAILABLE'
  constructor (message = 'the WebAssembly SIMD kernel is unavailable') {
    super(message)
    this.name = 'KernelUnavailableError'
  }
}
