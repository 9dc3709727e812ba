/**
 * The kad-dht selector of capacity records: of several (already validated) records for one key, the newest
 * publication wins.
 */
import { decodeCapacityRecordBody, decodeCapacityRecordEnvelope } from './capacity-record.js'
import type { CapacityRecord } from './capacity-record.js'

function tryDecode (bytes: Uint8Array): CapacityRecord | undefined {
  try {
    return decodeCapacityRecordBody(decodeCapacityRecordEnvelope(bytes).body)
  } catch {
    return undefined
  }
}

/**
 * Index of the record to keep: the highest sequence number; ties go to the later `issuedAtMs`, then to the
 * first. Records that do not decode are skipped; when none decodes the answer is 0 (kad-dht needs an index).
 * Signatures are not re-checked: kad-dht validates every record before selecting.
 */
export function capacityRecordSelector (_key: Uint8Array, records: Uint8Array[]): number {
  let best = 0
  let bestRecord: CapacityRecord | undefined
  for (let i = 0; i < records.length; i++) {
    const record = tryDecode(records[i])
    if (record === undefined) continue
    if (bestRecord === undefined || record.sequence > bestRecord.sequence ||
      (record.sequence === bestRecord.sequence && record.issuedAtMs > bestRecord.issuedAtMs)) {
      best = i
      bestRecord = record
    }
  }
  return best
}
