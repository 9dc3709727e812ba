/**
 * What the reconfiguration step carries from one call to the next, and what it reads of the placement.
 * The state is immutable: every step returns a new one.
 */

/** Life cycle of one copy of a shard on a peer. */
export type ReplicaState = 'active' | 'programming' | 'draining'

/** One copy of a shard, as the coordinator's placement lists it. */
export interface ReplicaView {
  peerId: string
  /**
   * `programming`: weights being uploaded, no traffic yet; `active`: serves calls; `draining`: gets no new calls,
   * finishes the ones in flight.
   */
  state: ReplicaState
  /** Calls the coordinator has outstanding on this copy. */
  inFlight: number
}

/** A make-before-break operation in progress. */
export interface Operation {
  kind: 'migrate' | 'replicate' | 'replace' | 'evict'
  shardId: string
  /** The copy that goes (migrate: once the new one is active; evict: at once). */
  from?: string
  /** The copy being programmed (migrate, replicate, replace). */
  to?: string
  /** `programming`: waiting for `to` to become active; `draining`: waiting for `from` to be released. */
  phase: 'programming' | 'draining'
  /** When the current phase began, ms. */
  sinceMs: number
}

/** The reconfiguration step's memory between calls. */
export interface ReconfigureState {
  /** Clock of the previous step, ms (−∞ before the first). */
  readonly lastStepMs: number
  /** Peers already admitted (present at creation or seen since, and not departed). */
  readonly knownPeers: ReadonlySet<string>
  /** Hysteresis: condition key → consecutive checks it has held. */
  readonly counters: ReadonlyMap<string, number>
  /** Cool-down key (`migrate` or `copies`, then the shard id) → end of that cool-down, ms. */
  readonly cooldownUntilMs: ReadonlyMap<string, number>
  /** Peer id → until when a peer that shed a copy for overload only waits before shedding another, ms. */
  readonly sheddingUntilMs: ReadonlyMap<string, number>
  /** Operations in progress, in the order they were decided. */
  readonly operations: readonly Operation[]
  /** Shard id → copies it should have (its `replicas`, plus copies added for load, minus evicted ones). */
  readonly copiesWanted: ReadonlyMap<string, number>
  /** Replica key (shard, peer) → when the step first saw it draining, ms. */
  readonly drainingSinceMs: ReadonlyMap<string, number>
  /** Shard id → departed peers whose copy has not been re-placed yet (names the `from` of the replace event). */
  readonly lostFrom: ReadonlyMap<string, readonly string[]>
}

/** Options of {@link createReconfigureState}. */
export interface ReconfigureStateInit {
  /** Peers the initial placement was made over (default none): they are not announced by `admit` events. */
  knownPeers?: Iterable<string>
}

/** The state before the first step. */
export function createReconfigureState (init: ReconfigureStateInit = {}): ReconfigureState {
  return {
    lastStepMs: Number.NEGATIVE_INFINITY,
    knownPeers: new Set(init.knownPeers ?? []),
    counters: new Map(),
    cooldownUntilMs: new Map(),
    sheddingUntilMs: new Map(),
    operations: [],
    copiesWanted: new Map(),
    drainingSinceMs: new Map(),
    lostFrom: new Map()
  }
}

/** Key of one replica (shard, peer) in state maps. */
export function replicaKey (shardId: string, peerId: string): string {
  return `${shardId}\u0000${peerId}`
}
