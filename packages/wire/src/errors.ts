/**
 * Named errors of the wire package. Each class's `code` is the {@link ErrorCode} it travels as in an error reply,
 * so a server turns any of them into a reply with {@link toErrorReply} and a client turns the reply back into the
 * same class with {@link errorFromReply}. These codes are protocol values and never change.
 *
 * The shape, non-finite value and capacity errors are the crossbar's (the emulator throws them too): they are
 * re-exported here and count as wire errors because their codes are protocol codes.
 */
import { InsufficientCapacityError, NonFiniteValueError, ShapeMismatchError } from '@tessera/crossbar'
import { TesseraError } from '@tessera/errors'
import { ErrorCode } from './pb/shard.js'

export { ErrorCode, InsufficientCapacityError, NonFiniteValueError, ShapeMismatchError }

/** Every error code (the generated enum object also holds its codec function, hence the filter). */
export const ERROR_CODES: readonly ErrorCode[] = Object.freeze(
  Object.values(ErrorCode).filter((value): value is ErrorCode => typeof value === 'string')
)

const PROTOCOL_CODES: ReadonlySet<string> = new Set(ERROR_CODES)

/** Whether `code` is one of the protocol's error codes. */
export function isErrorCode (code: unknown): code is ErrorCode {
  return typeof code === 'string' && PROTOCOL_CODES.has(code)
}

/** Base class of the wire's own errors; {@link isProtocolError} also accepts other packages' errors with a protocol code. */
export class WireError extends TesseraError {
  static override readonly code: ErrorCode = ErrorCode.UNSPECIFIED
  declare readonly code: ErrorCode
  /**
   * The request the failure belongs to, when the decoder got far enough to read it: lets a server answer a
   * pipelined execute that failed validation with an error reply the client can match.
   */
  requestId?: number
  /** The shard the failure concerns, when known and itself valid. */
  shardId?: string

}

/** A frame (or a record) is larger than the protocol allows. */
export class FrameTooLargeError extends WireError { static override readonly code = ErrorCode.FRAME_TOO_LARGE }

/** Bytes that do not decode as the expected message, or a message with a missing or out-of-range field. */
export class MalformedMessageError extends WireError { static override readonly code = ErrorCode.MALFORMED }

/** The request names a shard the node does not hold. */
export class UnknownShardError extends WireError { static override readonly code = ErrorCode.UNKNOWN_SHARD }

/** The reassembled weights do not hash to the content hash announced in ProgramBegin. */
export class HashMismatchError extends WireError { static override readonly code = ErrorCode.HASH_MISMATCH }

/** An upload declares more chunks than allowed, or sends a chunk past its declared count. */
export class TooManyChunksError extends WireError { static override readonly code = ErrorCode.TOO_MANY_CHUNKS }

/** An execute batch exceeds the batch or tensor-size limit. */
export class BatchTooLargeError extends WireError { static override readonly code = ErrorCode.BATCH_TOO_LARGE }

/** The node is at its in-flight limit for this peer (or overall); retry later or elsewhere. */
export class BusyError extends WireError { static override readonly code = ErrorCode.BUSY }

/** An exchange did not complete within its timeout. */
export class RequestTimeoutError extends WireError { static override readonly code = ErrorCode.TIMEOUT }

/** The node failed for a reason of its own; the message is deliberately generic. */
export class InternalError extends WireError { static override readonly code = ErrorCode.INTERNAL }

/** The request needs a direct connection and arrived over a limited (relayed) one. */
export class LimitedConnectionRefusedError extends WireError { static override readonly code = ErrorCode.LIMITED_CONNECTION }

/** A chunk arrived with an index other than the next expected one. */
export class ChunkOutOfOrderError extends WireError { static override readonly code = ErrorCode.CHUNK_OUT_OF_ORDER }

/** The upload was committed (or the stream ended) before every chunk arrived. */
export class IncompleteUploadError extends WireError { static override readonly code = ErrorCode.INCOMPLETE_UPLOAD }

/** A program names a shard id the node already holds. */
export class DuplicateShardError extends WireError { static override readonly code = ErrorCode.DUPLICATE_SHARD }

/** A well-formed message arrived where the protocol does not allow it (e.g. a chunk before ProgramBegin). */
export class UnexpectedMessageError extends WireError { static override readonly code = ErrorCode.UNEXPECTED_MESSAGE }

/** The program names a device preset other than the node's. */
export class DeviceMismatchError extends WireError { static override readonly code = ErrorCode.DEVICE_MISMATCH }

/** What a {@link QuotaExceededError} is about: the resource, the peer's limit and what the request would have taken. */
export interface QuotaDetail {
  /** The quota's name, e.g. `tiles`, `pending-uploads`, `streams`, `executes-in-flight`. */
  resource: string
  /** The caller's limit, in the resource's unit. */
  limit: number
  /** What the caller would have held with this request, in the same unit. */
  requested: number
}

/**
 * A per-peer quota of the serving node refused the request; `quota` says which resource and how much. A refusal
 * of a transient resource (streams, executes in flight, pending uploads) may succeed later; a tile refusal does
 * not until the caller releases some of its shards.
 */
export class QuotaExceededError extends WireError {
  static override readonly code = ErrorCode.QUOTA_EXCEEDED
  readonly quota?: QuotaDetail

  constructor (message?: string, options?: { cause?: unknown, quota?: QuotaDetail }) {
    super(message, options)
    if (options?.quota !== undefined) this.quota = options.quota
  }
}

/** The resources a node keeps per-peer quotas of, as named in {@link QuotaDetail.resource}. */
export const QUOTA_RESOURCES = Object.freeze({
  tiles: 'tiles',
  pendingUploads: 'pending-uploads',
  streams: 'streams',
  executesInFlight: 'executes-in-flight'
} as const)

/** Quotas that free up by themselves as the caller's requests in progress finish. */
const TRANSIENT_RESOURCES: ReadonlySet<string> = new Set([QUOTA_RESOURCES.pendingUploads, QUOTA_RESOURCES.streams, QUOTA_RESOURCES.executesInFlight])

/**
 * Whether a refusal says "later" rather than "no": BUSY, or a quota of requests in progress. The same request
 * may succeed once the caller's other requests to that node finish.
 */
export function isTransientRefusal (err: unknown): boolean {
  if (err instanceof BusyError) return true
  return err instanceof QuotaExceededError && err.quota !== undefined && TRANSIENT_RESOURCES.has(err.quota.resource)
}

/** The node is leaving the network and takes no new upload or execute; its shards belong elsewhere now. */
export class PeerLeavingError extends WireError { static override readonly code = ErrorCode.LEAVING }

/** An error that travels in an error reply under its own code, with the request and shard it concerns. */
export type ProtocolError = TesseraError & { code: ErrorCode, requestId?: number, shardId?: string }

/**
 * Whether `err` travels in error replies under its own code: a wire error, or another package's error whose code
 * is a protocol code (the crossbar's ShapeMismatchError, NonFiniteValueError, InsufficientCapacityError).
 */
export function isProtocolError (err: unknown): err is ProtocolError {
  return err instanceof WireError || (err instanceof TesseraError && isErrorCode(err.code))
}
