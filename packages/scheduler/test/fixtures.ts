/**
 * Hand-built peers and shards for the scheduler's tests.
 */
import type { LongTermStats, TrendEstimate } from '@tessera/memory'
import type { DeviceView, PeerView, ShardSpec } from '../src/types.js'

export interface PeerOptions extends Partial<Omit<PeerView, 'peerId' | 'device'>> {
  device?: Partial<DeviceView>
}

/** A direct 256×256 peer with 16 free tiles, 1 GMAC/s, 10 ms RTT and no history, unless overridden. */
export function peer (peerId: string, options: PeerOptions = {}): PeerView {
  const { device, ...rest } = options
  return {
    peerId,
    path: 'direct',
    rttMs: 10,
    ...rest,
    device: {
      preset: 'ideal',
      geometry: { rows: 256, cols: 256 },
      noiseLevel: 0,
      tilesFree: 16,
      tilesTotal: 16,
      throughput: 1e9,
      ...device
    }
  }
}

/** A one-tile 256×256 shard, fully used (65,536 weights, 256 KiB as float32), once per request. */
export function shard (id: string, options: Partial<ShardSpec> = {}): ShardSpec {
  return {
    id,
    tilesNeeded: 1,
    geometry: { rows: 256, cols: 256 },
    cells: 65_536,
    bytes: 262_144,
    sensitivity: 0,
    expectedLoad: 1,
    requestBytes: 2048,
    ...options
  }
}

const flat: TrendEstimate = { direction: 'stable', slopePerHour: 0, relativeChange: 0, tStatistic: 0, buckets: 24 }

/** Long-term stats with a given overall trend and otherwise a clean record. */
export function longTerm (peerId: string, overrides: Partial<LongTermStats> = {}): LongTermStats {
  return {
    peerId,
    firstSeenMs: 0,
    lastSeenMs: 0,
    calls: 1000,
    failureRate: 0.01,
    availability: 0.99,
    throughputSamples: 0,
    timeoutRate: 0,
    verifiedAnswers: 0,
    failedChecks: 0,
    reputation: { score: 0.99, checks: 1, speed: 1, reliability: 0.99 },
    trend: 'stable',
    trends: { latencyMs: flat, throughput: flat, failureRate: flat },
    ...overrides
  }
}
