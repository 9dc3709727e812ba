// A run context for unit tests: the pure parts are the real ones (health, memories, recorder, a policy), nothing
// touches a network, and a test replaces whichever members it exercises.
import { performance } from 'node:perf_hooks'
import { createRng } from '@tessera/crossbar'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import type { CapacityRecord } from '@tessera/memory'
import { createPolicy } from '@tessera/scheduler'
import { capacityRecordFields } from '@tessera/testing'
import { PeerHealth } from '../src/health.js'
import { RunRecorder } from '../src/metrics.js'
import type { LiveRunContextInit } from '../src/live-run-context.js'
import type { PeerNetwork } from '../src/peer-network.js'
import type { PeerShards } from '../src/peer-shards.js'
import type { PeerTarget } from '../src/peers.js'
import { noUploadProgress } from '../src/progress.js'
import { RecentBusy } from '../src/recent-busy.js'
import type { RunContext, RunSettings } from '../src/run-context.js'
import { newShardState } from '../src/shard-state.js'
import type { ShardState } from '../src/shard-state.js'
import { Slots } from '../src/slots.js'

/** Settings of a test run (short timeouts, one upload at a time). */
export const TEST_SETTINGS: RunSettings = {
  runId: 'run', seed: 's', callTimeoutMs: 1000, programTimeoutMs: 1000, callsPerPeer: 2, batchDeadlineMs: 10_000, uploadConcurrency: 1, uploadProgress: noUploadProgress
}

/** A one-tile 4×4 shard `id` with a copy on each of `holders`. */
export function heldShard (id: string, holders: string[]): ShardState {
  const s = newShardState({ spec: { id, tilesNeeded: 1, geometry: { rows: 4, cols: 4 }, cells: 16, bytes: 64, sensitivity: 0, expectedLoad: 1 }, blocks: [], rows: 4, cols: 4, weights: new Float32Array(16) })
  for (const h of holders) {
    s.holders.push(h)
    s.tilesByHolder.set(h, 1)
  }
  return s
}

/** A shard service whose members not given reject: a test that reaches one has gone where it did not mean to. */
export function fakeShards (peerId: string, members: Partial<PeerShards> = {}): PeerShards {
  const unused = async (): Promise<never> => { throw new Error(`no shard service on ${peerId} in this test`) }
  return { program: unused, execute: unused, release: unused, ...members }
}

/** The members a run is given, as a test run has them: a real policy, recorder and memories, no emulated delay. */
function givenMembers (): Pick<RunContext, 'policy' | 'rng' | 'settings' | 'recorder' | 'shortTerm' | 'longTerm' | 'now' | 'emulatedDelayMs' | 'recentBusy'> {
  return {
    policy: createPolicy('round-robin'),
    rng: createRng('test-run'),
    settings: TEST_SETTINGS,
    recorder: new RunRecorder(),
    shortTerm: createShortTermMemory(),
    longTerm: createLongTermMemory(),
    now: () => performance.now(),
    emulatedDelayMs: () => 0,
    recentBusy: new RecentBusy(1000)
  }
}

/** A complete run context with `overrides` in place of the defaults. */
export function fakeRunContext (overrides: Partial<RunContext> = {}): RunContext {
  const slots = new Map<string, Slots>()
  const ctx: RunContext = {
    ...givenMembers(),
    health: new PeerHealth(),
    targets: new Map(),
    dead: new Set(),
    tilesTaken: new Map(),
    tileCaps: new Map(),
    pending: new Map(),
    shards: new Map(),
    abandoned: [],
    errors: [],
    remoteId: (shardId) => `run/${shardId}`,
    client: (peerId) => fakeShards(peerId),
    slotsOf: (peerId) => {
      const s = slots.get(peerId) ?? new Slots(TEST_SETTINGS.callsPerPeer)
      slots.set(peerId, s)
      return s
    },
    views: () => [],
    invalidateViews: () => {},
    recoverOrMarkDead: async () => true,
    peerLeaving: () => {},
    refreshPeers: async () => {},
    dropAllocation: (shard, peerId) => { shard.tilesByHolder.delete(peerId) }
  }
  return Object.assign(ctx, overrides)
}

/**
 * A peer reached directly with 4 free tiles on 127.0.0.1 whose capacity record names its address; `record` replaces
 * fields of the record, `measuredRttMs` the measured round trip.
 */
export function fakeTarget (peerId: string, record: Partial<CapacityRecord> = {}, measuredRttMs = 1): PeerTarget {
  return {
    peerId,
    path: 'direct',
    measuredRttMs,
    record: capacityRecordFields(peerId, { tilesTotal: 4, tilesFree: 4, addresses: [`/ip4/127.0.0.1/tcp/4001/p2p/${peerId}`], expiresAtMs: 1, ...record })
  }
}

/** Options of the coordinator's own run context for a test: `network`, the peers `known`, no shard service. */
export function liveRunContextInit (network: PeerNetwork, known: readonly string[], overrides: Partial<LiveRunContextInit> = {}): LiveRunContextInit {
  return {
    network,
    connectShards: (peerId) => fakeShards(peerId),
    ...givenMembers(),
    targets: new Map(known.map((id) => [id, fakeTarget(id)])),
    tilesTaken: new Map(),
    tileCaps: new Map(),
    ...overrides
  }
}
