/**
 * The coordinator: discovers peers (providers of the capability CID and their signed capacity records), keeps
 * the dual memory of them (metrics gossip and its own observations), and runs jobs — plan, place with a policy,
 * program, stream requests with recovery — measuring each run.
 */
import { performance } from 'node:perf_hooks'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import type { LongTermMemory, ShortTermMemory } from '@tessera/memory'
import type { PeerSample, TesseraNode } from '@tessera/peer'
import { DEFAULT_DISCOVERY_TIMEOUT_MS, RECENT_BUSY_HORIZON_MS } from './constants.js'
import { coordinatorDiscovery, discoverUntil } from './discovery.js'
import { listenToLoadGossip } from './load-gossip.js'
import type { PeerTarget } from './peers.js'
import type { UploadProgressFactory } from './progress.js'
import { RecentBusy } from './recent-busy.js'
import { runJob } from './run-job.js'
import type { CoordinatorState } from './run-job.js'
import type { RunJobOptions } from './run-options.js'
import type { RunResult } from './run-result.js'
import { coordinatorSettings } from './validate-options.js'

/** Options of {@link createCoordinator}; every field but `node` is optional. */
export interface CoordinatorInit {
  /** The coordinator's own node (a client-only node is enough). */
  node: TesseraNode
  /** Short-term memory of peers (default: a fresh one with one-minute windows). */
  shortTerm?: ShortTermMemory
  /** Long-term memory of peers (default: an in-memory one; pass one backed by the node's datastore to persist). */
  longTerm?: LongTermMemory
  /**
   * Emulated one-way network delay per peer id, ms, applied at the coordinator before each request and after
   * each reply (loopback has none). Default none.
   */
  emulatedDelayMs?: Readonly<Record<string, number>> | ((peerId: string) => number)
  /**
   * Shortest timeout of one shard call (default 10 s): each peer's timeout adapts above it to its observed p95
   * round trip and doubles per consecutive timeout. A timeout makes the peer suspect (backed off), never dead.
   */
  callTimeoutMs?: number
  /** Timeout of one shard upload (default 60 s). */
  programTimeoutMs?: number
  /** Shard calls outstanding per peer (default 6; the shard service allows 8). */
  callsPerPeer?: number
  /**
   * How long a batch keeps retrying — slow peers, replicas, re-placements, waiting for a peer that can take a
   * shard — before its requests count as lost with a `BatchDeadlineError` (default 60 s).
   */
  batchDeadlineMs?: number
  /** Uploads in flight while programming (default 4). */
  uploadConcurrency?: number
  /** Told how uploads progress (default: nobody); the CLI passes a progress bar. */
  uploadProgress?: UploadProgressFactory
  /** Push period of the coordinator's own metrics service when its node has none, ms (default COORDINATOR_METRICS_INTERVAL_MS: 1 s). */
  metricsIntervalMs?: number
  /** Monotonic clock, ms (default `performance.timeOrigin + performance.now()`). */
  now?: () => number
  /** Told every load sample a peer gossips to the coordinator (live views read peers' load from it). */
  onPeerSample?: (sample: PeerSample) => void
}

/** A coordinator. */
export interface Coordinator {
  /**
   * Finds peers with tiles and connects to them, looking again until `minPeers` (default 1) are connected or
   * `timeoutMs` (default 20 s) passes; resolves to every usable peer found so far.
   */
  discover: (options?: { timeoutMs?: number, minPeers?: number }) => Promise<PeerTarget[]>
  /** The peers found so far. */
  targets: () => PeerTarget[]
  readonly shortTerm: ShortTermMemory
  readonly longTerm: LongTermMemory
  /** Plans, places, programs and runs a job; releases its shards at the end. */
  run: (options: RunJobOptions) => Promise<RunResult>
  /** Detaches from the node (the node itself is the caller's to stop). */
  stop: () => Promise<void>
}

/**
 * Creates a coordinator on a running node.
 *
 * @example
 * ```ts
 * const node = await createTesseraNode({ network: 'local', serve: false, bootstrap: [addr] })
 * const coordinator = createCoordinator({ node })
 * await coordinator.discover()
 * const result = await coordinator.run({ job: jobFromMlp(model), policy: 'tessera', inputs: heldOut.images, labels: heldOut.labels, requests: 512 })
 * console.log(result.metrics.throughputRps, result.metrics.requestsLost)
 * await coordinator.stop(); await node.stop()
 * ```
 */
export function createCoordinator (init: CoordinatorInit): Coordinator {
  const node = init.node
  const now = init.now ?? (() => performance.timeOrigin + performance.now())
  const shortTerm = init.shortTerm ?? createShortTermMemory()
  const longTerm = init.longTerm ?? createLongTermMemory()
  const delays = init.emulatedDelayMs
  let runs = 0
  const state: CoordinatorState = {
    node,
    discovery: coordinatorDiscovery(node),
    settings: coordinatorSettings(init),
    shortTerm,
    longTerm,
    now,
    emulatedDelayMs: typeof delays === 'function' ? delays : (peerId) => delays?.[peerId] ?? 0,
    recentBusy: new RecentBusy(RECENT_BUSY_HORIZON_MS),
    targets: new Map(),
    tilesTaken: new Map(),
    tileCaps: new Map(),
    nextRunNumber: () => runs++
  }
  const gossip = listenToLoadGossip({
    ...state,
    ...(init.metricsIntervalMs !== undefined ? { metricsIntervalMs: init.metricsIntervalMs } : {}),
    ...(init.onPeerSample !== undefined ? { onPeerSample: init.onPeerSample } : {})
  })
  return {
    shortTerm,
    longTerm,
    targets: () => [...state.targets.values()],
    async discover (options = {}) {
      await gossip.ready
      return await discoverUntil(node, state.discovery, state.targets, {
        minPeers: options.minPeers ?? 1,
        timeoutMs: options.timeoutMs ?? DEFAULT_DISCOVERY_TIMEOUT_MS,
        now,
        onAdded: (target) => { longTerm.observe(target.peerId, { up: true }, now()) }
      })
    },
    run: async (options) => await runJob(state, options),
    stop: async () => { await gossip.stop() }
  }
}
