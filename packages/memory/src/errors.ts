/**
 * Named errors of the memory package. The capacity-record errors tell an unreadable record from one its peer did
 * not vouch for and from one outside its lifetime (what a DHT log needs to tell a stale record from a forged one).
 */
import { TesseraError } from '@tessera/errors'
import type { TesseraErrorOptions } from '@tessera/errors'

/**
 * A capacity record (or its DHT key) that cannot be read: a key that is not `/tessera/cap/<peerId>`, a record
 * larger than MAX_CAPACITY_RECORD_SIZE_BYTES, bytes that do not decode, or a missing or out-of-range field.
 */
export class MalformedRecordError extends TesseraError { static override readonly code = 'ERR_RECORD_MALFORMED' }

/**
 * A capacity record its peer did not vouch for: the signature does not verify, the signing key is not the key of
 * the peer the record describes, or the record is stored under another peer's key.
 */
export class InauthenticRecordError extends TesseraError { static override readonly code = 'ERR_RECORD_INAUTHENTIC' }

/** A capacity record whose expiry has passed, or lies farther ahead than MAX_CAPACITY_RECORD_LIFETIME_MS (plus clock skew). */
export class RecordExpiryError extends TesseraError { static override readonly code = 'ERR_RECORD_EXPIRY' }

/**
 * A dual-memory sample or observation that cannot be recorded: a value that is NaN, infinite, negative or of the
 * wrong type, a non-finite time, or a peer id that is empty or contains "/" (it becomes a datastore key segment).
 */
export class InvalidSampleError extends TesseraError { static override readonly code = 'ERR_INVALID_SAMPLE' }

/** A time argument went backwards: windows, buckets and other clocked steps assume a non-decreasing clock. */
export class ClockWentBackwardsError extends TesseraError { static override readonly code = 'ERR_CLOCK_WENT_BACKWARDS' }

/** A dual-memory factory or window option is out of its documented range. */
export class InvalidMemoryOptionError extends TesseraError { static override readonly code = 'ERR_INVALID_MEMORY_OPTION' }

/** A persisted long-term memory entry failed to decode or validate; loading skips it and keeps the rest. */
export class CorruptMemoryRecordError extends TesseraError {
  static override readonly code = 'ERR_CORRUPT_MEMORY_RECORD'
  /** @param key the datastore key of the corrupt entry */
  constructor (readonly key: string, message: string, options?: TesseraErrorOptions) {
    super(`${message} (${key})`, options)
  }
}

/**
 * A capacity record that would replace a stored one without being newer: its sequence is not above the stored
 * record's (a replayed older record, or a second record under one sequence).
 */
export class RecordNotNewerError extends TesseraError { static override readonly code = 'ERR_RECORD_NOT_NEWER' }
