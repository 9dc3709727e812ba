/**
 * Continuous reconfiguration: every `intervalMs` the loop hands the run's placement and what the dual memory now
 * says to the scheduler's pure reconfiguration step, logs its decisions and carries out its actions on the shards
 * of the run, make-before-break (see copy-moves.ts).
 *
 * A call that finds its shard without any live copy asks the loop to {@link ReconfigureLoop.restore} it: the loop
 * steps at once (the step re-places lost copies without hysteresis) instead of waiting for its next tick.
 * Discovery runs every `discoverEveryMs`, so peers that join are admitted and become targets.
 */
import { logger } from '@libp2p/logger'
import { createRng } from '@tessera/crossbar'
import type { Rng } from '@tessera/crossbar'
import type { ReconfigureEvent, Reconfigurer, ReconfigureState, UnplacedShard } from '@tessera/scheduler'
import { RECONFIGURE_RESTORE_POLL_MS } from './constants.js'
import { CopyMoves } from './copy-moves.js'
import { createDemandMeter } from './demand.js'
import { ShardUnavailableError } from './errors.js'
import { stepInputOf } from './reconfigure-views.js'
import type { RunContext } from './run-context.js'
import { runErrorOf } from './run-errors.js'
import type { ShardState } from './shard-state.js'
import { sleep } from './sleep.js'

const log = logger('tessera:coordinator:reconfigure')

/** Options of {@link startReconfigureLoop}. */
export interface ReconfigureLoopInit {
  reconfigurer: Reconfigurer
  /** Time between two steps, ms. */
  intervalMs: number
  /** Time between two discovery rounds (peers that joined), ms. */
  discoverEveryMs: number
  /** Trailing window the per-shard call rates are measured over, ms. */
  loadWindowMs: number
  /** Time constant of the remembered per-shard call rate, ms (a dip in calls answered is not a drop in demand). */
  demandMemoryMs: number
  /** Seed of the step's tie-breaking. */
  seed: string
  /** Called for every decision as it is taken. */
  onEvent?: (event: ReconfigureEvent) => void
}

/** A running reconfiguration loop. */
export interface ReconfigureLoop {
  /** Every decision so far, in order. */
  readonly events: ReconfigureEvent[]
  /** Steps taken so far. */
  steps: () => number
  /** Takes a step now (after one already under way), without waiting for the timer. */
  stepNow: () => Promise<void>
  /**
   * Resolves once `shard` has a live copy again: steps now if nothing is being programmed for it, then waits for
   * the upload. Throws {@link ShardUnavailableError} when the step could not place it (no peer can take it now)
   * or the deadline passes.
   */
  restore: (shard: ShardState, deadlineMs: number) => Promise<void>
  /** Stops stepping and waits for uploads and releases in progress. */
  stop: () => Promise<void>
}

/** One step of the loop: the scheduler's decision on the run as it is now, carried out. */
interface Stepper {
  step: () => void
  steps: () => number
  /** Why the last step left a shard unplaced (undefined when it did not). */
  whyUnplaced: (shardId: string) => string | undefined
}

function createStepper (ctx: RunContext, init: ReconfigureLoopInit, moves: CopyMoves, events: ReconfigureEvent[]): Stepper {
  const { reconfigurer } = init
  const rng: Rng = createRng(`${init.seed}/reconfigure`)
  const demand = createDemandMeter(ctx.recorder, init)
  let state: ReconfigureState = reconfigurer.initialState({ knownPeers: ctx.views().map((v) => v.peerId) })
  let steps = 0
  let lastUnplaced = new Map<string, string>()
  const step = (): void => {
    const nowMs = ctx.now()
    const shards = [...ctx.shards.values()]
    const result = reconfigurer.step(state, stepInputOf({ shards, views: ctx.views(), pending: ctx.pending, departed: ctx.dead, loadPerSec: demand(ctx.shards.keys(), nowMs), nowMs, rng }))
    state = result.state
    steps++
    for (const event of result.events) {
      log('%s of %s: %s', event.type, event.type === 'admit' ? event.to : event.shardId, event.reason)
      events.push(event)
      if (event.type === 'replace') ctx.recorder.replacements++
      init.onEvent?.(event)
    }
    for (const action of result.actions) moves.apply(action)
    lastUnplaced = new Map(result.unplaced.map((u: UnplacedShard) => [u.shardId, u.reason]))
    ctx.invalidateViews()
  }
  return { step, steps: () => steps, whyUnplaced: (shardId) => lastUnplaced.get(shardId) }
}

