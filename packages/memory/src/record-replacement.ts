/**
 * When a stored capacity record may be replaced. kad-dht's PUT handler stores whatever its validator accepts, and
 * the validator sees one record at a time: without this rule a valid but older record (captured earlier and
 * replayed before it expires) rolls a node's record back. The node's DHT store runs it on every write of a
 * record it already holds, whoever sends it and however (PUT, correction, its own re-publication).
 */
import { decodeCapacityRecordBody, decodeCapacityRecordEnvelope } from './capacity-record.js'
import { InauthenticRecordError, RecordNotNewerError } from './errors.js'
import { checkCapacityRecordFreshness } from './record-validator.js'
import type { CapacityRecord } from './capacity-record.js'
import type { CapacityRecordValidatorInit } from './record-validator.js'

/** What a write does to a stored record: `replace` it, or leave it `unchanged` (the same bytes again). */
export type RecordReplacement = 'replace' | 'unchanged'

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** The stored record if it still counts: one that no longer decodes or has expired may be replaced by any valid one. */
function liveRecord (bytes: Uint8Array, nowMs: number, init: Omit<CapacityRecordValidatorInit, 'now'>): CapacityRecord | undefined {
  try {
    const record = decodeCapacityRecordBody(decodeCapacityRecordEnvelope(bytes).body)
    checkCapacityRecordFreshness(record, nowMs, init)
    return record
  } catch {
    return undefined
  }
}

/**
 * Decides whether `incoming` (already validated: signed by the key's peer, fresh) may replace `stored` under the
 * same key. It may when the stored record has expired or no longer decodes, or when both describe the same peer
 * and the incoming sequence is strictly higher — the record {@link capacityRecordSelector} would keep, with a tie
 * refused: one sequence names one publication, so a second record under it is not a newer one.
 *
 * @example
 * ```ts
 * if (checkCapacityRecordReplacement(storedValue, putValue, Date.now()) === 'replace') await store.put(key, putValue)
 * ```
 * @throws {RecordNotNewerError} the incoming sequence is not above the stored one
 * @throws {InauthenticRecordError} the two records describe different peers
 * @throws {MalformedRecordError} `incoming` does not decode
 */
export function checkCapacityRecordReplacement (stored: Uint8Array, incoming: Uint8Array, nowMs: number,
  init: Omit<CapacityRecordValidatorInit, 'now'> = {}): RecordReplacement {
  if (sameBytes(stored, incoming)) return 'unchanged'
  const next = decodeCapacityRecordBody(decodeCapacityRecordEnvelope(incoming).body)
  const current = liveRecord(stored, nowMs, init)
  if (current === undefined) return 'replace'
  if (current.peerId !== next.peerId) {
    throw new InauthenticRecordError(`a record of ${next.peerId} cannot replace the stored record of ${current.peerId}`)
  }
  if (next.sequence <= current.sequence) {
    throw new RecordNotNewerError(`record of ${next.peerId} with sequence ${next.sequence} does not replace the stored sequence ${current.sequence}: a replacement needs a higher sequence`)
  }
  return 'replace'
}
