/**
 * Conversion between thrown errors and error replies, so a failure on the serving node reaches the caller as
 * the same named error class instead of a string or a hung stream.
 */
import {
  BatchTooLargeError, BusyError, ChunkOutOfOrderError, DeviceMismatchError, DuplicateShardError, ErrorCode, PeerLeavingError,
  FrameTooLargeError, HashMismatchError, IncompleteUploadError, InsufficientCapacityError, InternalError,
  LimitedConnectionRefusedError, MalformedMessageError, NonFiniteValueError, QuotaExceededError, RequestTimeoutError,
  ShapeMismatchError, TooManyChunksError, UnexpectedMessageError, UnknownShardError, WireError, isProtocolError
} from './errors.js'
import { MAX_ERROR_MESSAGE_LENGTH } from './constants.js'
import type { TesseraError } from '@tessera/errors'
import type { ErrorReply } from './shard-messages.js'

type WireErrorClass = new (message?: string) => WireError

/** A crossbar class with a protocol code, typed as the wire error it is at run time (see WireError's `instanceof`). */
function protocolCoded (ErrorClass: new (message?: string) => TesseraError): WireErrorClass {
  return ErrorClass as WireErrorClass
}

/**
 * The class each protocol code stands for, keyed by the class's own `code` (every wire error class, and the
 * crossbar's with protocol codes). UNSPECIFIED has none: it reads as INTERNAL.
 */
const CLASS_BY_CODE: ReadonlyMap<string, WireErrorClass> = new Map([
  FrameTooLargeError, MalformedMessageError, UnknownShardError, ShapeMismatchError, InsufficientCapacityError, HashMismatchError,
  TooManyChunksError, BatchTooLargeError, BusyError, RequestTimeoutError, InternalError, LimitedConnectionRefusedError,
  NonFiniteValueError, ChunkOutOfOrderError, IncompleteUploadError, DuplicateShardError, UnexpectedMessageError,
  DeviceMismatchError, QuotaExceededError, PeerLeavingError
].map((ErrorClass) => [ErrorClass.code, protocolCoded(ErrorClass)]))

/**
 * Codes for libp2p's stream timeout, framing and limited-connection errors. libp2p's errors carry no code, so
 * they are matched by `err.name`; tessera's own errors travel by their `code` instead.
 */
export const ERROR_CODE_BY_ERROR_NAME: Readonly<Record<string, ErrorCode>> = Object.freeze({
  TimeoutError: ErrorCode.TIMEOUT,
  AbortError: ErrorCode.TIMEOUT,
  LimitedConnectionError: ErrorCode.LIMITED_CONNECTION,
  InvalidDataLengthError: ErrorCode.FRAME_TOO_LARGE,
  InvalidDataLengthLengthError: ErrorCode.FRAME_TOO_LARGE
})

/**
 * Creates the named error class for a code (INTERNAL for UNSPECIFIED). A reply without a message (another
 * implementation may send one) gets a message naming its code.
 */
export function wireErrorFromCode (code: ErrorCode, message?: string): WireError {
  const ErrorClass = CLASS_BY_CODE.get(code) ?? InternalError
  return new ErrorClass(messageOf(code, message))
}

function messageOf (code: ErrorCode, message: string | undefined): string {
  return message === undefined || message === '' ? `the peer replied ${code} without a message` : message
}

/** Turns an error reply into the named error it stands for (an {@link UnknownShardError} for UNKNOWN_SHARD…). */
export function errorFromReply (reply: Pick<ErrorReply, 'code' | 'message'> & Partial<Pick<ErrorReply, 'requestId' | 'shardId' | 'quota'>>): WireError {
  const err = reply.code === ErrorCode.QUOTA_EXCEEDED
    ? new QuotaExceededError(messageOf(reply.code, reply.message), reply.quota === undefined ? {} : { quota: { ...reply.quota } })
    : wireErrorFromCode(reply.code, reply.message)
  if (reply.requestId !== undefined) err.requestId = reply.requestId
  if (reply.shardId !== undefined) err.shardId = reply.shardId
  return err
}

/** Context copied into an error reply so the caller can match it to its request. */
export interface ErrorReplyContext {
  requestId?: number
  shardId?: string
}

function truncate (text: string): string {
  return text.length <= MAX_ERROR_MESSAGE_LENGTH ? text : text.slice(0, MAX_ERROR_MESSAGE_LENGTH)
}

/**
 * The error reply for a thrown value. `context` wins over the request and shard ids a decoding error carries.
 * Wire errors (any error whose code is a protocol code) keep their code and message; libp2p's errors known by
 * name ({@link ERROR_CODE_BY_ERROR_NAME}) keep their message under the matching code; anything else becomes
 * INTERNAL with a generic message, so a node never leaks stack traces or internal state to peers.
 */
export function toErrorReply (err: unknown, context: ErrorReplyContext = {}): ErrorReply {
  let code: ErrorCode = ErrorCode.INTERNAL
  let message = 'internal error'
  if (isProtocolError(err)) {
    code = err.code === ErrorCode.UNSPECIFIED ? ErrorCode.INTERNAL : err.code
    message = err.message
  } else if (err instanceof Error && Object.hasOwn(ERROR_CODE_BY_ERROR_NAME, err.name)) {
    code = ERROR_CODE_BY_ERROR_NAME[err.name]
    message = err.message
  }
  const reply: ErrorReply = { type: 'error', code, message: truncate(message) }
  const requestId = context.requestId ?? (isProtocolError(err) ? err.requestId : undefined)
  const shardId = context.shardId ?? (isProtocolError(err) ? err.shardId : undefined)
  if (requestId !== undefined) reply.requestId = requestId
  if (shardId !== undefined) reply.shardId = shardId
  if (err instanceof QuotaExceededError && err.quota !== undefined) reply.quota = { ...err.quota }
  return reply
}
