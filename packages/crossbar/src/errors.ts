/**
 * Named errors of the crossbar package, one class per failure a caller can act on (the message says the rest).
 *
 * ShapeMismatchError, NonFiniteValueError and InsufficientCapacityError are defined here once and re-exported by
 * @tessera/wire: a node's executor throws them and they travel in the shard protocol's error replies, so their
 * codes are the protocol's error code names (the `ErrorCode` enum in packages/wire/src/pb/shard.proto).
 */
import { TesseraError } from '@tessera/errors'

/**
 * A matrix, vector, batch or block has an invalid shape (a dimension that is not a positive integer, a block that
 * does not fit inside its tile) or a length that its declared shape does not match.
 */
export class ShapeMismatchError extends TesseraError { static override readonly code = 'SHAPE_MISMATCH' }

/** A weight, input or time is NaN or ±Infinity. */
export class NonFiniteValueError extends TesseraError { static override readonly code = 'NON_FINITE_VALUE' }

/** The free tiles (of the planner's devices, or of a tile pool) cannot hold what is asked of them. */
export class InsufficientCapacityError extends TesseraError { static override readonly code = 'INSUFFICIENT_CAPACITY' }

/** An option of the pool, the planner or an execute (`tiles`, `strategy`, `minCutCells`, `tSeconds`, `noiseKey`) is out of range. */
export class InvalidCrossbarOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_CROSSBAR_OPTION' }

/** A device profile names an unknown preset, or a field is out of its range or inconsistent with another. */
export class InvalidProfileError extends TesseraError { static override readonly code = 'ERR_INVALID_PROFILE' }

/**
 * A placement of weights on tiles is inconsistent: a matrix or device spec given to the planner is malformed or
 * repeats an id, a partition plan breaks an invariant (a weight placed twice or never, overlapping blocks, a block
 * outside its tile), the pools or weights a plan is programmed with do not match it, or a block is programmed over
 * another on a tile.
 */
export class InvalidPlanError extends TesseraError { static override readonly code = 'ERR_INVALID_PLAN' }

/**
 * A handle does not name a live object: a tile, block or kernel matrix that was never created by this pool or
 * kernel or was released, or a planned matrix (or a model on it) that is not part of the plan or was released.
 */
export class UnknownHandleError extends TesseraError { static override readonly code = 'ERR_UNKNOWN_HANDLE' }

/** The WebAssembly kernel cannot be used: the module is not built, or the runtime lacks WebAssembly SIMD. */
export class KernelUnavailableError extends TesseraError { static override readonly code = 'ERR_KERNEL_UNAVAILABLE' }
