/**
 * What the reconfiguration step tells the coordinator: decisions (events, for the run's log and report) and the
 * effects to carry out (actions, for the coordinator's placement and the shard protocol).
 *
 * A decision is logged once, when it is taken; the make-before-break phases that follow (programming done →
 * traffic switched → old copy drained → released) show up only as actions.
 */

/** Kind of a reconfiguration decision. */
export type ReconfigureEventType = 'migrate' | 'replicate' | 'replace' | 'evict' | 'admit'

/** A decision about one shard. */
export interface ShardEvent {
  type: 'migrate' | 'replicate' | 'replace' | 'evict'
  shardId: string
  /** Peer the copy leaves (migrate, evict) or was lost on (replace, when known). */
  from?: string
  /** Peer the new copy goes to (migrate, replicate, replace). */
  to?: string
  /** Why, in words a report can show (the trigger and the figures behind it). */
  reason: string
  /**
   * Expected completion time of a shard call before ÷ after (> 1 is faster): migrate — old replica's score ÷
   * new peer's score; replicate and evict — M/M/1 response time of the shard's replicas before ÷ after (below 1
   * for an eviction: a small slowdown accepted to give tiles back); replace — `null`, the old copy is gone.
   */
  predictedGain: number | null
  /** The step's clock, ms. */
  atMs: number
}

/** A peer the step saw for the first time (or again after it had departed); it is now a placement target. */
export interface AdmitEvent {
  type: 'admit'
  /** The admitted peer. */
  to: string
  reason: string
  predictedGain: null
  atMs: number
}

/** Every decision of the reconfiguration step. */
export type ReconfigureEvent = ShardEvent | AdmitEvent

/**
 * An effect for the coordinator. It applies every action to its placement before the next step (the step
 * reads the placement back and checks the outcome):
 * - `program`: list `peerId` as a `programming` replica of the shard and start the upload from the coordinator's
 *   copy of the weights; when the upload succeeds list it `active` (it then receives traffic); if it fails, drop
 *   it from the placement.
 * - `drain`: list the replica `draining`: no new calls go to it; calls in flight finish (their count is reported
 *   in `inFlight`).
 * - `activate`: list a draining replica `active` again (the shard's other copies are gone).
 * - `release`: free the replica's tiles on its peer (skip the network call when `peerGone`) and drop it from
 *   the placement. Calls still in flight on it are retried on another replica.
 */
export type ReconfigureAction =
  | { kind: 'program', shardId: string, peerId: string, tiles: number }
  | { kind: 'drain', shardId: string, peerId: string }
  | { kind: 'activate', shardId: string, peerId: string }
  | { kind: 'release', shardId: string, peerId: string, peerGone: boolean }

/** A shard whose lost copies could not be re-placed this step, and why (retried at every step). */
export interface UnplacedShard {
  shardId: string
  reason: string
}
