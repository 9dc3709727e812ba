/**
 * Named errors of the wire package. Each class carries the {@link ErrorCode} it travels as in an error reply,
 * both on the class (`FrameTooLargeError.code`) and on instances (`err.code`), so a server turns any of them
 * into a reply with {@link toErrorReply} and a client turns the reply back into the same class with
 * {@link errorFromReply}.
 */
import { ErrorCode } from './pb/shard.js'

export { ErrorCode }

/** Every error code (the generated enum object also holds its codec function, hence the filter). */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(
  Object.values(ErrorCode).filter((value): value is ErrorCode => typeof value === 'string')
)

/** Base class of every wire error. */
export class WireError extends Error {
  static readonly code: ErrorCode = ErrorCode.UNSPECIFIED
  readonly code: ErrorCode
  /**
   * The request the failure belongs to, when the decoder got far enough to read it: lets a server answer a
   * pipelined execute that failed validation with an error reply the client can match.
   */
  requestId?: number
  /** The shard the failure concerns, when known and itself valid. */
  shardId?: string

  constructor (message: string, code: ErrorCode = ErrorCode.UNSPECIFIED) {
    super(message)
    this.name = 'WireError'
    this.code = code
  }
}

/** A frame (or a record) is larger than the protocol allows. */
export class FrameTooLargeError extends WireError {
  static override readonly code = ErrorCode.FRAME_TOO_LARGE
  constructor (message = 'frame exceeds the maximum frame size') {
    super(message, ErrorCode.FRAME_TOO_LARGE)
    this.name = 'FrameTooLargeError'
  }
}

/** Bytes that do not decode as the expected message, or a message with a missing or out-of-range field. */
export class MalformedMessageError extends WireError {
  static override readonly code = ErrorCode.MALFORMED
  constructor (message = 'malformed message') {
    super(message, ErrorCode.MALFORMED)
    this.name = 'MalformedMessageError'
  }
}

/** The request names a shard the node does not hold. */
export class UnknownShardError extends WireError {
  static override readonly code = ErrorCode.UNKNOWN_SHARD
  constructor (message = 'unknown shard') {
    super(message, ErrorCode.UNKNOWN_SHARD)
    this.name = 'UnknownShardError'
  }
}

/** A tensor's byte length does not match its declared shape, or a shape does not match the shard's. */
export class ShapeMismatchError extends WireError {
  static override readonly code = ErrorCode.SHAPE_MISMATCH
  constructor (message = 'data length does not match the declared shape') {
    super(message, ErrorCode.SHAPE_MISMATCH)
    this.name = 'ShapeMismatchError'
  }
}

/** The node has too few free tiles for the block. */
export class InsufficientCapacityError extends WireError {
  static override readonly code = ErrorCode.INSUFFICIENT_CAPACITY
  constructor (message = 'not enough free tiles') {
    super(message, ErrorCode.INSUFFICIENT_CAPACITY)
    this.name = 'InsufficientCapacityError'
  }
}

/** The reassembled weights do not hash to the content hash announced in ProgramBegin. */
export class HashMismatchError extends WireError {
  static override readonly code = ErrorCode.HASH_MISMATCH
  constructor (message = 'content hash does not match the uploaded weights') {
    super(message, ErrorCode.HASH_MISMATCH)
    this.name = 'HashMismatchError'
  }
}

/** An upload declares more chunks than allowed, or sends a chunk past its declared count. */
export class TooManyChunksError extends WireError {
  static override readonly code = ErrorCode.TOO_MANY_CHUNKS
  constructor (message = 'too many chunks') {
    super(message, ErrorCode.TOO_MANY_CHUNKS)
    this.name = 'TooManyChunksError'
  }
}

/** An execute batch exceeds the batch or tensor-size limit. */
export class BatchTooLargeError extends WireError {
  static override readonly code = ErrorCode.BATCH_TOO_LARGE
  constructor (message = 'batch too large') {
    super(message, ErrorCode.BATCH_TOO_LARGE)
    this.name = 'BatchTooLargeError'
  }
}

/** The node is at its in-flight limit for this peer (or overall); retry later or elsewhere. */
export class BusyError extends WireError {
  static override readonly code = ErrorCode.BUSY
  constructor (message = 'node busy') {
    super(message, ErrorCode.BUSY)
    this.name = 'BusyError'
  }
}

/** An exchange did not complete within its timeout. */
export class RequestTimeoutError extends WireError {
  static override readonly code = ErrorCode.TIMEOUT
  constructor (message = 'request timed out') {
    super(message, ErrorCode.TIMEOUT)
    this.name = 'RequestTimeoutError'
  }
}

/** The node failed for a reason of its own; the message is deliberately generic. */
export class InternalError extends WireError {
  static override readonly code = ErrorCode.INTERNAL
  constructor (message = 'internal error') {
    super(message, ErrorCode.INTERNAL)
    this.name = 'InternalError'
  }
}

/** The request needs a direct connection and arrived over a limited (relayed) one. */
export class LimitedConnectionRefusedError extends WireError {
  static override readonly code = ErrorCode.LIMITED_CONNECTION
  constructor (message = 'request refused over a limited connection') {
    super(message, ErrorCode.LIMITED_CONNECTION)
    this.name = 'LimitedConnectionRefusedError'
  }
}

/** A weight or input value is NaN or ±Infinity. */
export class NonFiniteValueError extends WireError {
  static override readonly code = ErrorCode.NON_FINITE_VALUE
  constructor (message = 'value is NaN or infinite') {
    super(message, ErrorCode.NON_FINITE_VALUE)
    this.name = 'NonFiniteValueError'
  }
}

/** A chunk arrived with an index other than the next expected one. */
export class ChunkOutOfOrderError extends WireError {
  static override readonly code = ErrorCode.CHUNK_OUT_OF_ORDER
  constructor (message = 'chunk out of order') {
    super(message, ErrorCode.CHUNK_OUT_OF_ORDER)
    this.name = 'ChunkOutOfOrderError'
  }
}

/** The upload was committed (or the stream ended) before every chunk arrived. */
export class IncompleteUploadError extends WireError {
  static override readonly code = ErrorCode.INCOMPLETE_UPLOAD
  constructor (message = 'upload incomplete') {
    super(message, ErrorCode.INCOMPLETE_UPLOAD)
    this.name = 'IncompleteUploadError'
  }
}

/** A program names a shard id the node already holds. */
export class DuplicateShardError extends WireError {
  static override readonly code = ErrorCode.DUPLICATE_SHARD
  constructor (message = 'shard id already in use') {
    super(message, ErrorCode.DUPLICATE_SHARD)
    this.name = 'DuplicateShardError'
  }
}

/** A well-formed message arrived where the protocol does not allow it (e.g. a chunk before ProgramBegin). */
export class UnexpectedMessageError extends WireError {
  static override readonly code = ErrorCode.UNEXPECTED_MESSAGE
  constructor (message = 'unexpected message') {
    super(message, ErrorCode.UNEXPECTED_MESSAGE)
    this.name = 'UnexpectedMessageError'
  }
}

/** The program names a device preset other than the node's. */
export class DeviceMismatchError extends WireError {
  static override readonly code = ErrorCode.DEVICE_MISMATCH
  constructor (message = 'device preset does not match the node') {
    super(message, ErrorCode.DEVICE_MISMATCH)
    this.name = 'DeviceMismatchError'
  }
}
