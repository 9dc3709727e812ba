/**
 * Named errors of the memory package. Every failure has its own class with `name` set, a default message and a
 * `code` (also on the class), so callers and DHT logs can tell a stale record from a forged one.
 */
import { TesseraError } from '@tessera/errors'

/** Base class of every memory-layer error. */
export class MemoryError extends Error {
  static readonly code: string = 'ERR_MEMORY'
  readonly code: string

  constructor (message: string, code = 'ERR_MEMORY') {
    super(message)
    this.name = 'MemoryError'
    this.code = code
  }
}

/** A DHT key that is not `/tessera/cap/<peerId>` with a parseable peer id. */
export class InvalidRecordKeyError extends MemoryError {
  static override readonly code = 'ERR_INVALID_RECORD_KEY'
  constructor (message = 'not a capacity record key') {
    super(message, InvalidRecordKeyError.code)
    this.name = 'InvalidRecordKeyError'
  }
}

/** A signed record larger than MAX_CAPACITY_RECORD_SIZE_BYTES. */
export class RecordTooLargeError extends MemoryError {
  static override readonly code = 'ERR_RECORD_TOO_LARGE'
  constructor (message = 'capacity record too large') {
    super(message, RecordTooLargeError.code)
    this.name = 'RecordTooLargeError'
  }
}

/** Bytes that do not decode as a signed capacity record. */
export class RecordDecodeError extends MemoryError {
  static override readonly code = 'ERR_RECORD_UNDECODABLE'
  constructor (message = 'capacity record does not decode') {
    super(message, RecordDecodeError.code)
    this.name = 'RecordDecodeError'
  }
}

/** A record that decodes but has a missing or out-of-range field. */
export class MalformedRecordError extends MemoryError {
  static override readonly code = 'ERR_RECORD_MALFORMED'
  constructor (message = 'capacity record has an invalid field') {
    super(message, MalformedRecordError.code)
    this.name = 'MalformedRecordError'
  }
}

/** A record stored under another peer's key (the body's peer id is not the key's). */
export class RecordPeerMismatchError extends MemoryError {
  static override readonly code = 'ERR_RECORD_PEER_MISMATCH'
  constructor (message = 'record peer id does not match its key') {
    super(message, RecordPeerMismatchError.code)
    this.name = 'RecordPeerMismatchError'
  }
}

/** A record whose signing key is not the key of the peer it describes. */
export class RecordSignerMismatchError extends MemoryError {
  static override readonly code = 'ERR_RECORD_SIGNER_MISMATCH'
  constructor (message = 'record signed by a key other than its peer\'s') {
    super(message, RecordSignerMismatchError.code)
    this.name = 'RecordSignerMismatchError'
  }
}

/** A signature that does not verify over the record body. */
export class InvalidRecordSignatureError extends MemoryError {
  static override readonly code = 'ERR_RECORD_BAD_SIGNATURE'
  constructor (message = 'record signature does not verify') {
    super(message, InvalidRecordSignatureError.code)
    this.name = 'InvalidRecordSignatureError'
  }
}

/** A record whose expiry has passed. */
export class RecordExpiredError extends MemoryError {
  static override readonly code = 'ERR_RECORD_EXPIRED'
  constructor (message = 'capacity record expired') {
    super(message, RecordExpiredError.code)
    this.name = 'RecordExpiredError'
  }
}

/** A record that expires farther ahead than MAX_CAPACITY_RECORD_LIFETIME_MS (plus clock skew). */
export class RecordExpiryTooFarError extends MemoryError {
  static override readonly code = 'ERR_RECORD_EXPIRY_TOO_FAR'
  constructor (message = 'capacity record expires too far in the future') {
    super(message, RecordExpiryTooFarError.code)
    this.name = 'RecordExpiryTooFarError'
  }
}

/** A dual-memory sample or observation holds a value that is NaN, infinite, negative or of the wrong type. */
export class InvalidSampleError extends MemoryError {
  static override readonly code = 'ERR_INVALID_SAMPLE'
  constructor (message = 'sample value must be a finite, non-negative number') {
    super(message, InvalidSampleError.code)
    this.name = 'InvalidSampleError'
  }
}

/** A time argument went backwards: windows and buckets assume a non-decreasing clock. */
export class ClockWentBackwardsError extends MemoryError {
  static override readonly code = 'ERR_CLOCK_WENT_BACKWARDS'
  constructor (message = 'nowMs is earlier than a previously recorded time') {
    super(message, ClockWentBackwardsError.code)
    this.name = 'ClockWentBackwardsError'
  }
}

/** A peer id given to the dual memory is empty or contains "/" (it becomes a datastore key segment). */
export class InvalidPeerIdError extends MemoryError {
  static override readonly code = 'ERR_INVALID_PEER_ID'
  constructor (message = 'peer id must be a non-empty string without "/"') {
    super(message, InvalidPeerIdError.code)
    this.name = 'InvalidPeerIdError'
  }
}

/** A dual-memory factory option is out of its documented range. */
export class InvalidOptionError extends MemoryError {
  static override readonly code = 'ERR_INVALID_OPTION'
  constructor (message = 'option out of range') {
    super(message, InvalidOptionError.code)
    this.name = 'InvalidOptionError'
  }
}

/** A persisted long-term memory entry failed to decode or validate; loading skips it and keeps the rest. */
export class CorruptMemoryRecordError extends MemoryError {
  static override readonly code = 'ERR_CORRUPT_MEMORY_RECORD'
  /** The datastore key of the corrupt entry. */
  readonly key: string
  constructor (key: string, message = 'long-term memory entry is corrupt') {
    super(`${message} (${key})`, CorruptMemoryRecordError.code)
    this.name = 'CorruptMemoryRecordError'
    this.key = key
  }
}

/**
 * A capacity record that would replace a stored one without being newer: its sequence is not above the stored
 * record's (a replayed older record, or a second record under one sequence).
 */
export class RecordNotNewerError extends TesseraError {
  static override readonly code = 'ERR_RECORD_NOT_NEWER'
}