/** Starts the loop on a run's context and registers it as the context's restorer of lost copies. */
export function startReconfigureLoop (ctx: RunContext, init: ReconfigureLoopInit): ReconfigureLoop {
  const events: ReconfigureEvent[] = []
  const moves = new CopyMoves(ctx)
  const stepper = createStepper(ctx, init, moves, events)
  let stopped = false
  let lastDiscoveryMs = ctx.now()

  // Steps never overlap: each waits for the one before (the step is synchronous; only its effects are not).
  let queued: Promise<void> | undefined
  const stepSoon = async (): Promise<void> => {
    queued ??= Promise.resolve().then(() => {
      queued = undefined
      if (!stopped) stepper.step()
    })
    await queued
  }

  const timer = setInterval(() => {
    // A step that throws (a bug, or input the core rejects) is reported with the run, and the next tick tries again.
    stepSoon().catch((err) => {
      log.error('a reconfiguration step failed: %e', err)
      ctx.errors.push(runErrorOf('reconfiguration', err))
    })
    if (ctx.now() - lastDiscoveryMs >= init.discoverEveryMs) {
      lastDiscoveryMs = ctx.now()
      // refreshPeers reports a failed discovery round with the run itself; anything else it throws is reported here.
      moves.track(ctx.refreshPeers().catch((err) => {
        log.error('looking for peers failed: %e', err)
        ctx.errors.push(runErrorOf('discovery', err))
      }))
    }
  }, init.intervalMs)

  const loop: ReconfigureLoop = {
    events,
    steps: stepper.steps,
    stepNow: stepSoon,
    restore: async (shard, deadlineMs) => { await restoreShard(ctx, shard, deadlineMs, stepSoon, stepper.whyUnplaced) },
    async stop () {
      stopped = true
      clearInterval(timer)
      await queued
      await moves.settle()
      if (ctx.reconfiguration === loop) delete ctx.reconfiguration
    }
  }
  ctx.reconfiguration = loop
  return loop
}

/** Whether the shard has a copy that serves (active, or draining while no active one is left). */
function hasLiveCopy (ctx: RunContext, shard: ShardState): boolean {
  return shard.holders.some((p) => !ctx.dead.has(p)) || shard.draining.some((p) => !ctx.dead.has(p))
}

/** See {@link ReconfigureLoop.restore}; `whyUnplaced` says why the last step left a shard unplaced. */
async function restoreShard (ctx: RunContext, shard: ShardState, deadlineMs: number, stepSoon: () => Promise<void>, whyUnplaced: (shardId: string) => string | undefined): Promise<void> {
  for (;;) {
    if (hasLiveCopy(ctx, shard)) return
    if (shard.programming.length === 0) {
      await stepSoon()
      if (hasLiveCopy(ctx, shard)) return
      if (shard.programming.length === 0) {
        throw new ShardUnavailableError(`no live peer can take shard ${shard.spec.id}: ${whyUnplaced(shard.spec.id) ?? 'nothing was placed'}`)
      }
    }
    const left = deadlineMs - ctx.now()
    if (left <= 0) throw new ShardUnavailableError(`shard ${shard.spec.id} had no live copy before the batch deadline`)
    await sleep(Math.min(RECONFIGURE_RESTORE_POLL_MS, left))
  }
}
