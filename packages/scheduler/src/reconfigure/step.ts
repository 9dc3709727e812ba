/**
 * One reconfiguration step: its phases in priority order (reconfigure.ts describes them), over one working state.
 */
import { admitNewPeers } from './admit.js'
import { measureCapacity } from './capacity.js'
import { dropDepartedCopies } from './departed.js'
import { releaseDrained } from './drained.js'
import { evictSpareCopies } from './evict.js'
import { migrateCopies } from './migrate.js'
import { openMoves } from './move-budget.js'
import { advanceOperations } from './operations.js'
import { replaceLostCopies } from './replace.js'
import { replicateHotShards } from './replicate.js'
import { reactivateUnserved } from './safety.js'
import { openStep } from './working-state.js'
import type { ReconfigureConfig } from '../reconfigure-config.js'
import type { ReconfigureState } from '../reconfigure-state.js'
import type { MoveBudget } from './move-budget.js'
import type { ReconfigureInput, ReconfigureResult } from './step-types.js'
import type { WorkingState } from './working-state.js'

/** One step of the reconfiguration core with an explicit configuration (see `createReconfigurer`). */
export function reconfigureStep (state: ReconfigureState, input: ReconfigureInput, config: ReconfigureConfig): ReconfigureResult {
  const work = openStep(state, input, config)
  // Bookkeeping: what happened since the previous step.
  admitNewPeers(work)
  dropDepartedCopies(work)
  advanceOperations(work)
  reactivateUnserved(work)
  releaseDrained(work)
  // Placement, on capacity and load as they stand after the bookkeeping.
  const capacity = measureCapacity(work)
  replaceLostCopies(work, capacity)
  // Optional moves, with hysteresis, cool-down and a cap.
  const moves = openMoves(work)
  migrateCopies(work, capacity, moves)
  replicateHotShards(work, capacity, moves)
  evictSpareCopies(work, capacity, moves)
  return closeStep(work, moves)
}

/** The step's result: the state for the next step and what was decided. */
function closeStep (work: WorkingState, moves: MoveBudget): ReconfigureResult {
  return {
    state: {
      lastStepMs: work.nowMs,
      knownPeers: work.knownPeers,
      counters: moves.checks.counters(),
      cooldownUntilMs: work.cooldowns,
      sheddingUntilMs: moves.shedding,
      operations: work.operations,
      copiesWanted: work.wanted,
      drainingSinceMs: work.drainingSinceMs,
      lostFrom: work.lostFrom
    },
    events: work.events,
    actions: work.actions,
    unplaced: work.unplaced
  }
}
