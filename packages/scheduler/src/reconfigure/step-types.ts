/**
 * What one reconfiguration step takes and gives back (the contract of {@link reconfigureStep}, re-exported by
 * reconfigure.ts).
 */
import type { Rng } from '@tessera/crossbar'
import type { ReconfigureAction, ReconfigureEvent, UnplacedShard } from '../reconfigure-events.js'
import type { ReconfigureState, ReplicaView } from '../reconfigure-state.js'
import type { PeerView, ShardSpec } from '../types.js'

/** What the coordinator knows at one step. */
export interface ReconfigureInput {
  /** Every shard of the job (the coordinator holds their weights). */
  shards: readonly ShardSpec[]
  /**
   * The coordinator's placement: shard id → its copies. A shard without an entry has no copy and is placed.
   * It must reflect every action of the previous step (see {@link ReconfigureAction}).
   */
  replicas: ReadonlyMap<string, readonly ReplicaView[]>
  /**
   * Current views of the peers (capacity records + both memories). `device.tilesFree` must already count the
   * tiles of this coordinator's `active` and `draining` copies on the peer; the step subtracts those of
   * `programming` copies itself (counting them twice only makes it cautious).
   */
  peers: readonly PeerView[]
  /** Peers known to have left (their copies are lost); they are never targets. */
  departed?: Iterable<string>
  /** Shard id → calls per second the coordinator sends it now (absent: 0). */
  loadPerSec?: ReadonlyMap<string, number>
  /** The coordinator's clock, ms; never earlier than at the previous step. */
  nowMs: number
  /** Breaks exact ties between targets (from `createRng(seed)`). */
  rng: Rng
}

/** Output of one step. */
export interface ReconfigureResult {
  /** The state to pass to the next step. */
  state: ReconfigureState
  /** Decisions taken at this step, in the order taken. */
  events: ReconfigureEvent[]
  /** Effects to carry out, in order, before the next step. */
  actions: ReconfigureAction[]
  /** Shards short of copies that no peer can take now. */
  unplaced: UnplacedShard[]
}
