/**
 * The demand on each shard of a run, calls per second, as the reconfiguration step reads it: the calls answered in
 * a trailing window, or what the shard was asked for lately when that was more, decaying with a time constant (a
 * dip in calls answered — a slow copy — is not a drop in demand).
 */
import type { RunRecorder } from './metrics.js'

/** Options of {@link createDemandMeter}. */
export interface DemandMeterInit {
  /** Trailing window the call rates are measured over, ms. */
  loadWindowMs: number
  /** Time constant of the remembered rate, ms. */
  demandMemoryMs: number
}

/**
 * The remembered demand per shard id: `(shardId, measuredPerSec, nowMs)` → the rate the step reads, the measured
 * one or the last rate decayed with `demandMemoryMs`, whichever is more.
 */
export function createDemandMemory (init: Pick<DemandMeterInit, 'demandMemoryMs'>): (shardId: string, measuredPerSec: number, nowMs: number) => number {
  const remembered = new Map<string, { rate: number, atMs: number }>()
  return (shardId, measuredPerSec, nowMs) => {
    const before = remembered.get(shardId)
    const decayed = before === undefined ? 0 : before.rate * Math.exp(-(nowMs - before.atMs) / init.demandMemoryMs)
    const rate = Math.max(measuredPerSec, decayed)
    remembered.set(shardId, { rate, atMs: nowMs })
    return rate
  }
}

/** A meter over the run's call records (newest last): `(shardIds, nowMs)` → calls/s per shard id. */
export function createDemandMeter (recorder: Pick<RunRecorder, 'calls'>, init: DemandMeterInit): (shardIds: Iterable<string>, nowMs: number) => Map<string, number> {
  const demandOf = createDemandMemory(init)
  return (shardIds, nowMs) => {
    const from = nowMs - init.loadWindowMs
    const counts = new Map<string, number>()
    const calls = recorder.calls
    for (let i = calls.length - 1; i >= 0 && calls[i].endMs >= from; i--) if (calls[i].ok) counts.set(calls[i].shardId, (counts.get(calls[i].shardId) ?? 0) + 1)
    const rates = new Map<string, number>()
    for (const shardId of shardIds) rates.set(shardId, demandOf(shardId, (counts.get(shardId) ?? 0) / (init.loadWindowMs / 1000), nowMs))
    return rates
  }
}
