/**
 * @packageDocumentation
 * The memory layer of tessera: signed capacity records for the DHT, and the dual memory a coordinator keeps
 * of its peers — short-term sliding windows of load and latency, long-term persisted trends of throughput,
 * latency, failures, result error and availability. Pure and clock-injected: every function takes `nowMs`.
 *
 * @example
 * ```ts
 * import { createShortTermMemory, createLongTermMemory } from '@tessera/memory'
 *
 * const shortTerm = createShortTermMemory()
 * const longTerm = createLongTermMemory({ datastore })
 * await longTerm.load(Date.now())
 * shortTerm.observe(peerId, { latencyMs: 12, ok: true }, Date.now())
 * longTerm.observe(peerId, { latencyMs: 12, ok: true }, Date.now())
 * ```
 *
 * Capacity records (signed, for kad-dht under `/tessera/cap/<peerId>`):
 * ```ts
 * const validator = createCapacityRecordValidator({ now: Date.now })
 * const value = await signCapacityRecord(record, privateKey)
 * await validator(capacityRecordKey(peerId), value)
 * const best = capacityRecordSelector(key, values); const opened = await openCapacityRecord(values[best])
 * ```
 */
export * from './errors.js'
export * from './constants.js'
export {
  checkCapacityRecord, encodeCapacityRecordBody, decodeCapacityRecordBody, decodeCapacityRecordEnvelope,
  capacityRecordSignedBytes, signCapacityRecord, openCapacityRecord
} from './capacity-record.js'
export type { CapacityRecord, CapacityDevice, CapacityRecordEnvelope, Reachability, NatKind } from './capacity-record.js'
export { capacityRecordKey, parseCapacityRecordKey } from './record-key.js'
export { createCapacityRecordValidator, checkCapacityRecordFreshness, verifyCapacityRecord } from './record-validator.js'
export type { CapacityRecordValidator, CapacityRecordValidatorInit } from './record-validator.js'
export { capacityRecordSelector } from './record-selector.js'
export { checkCapacityRecordReplacement } from './record-replacement.js'
export type { RecordReplacement } from './record-replacement.js'
export { capabilityCid, TESSERA_CAPABILITY_CID } from './record-discovery.js'
export type { MetricSummary, ShortTermStats, LongTermStats, Reputation, TrendDirection, TrendEstimate } from './peer-stats.js'
export { reputationOf } from './reputation.js'
export type { ReputationInputs } from './reputation.js'
export { TimeWindow } from './short-term-window.js'
export { searchSorted } from './sorted-search.js'
export { createShortTermMemory, checkPeerId, SHORT_TERM_METRICS } from './short-term.js'
export type { ShortTermMemory, ShortTermMemoryInit, ShortTermMetric, ShortTermSample } from './short-term.js'
export { createLongTermMemory } from './long-term.js'
export type { LongTermMemory, LongTermMemoryInit, LongTermObservation, LongTermLoadResult } from './long-term.js'
export { encodeLongTermRecord, decodeLongTermRecord } from './long-term-codec.js'
export type { LongTermBucket, LongTermRecord } from './long-term-codec.js'
export { fitTrend, isSignificant } from './long-term-trend.js'
export type { TrendFit, TrendInput, TrendThresholds } from './long-term-trend.js'
