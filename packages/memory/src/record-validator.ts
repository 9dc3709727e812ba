/**
 * The kad-dht validator of capacity records. kad-dht stores one value per key with no expiry of its own and
 * overwrites a stored record with any validly signed PUT, so freshness must be enforced here: an expired record
 * is rejected, and so is one that claims to live longer than the lifetime cap (which would let its holder
 * replay it for ever).
 */
import { CLOCK_SKEW_TOLERANCE_MS, MAX_CAPACITY_RECORD_LIFETIME_MS } from './constants.js'
import { InauthenticRecordError, RecordExpiryError } from './errors.js'
import { openCapacityRecord } from './capacity-record.js'
import { parseCapacityRecordKey } from './record-key.js'
import type { CapacityRecord } from './capacity-record.js'

/** Options of {@link createCapacityRecordValidator}. */
export interface CapacityRecordValidatorInit {
  /** Clock, ms since the Unix epoch (default `Date.now`; simulations pass their own). */
  now?: () => number
  /** Farthest ahead of `now()` a record may expire (default MAX_CAPACITY_RECORD_LIFETIME_MS, 10 min). */
  maxLifetimeMs?: number
  /** Tolerated clock difference added to the lifetime cap (default CLOCK_SKEW_TOLERANCE_MS, 30 s). */
  clockSkewToleranceMs?: number
}

/** kad-dht's validator shape: resolves for a valid record, rejects with a named error otherwise. */
export type CapacityRecordValidator = (key: Uint8Array, value: Uint8Array) => Promise<void>

/**
 * Checks a record against a clock: not expired, not expiring beyond the lifetime cap.
 *
 * @throws {RecordExpiryError} expired, or expiring beyond the lifetime cap
 */
export function checkCapacityRecordFreshness (record: CapacityRecord, nowMs: number, init: Omit<CapacityRecordValidatorInit, 'now'> = {}): void {
  const maxLifetimeMs = init.maxLifetimeMs ?? MAX_CAPACITY_RECORD_LIFETIME_MS
  const skewMs = init.clockSkewToleranceMs ?? CLOCK_SKEW_TOLERANCE_MS
  if (nowMs > record.expiresAtMs) {
    throw new RecordExpiryError(`record of ${record.peerId} expired at ${record.expiresAtMs}, now ${nowMs}`)
  }
  if (record.expiresAtMs - nowMs > maxLifetimeMs + skewMs) {
    throw new RecordExpiryError(`record of ${record.peerId} expires at ${record.expiresAtMs}, more than ${maxLifetimeMs} ms after ${nowMs}`)
  }
}

/**
 * Creates the validator to register as `validators: { tessera: validator }` in kad-dht, and to run on your own
 * record before `put` (kad-dht stores a node's own put unvalidated).
 *
 * @example
 * ```ts
 * const validator = createCapacityRecordValidator({ now: () => Date.now() })
 * kadDHT({ validators: { tessera: validator }, selectors: { tessera: capacityRecordSelector } })
 * ```
 * Rejects with MalformedRecordError (bad key, too large, undecodable, bad field), InauthenticRecordError (the
 * record is another peer's, signed with another peer's key, or its signature does not verify) or
 * RecordExpiryError (expired, or expiring too far ahead).
 */
export function createCapacityRecordValidator (init: CapacityRecordValidatorInit = {}): CapacityRecordValidator {
  const now = init.now ?? Date.now
  return async (key, value) => {
    await verifyCapacityRecord(key, value, now(), init)
  }
}

/**
 * Everything the validator checks, returning the record: for reading a value fetched from the DHT (a node's
 * own datastore may still hold a record that has since expired).
 *
 * @throws the validator's named errors
 */
export async function verifyCapacityRecord (key: Uint8Array, value: Uint8Array, nowMs: number, init: Omit<CapacityRecordValidatorInit, 'now'> = {}): Promise<CapacityRecord> {
  const keyPeer = parseCapacityRecordKey(key).toString()
  // The key and the clock are checked before the signature: a stranger's foreign, expired or far-future records
  // are refused without an Ed25519 verification each.
  return await openCapacityRecord(value, (record) => {
    if (record.peerId !== keyPeer) {
      throw new InauthenticRecordError(`record of ${record.peerId} stored under the key of ${keyPeer}`)
    }
    checkCapacityRecordFreshness(record, nowMs, init)
  })
}
