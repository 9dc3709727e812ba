/**
 * The reconfiguration step: a pure state machine (in the manner of etcd's raft `Step`) that a coordinator calls
 * every few seconds with its placement and what the dual memory now says, and that answers with decisions
 * (events for the log) and actions (effects to carry out). No I/O; the clock and the random source are
 * arguments; the same state, input and rng seed give the same output.
 *
 * One step, in priority order:
 * 1. admit peers seen for the first time (they become targets for everything below);
 * 2. drop copies on departed peers (`release` with `peerGone`), abort operations that targeted them;
 * 3. advance operations: a programmed target that became active switches traffic — the old copy of a migration
 *    is drained —, a programming timeout cancels; a released source ends the operation;
 * 4. safety: a shard left with no active copy gets a draining copy back (`activate`);
 * 5. release draining copies whose in-flight calls are done (or whose drain timed out), never a shard's last;
 * 6. replace lost copies at once — no hysteresis, no cap, only capacity — shards without any copy first; when
 *    every peer left looks saturated, the least utilised one takes the copy (a slow copy beats none);
 * 7. migrate a copy off a peer that is overloaded, slower than it used to be or trending worse, when the
 *    expected completion time on the best other peer beats the old one by `gainThreshold` at `confirmChecks`
 *    consecutive steps; at most `maxConcurrentMigrations` uploads (migrations + replications) at once and one
 *    move per shard per `cooldownMs`; a peer that is only overloaded sheds one copy per `overloadSettleMs`
 *    (its reports need that long to show the move, and one move is often enough);
 * 8. replicate hot shards (utilisation of their copies ≥ `replicateUtilisation`, predicted gain ≥ threshold,
 *    K consecutive checks) onto spare capacity;
 * 9. evict copies beyond the shard's own `replicas` once the others would run at ≤ `evictUtilisation` (K checks).
 *
 * Each phase is a function of its own under reconfigure/ (admit, departed, operations, safety, drained, replace,
 * migrate, replicate, evict); reconfigure/step.ts runs them in this order over one working state
 * (reconfigure/working-state.ts).
 *
 * Make-before-break: a migration is `program` new → (coordinator reports it `active`: traffic switches to it)
 * → `drain` old → `release` old once its in-flight calls are done. No action of the step ever leaves a shard that
 * has an active copy without one. Tiles: a target must have room for the shard after subtracting the tiles of
 * copies still programming and of every upload decided in the same step, so tiles are never over-committed.
 */
import { createReconfigureConfig } from './reconfigure-config.js'
import { createReconfigureState } from './reconfigure-state.js'
import { reconfigureStep } from './reconfigure/step.js'
import type { ReconfigureConfig, ReconfigureInit } from './reconfigure-config.js'
import type { ReconfigureState, ReconfigureStateInit } from './reconfigure-state.js'
import type { ReconfigureInput, ReconfigureResult } from './reconfigure/step-types.js'

export { reconfigureStep }
export type { ReconfigureInput, ReconfigureResult }

/** The reconfiguration core with its configuration bound. */
export interface Reconfigurer {
  readonly config: ReconfigureConfig
  /** The state before the first step. */
  initialState: (init?: ReconfigureStateInit) => ReconfigureState
  /** One step: pure, see the module comment. */
  step: (state: ReconfigureState, input: ReconfigureInput) => ReconfigureResult
}

/**
 * Creates the reconfiguration core. Throws {@link InvalidOptionError} on a bad option.
 *
 * @example
 * ```ts
 * const reconfigurer = createReconfigurer({ confirmChecks: 3 })
 * let state = reconfigurer.initialState({ knownPeers: peers.map((p) => p.peerId) })
 * // every few seconds:
 * const { state: next, events, actions } = reconfigurer.step(state, {
 *   shards, replicas, peers, departed, loadPerSec, nowMs: Date.now(), rng: createRng('run-1/reconfigure')
 * })
 * state = next
 * for (const action of actions) apply(action) // program / drain / activate / release
 * ```
 */
export function createReconfigurer (init: ReconfigureInit = {}): Reconfigurer {
  const config = createReconfigureConfig(init)
  return {
    config,
    initialState: (stateInit) => createReconfigureState(stateInit),
    step: (state, input) => reconfigureStep(state, input, config)
  }
}
