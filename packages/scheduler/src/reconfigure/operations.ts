/**
 * Phase 3 of a reconfiguration step: operations in progress move on. A programmed target that became active
 * switches traffic (the old copy of a migration is drained); a programming timeout cancels the operation; an
 * operation whose target or source is gone ends.
 */
import { findCopy, releaseCopy } from './working-state.js'
import type { Operation } from '../reconfigure-state.js'
import type { WorkingState } from './working-state.js'

/** Advances every operation; keeps those still in progress. */
export function advanceOperations (work: WorkingState): void {
  work.operations = work.operations.filter((op) => op.phase === 'programming' ? advanceProgramming(work, op) : stillDraining(work, op))
}

/** An operation waiting for its target to become active; returns whether it goes on. */
function advanceProgramming (work: WorkingState, op: Operation): boolean {
  const target = findCopy(work, op.shardId, op.to)
  if (target === undefined) {
    abandon(work, op)
    return false
  }
  if (target.state === 'programming') {
    if (work.nowMs - op.sinceMs < work.config.programTimeoutMs) return true
    releaseCopy(work, op.shardId, target.peerId, false)
    abandon(work, op)
    return false
  }
  if (target.state === 'draining' || op.kind !== 'migrate') return false
  // The new copy of a migration serves: the old one gets no new calls and goes once its calls are done.
  const source = findCopy(work, op.shardId, op.from)
  if (source === undefined) return false
  if (source.state === 'active') {
    work.actions.push({ kind: 'drain', shardId: op.shardId, peerId: source.peerId })
    source.state = 'draining'
  }
  op.phase = 'draining'
  op.sinceMs = work.nowMs
  return true
}

/** An operation waiting for its source to be released goes on while the source is still draining. */
function stillDraining (work: WorkingState, op: Operation): boolean {
  const source = findCopy(work, op.shardId, op.from)
  return source !== undefined && source.state === 'draining'
}

/** A replication that did not happen no longer counts in the copies its shard wants. */
function abandon (work: WorkingState, op: Operation): void {
  if (op.kind === 'replicate') work.wanted.set(op.shardId, Math.max(work.shardById.get(op.shardId)?.replicas ?? 1, (work.wanted.get(op.shardId) ?? 1) - 1))
}
